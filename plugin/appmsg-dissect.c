/* appmsg-dissect.c — the dissector's loop: what TCP delivers, read item by item
 * (core/appmsg_reader.h), each shown by appmsg-show.c; a message cut by a segment waits for the
 * rest (TCP's desegment request); the postdissector shows the messages a stream ends inside of
 * where TCP calls no subdissector (a bare FIN or RST, the capture's end).
 *
 * Framing is our own loop over the segment rather than tcp_dissect_pdus, which cannot
 * resynchronise: after bad magic or a hostile length we skip to the next magic and go on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-tcp.h>

#include "appmsg-dissector.h"
#include "appmsg-recv.h"
#include "appmsg-stream.h"
#include "appmsg_reader.h"

/* Stream ends (see dissect_tails): TCP's tap, read back by the postdissector (fetch_tapped_data)
 * for the packet at hand. */
static int tcp_tap_id = -1;
static dissector_handle_t tails_handle;
static gboolean tails_registered, tcp_tap_listening, tcp_tap_refused;

/* A capture without AppMsg never pays for a postdissector or a tap. The postdissector, which
 * completes each frame's messages (appmsg-recv.h) and shows stream ends, is registered with the
 * first AppMsg data; it runs for that packet too, and stays for the session (Wireshark cannot
 * remove one). TCP's tap is read only from the first message that waits for more bytes on; its
 * listener goes with the file, and acts from the next packet on, which is all it is needed for. */
static void
watch_frames(void)
{
    if (!tails_registered) {
        register_postdissector(tails_handle);
        tails_registered = TRUE;
    }
}

static void
watch_stream_ends(void)
{
    watch_frames();
    if (!tcp_tap_listening && !tcp_tap_refused) {
        /* A listener that only makes TCP's tap data readable in the postdissector: a
         * dissector's helper, which asks Wireshark for neither a tree nor columns. */
        GString *error = register_tap_listener("tcp", &tcp_tap_id, NULL, TL_IS_DISSECTOR_HELPER,
                                               NULL, NULL, NULL, NULL);
        if (error) {
            ws_warning("appmsg: no TCP tap (%s): streams cut by a bare FIN or RST go unreported",
                       error->str);
            g_string_free(error, TRUE);
            tcp_tap_refused = TRUE;
        } else {
            tcp_tap_listening = TRUE;
        }
    }
}

static void
stop_watching_stream_ends(void)
{
    if (tcp_tap_listening)
        remove_tap_listener(&tcp_tap_id);
    tcp_tap_listening = FALSE;
}

/* ---- The stream --------------------------------------------------------------------------------
 */

int
dissect_appmsg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const struct tcpinfo *tcpinfo = data;
    const appmsg_frame_opts opts = appmsg_framing_opts();
    guint len = tvb_captured_length(tvb);
    const guint8 *buf = tvb_get_ptr(tvb, 0, (gint)len);
    /* A segment that carries FIN or RST ends its direction: nothing more will come. */
    gboolean stream_ends = tcpinfo && (tcpinfo->flags & (TH_FIN | TH_RST));
    appmsg_ctx c = {
        tvb, pinfo, tree, appmsg_stream_get(pinfo), APPMSG_C2S, appmsg_frame_message_count(pinfo),
        0,   0};
    guint offset = 0;

    if (len == 0)
        return 0;
    c.dir = appmsg_stream_direction(c.stream, pinfo);
    /* Reassembled bytes begin with the message that waited: it began in an earlier frame. */
    appmsg_tail waited;
    if (!pinfo->fd->visited && tcpinfo && tcpinfo->is_reassembled &&
        appmsg_stream_pending(c.stream, c.dir, &waited)) {
        c.carried_start_frame = waited.start_frame;
    }
    c.seq = tcpinfo ? tcpinfo->seq : 0;
    /* Whatever waited for more data is complete now or is handled below. */
    appmsg_stream_set_pending(c.stream, pinfo, c.dir, NULL);
    watch_frames();

    while (offset < len) {
        appmsg_read r =
            appmsg_read_next(buf, len, offset, tcpinfo && tcpinfo->is_reassembled,
                             appmsg_desegment && pinfo->can_desegment && !stream_ends, &opts);

        /* A magic ends any search for one; after an oversize header, what follows up to the
         * next magic is its payload. */
        if (r.kind != APPMSG_READ_SKIPPED)
            appmsg_stream_framed(c.stream, pinfo, c.dir, r.kind == APPMSG_READ_TOO_LONG);
        switch (r.kind) {
        case APPMSG_READ_MESSAGE:
            appmsg_show_message(&c, (int)offset, &r.f);
            break;
        case APPMSG_READ_SKIPPED:
            appmsg_show_skipped(&c, (int)offset, (guint)r.len);
            break;
        case APPMSG_READ_TOO_LONG:
            appmsg_show_too_long(&c, (int)offset, &r.f);
            break;
        case APPMSG_READ_WAIT: {
            gboolean carried = offset == 0 && c.carried_start_frame;
            appmsg_tail pending = {carried ? c.carried_start_frame : pinfo->num,
                                   pinfo->num,
                                   r.len,
                                   r.whole,
                                   r.f.have_header,
                                   r.f.type,
                                   r.f.length,
                                   NULL,
                                   (guint8)c.dir};
            pinfo->desegment_offset = (int)offset;
            pinfo->desegment_len = r.more ? r.more : DESEGMENT_ONE_MORE_SEGMENT;
            appmsg_stream_set_pending(c.stream, pinfo, c.dir, &pending);
            if (tcpinfo && !tcpinfo->is_reassembled)
                appmsg_stream_log_segment(c.stream, pinfo, c.dir, tcpinfo->seq, tcpinfo->nxtseq);
            appmsg_recv_piece(pinfo, c.stream, c.dir);
            watch_stream_ends();
            return (int)len;
        }
        case APPMSG_READ_TRUNCATED:
            appmsg_show_truncated(&c, (int)offset, &r.f,
                                  stream_ends ? (tcpinfo->flags & TH_RST ? "RST" : "FIN")
                                              : "not reassembled");
            break;
        }
        offset += (guint)r.len;
    }
    return (int)len;
}

/* The packet's TCP header as TCP tapped it: the innermost one, if TCP is tunnelled in TCP. */
static const struct tcpheader *
tapped_tcp_header(void)
{
    const struct tcpheader *found = NULL, *next;

    for (int i = 0; (next = fetch_tapped_data(tcp_tap_id, i)) != NULL; i++)
        found = next;
    return found;
}

/* Messages a stream ended inside of: TCP calls no subdissector for a bare FIN or RST, nor at
 * the end of the capture. On the first pass it reports TCP packets to the stream
 * state and shows what a FIN or RST ended at once; on later passes it also shows messages cut by
 * the end of the capture, in the connection's last frame.
 *
 * The flags come from TCP's tap, not from tcp.flags in the tree: a postdissector that wants
 * fields makes Wireshark build a tree for every packet of every capture, AppMsg or not. */
static void
dissect_tails(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const appmsg_tail *const *tails = NULL;
    const struct tcpheader *tcph = tapped_tcp_header();
    guint n = pinfo->fd->visited ? appmsg_stream_tails_in_frame(pinfo, tcph, &tails)
                                 : appmsg_stream_observe_tcp(pinfo, tcph, &tails);

    for (guint i = 0; i < n; i++) {
        appmsg_ctx c = {
            tvb, pinfo, tree, NULL, (appmsg_dir)tails[i]->dir, appmsg_frame_message_count(pinfo),
            0,   0};
        appmsg_show_tail(&c, tails[i]);
    }
}

/* Postdissector: stream ends, then the counts of the frame's messages, which only the whole
 * frame decides. */
static int
dissect_appmsg_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (pinfo->ptype != PT_TCP)
        return 0;
    if (appmsg_stream_following(pinfo))
        dissect_tails(tvb, pinfo, tree);
    appmsg_recv_finish_frame(pinfo);
    return 0;
}

void
appmsg_dissect_handoff(void)
{
    tcp_tap_id = find_tap_id("tcp");
    tails_handle = create_dissector_handle(dissect_appmsg_post, proto_appmsg);
    register_cleanup_routine(stop_watching_stream_ends);
}
