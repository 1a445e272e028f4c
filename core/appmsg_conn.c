/* appmsg_conn.c — the rules of one TCP connection (appmsg_conn.h). */
#include <glib.h>

#include "appmsg_conn.h"

/* What the bytes at the start of a direction's next data continue. */
enum { SEARCH_NONE, SEARCH_NO_MAGIC, SEARCH_OVERSIZE };

/* A TCP segment with new data, and how many message pieces it held. */
typedef struct {
    uint32_t frame, seq, end, pieces;
} data_segment;

typedef struct {
    uint8_t searching; /* SEARCH_* */
    struct {
        uint32_t frame, declared, payload_len, chars; /* frame 0: none */
    } chars_short;   /* the message just before, if its length may count characters */
    GQueue unpaired; /* appmsg_echo_msg: messages waiting for the other side's, oldest first */
    bool pending;
    appmsg_tail tail; /* while pending: the incomplete message at the end of the data */
    GArray *segments; /* data_segment: new data while a message waited, in order */
} direction;

struct appmsg_conn {
    direction d[2];
    uint32_t last_frame;
};

bool
appmsg_sender_is_client(uint32_t server_port, uint32_t sport, uint32_t dport, bool sport_ours,
                        bool dport_ours)
{
    if (server_port != 0 && sport != dport && (server_port == sport || server_port == dport))
        return server_port == dport;
    if (sport_ours && !dport_ours)
        return false;
    return true; /* on our port, or the first to speak */
}

appmsg_conn *
appmsg_conn_new(void)
{
    appmsg_conn *c = g_new0(appmsg_conn, 1);

    for (int d = 0; d < 2; d++) {
        g_queue_init(&c->d[d].unpaired);
        c->d[d].segments = g_array_new(FALSE, FALSE, sizeof(data_segment));
    }
    return c;
}

void
appmsg_conn_free(appmsg_conn *c)
{
    if (!c)
        return;
    for (int d = 0; d < 2; d++) {
        g_queue_clear_full(&c->d[d].unpaired, g_free);
        g_array_free(c->d[d].segments, TRUE);
    }
    g_free(c);
}

/* ---- Skipped bytes ------------------------------------------------------------------------- */

void
appmsg_conn_framed(appmsg_conn *c, appmsg_dir dir, bool too_long)
{
    c->d[dir].searching = too_long ? SEARCH_OVERSIZE : SEARCH_NONE;
    c->d[dir].chars_short.frame = 0;
}

void
appmsg_conn_chars_short(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t declared,
                        uint32_t payload_len, uint32_t chars)
{
    c->d[dir].chars_short.frame = frame;
    c->d[dir].chars_short.declared = declared;
    c->d[dir].chars_short.payload_len = payload_len;
    c->d[dir].chars_short.chars = chars;
}

/* The run goes on with the characters the message before it counted in its length: it ends
 * them, or runs to the end of the segment short of them (the next run may end them). */
static bool
continues_chars_short(direction *d, const appmsg_run *run, appmsg_chars_rest *rest)
{
    uint32_t chars = d->chars_short.chars + run->chars;

    if (!d->chars_short.frame || !run->at_start || chars > d->chars_short.declared ||
        (chars < d->chars_short.declared && !run->to_end))
        return false;
    d->chars_short.chars = chars;
    d->chars_short.payload_len += run->len;
    rest->frame = d->chars_short.frame;
    rest->declared = d->chars_short.declared;
    rest->bytes = d->chars_short.payload_len;
    rest->complete = chars == d->chars_short.declared;
    return true;
}

appmsg_skip
appmsg_conn_skipped(appmsg_conn *c, appmsg_dir dir, const appmsg_run *run, appmsg_chars_rest *rest)
{
    direction *d = &c->d[dir];
    appmsg_skip kind;

    *rest = (appmsg_chars_rest){0, 0, 0, false};
    if (d->searching == SEARCH_OVERSIZE) {
        kind = APPMSG_SKIP_OVERSIZE; /* until the next header */
    } else {
        if (continues_chars_short(d, run, rest))
            kind = APPMSG_SKIP_CHARS_REST;
        else if (d->searching == SEARCH_NO_MAGIC && run->at_start)
            kind = APPMSG_SKIP_CONTINUED;
        else
            kind = run->json_text ? APPMSG_SKIP_NO_HEADER : APPMSG_SKIP_RESYNC;
        d->searching = run->to_end ? SEARCH_NO_MAGIC : SEARCH_NONE;
    }
    if (kind != APPMSG_SKIP_CHARS_REST || rest->complete)
        d->chars_short.frame = 0; /* ended, or not what it was */
    return kind;
}

/* ---- Echo pairing -------------------------------------------------------------------------- */

static uint8_t
echo_diff(const appmsg_echo_msg *request, const appmsg_echo_msg *echo)
{
    return (uint8_t)((request->type != echo->type ? APPMSG_DIFF_TYPE : 0) |
                     (request->length != echo->length ? APPMSG_DIFF_LENGTH : 0) |
                     (request->crc != echo->crc ? APPMSG_DIFF_PAYLOAD : 0));
}

bool
appmsg_conn_pair(appmsg_conn *c, appmsg_dir dir, const appmsg_echo_msg *m, appmsg_echo_pair *pair)
{
    appmsg_echo_msg *waited = g_queue_pop_head(&c->d[!dir].unpaired);

    if (!waited) {
        g_queue_push_tail(&c->d[dir].unpaired, g_memdup2(m, sizeof *m));
        return false;
    }
    const appmsg_echo_msg *request = dir == APPMSG_C2S ? m : waited,
                          *echo = dir == APPMSG_C2S ? waited : m;
    pair->other = *waited;
    pair->diff = echo_diff(request, echo);
    pair->delta_ns = echo->time_ns - request->time_ns;
    g_free(waited);
    return true;
}

/* ---- A message waiting for more bytes ------------------------------------------------------ */

int
appmsg_conn_set_pending(appmsg_conn *c, appmsg_dir dir, const appmsg_tail *pending, uint32_t frame)
{
    direction *d = &c->d[dir];
    int change = d->pending == (pending != NULL) ? 0 : pending ? 1 : -1;

    d->pending = pending != NULL;
    if (pending) {
        d->tail = *pending;
        d->tail.dir = (uint8_t)dir;
        d->tail.end_frame = frame; /* its bytes are counted up to this frame */
        c->last_frame = frame;
    }
    return change;
}

bool
appmsg_conn_pending(const appmsg_conn *c, appmsg_dir dir, appmsg_tail *out)
{
    if (!c->d[dir].pending)
        return false;
    *out = c->d[dir].tail;
    return true;
}

bool
appmsg_conn_any_pending(const appmsg_conn *c)
{
    return c->d[APPMSG_C2S].pending || c->d[APPMSG_S2C].pending;
}

uint32_t
appmsg_conn_last_frame(const appmsg_conn *c)
{
    return c->last_frame;
}

void
appmsg_conn_saw_frame(appmsg_conn *c, uint32_t frame)
{
    if (frame > c->last_frame)
        c->last_frame = frame;
}

/* The stream ended in dir while a message was incomplete: that is final. */
static appmsg_tail
end_pending(direction *d, uint32_t frame, const char *how)
{
    appmsg_tail t = d->tail;

    t.end_frame = frame;
    t.end = how;
    d->pending = false;
    return t;
}

unsigned
appmsg_conn_follow(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t seq, uint32_t seglen,
                   bool fin, bool rst, bool log_always, appmsg_tail ended[2])
{
    direction *d = &c->d[dir];
    unsigned n = 0;

    if (d->pending && frame > d->tail.end_frame && seglen > 0) {
        d->tail.seen += seglen;
        d->tail.end_frame = frame;
    }
    /* Only a waiting message's segments lie between its first and last frame. */
    if ((d->pending || log_always) && seglen > 0)
        appmsg_conn_log_segment(c, dir, frame, seq, seq + seglen);
    if (rst) { /* a reset ends both directions */
        for (int e = APPMSG_C2S; e <= APPMSG_S2C; e++)
            if (c->d[e].pending && frame > c->d[e].tail.start_frame)
                ended[n++] = end_pending(&c->d[e], frame, "RST");
    } else if (fin && d->pending && frame > d->tail.start_frame) {
        ended[n++] = end_pending(d, frame, "FIN");
    }
    return n;
}

/* ---- The TCP segments a message came in ---------------------------------------------------- */

void
appmsg_conn_log_segment(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t seq, uint32_t end)
{
    GArray *segments = c->d[dir].segments;
    data_segment seg = {frame, seq, end, 0};

    if (segments->len > 0) {
        const data_segment *last = &g_array_index(segments, data_segment, segments->len - 1);
        if (last->frame >= frame || (int32_t)(seg.end - last->end) <= 0)
            return;
    }
    g_array_append_val(segments, seg);
}

void
appmsg_conn_note_pieces(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t pieces)
{
    GArray *segments = c->d[dir].segments;
    data_segment *last =
        segments->len ? &g_array_index(segments, data_segment, segments->len - 1) : NULL;

    if (last && last->frame == frame)
        last->pieces = pieces;
}

uint32_t
appmsg_conn_earlier_segments(const appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t seq,
                             uint32_t end, uint32_t *first_pieces)
{
    const GArray *segments = c->d[dir].segments;
    const data_segment *segs = (const data_segment *)(const void *)segments->data;
    unsigned count = segments->len, lo = 0, hi = count;
    uint32_t n = 0;

    while (lo < hi) { /* the first segment that ends after seq */
        unsigned mid = lo + (hi - lo) / 2;
        if ((int32_t)(segs[mid].end - seq) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first_pieces = 0;
    for (unsigned i = lo; i < count && (int32_t)(segs[i].seq - end) < 0 && segs[i].frame < frame;
         i++) {
        if (n++ == 0)
            *first_pieces = segs[i].pieces;
    }
    return n;
}

void
appmsg_conn_forget_segments(appmsg_conn *c)
{
    for (int d = 0; d < 2; d++)
        g_array_set_size(c->d[d].segments, 0);
}
