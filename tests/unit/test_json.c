/* Unit test: the strict JSON check agrees with RFC 8259 where Wireshark 4.0's does not. */
#include <string.h>

#include <glib.h>

#include "appmsg_json.h"

static gboolean
valid(const char *text)
{
    return appmsg_json_valid((const guint8 *)text, strlen(text), NULL);
}

static void
test_valid(void)
{
    const char *ok[] = {"7",
                        "-0.5e+3",
                        "true",
                        "null",
                        "\"\"",
                        "\"caf\xc3\xa9 \\u00e9 \\n\"",
                        "[]",
                        "{}",
                        " {\"a\": [1, 2, {\"b\": null}]} ",
                        "[1,\n2]\r\n",
                        "{\"id\": 1, \"op\": \"ping\", \"text\": \"x\"}"};
    for (guint i = 0; i < G_N_ELEMENTS(ok); i++)
        g_assert_true(valid(ok[i]));
}

static void
test_invalid(void)
{
    const char *bad[] = {"",
                         " ",
                         "7 8",
                         "{\"a\": 1} x",
                         "{\"a\" 1}",
                         "{a: 1}",
                         "[1,]",
                         "[1 2]",
                         "01",
                         "1.",
                         "-",
                         "tru",
                         "truex",
                         "\"abc",
                         "\"\\x\"",
                         "\"\\u12g4\"",
                         "\"tab\there\"",
                         "{\"id\": 3, \"op\": ",
                         "nul",
                         "[",
                         "}"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (valid(bad[i]))
            g_error("accepted %s", bad[i]);
    }
}

static void
test_error_position(void)
{
    appmsg_json_error err;
    const char *text = "{\"a\": 1} x";

    g_assert_false(appmsg_json_valid((const guint8 *)text, strlen(text), &err));
    g_assert_cmpuint(err.offset, ==, 9);
    g_assert_cmpstr(err.problem, ==, "more after the JSON value");
}

/* Hostile nesting is refused, not a stack overflow. */
static void
test_depth_limit(void)
{
    gsize n = 100000;
    guint8 *deep = g_malloc(2 * n);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    g_assert_false(appmsg_json_valid(deep, 2 * n, NULL));
    g_assert_true(appmsg_json_valid(deep + n - 100, 200, NULL));
    g_free(deep);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/valid", test_valid);
    g_test_add_func("/json/invalid", test_invalid);
    g_test_add_func("/json/error-position", test_error_position);
    g_test_add_func("/json/depth-limit", test_depth_limit);
    return g_test_run();
}
