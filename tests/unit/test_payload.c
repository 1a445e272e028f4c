/* Unit test: payloads have exactly the length asked for and are JSON in valid UTF-8. */
#include <wsutil/wsjson.h>

#include "payload.h"

static void
test_exact_length_and_json(void)
{
    GRand *rng = g_rand_new_with_seed(42);
    GString *out = g_string_new(NULL);

    for (guint32 len = 0; len <= 600; len++) {
        for (guint rep = 0; rep < 5; rep++) {
            payload_build(out, rng, len * 10 + rep, len);
            g_assert_cmpuint(out->len, ==, len);
            g_assert_true(g_utf8_validate(out->str, (gssize)out->len, NULL));
            /* Wireshark 4.0's json_validate() rejects a bare top-level number. */
            if (len == 1)
                g_assert_true(g_ascii_isdigit(out->str[0]));
            else if (len > 1)
                g_assert_true(json_validate((const guint8 *)out->str, out->len));
        }
    }
    g_string_free(out, TRUE);
    g_rand_free(rng);
}

static void
test_deterministic(void)
{
    GRand *a = g_rand_new_with_seed(7), *b = g_rand_new_with_seed(7);
    GString *x = g_string_new(NULL), *y = g_string_new(NULL);

    for (guint32 i = 0; i < 100; i++) {
        payload_build(x, a, i, 20 + i);
        payload_build(y, b, i, 20 + i);
        g_assert_cmpstr(x->str, ==, y->str);
    }
    g_string_free(x, TRUE);
    g_string_free(y, TRUE);
    g_rand_free(a);
    g_rand_free(b);
}

static void
test_has_utf8_sometimes(void)
{
    GRand *rng = g_rand_new_with_seed(3);
    GString *out = g_string_new(NULL);
    gboolean non_ascii = FALSE;

    for (guint i = 0; i < 200 && !non_ascii; i++) {
        payload_build(out, rng, i, 120);
        for (gsize j = 0; j < out->len; j++)
            non_ascii |= (guint8)out->str[j] >= 0x80;
    }
    g_assert_true(non_ascii);
    g_string_free(out, TRUE);
    g_rand_free(rng);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/payload/exact-length-and-json", test_exact_length_and_json);
    g_test_add_func("/payload/deterministic", test_deterministic);
    g_test_add_func("/payload/has-utf8-sometimes", test_has_utf8_sometimes);
    return g_test_run();
}
