/* appmsg-stream.c — per-connection state: client side, echo pairing, stream ends.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/conversation.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

#include "appmsg-keys.h"
#include "appmsg-stream.h"

struct appmsg_stream {
    guint32 index;             /* tcp.stream */
    struct tcp_analysis *tcpd; /* TCP's own state of the connection (its server port) */
    gboolean client_known;
    address client_addr;
    guint32 client_port;
    appmsg_conn *conn;        /* the rules' state, first pass */
    gboolean blind;           /* packets after a pending message went by without TCP's tap data */
    guint32 replayed_through; /* a later pass has gone over them up to this frame */
};

static int proto_appmsg = -1;
static int proto_tcp = -1;

/* File-scope state, made by the init routine. */
static wmem_map_t *streams; /* tcp.stream → appmsg_stream */
static GPtrArray *conns;    /* every stream's appmsg_conn, freed with the file */
static wmem_list_t *ended;  /* tails whose stream ended with FIN or RST */
static wmem_map_t *tails_by_frame;
static guint pending_count;
static guint blind_count; /* blind streams a later pass has not replayed yet */
static gboolean tails_dirty;

static void
appmsg_stream_init(void)
{
    streams = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    conns = g_ptr_array_new_with_free_func((GDestroyNotify)appmsg_conn_free);
    ended = wmem_list_new(wmem_file_scope());
    tails_by_frame = NULL;
    pending_count = 0;
    blind_count = 0;
    tails_dirty = FALSE;
}

static void
appmsg_stream_cleanup(void)
{
    streams = NULL;
    if (conns)
        g_ptr_array_free(conns, TRUE);
    conns = NULL;
    ended = NULL;
    tails_by_frame = NULL;
}

/* ---- Client side -------------------------------------------------------------------------------
 */

static void
set_client(appmsg_stream *s, const address *addr, guint32 port)
{
    copy_address_wmem(wmem_file_scope(), &s->client_addr, addr);
    s->client_port = port;
    s->client_known = TRUE;
}

static void
decide_client(appmsg_stream *s, packet_info *pinfo)
{
    /* Looked up each time: the preference's range is replaced when the user edits it. */
    range_t *ports = prefs_get_range_value("AppMsg", "tcp.port");

    /* TCP remembers the port the SYN (or SYN/ACK) named as the server's. */
    if (appmsg_sender_is_client(s->tcpd ? s->tcpd->server_port : 0, pinfo->srcport, pinfo->destport,
                                ports && value_is_in_range(ports, pinfo->srcport),
                                ports && value_is_in_range(ports, pinfo->destport)))
        set_client(s, &pinfo->src, pinfo->srcport);
    else
        set_client(s, &pinfo->dst, pinfo->destport);
}

static appmsg_dir
direction_of(const appmsg_stream *s, const address *src, guint32 sport)
{
    return addresses_equal(src, &s->client_addr) && sport == s->client_port ? APPMSG_C2S
                                                                            : APPMSG_S2C;
}

appmsg_dir
appmsg_stream_direction(appmsg_stream *s, packet_info *pinfo)
{
    if (!s->client_known)
        decide_client(s, pinfo);
    return direction_of(s, &pinfo->src, pinfo->srcport);
}

/* TCP's state of a connection, read as it is (TCP made it before calling us). */
static struct tcp_analysis *
tcp_state(conversation_t *conv)
{
    return conv ? conversation_get_proto_data(conv, proto_tcp) : NULL;
}

gboolean
appmsg_tcp_stream(packet_info *pinfo, guint32 *stream)
{
    struct tcp_analysis *tcpd =
        pinfo->ptype == PT_TCP ? tcp_state(find_conversation_pinfo(pinfo, 0)) : NULL;

    if (tcpd)
        *stream = tcpd->stream;
    return tcpd != NULL;
}

appmsg_stream *
appmsg_stream_get(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    appmsg_stream *s = conversation_get_proto_data(conv, proto_appmsg);

    if (!s) {
        s = wmem_new0(wmem_file_scope(), appmsg_stream);
        s->tcpd = tcp_state(conv);
        s->index = s->tcpd ? s->tcpd->stream : 0;
        s->conn = appmsg_conn_new();
        g_ptr_array_add(conns, s->conn);
        conversation_add_proto_data(conv, proto_appmsg, s);
        wmem_map_insert(streams, GUINT_TO_POINTER(s->index), s);
    }
    return s;
}

/* ---- Echo pairing ------------------------------------------------------------------------------
 */

static appmsg_pairing *
pairing_at(wmem_array_t *frame_pairings, guint key)
{
    return (appmsg_pairing *)wmem_array_index(frame_pairings, key);
}

/* The frame's records, one per item, indexed by key: made on the first pass (with a zeroed record
 * at key), read on later ones (NULL when there is none at key). */
static wmem_array_t *
frame_records(packet_info *pinfo, guint key)
{
    wmem_array_t *records =
        p_get_proto_data(wmem_file_scope(), pinfo, proto_appmsg, APPMSG_KEY_RECORDS);
    static const appmsg_pairing none;

    if (pinfo->fd->visited)
        return records && key < wmem_array_get_count(records) ? records : NULL;
    if (!records) {
        records = wmem_array_sized_new(wmem_file_scope(), sizeof(appmsg_pairing), 1);
        p_add_proto_data(wmem_file_scope(), pinfo, proto_appmsg, APPMSG_KEY_RECORDS, records);
    }
    while (wmem_array_get_count(records) <= key)
        wmem_array_append_one(records, none);
    return records;
}

void
appmsg_stream_framed(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, gboolean too_long)
{
    if (!pinfo->fd->visited)
        appmsg_conn_framed(s->conn, dir, too_long);
}

void
appmsg_stream_chars_short(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, guint32 declared,
                          guint32 payload_len, guint32 chars)
{
    if (!pinfo->fd->visited)
        appmsg_conn_chars_short(s->conn, dir, pinfo->num, declared, payload_len, chars);
}

appmsg_skip
appmsg_stream_skipped(appmsg_stream *s, packet_info *pinfo, guint key, appmsg_dir dir,
                      const appmsg_run *run, appmsg_chars_rest *rest)
{
    wmem_array_t *records = frame_records(pinfo, key);
    appmsg_pairing *r;
    appmsg_skip kind;

    if (pinfo->fd->visited) {
        if (!records)
            return APPMSG_SKIP_RESYNC;
        r = pairing_at(records, key);
        *rest = (appmsg_chars_rest){r->peer_frame, r->peer_type, r->peer_length, r->diff};
        return (appmsg_skip)r->skip;
    }
    r = pairing_at(records, key);
    kind = appmsg_conn_skipped(s->conn, dir, run, rest);
    if (kind == APPMSG_SKIP_CHARS_REST) {
        r->peer_frame = rest->frame;
        r->peer_type = rest->declared;
        r->peer_length = rest->bytes;
        r->diff = (guint8)rest->complete;
    }
    r->skip = (guint8)kind;
    return kind;
}

const appmsg_pairing *
appmsg_stream_message(appmsg_stream *s, packet_info *pinfo, guint key, appmsg_dir dir, guint32 type,
                      guint32 length, guint32 crc)
{
    wmem_array_t *records = frame_records(pinfo, key);
    appmsg_echo_pair pair;

    if (pinfo->fd->visited)
        return records ? pairing_at(records, key) : NULL;
    const appmsg_echo_msg here = {pinfo->num,
                                  type,
                                  length,
                                  crc,
                                  (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs,
                                  records,
                                  key};
    appmsg_pairing *mine = pairing_at(records, key);
    mine->dir = (guint8)dir;
    if (!appmsg_conn_pair(s->conn, dir, &here, &pair))
        return mine;
    appmsg_pairing *theirs = pairing_at(pair.other.owner, pair.other.key),
                   *echo = dir == APPMSG_C2S ? theirs : mine;
    mine->peer_frame = pair.other.frame;
    mine->peer_type = pair.other.type;
    mine->peer_length = pair.other.length;
    theirs->peer_frame = here.frame;
    theirs->peer_type = type;
    theirs->peer_length = length;
    echo->diff = pair.diff;
    echo->delta_ns = pair.delta_ns;
    return mine;
}

/* ---- Stream ends -------------------------------------------------------------------------------
 *
 * A pending message is followed packet by packet after it: its direction's bytes count as seen,
 * a FIN in its direction or a RST either way ends it, shown in that frame. One still pending when
 * the capture ends is shown, on later passes, in the connection's last frame.
 *
 * The flags and lengths come from TCP's tap. A pass without taps (tshark -2's first) sees only
 * that packets went by: such a stream is "blind" and the next pass, which has the tap, goes over
 * those packets in order instead, showing each end where it happens.
 */

void
appmsg_stream_set_pending(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir,
                          const appmsg_tail *pending)
{
    if (pinfo->fd->visited)
        return;
    pending_count += (guint)appmsg_conn_set_pending(s->conn, dir, pending, pinfo->num);
    tails_dirty = TRUE;
}

static void
add_tail(const appmsg_tail *t, guint32 frame)
{
    wmem_array_t *in_frame = wmem_map_lookup(tails_by_frame, GUINT_TO_POINTER(frame));

    if (!in_frame) {
        in_frame = wmem_array_new(wmem_file_scope(), sizeof(const appmsg_tail *));
        wmem_map_insert(tails_by_frame, GUINT_TO_POINTER(frame), in_frame);
    }
    wmem_array_append_one(in_frame, t);
}

guint32
appmsg_stream_earlier_segments(const appmsg_stream *s, packet_info *pinfo, appmsg_dir dir,
                               guint32 seq, guint32 end, guint32 *first_pieces)
{
    return appmsg_conn_earlier_segments(s->conn, dir, pinfo->num, seq, end, first_pieces);
}

void
appmsg_stream_log_segment(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, guint32 seq,
                          guint32 end)
{
    if (!pinfo->fd->visited)
        appmsg_conn_log_segment(s->conn, dir, pinfo->num, seq, end);
}

gboolean
appmsg_stream_pending(const appmsg_stream *s, appmsg_dir dir, appmsg_tail *out)
{
    return appmsg_conn_pending(s->conn, dir, out);
}

void
appmsg_stream_note_pieces(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, guint32 pieces)
{
    /* (a replay's segments get theirs on a later pass) */
    appmsg_conn_note_pieces(s->conn, dir, pinfo->num, pieces);
}

/* One packet of s after its pending messages began: counts their bytes, ends them on FIN/RST
 * (final: kept for the file). Returns how many it ended, in ended_here. */
static guint
follow_packet(appmsg_stream *s, packet_info *pinfo, const struct tcpheader *tcph,
              const appmsg_tail *ended_here[2])
{
    appmsg_tail ends[2];
    guint32 seglen = tcph->th_have_seglen ? tcph->th_seglen : 0;
    /* A later pass replays every packet: what waited then is not known, but only a waiting
     * message's segments lie between its first and last frame. */
    guint n = appmsg_conn_follow(s->conn, direction_of(s, &pinfo->src, pinfo->srcport), pinfo->num,
                                 tcph->th_seq, seglen, (tcph->th_flags & TH_FIN) != 0,
                                 (tcph->th_flags & TH_RST) != 0, pinfo->fd->visited, ends);

    for (guint i = 0; i < n; i++) {
        appmsg_tail *t = wmem_new(wmem_file_scope(), appmsg_tail);
        *t = ends[i];
        wmem_list_append(ended, t);
        pending_count--;
        ended_here[i] = t;
    }
    if (n || !pinfo->fd->visited)
        tails_dirty = TRUE; /* seen counts changed: the first pass may be revisited (the GUI) */
    return n;
}

gboolean
appmsg_stream_following(const packet_info *pinfo)
{
    /* A blind stream only matters to a pass that can replay it: one pass never revisits. */
    return pending_count > 0 || (blind_count > 0 && pinfo->fd->visited) ||
           (ended && wmem_list_count(ended) > 0);
}

/* The stream of a TCP packet, if it is ours: by TCP's stream index when the tap gave it, else
 * by the packet's conversation. */
static appmsg_stream *
stream_of(packet_info *pinfo, const struct tcpheader *tcph)
{
    conversation_t *conv;

    if (!streams)
        return NULL;
    if (tcph)
        return wmem_map_lookup(streams, GUINT_TO_POINTER(tcph->th_stream));
    conv = find_conversation_pinfo(pinfo, 0);
    return conv ? conversation_get_proto_data(conv, proto_appmsg) : NULL;
}

guint
appmsg_stream_observe_tcp(packet_info *pinfo, const struct tcpheader *tcph,
                          const appmsg_tail *const **ended_here)
{
    static const appmsg_tail *just_ended[2];
    appmsg_stream *s;

    if (pinfo->fd->visited || pending_count == 0 || !(s = stream_of(pinfo, tcph)) ||
        !s->client_known || !appmsg_conn_any_pending(s->conn))
        return 0;
    appmsg_conn_saw_frame(s->conn, pinfo->num);
    if (!tcph) {
        blind_count += !s->blind;
        s->blind = TRUE;
        return 0;
    }
    *ended_here = just_ended;
    return follow_packet(s, pinfo, tcph, just_ended);
}

/* A stream still waiting when the capture ends: its tails go in its last frame (a blind one's
 * are placed when the pass that goes over it gets there). */
static void
add_tail_at_end(gpointer key _U_, gpointer value, gpointer user_data _U_)
{
    appmsg_stream *s = value;

    if (s->blind)
        return;
    for (int d = APPMSG_C2S; d <= APPMSG_S2C; d++) {
        appmsg_tail *t = wmem_new(wmem_file_scope(), appmsg_tail);
        if (!appmsg_conn_pending(s->conn, (appmsg_dir)d, t)) {
            wmem_free(wmem_file_scope(), t);
            continue;
        }
        t->end = "end of capture";
        add_tail(t, appmsg_conn_last_frame(s->conn));
    }
}

/* Tails by frame: those ended by FIN/RST, and those of streams still waiting at the end.
 * Rebuilt whenever the first pass changed them. */
static void
rebuild_tails(void)
{
    tails_by_frame = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    for (wmem_list_frame_t *f = wmem_list_head(ended); f; f = wmem_list_frame_next(f)) {
        const appmsg_tail *t = wmem_list_frame_data(f);
        add_tail(t, t->end_frame);
    }
    wmem_map_foreach(streams, add_tail_at_end, NULL);
    tails_dirty = FALSE;
}

/* A later pass over a blind stream: the packets the first pass could not read, in order. */
static void
replay_blind(appmsg_stream *s, packet_info *pinfo, const struct tcpheader *tcph)
{
    guint32 last_frame = appmsg_conn_last_frame(s->conn);

    if (pinfo->num <= s->replayed_through || pinfo->num > last_frame)
        return;
    if (s->replayed_through == 0) /* the first pass logged only the segments it dissected */
        appmsg_conn_forget_segments(s->conn);
    s->replayed_through = pinfo->num;
    if (tcph) {
        const appmsg_tail *unused[2];
        follow_packet(s, pinfo, tcph, unused);
    }
    if (pinfo->num == last_frame) {
        s->blind = FALSE; /* what is still pending is what the capture ended inside of */
        blind_count--;
        tails_dirty = TRUE;
    }
}

guint
appmsg_stream_tails_in_frame(packet_info *pinfo, const struct tcpheader *tcph,
                             const appmsg_tail *const **tails)
{
    wmem_array_t *in_frame;
    appmsg_stream *s;

    if (!pinfo->fd->visited || !streams || !appmsg_stream_following(pinfo))
        return 0;
    if ((s = stream_of(pinfo, tcph)) != NULL && s->blind)
        replay_blind(s, pinfo, tcph);
    if (tails_dirty || !tails_by_frame)
        rebuild_tails();
    in_frame = wmem_map_lookup(tails_by_frame, GUINT_TO_POINTER(pinfo->num));
    if (!in_frame)
        return 0;
    *tails = wmem_array_get_raw(in_frame);
    return wmem_array_get_count(in_frame);
}

void
appmsg_stream_register(int proto)
{
    proto_appmsg = proto;
    proto_tcp = proto_get_id_by_filter_name("tcp");
    register_init_routine(appmsg_stream_init);
    register_cleanup_routine(appmsg_stream_cleanup);
}
