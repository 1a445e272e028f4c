/* traffic.c — interleaving connections. */
#include "conversation.h"
#include "rng.h"
#include "traffic.h"

/* Connection 0 keeps the seed itself; the others get well-spread ones. */
static guint64
seed_for(guint64 seed, guint i)
{
    return seed + i * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
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

    for (guint i = 0; i < n; i++) {
        scenario_config s = opt->scenario;
        segmenter_config g = opt->segmenter;

        cfg[i] = opt->conversation;
        cfg[i].id = i;
        cfg[i].client.port = (guint16)(opt->conversation.client.port + i);
        cfg[i].client.isn = g_rand_int(isn);
        cfg[i].server.isn = g_rand_int(isn);
        s.count = opt->scenario.count / n + (i < opt->scenario.count % n);
        s.seed = g.seed = seed_for(opt->scenario.seed, i);
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
        }
    }
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
