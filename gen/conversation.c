/* conversation.c — scenario → encoder → segmenter → TCP builder → sink. */
#include "appmsg_wire.h"
#include "conversation.h"

typedef struct {
    const conversation_config *cfg;
    tcp_conn tcp;
} conversation;

/* A client segment, then (echo) the server sending the same bytes back. */
static gboolean
on_segment(void *ctx, const guint8 *data, gsize len, GError **err)
{
    conversation *cv = ctx;

    if (!tcp_conn_send(&cv->tcp, TCP_C2S, data, len, err))
        return FALSE;
    if (cv->cfg->echo) {
        tcp_conn_advance(&cv->tcp, cv->cfg->echo_delay_usec);
        if (!tcp_conn_send(&cv->tcp, TCP_S2C, data, len, err))
            return FALSE;
    }
    tcp_conn_advance(&cv->tcp, cv->cfg->gap_usec);
    return TRUE;
}

gboolean
conversation_run(const conversation_config *cfg, scenario *sc, const segmenter_config *seg_cfg,
                 packet_sink *sink, manifest *mf, GError **err)
{
    conversation cv = {.cfg = cfg};
    GByteArray *wire = g_byte_array_sized_new(256);
    segmenter *seg = segmenter_new(seg_cfg, on_segment, &cv);
    scenario_message msg;
    gboolean ok;

    tcp_conn_init(&cv.tcp, &cfg->client, &cfg->server, cfg->start_usec, sink);
    ok = tcp_conn_open(&cv.tcp, err);
    tcp_conn_advance(&cv.tcp, cfg->gap_usec);
    while (ok && scenario_next(sc, &msg)) {
        g_byte_array_set_size(wire, APPMSG_HDR_LEN);
        appmsg_put_header(wire->data, msg.type, msg.length);
        g_byte_array_append(wire, msg.payload, msg.length);
        if (mf) {
            manifest_add(mf, cfg->id, TCP_C2S, msg.index, msg.type, msg.payload, msg.length);
            if (cfg->echo)
                manifest_add(mf, cfg->id, TCP_S2C, msg.index, msg.type, msg.payload, msg.length);
        }
        ok = segmenter_push(seg, wire->data, wire->len, err);
    }
    ok = ok && segmenter_flush(seg, err);
    ok = ok && tcp_conn_close(&cv.tcp, err);
    segmenter_free(seg);
    g_byte_array_free(wire, TRUE);
    return ok;
}
