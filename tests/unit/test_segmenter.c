/* Unit test: every mode cuts the stream without losing, adding or reordering a byte. */
#include <string.h>

#include "segmenter.h"

typedef struct {
    GByteArray *stream; /* all segments, concatenated */
    GArray *ends;       /* stream offset where each segment ends */
    gsize largest;
} collected;

static gboolean
collect(void *ctx, const guint8 *data, gsize len, GError **err)
{
    collected *c = ctx;
    gsize end;

    (void)err;
    g_assert_cmpuint(len, >, 0);
    g_byte_array_append(c->stream, data, (guint)len);
    end = c->stream->len;
    g_array_append_val(c->ends, end);
    c->largest = MAX(c->largest, len);
    return TRUE;
}

/* Pushes n messages of the given sizes (content: their index) and returns what came out. */
static collected
cut(seg_mode mode, const gsize *sizes, guint n, GArray *msg_ends, guint64 seed)
{
    segmenter_config cfg = {
        .mode = mode, .merge_count = 3, .mixed_max = 50, .mss = 100, .seed = seed};
    collected c = {g_byte_array_new(), g_array_new(FALSE, FALSE, sizeof(gsize)), 0};
    segmenter *s = segmenter_new(&cfg, collect, &c);
    GByteArray *input = g_byte_array_new();
    gsize total = 0;

    for (guint i = 0; i < n; i++) {
        g_byte_array_set_size(input, (guint)sizes[i]);
        memset(input->data, (int)i, sizes[i]);
        g_assert_true(segmenter_push(s, input->data, input->len, NULL));
        total += sizes[i];
        if (msg_ends)
            g_array_append_val(msg_ends, total);
    }
    g_assert_true(segmenter_flush(s, NULL));
    segmenter_free(s);
    g_byte_array_free(input, TRUE);

    /* Nothing lost, added or reordered. */
    g_assert_cmpuint(c.stream->len, ==, total);
    for (guint i = 0, off = 0; i < n; off += (guint)sizes[i], i++)
        for (gsize j = 0; j < sizes[i]; j++)
            g_assert_cmpuint(c.stream->data[off + j], ==, i);
    g_assert_cmpuint(c.largest, <=, 100);
    return c;
}

static void
collected_free(collected *c)
{
    g_byte_array_free(c->stream, TRUE);
    g_array_free(c->ends, TRUE);
}

static const gsize sizes[] = {12, 40, 13, 99, 100, 250, 12, 57, 31, 64, 12, 300, 20};

static gboolean
is_boundary(GArray *ends, gsize offset)
{
    for (guint i = 0; i < ends->len; i++)
        if (g_array_index(ends, gsize, i) == offset)
            return TRUE;
    return offset == 0;
}

static void
test_whole(void)
{
    GArray *msg_ends = g_array_new(FALSE, FALSE, sizeof(gsize));
    collected c = cut(SEG_WHOLE, sizes, G_N_ELEMENTS(sizes), msg_ends, 1);

    /* Every message boundary is a segment boundary, and only MSS splits add others. */
    for (guint i = 0; i < msg_ends->len; i++)
        g_assert_true(is_boundary(c.ends, g_array_index(msg_ends, gsize, i)));
    g_assert_cmpuint(c.ends->len, ==, G_N_ELEMENTS(sizes) + 2 /* 250 */ + 2 /* 300 */);
    collected_free(&c);
    g_array_free(msg_ends, TRUE);
}

static void
test_merged(void)
{
    const gsize small[] = {12, 20, 13, 14, 15, 16, 17};
    GArray *msg_ends = g_array_new(FALSE, FALSE, sizeof(gsize));
    collected c = cut(SEG_MERGED, small, G_N_ELEMENTS(small), msg_ends, 1);

    /* 3 + 3 + the 1 left at the end of the stream. */
    g_assert_cmpuint(c.ends->len, ==, 3);
    g_assert_cmpuint(g_array_index(c.ends, gsize, 0), ==, g_array_index(msg_ends, gsize, 2));
    g_assert_cmpuint(g_array_index(c.ends, gsize, 1), ==, g_array_index(msg_ends, gsize, 5));
    collected_free(&c);
    g_array_free(msg_ends, TRUE);
}

static void
test_partial(void)
{
    GArray *msg_ends = g_array_new(FALSE, FALSE, sizeof(gsize));
    collected c = cut(SEG_PARTIAL, sizes, G_N_ELEMENTS(sizes), msg_ends, 9);
    gboolean cut_in_header = FALSE;
    gsize start = 0;

    /* No segment spans two messages, and every message arrives in at least two pieces. */
    for (guint i = 0; i < msg_ends->len; i++) {
        gsize end = g_array_index(msg_ends, gsize, i);
        guint pieces = 0;
        g_assert_true(is_boundary(c.ends, end));
        for (guint j = 0; j < c.ends->len; j++) {
            gsize e = g_array_index(c.ends, gsize, j);
            pieces += e > start && e <= end;
            cut_in_header |= e > start && e < start + 12;
        }
        g_assert_cmpuint(pieces, >=, 2);
        start = end;
    }
    g_assert_true(cut_in_header);
    collected_free(&c);
    g_array_free(msg_ends, TRUE);
}

static void
test_mixed(void)
{
    GArray *msg_ends = g_array_new(FALSE, FALSE, sizeof(gsize));
    collected c = cut(SEG_MIXED, sizes, G_N_ELEMENTS(sizes), msg_ends, 5);
    guint straddling = 0;
    gsize prev = 0;

    g_assert_cmpuint(c.largest, <=, 50);
    /* Some segments carry the end of one message and the start of the next. */
    for (guint j = 0; j < c.ends->len; j++) {
        gsize e = g_array_index(c.ends, gsize, j);
        for (guint i = 0; i < msg_ends->len; i++) {
            gsize m = g_array_index(msg_ends, gsize, i);
            straddling += m > prev && m < e;
        }
        prev = e;
    }
    g_assert_cmpuint(straddling, >, 0);
    collected_free(&c);
    g_array_free(msg_ends, TRUE);
}

static void
test_same_seed_same_cuts(void)
{
    collected a = cut(SEG_MIXED, sizes, G_N_ELEMENTS(sizes), NULL, 77);
    collected b = cut(SEG_MIXED, sizes, G_N_ELEMENTS(sizes), NULL, 77);
    collected c = cut(SEG_MIXED, sizes, G_N_ELEMENTS(sizes), NULL, 78);

    g_assert_cmpmem(a.ends->data, a.ends->len * sizeof(gsize), b.ends->data,
                    b.ends->len * sizeof(gsize));
    g_assert_false(a.ends->len == c.ends->len &&
                   memcmp(a.ends->data, c.ends->data, a.ends->len * sizeof(gsize)) == 0);
    collected_free(&a);
    collected_free(&b);
    collected_free(&c);
}

static void
test_mode_names(void)
{
    seg_mode m;

    g_assert_true(segmenter_mode_parse("partial", &m));
    g_assert_cmpint(m, ==, SEG_PARTIAL);
    g_assert_false(segmenter_mode_parse("bogus", &m));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/segmenter/whole", test_whole);
    g_test_add_func("/segmenter/merged", test_merged);
    g_test_add_func("/segmenter/partial", test_partial);
    g_test_add_func("/segmenter/mixed", test_mixed);
    g_test_add_func("/segmenter/same-seed-same-cuts", test_same_seed_same_cuts);
    g_test_add_func("/segmenter/mode-names", test_mode_names);
    return g_test_run();
}
