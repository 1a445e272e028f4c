/* realtime_sink.c — pacing frames by their timestamps. */
#include "realtime_sink.h"

typedef struct {
    packet_sink base;
    packet_sink *inner;
    gboolean started;
    gint64 wall0;   /* monotonic time of the first frame */
    guint64 stamp0; /* its timestamp */
} realtime_sink;

static gboolean
realtime_write(packet_sink *self, guint64 ts_usec, const guint8 *frame, guint32 len, GError **err)
{
    realtime_sink *s = (realtime_sink *)self;
    gint64 due, now = g_get_monotonic_time();

    if (!s->started) {
        s->started = TRUE;
        s->wall0 = now;
        s->stamp0 = ts_usec;
    }
    due = s->wall0 + (gint64)(ts_usec - s->stamp0);
    if (due > now) {
        if (!s->inner->flush(s->inner, err))
            return FALSE;
        g_usleep((gulong)(due - now));
    }
    return s->inner->write(s->inner, ts_usec, frame, len, err);
}

static gboolean
realtime_flush(packet_sink *self, GError **err)
{
    realtime_sink *s = (realtime_sink *)self;
    return s->inner->flush(s->inner, err);
}

static gboolean
realtime_commit(packet_sink *self, GError **err)
{
    realtime_sink *s = (realtime_sink *)self;
    gboolean ok = s->inner->commit(s->inner, err);
    g_free(s);
    return ok;
}

static void
realtime_discard(packet_sink *self)
{
    realtime_sink *s = (realtime_sink *)self;
    s->inner->discard(s->inner);
    g_free(s);
}

packet_sink *
realtime_sink_wrap(packet_sink *inner)
{
    realtime_sink *s = g_new0(realtime_sink, 1);

    s->inner = inner;
    s->base.write = realtime_write;
    s->base.flush = realtime_flush;
    s->base.commit = realtime_commit;
    s->base.discard = realtime_discard;
    return &s->base;
}
