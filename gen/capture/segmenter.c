/* segmenter.c — cutting a byte stream into segments. */
#include "rng.h"
#include "segmenter.h"

static const char *const mode_names[] = {"whole", "merged", "partial", "mixed"};

struct segmenter {
    segmenter_config cfg;
    segment_fn emit;
    void *ctx;
    GRand *rng;
    GByteArray *held; /* bytes not yet emitted (merged, mixed) */
    guint held_messages;
    gsize next_cut; /* mixed: size of the next segment */
};

segmenter *
segmenter_new(const segmenter_config *cfg, segment_fn emit, void *ctx)
{
    segmenter *s = g_new0(segmenter, 1);

    s->cfg = *cfg;
    s->emit = emit;
    s->ctx = ctx;
    s->rng = rng_new(cfg->seed, RNG_STREAM_SEGMENTER);
    s->held = g_byte_array_new();
    if (s->cfg.mode == SEG_MIXED)
        s->next_cut = (gsize)g_rand_int_range(s->rng, 1, (gint32)cfg->mixed_max + 1);
    return s;
}

/* Emits data as segments of at most one MSS each. */
static gboolean
emit_capped(segmenter *s, const guint8 *data, gsize len, GError **err)
{
    while (len > 0) {
        gsize n = MIN(len, s->cfg.mss);
        if (!s->emit(s->ctx, data, n, err))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}

static gboolean
emit_held(segmenter *s, GError **err)
{
    gboolean ok = emit_capped(s, s->held->data, s->held->len, err);
    g_byte_array_set_size(s->held, 0);
    s->held_messages = 0;
    return ok;
}

static gint
compare_gsize(gconstpointer a, gconstpointer b)
{
    gsize x = *(const gsize *)a, y = *(const gsize *)b;
    return x < y ? -1 : x > y;
}

/* Cuts one message at 1 to 3 distinct random points. */
static gboolean
push_partial(segmenter *s, const guint8 *msg, gsize len, GError **err)
{
    gsize cuts[4];
    guint ncuts = 0, want;

    if (len < 2)
        return emit_capped(s, msg, len, err);
    want = (guint)MIN((gsize)g_rand_int_range(s->rng, 1, 4), len - 1);
    while (ncuts < want) {
        gsize at = (gsize)g_rand_int_range(s->rng, 1, (gint32)len);
        gboolean seen = FALSE;
        for (guint i = 0; i < ncuts; i++)
            seen |= cuts[i] == at;
        if (!seen)
            cuts[ncuts++] = at;
    }
    qsort(cuts, ncuts, sizeof cuts[0], compare_gsize);
    cuts[ncuts] = len;

    gsize from = 0;
    for (guint i = 0; i <= ncuts; i++) {
        if (!emit_capped(s, msg + from, cuts[i] - from, err))
            return FALSE;
        from = cuts[i];
    }
    return TRUE;
}

static gboolean
push_mixed(segmenter *s, const guint8 *msg, gsize len, GError **err)
{
    gsize start = 0;

    g_byte_array_append(s->held, msg, (guint)len);
    while (s->held->len - start >= s->next_cut) {
        if (!emit_capped(s, s->held->data + start, s->next_cut, err))
            return FALSE;
        start += s->next_cut;
        s->next_cut = (gsize)g_rand_int_range(s->rng, 1, (gint32)s->cfg.mixed_max + 1);
    }
    g_byte_array_remove_range(s->held, 0, (guint)start);
    return TRUE;
}

gboolean
segmenter_push(segmenter *s, const guint8 *msg, gsize len, GError **err)
{
    switch (s->cfg.mode) {
    case SEG_WHOLE:
        return emit_capped(s, msg, len, err);
    case SEG_MERGED:
        g_byte_array_append(s->held, msg, (guint)len);
        if (++s->held_messages < s->cfg.merge_count)
            return TRUE;
        return emit_held(s, err);
    case SEG_PARTIAL:
        return push_partial(s, msg, len, err);
    case SEG_MIXED:
        return push_mixed(s, msg, len, err);
    }
    g_assert_not_reached();
}

gboolean
segmenter_flush(segmenter *s, GError **err)
{
    return emit_held(s, err);
}

void
segmenter_free(segmenter *s)
{
    if (!s)
        return;
    g_rand_free(s->rng);
    g_byte_array_free(s->held, TRUE);
    g_free(s);
}

gboolean
segmenter_mode_parse(const char *name, seg_mode *mode)
{
    for (guint i = 0; i < G_N_ELEMENTS(mode_names); i++) {
        if (g_strcmp0(name, mode_names[i]) == 0) {
            *mode = (seg_mode)i;
            return TRUE;
        }
    }
    return FALSE;
}

const char *
segmenter_mode_names(void)
{
    return "whole, merged, partial, mixed";
}
