/* traffic.c — interleaving connections. */
#include <stdio.h>
#include <unistd.h>

#include "conversation.h"
#include "rng.h"
#include "traffic.h"

/* A progress line on a terminal, at most four times a second; nothing when stderr is a file
 * or a pipe. */
typedef struct {
    gboolean on;
    guint64 done, total;
    gint64 next_usec;
} progress;

static void
progress_show(progress *p, gboolean last)
{
    gint64 now;

    if (!p->on || (!last && (p->done & 1023) != 0))
        return;
    now = g_get_monotonic_time();
    if (!last && now < p->next_usec)
        return;
    p->next_usec = now + G_USEC_PER_SEC / 4;
    fprintf(stderr,
            "\rappmsg-gen: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " messages (%d%%)%s",
            p->done, p->total, p->total ? (int)(100 * p->done / p->total) : 100, last ? "\n" : "");
}

void
traffic_connection_configs(const gen_options *opt, guint i, scenario_config *s, segmenter_config *g)
{
    guint n = opt->connections;

    *s = opt->scenario;
    *g = opt->segmenter;
    s->count = opt->scenario.count / n + (i < opt->scenario.count % n);
    /* Connection 0 keeps the seed itself; the others get well-spread ones. */
    s->seed = g->seed = opt->scenario.seed + i * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
}

gboolean
traffic_run(const gen_options *opt, packet_sink *sink, manifest *mf, GError **err)
{
    guint n = opt->connections;
    conversation_config *cfg = g_new(conversation_config, n);
    scenario **sc = g_new0(scenario *, n);
    conversation **cv = g_new0(conversation *, n);
    gboolean *more = g_new(gboolean, n);
    GRand *isn = rng_new(opt->scenario.seed, RNG_STREAM_TCP);
    guint64 clock = opt->conversation.start_usec;
    guint active = n;
    gboolean ok = TRUE;
    progress prog = {isatty(fileno(stderr)) && opt->scenario.count >= 100000, 0,
                     opt->scenario.count, 0};

    for (guint i = 0; i < n; i++) {
        scenario_config s;
        segmenter_config g;

        traffic_connection_configs(opt, i, &s, &g);
        cfg[i] = opt->conversation;
        cfg[i].id = i;
        cfg[i].seed = s.seed;
        cfg[i].client.port = (guint16)(opt->conversation.client.port + i);
        cfg[i].client.isn = g_rand_int(isn);
        cfg[i].server.isn = g_rand_int(isn);
        sc[i] = scenario_new(&s);
        cv[i] = conversation_new(&cfg[i], sc[i], &opt->plan, &g, sink, mf);
        more[i] = TRUE;
    }
    for (guint i = 0; ok && i < n; i++)
        ok = conversation_open(cv[i], &clock, err);
    while (ok && active > 0) {
        for (guint i = 0; ok && i < n; i++) {
            if (!more[i])
                continue;
            ok = conversation_step(cv[i], &clock, &more[i], err);
            active -= !more[i];
            prog.done += more[i];
            progress_show(&prog, FALSE);
        }
    }
    if (ok)
        progress_show(&prog, TRUE);
    for (guint i = 0; i < n; i++) {
        conversation_free(cv[i]);
        scenario_free(sc[i]);
    }
    g_rand_free(isn);
    g_free(more);
    g_free(cv);
    g_free(sc);
    g_free(cfg);
    return ok;
}
