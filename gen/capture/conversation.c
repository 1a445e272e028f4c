/* conversation.c — scenario → encoder (with injected errors) → segmenter → TCP builder → sink. */
#include <string.h>

#include "appmsg_wire.h"
#include "client_stream.h"
#include "conversation.h"
#include "inet_checksum.h"
#include "rng.h"

/* The echo differs from the request at one stream offset (echo-type, echo-payload). */
typedef struct {
    guint64 offset;
    guint8 value;
} echo_patch;

struct conversation {
    const conversation_config *cfg;
    const inject_plan *plan;
    client_stream cs;
    tcp_conn tcp;
    guint64 emitted; /* client stream bytes sent as segments */
    GArray *patches; /* echo_patch, by offset */
    guint next_patch;
    GByteArray *echo;
    GRand *delays; /* NULL: every echo after the same delay */
};

/* How long the server takes to echo this segment. */
static guint64
echo_delay(conversation *cv)
{
    if (!cv->delays)
        return cv->cfg->echo_delay_min_usec;
    return (guint64)g_rand_int_range(cv->delays, (gint32)cv->cfg->echo_delay_min_usec,
                                     (gint32)cv->cfg->echo_delay_max_usec + 1);
}

/* A client segment, then (echo) the server sending the same bytes back, patched where the plan
 * alters the echo. fin: the client's stream ends with this segment. */
static gboolean
send_segment(conversation *cv, const guint8 *data, gsize len, gboolean fin, GError **err)
{
    /* The payload's checksum sum, once for the segment and its echo. */
    guint64 sum = inet_sum(0, data, len);
    const guint8 *echo = data;

    if (fin ? !tcp_conn_send_fin(&cv->tcp, TCP_C2S, data, len, err)
            : !tcp_conn_send_summed(&cv->tcp, TCP_C2S, data, len, sum, err))
        return FALSE;
    if (cv->cfg->echo) {
        if (cv->next_patch < cv->patches->len &&
            g_array_index(cv->patches, echo_patch, cv->next_patch).offset < cv->emitted + len) {
            g_byte_array_set_size(cv->echo, 0);
            g_byte_array_append(cv->echo, data, (guint)len);
            for (; cv->next_patch < cv->patches->len; cv->next_patch++) {
                echo_patch *p = &g_array_index(cv->patches, echo_patch, cv->next_patch);
                if (p->offset >= cv->emitted + len)
                    break;
                cv->echo->data[p->offset - cv->emitted] = p->value;
            }
            echo = cv->echo->data;
            sum = inet_sum(0, echo, len);
        }
        tcp_conn_advance(&cv->tcp, echo_delay(cv));
        if (!tcp_conn_send_summed(&cv->tcp, TCP_S2C, echo, len, sum, err))
            return FALSE;
    }
    cv->emitted += len;
    tcp_conn_advance(&cv->tcp, cv->cfg->gap_usec);
    return TRUE;
}

static gboolean
on_segment(void *ctx, const guint8 *data, gsize len, GError **err)
{
    return send_segment(ctx, data, len, FALSE, err);
}

/* Where the server's echo of this message differs from the client's bytes. */
static void
add_patches(conversation *cv, const encoded_message *e)
{
    for (guint i = 0; i < e->echo_wire->len; i++) {
        echo_patch p = {cv->cs.start + i, e->echo_wire->data[i]};
        if (p.value != e->wire->data[i])
            g_array_append_val(cv->patches, p);
    }
}

/* The stream ends inside this message (the segmenter is flushed): the part of the message that
 * was sent, then FIN (on that last segment) or RST. */
static gboolean
cut_stream(conversation *cv, const encoded_message *e, int cut_with, GError **err)
{
    gsize off = 0;

    while (off < e->sent) {
        gsize n = MIN(e->sent - off, (gsize)TCP_BUILDER_MSS);
        gboolean fin = cut_with == CUT_FIN && off + n == e->sent;
        if (!send_segment(cv, e->wire->data + off, n, fin, err))
            return FALSE;
        off += n;
    }
    switch (cut_with) {
    case CUT_FIN:
        return tcp_conn_finish(&cv->tcp, TCP_C2S, err);
    case CUT_RST:
        return tcp_conn_reset(&cv->tcp, TCP_C2S, err);
    default:
        return TRUE; /* the capture ends here */
    }
}

conversation *
conversation_new(const conversation_config *cfg, scenario *sc, const inject_plan *plan,
                 const segmenter_config *seg_cfg, packet_sink *sink, manifest *mf)
{
    conversation *cv = g_new0(conversation, 1);
    segmenter_config seg = *seg_cfg;

    cv->cfg = cfg;
    cv->plan = plan;
    cv->patches = g_array_new(FALSE, FALSE, sizeof(echo_patch));
    cv->echo = g_byte_array_new();
    if (cfg->echo_delay_max_usec > cfg->echo_delay_min_usec)
        cv->delays = rng_new(cfg->seed, RNG_STREAM_ECHO);
    tcp_conn_init(&cv->tcp, &cfg->client, &cfg->server, cfg->start_usec, sink);
    seg.mss = MIN(seg.mss, tcp_conn_mss(&cv->tcp));
    client_stream_init(&cv->cs, sc, plan, mf, cfg->id, cfg->echo, &seg, on_segment, cv);
    return cv;
}

/* Each step runs on the shared clock, so interleaved connections stay in time order. */
static gboolean
on_clock(conversation *cv, guint64 *clock, gboolean ok)
{
    *clock = cv->tcp.now_usec;
    return ok;
}

gboolean
conversation_open(conversation *cv, guint64 *clock, GError **err)
{
    gboolean ok;

    cv->tcp.now_usec = *clock;
    ok = tcp_conn_open(&cv->tcp, err);
    tcp_conn_advance(&cv->tcp, cv->cfg->gap_usec);
    return on_clock(cv, clock, ok);
}

gboolean
conversation_step(conversation *cv, guint64 *clock, gboolean *more, GError **err)
{
    client_stream_event ev = client_stream_next(&cv->cs);
    gboolean ok;

    cv->tcp.now_usec = *clock;
    *more = ev == CLIENT_STREAM_MESSAGE;
    if (ev != CLIENT_STREAM_END) /* before its segments go out */
        add_patches(cv, &cv->cs.e);
    ok = client_stream_forward(&cv->cs, ev, err);
    if (ok && ev == CLIENT_STREAM_CUT)
        ok = cut_stream(cv, &cv->cs.e, (int)cv->plan->cut_with, err);
    else if (ok && ev == CLIENT_STREAM_END)
        ok = tcp_conn_close(&cv->tcp, err);
    return on_clock(cv, clock, ok);
}

void
conversation_free(conversation *cv)
{
    if (!cv)
        return;
    client_stream_clear(&cv->cs);
    g_array_free(cv->patches, TRUE);
    g_byte_array_free(cv->echo, TRUE);
    if (cv->delays)
        g_rand_free(cv->delays);
    g_free(cv);
}
