/* scenario.c — a deterministic message sequence. */
#include "scenario.h"
#include "payload.h"
#include "rng.h"

struct scenario {
    scenario_config cfg;
    GRand *rng;
    GString *payload;
    guint64 next_index;
};

scenario *
scenario_new(const scenario_config *cfg)
{
    scenario *s = g_new0(scenario, 1);

    s->cfg = *cfg;
    s->rng = rng_new(cfg->seed, RNG_STREAM_SCENARIO);
    s->payload = g_string_sized_new(256);
    return s;
}

/* Uniform in [lo, hi] for the whole guint32 range (g_rand_int_range takes gint32 bounds). */
static guint32
draw(GRand *rng, guint32 lo, guint32 hi)
{
    guint64 span = (guint64)hi - lo + 1;
    return lo + (guint32)(span > G_MAXUINT32 ? g_rand_int(rng) : g_rand_int(rng) % span);
}

gboolean
scenario_next(scenario *s, scenario_message *msg)
{
    if (s->next_index >= s->cfg.count)
        return FALSE;
    msg->index = s->next_index++;
    msg->type = draw(s->rng, s->cfg.type_min, s->cfg.type_max);
    if (s->cfg.payloads) {
        GBytes *b = g_ptr_array_index(s->cfg.payloads, msg->index % s->cfg.payloads->len);
        gsize n;
        const char *data = g_bytes_get_data(b, &n);
        g_string_truncate(s->payload, 0);
        g_string_append_len(s->payload, data, (gssize)n);
    } else {
        payload_build(s->payload, s->rng, msg->index + 1,
                      draw(s->rng, s->cfg.size_min, s->cfg.size_max));
    }
    msg->payload = (const guint8 *)s->payload->str;
    msg->length = (guint32)s->payload->len;
    return TRUE;
}

void
scenario_free(scenario *s)
{
    if (!s)
        return;
    g_rand_free(s->rng);
    g_string_free(s->payload, TRUE);
    g_free(s);
}
