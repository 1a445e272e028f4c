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
    wmem_list_t *unpaired[2]; /* messages still waiting for the other side's, oldest first */
    gboolean pending[2];
    appmsg_tail tail[2];      /* while pending: the incomplete message at the end of the data */
    guint32 last_frame;       /* the connection's last frame seen while a message was pending */
    gboolean blind;           /* packets after a pending message went by without TCP's tap data */
    guint32 replayed_through; /* a later pass has gone over them up to this frame */
    guint8 searching[2]; /* SEARCH_*: what the bytes at the start of the next segment continue */
    struct {
        guint32 frame, declared, payload_len, chars; /* frame 0: none */
    } chars_short[2];          /* the message just before, if its length may count characters */
    wmem_array_t *segments[2]; /* data_segment: new data while a message waited, in order */
};

/* A TCP segment with new data, and how many messages had bytes in it. */
typedef struct {
    guint32 frame, seq, end, pieces;
} data_segment;

enum { SEARCH_NONE, SEARCH_NO_MAGIC, SEARCH_OVERSIZE };

static int proto_appmsg = -1;
static int proto_tcp = -1;

/* File-scope state, made by the init routine. */
static wmem_map_t *streams; /* tcp.stream → appmsg_stream */
static wmem_list_t *ended;  /* tails whose stream ended with FIN or RST */
static wmem_map_t *tails_by_frame;
static guint pending_count;
static guint blind_count; /* blind streams a later pass has not replayed yet */
static gboolean tails_dirty;

static void
appmsg_stream_init(void)
{
    streams = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
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
    /* TCP remembers the port the SYN (or SYN/ACK) named as the server's. */
    guint32 server = s->tcpd ? s->tcpd->server_port : 0;
    /* Looked up each time: the preference's range is replaced when the user edits it. */
    range_t *ports = prefs_get_range_value("AppMsg", "tcp.port");
    gboolean src_ours = ports && value_is_in_range(ports, pinfo->srcport);
    gboolean dst_ours = ports && value_is_in_range(ports, pinfo->destport);

    if (server != 0 && pinfo->srcport != pinfo->destport &&
        (server == pinfo->srcport || server == pinfo->destport)) {
        if (server == pinfo->srcport)
            set_client(s, &pinfo->dst, pinfo->destport);
        else
            set_client(s, &pinfo->src, pinfo->srcport);
    } else if (src_ours && !dst_ours) {
        set_client(s, &pinfo->dst, pinfo->destport);
    } else {
        set_client(s, &pinfo->src, pinfo->srcport); /* on our port, or the first to speak */
    }
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
        s->unpaired[APPMSG_C2S] = wmem_list_new(wmem_file_scope());
        s->unpaired[APPMSG_S2C] = wmem_list_new(wmem_file_scope());
        s->segments[APPMSG_C2S] = wmem_array_new(wmem_file_scope(), sizeof(data_segment));
        s->segments[APPMSG_S2C] = wmem_array_new(wmem_file_scope(), sizeof(data_segment));
        conversation_add_proto_data(conv, proto_appmsg, s);
        wmem_map_insert(streams, GUINT_TO_POINTER(s->index), s);
    }
    return s;
}

/* ---- Echo pairing ------------------------------------------------------------------------------
 */

/* A message waiting for the other side's message of the same rank (first pass only). */
typedef struct {
    guint32 frame, type, length, crc;
    nstime_t time;
    wmem_array_t *frame_pairings; /* its frame's appmsg_pairing array ... */
    guint key;                    /* ... and its place there */
} unpaired_msg;

static appmsg_pairing *
pairing_at(wmem_array_t *frame_pairings, guint key)
{
    return (appmsg_pairing *)wmem_array_index(frame_pairings, key);
}

static guint8
echo_diff(const unpaired_msg *request, const unpaired_msg *echo)
{
    return (guint8)((request->type != echo->type ? APPMSG_DIFF_TYPE : 0) |
                    (request->length != echo->length ? APPMSG_DIFF_LENGTH : 0) |
                    (request->crc != echo->crc ? APPMSG_DIFF_PAYLOAD : 0));
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
    if (!pinfo->fd->visited) {
        s->searching[dir] = too_long ? SEARCH_OVERSIZE : SEARCH_NONE;
        s->chars_short[dir].frame = 0;
    }
}

void
appmsg_stream_chars_short(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, guint32 declared,
                          guint32 payload_len, guint32 chars)
{
    if (pinfo->fd->visited)
        return;
    s->chars_short[dir].frame = pinfo->num;
    s->chars_short[dir].declared = declared;
    s->chars_short[dir].payload_len = payload_len;
    s->chars_short[dir].chars = chars;
}

/* The run goes on with the characters the message before it counted in its length: it ends
 * them, or runs to the end of the segment short of them (the next run may end them). */
static gboolean
continues_chars_short(appmsg_stream *s, appmsg_dir dir, const appmsg_run *run,
                      appmsg_chars_rest *rest)
{
    guint32 chars = s->chars_short[dir].chars + run->chars;

    if (!s->chars_short[dir].frame || !run->at_start || chars > s->chars_short[dir].declared ||
        (chars < s->chars_short[dir].declared && !run->to_end))
        return FALSE;
    s->chars_short[dir].chars = chars;
    s->chars_short[dir].payload_len += run->len;
    rest->frame = s->chars_short[dir].frame;
    rest->declared = s->chars_short[dir].declared;
    rest->bytes = s->chars_short[dir].payload_len;
    rest->complete = chars == s->chars_short[dir].declared;
    return TRUE;
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
    if (s->searching[dir] == SEARCH_OVERSIZE) {
        kind = APPMSG_SKIP_OVERSIZE; /* until the next header */
    } else {
        if (continues_chars_short(s, dir, run, rest)) {
            kind = APPMSG_SKIP_CHARS_REST;
            r->peer_frame = rest->frame;
            r->peer_type = rest->declared;
            r->peer_length = rest->bytes;
            r->diff = (guint8)rest->complete;
        } else if (s->searching[dir] == SEARCH_NO_MAGIC && run->at_start) {
            kind = APPMSG_SKIP_CONTINUED;
        } else {
            kind = run->json_text ? APPMSG_SKIP_NO_HEADER : APPMSG_SKIP_RESYNC;
        }
        s->searching[dir] = run->to_end ? SEARCH_NO_MAGIC : SEARCH_NONE;
    }
    if (kind != APPMSG_SKIP_CHARS_REST || rest->complete)
        s->chars_short[dir].frame = 0; /* ended, or not what it was */
    r->skip = (guint8)kind;
    return kind;
}

const appmsg_pairing *
appmsg_stream_message(appmsg_stream *s, packet_info *pinfo, guint key, appmsg_dir dir, guint32 type,
                      guint32 length, guint32 crc)
{
    wmem_array_t *pairings = frame_records(pinfo, key);
    wmem_list_frame_t *oldest;
    unpaired_msg *m; /* the one that waited, or this one when it must wait */

    if (pinfo->fd->visited)
        return pairings ? pairing_at(pairings, key) : NULL;
    pairing_at(pairings, key)->dir = (guint8)dir;

    const unpaired_msg here = {pinfo->num, type, length, crc, pinfo->abs_ts, pairings, key};
    /* The Nth message one way pairs with the Nth the other way; the first to come waits. */
    oldest = wmem_list_head(s->unpaired[!dir]);
    if (!oldest) {
        m = wmem_new(wmem_file_scope(), unpaired_msg);
        *m = here;
        wmem_list_append(s->unpaired[dir], m);
        return pairing_at(pairings, key);
    }
    m = wmem_list_frame_data(oldest);
    wmem_list_remove_frame(s->unpaired[!dir], oldest);
    const unpaired_msg *request = dir == APPMSG_C2S ? &here : m,
                       *echo = dir == APPMSG_C2S ? m : &here;
    appmsg_pairing *mine = pairing_at(pairings, key),
                   *theirs = pairing_at(m->frame_pairings, m->key);
    nstime_t delta;

    nstime_delta(&delta, &echo->time, &request->time);
    mine->peer_frame = m->frame;
    mine->peer_type = m->type;
    mine->peer_length = m->length;
    theirs->peer_frame = here.frame;
    theirs->peer_type = type;
    theirs->peer_length = length;
    appmsg_pairing *echo_pairing = dir == APPMSG_C2S ? theirs : mine;
    echo_pairing->diff = echo_diff(request, echo);
    echo_pairing->delta_ns = (gint64)delta.secs * 1000000000 + delta.nsecs;
    wmem_free(wmem_file_scope(), m);
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
    if (s->pending[dir] != (pending != NULL))
        pending_count += pending ? 1 : (guint)-1;
    s->pending[dir] = pending != NULL;
    if (pending) {
        s->tail[dir] = *pending;
        s->tail[dir].dir = (guint8)dir;
        s->tail[dir].end_frame = pinfo->num; /* its bytes are counted up to this frame */
        s->last_frame = pinfo->num;
    }
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

/* The stream ended in dir while a message was incomplete: that is final. */
static const appmsg_tail *
end_pending(appmsg_stream *s, appmsg_dir dir, guint32 frame, const char *how)
{
    appmsg_tail *t = wmem_new(wmem_file_scope(), appmsg_tail);

    *t = s->tail[dir];
    t->end_frame = frame;
    t->end = how;
    wmem_list_append(ended, t);
    s->pending[dir] = FALSE;
    pending_count--;
    tails_dirty = TRUE;
    return t;
}

/* A segment with new data in dir (not a retransmission): kept for counting a message's
 * segments. */
static void
log_data_segment(appmsg_stream *s, appmsg_dir dir, guint32 frame, guint32 seq, guint32 end)
{
    wmem_array_t *segments = s->segments[dir];
    guint n = wmem_array_get_count(segments);
    data_segment seg = {frame, seq, end, 0};

    if (n > 0) {
        const data_segment *last = wmem_array_index(segments, n - 1);
        if (last->frame >= frame || (gint32)(seg.end - last->end) <= 0)
            return;
    }
    wmem_array_append_one(segments, seg);
}

guint32
appmsg_stream_earlier_segments(const appmsg_stream *s, packet_info *pinfo, appmsg_dir dir,
                               guint32 seq, guint32 end, guint32 *first_pieces)
{
    const data_segment *segs = wmem_array_get_raw(s->segments[dir]);
    guint count = wmem_array_get_count(s->segments[dir]), lo = 0, hi = count, n = 0;

    while (lo < hi) { /* the first segment that ends after seq */
        guint mid = lo + (hi - lo) / 2;
        if ((gint32)(segs[mid].end - seq) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first_pieces = 0;
    for (guint i = lo; i < count && (gint32)(segs[i].seq - end) < 0 && segs[i].frame < pinfo->num;
         i++) {
        if (n++ == 0)
            *first_pieces = segs[i].pieces;
    }
    return n;
}

void
appmsg_stream_log_segment(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, guint32 seq,
                          guint32 end)
{
    if (!pinfo->fd->visited)
        log_data_segment(s, dir, pinfo->num, seq, end);
}

gboolean
appmsg_stream_pending(const appmsg_stream *s, appmsg_dir dir, appmsg_tail *out)
{
    if (!s->pending[dir])
        return FALSE;
    *out = s->tail[dir];
    return TRUE;
}

void
appmsg_stream_note_pieces(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, guint32 pieces)
{
    guint n = wmem_array_get_count(s->segments[dir]);
    data_segment *last = n ? wmem_array_index(s->segments[dir], n - 1) : NULL;

    if (last && last->frame == pinfo->num) /* (a replay's segments get theirs on a later pass) */
        last->pieces = pieces;
}

/* One packet of s after its pending messages began: counts their bytes, ends them on FIN/RST.
 * Returns how many it ended, in ended_here. */
static guint
follow_packet(appmsg_stream *s, packet_info *pinfo, const struct tcpheader *tcph,
              const appmsg_tail *ended_here[2])
{
    appmsg_dir dir = direction_of(s, &pinfo->src, pinfo->srcport);
    guint n = 0;

    if (s->pending[dir] && pinfo->num > s->tail[dir].end_frame && tcph->th_have_seglen &&
        tcph->th_seglen > 0) {
        s->tail[dir].seen += tcph->th_seglen;
        s->tail[dir].end_frame = pinfo->num;
    }
    /* A later pass replays every packet: what waited then is not known, but only a waiting
     * message's segments lie between its first and last frame. */
    if ((s->pending[dir] || pinfo->fd->visited) && tcph->th_have_seglen && tcph->th_seglen > 0)
        log_data_segment(s, dir, pinfo->num, tcph->th_seq, tcph->th_seq + tcph->th_seglen);
    if (tcph->th_flags & TH_RST) { /* a reset ends both directions */
        for (int d = APPMSG_C2S; d <= APPMSG_S2C; d++)
            if (s->pending[d] && pinfo->num > s->tail[d].start_frame)
                ended_here[n++] = end_pending(s, (appmsg_dir)d, pinfo->num, "RST");
    } else if ((tcph->th_flags & TH_FIN) && s->pending[dir] &&
               pinfo->num > s->tail[dir].start_frame) {
        ended_here[n++] = end_pending(s, dir, pinfo->num, "FIN");
    }
    if (!pinfo->fd->visited)
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
        !s->client_known || !(s->pending[APPMSG_C2S] || s->pending[APPMSG_S2C]))
        return 0;
    if (pinfo->num > s->last_frame)
        s->last_frame = pinfo->num;
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
        if (!s->pending[d])
            continue;
        appmsg_tail *t = wmem_new(wmem_file_scope(), appmsg_tail);
        *t = s->tail[d];
        t->end = "end of capture";
        add_tail(t, s->last_frame);
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
    if (pinfo->num <= s->replayed_through || pinfo->num > s->last_frame)
        return;
    if (s->replayed_through == 0) { /* the first pass logged only the segments it dissected */
        s->segments[APPMSG_C2S] = wmem_array_new(wmem_file_scope(), sizeof(data_segment));
        s->segments[APPMSG_S2C] = wmem_array_new(wmem_file_scope(), sizeof(data_segment));
    }
    s->replayed_through = pinfo->num;
    if (tcph) {
        const appmsg_tail *unused[2];
        follow_packet(s, pinfo, tcph, unused);
    }
    if (pinfo->num == s->last_frame) {
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
