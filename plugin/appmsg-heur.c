/* appmsg-heur.c — the TCP heuristic: evidence, ownership, and the frame it starts from.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/conversation.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h> /* struct tcpinfo */

#include "appmsg-keys.h"
#include "appmsg-compat.h"
#include "appmsg_evidence.h"
#include "appmsg_wire.h"
#include "appmsg-heur.h"

static dissector_handle_t appmsg_handle;
static dissector_t dissect_appmsg; /* called directly: through call_dissector(), TCP's
                                      reassembly would no longer be offered to it */
static dissector_table_t tcp_port_table;
static appmsg_frame_opts (*framing_opts)(void);

/* Another enabled dissector is registered for this port (by default, a preference or Decode
 * As): TCP offered it the segment first, and what it refused is still its traffic. */
static gboolean
port_owned_by_another(guint32 port)
{
    dissector_handle_t h = dissector_get_uint_handle(tcp_port_table, port);
    int proto;

    if (!h || h == appmsg_handle)
        return FALSE;
    proto = dissector_handle_get_protocol_index(h);
    return proto < 0 || proto_is_protocol_enabled(find_protocol_by_id(proto));
}

/* Another dissector was given this conversation (by its own heuristic, or a signalling
 * protocol that announced it). */
static gboolean
conversation_given_to_another(packet_info *pinfo)
{
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    dissector_handle_t h = conv ? conversation_get_dissector(conv, pinfo->num) : NULL;

    return h && h != appmsg_handle;
}

/* A header seen where evidence was too weak (not the first data of its direction, payload not
 * whole): the sequence number where the next message must start, per direction. A segment that
 * starts there with a magic makes two consecutive messages: evidence enough. */
typedef struct {
    guint32 next_seq[2];
    gboolean waiting[2];
} heur_candidate;

static int proto_appmsg = -1;
static wmem_map_t *candidates; /* conversation → heur_candidate, first pass */

/* Per-frame decisions are kept: later passes repeat them instead of deciding again from state
 * that has moved on since. */
enum { HEUR_REFUSED, HEUR_TAKEN, HEUR_WAITING };

static void
heur_init(void)
{
    candidates = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
}

static void
heur_cleanup(void)
{
    candidates = NULL;
}

/* The candidate of this packet's direction (directions told apart by address and port order). */
static heur_candidate *
candidate_of(packet_info *pinfo, int *dir)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    heur_candidate *c = wmem_map_lookup(candidates, conv);
    int order = cmp_address(&pinfo->src, &pinfo->dst);

    *dir = (order ? order : (int)pinfo->srcport - (int)pinfo->destport) > 0;
    if (!c) {
        c = wmem_new0(wmem_file_scope(), heur_candidate);
        wmem_map_insert(candidates, conv, c);
    }
    return c;
}

/* The first data of a direction is shorter than a magic but starts like one (a client that
 * writes its header byte by byte): not evidence yet, so TCP is asked to join it with the next
 * segment and offer the heuristic both. Big-endian only: an 'x' typed alone would otherwise
 * look like the start of a little-endian magic. */
static gboolean
first_bytes_of_magic(const guint8 *buf, guint len, const struct tcpinfo *tcpinfo)
{
    return len > 0 && len < 4 && tcpinfo->seq == 1 && buf[0] == (guint8)(APPMSG_MAGIC >> 24) &&
           appmsg_find_magic(buf, len) == 0;
}

/* First pass: is this segment evidence enough to take the connection from here on? */
static guint
decide(tvbuff_t *tvb, packet_info *pinfo, const struct tcpinfo *tcpinfo)
{
    guint len = tvb_captured_length(tvb);
    const appmsg_frame_opts opts = framing_opts();
    const guint8 *buf;
    appmsg_evidence evidence;
    appmsg_frame f;
    heur_candidate *c;
    size_t at;
    int dir;

    if (!tcpinfo || len == 0)
        return HEUR_REFUSED;
    buf = tvb_get_ptr(tvb, 0, (gint)len);
    if (len < 4)
        return first_bytes_of_magic(buf, len, tcpinfo) && pinfo->can_desegment &&
                       !port_owned_by_another(pinfo->srcport) &&
                       !port_owned_by_another(pinfo->destport) &&
                       !conversation_given_to_another(pinfo)
                   ? HEUR_WAITING
                   : HEUR_REFUSED;
    /* The first magic in the segment: at its start, or after the tail of a message the capture
     * began inside of. Every other protocol's segment without one stops here. */
    at = appmsg_find_magic(buf, len);
    if (at + 4 > len)
        return HEUR_REFUSED;
    if (port_owned_by_another(pinfo->srcport) || port_owned_by_another(pinfo->destport) ||
        conversation_given_to_another(pinfo))
        return HEUR_REFUSED;
    evidence = appmsg_evidence_of(buf + at, len - at, &opts, &f);
    if (evidence == APPMSG_EVIDENCE_NONE)
        return HEUR_REFUSED;
    if (evidence == APPMSG_EVIDENCE_MESSAGE)
        return HEUR_TAKEN;
    /* Relative sequence number 1: the first data of this direction in the capture (TCP's default
     * numbering; the connection's start, or the first segment seen mid-stream). */
    if (at == 0 && tcpinfo->seq == 1)
        return HEUR_TAKEN;
    c = candidate_of(pinfo, &dir);
    if (at == 0 && c->waiting[dir] && c->next_seq[dir] == tcpinfo->seq)
        return HEUR_TAKEN; /* the message the last header announced ended right here */
    if (evidence == APPMSG_EVIDENCE_HEADER) {
        c->next_seq[dir] = tcpinfo->seq + (guint32)(at + f.header_len + f.length);
        c->waiting[dir] = TRUE;
    }
    return HEUR_REFUSED;
}

static appmsg_bool
dissect_appmsg_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    guint decision;

    if (pinfo->fd->visited) {
        decision = GPOINTER_TO_UINT(
            p_get_proto_data(wmem_file_scope(), pinfo, proto_appmsg, APPMSG_KEY_HEUR_DECISION));
    } else {
        decision = decide(tvb, pinfo, data);
        if (decision != HEUR_REFUSED) /* refusals are not stored: no record means refused */
            p_add_proto_data(wmem_file_scope(), pinfo, proto_appmsg, APPMSG_KEY_HEUR_DECISION,
                             GUINT_TO_POINTER(decision));
        if (decision == HEUR_TAKEN)
            conversation_set_dissector_from_frame_number(find_or_create_conversation(pinfo),
                                                         pinfo->num, appmsg_handle);
    }
    switch (decision) {
    case HEUR_TAKEN:
        dissect_appmsg(tvb, pinfo, tree, data);
        return TRUE;
    case HEUR_WAITING: /* the magic's first bytes: decide with the next segment */
        pinfo->desegment_offset = 0;
        pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
        return TRUE;
    default:
        return FALSE;
    }
}

void
appmsg_heur_register(int proto, dissector_handle_t handle, dissector_t dissect,
                     appmsg_frame_opts (*opts)(void))
{
    proto_appmsg = proto;
    appmsg_handle = handle;
    dissect_appmsg = dissect;
    register_init_routine(heur_init);
    register_cleanup_routine(heur_cleanup);
    framing_opts = opts;
    tcp_port_table = find_dissector_table("tcp.port");
    heur_dissector_add("tcp", dissect_appmsg_heur, "AppMsg over TCP", "appmsg_tcp", proto,
                       HEURISTIC_ENABLE);
}
