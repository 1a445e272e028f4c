/* client_stream.c — the client's messages, encoded, recorded and cut into segments. */
#include "client_stream.h"

void
client_stream_init(client_stream *cs, scenario *sc, const inject_plan *plan, manifest *mf,
                   guint conn, gboolean echo, const segmenter_config *seg_cfg, segment_fn emit,
                   void *ctx)
{
    *cs = (client_stream){.sc = sc, .plan = plan, .mf = mf, .conn = conn, .echo = echo};
    cs->seg = segmenter_new(seg_cfg, emit, ctx);
    encoded_message_init(&cs->e);
}

client_stream_event
client_stream_next(client_stream *cs)
{
    scenario_message msg;

    if (!scenario_next(cs->sc, &msg))
        return CLIENT_STREAM_END;
    inject_encode(cs->plan, &msg, &cs->e);
    cs->index = msg.index;
    if (cs->mf)
        manifest_add_message(cs->mf, cs->conn, cs->echo, msg.index, &cs->e);
    cs->start = cs->pushed;
    if (cs->e.kinds & (1u << INJ_CUT)) {
        cs->pushed += cs->e.sent;
        return CLIENT_STREAM_CUT;
    }
    cs->pushed += cs->e.wire->len;
    return CLIENT_STREAM_MESSAGE;
}

gboolean
client_stream_forward(client_stream *cs, client_stream_event ev, GError **err)
{
    if (ev == CLIENT_STREAM_MESSAGE)
        return segmenter_push(cs->seg, cs->e.wire->data, cs->e.wire->len, err);
    return segmenter_flush(cs->seg, err);
}

void
client_stream_clear(client_stream *cs)
{
    segmenter_free(cs->seg);
    cs->seg = NULL;
    encoded_message_clear(&cs->e);
}
