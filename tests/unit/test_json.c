/* Unit test: the strict JSON check agrees with RFC 8259 where Wireshark 4.0's does not. */
#include <string.h>

#include <glib.h>

#include "appmsg_json.h"
#include "appmsg_kinds.h"

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

/* Inside a string, every 1- to 4-byte sequence is accepted exactly when glib calls it UTF-8
 * (the plugin relies on this to skip a second check). */
static void
test_utf8_as_glib(void)
{
    guint8 buf[8] = {'"'};
    const guint8 edges[] = {0x00, 0x20, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
                            0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0,
                            0xf1, 0xf3, 0xf4, 0xf5, 0xfe, 0xff, 0x22, 0x5c, 0x41};
    const guint n = G_N_ELEMENTS(edges);

    for (guint len = 1; len <= 4; len++) {
        guint total = 1;
        for (guint i = 0; i < len; i++)
            total *= n;
        for (guint k = 0; k < total; k++) {
            guint v = k;
            gboolean plain = TRUE; /* no quote, backslash or control byte: only UTF-8 decides */
            for (guint i = 0; i < len; i++, v /= n) {
                buf[1 + i] = edges[v % n];
                plain = plain && buf[1 + i] >= 0x20 && buf[1 + i] != '"' && buf[1 + i] != '\\';
            }
            buf[1 + len] = '"';
            if (!plain)
                continue;
            g_assert_cmpint(appmsg_json_valid(buf, len + 2, NULL), ==,
                            g_utf8_validate((const char *)buf + 1, len, NULL));
        }
    }
}

/* A message's payload: JSON, else not UTF-8 (where), else not JSON (where, why); the first
 * that applies, as the dissector reports them. */
static void
test_payload_check(void)
{
    appmsg_json_error err;

    g_assert_cmpuint(appmsg_payload_check((const guint8 *)"{\"a\": 1}", 8, &err), ==, 0);
    g_assert_cmpuint(appmsg_payload_check((const guint8 *)"{\"a\": \xc3(}", 9, &err), ==,
                     APPMSG_ERR_NOT_UTF8);
    g_assert_cmpuint(err.offset, ==, 6);
    g_assert_cmpuint(appmsg_payload_check((const guint8 *)"ab\0cd", 5, &err), ==,
                     APPMSG_ERR_NOT_UTF8); /* NUL is no JSON text either */
    g_assert_cmpuint(err.offset, ==, 2);
    g_assert_cmpuint(appmsg_payload_check((const guint8 *)"{\"a\": 1 ", 8, &err), ==,
                     APPMSG_ERR_NOT_JSON);
    g_assert_cmpuint(err.offset, ==, 8);
    g_assert_nonnull(err.problem);
    g_assert_cmpuint(appmsg_payload_check((const guint8 *)"", 0, &err), ==, APPMSG_ERR_NOT_JSON);
}

/* The tokens a check leaves for the member list: each value once, in the order it starts, a
 * string without its quotes, a container with its member or element count. Written out as
 * "type:text:size" so that a wrong offset shows as wrong text. */
static char *
tokens_text(const char *json, gsize room, gsize *count)
{
    appmsg_json_token tok[16];
    appmsg_json_tokens out = {tok, MIN(room, G_N_ELEMENTS(tok)), 99};
    appmsg_json_error err;
    GString *s = g_string_new("");
    static const char type[] = "?OASP";

    g_assert_cmpuint(appmsg_payload_check_tokens((const guint8 *)json, strlen(json), &err, &out),
                     ==, 0);
    for (gsize i = 0; i < MIN(out.count, out.cap); i++)
        g_string_append_printf(s, "%s%c:%.*s:%u", i ? " " : "", type[tok[i].type],
                               (int)(tok[i].end - tok[i].start), json + tok[i].start, tok[i].size);
    *count = out.count;
    return g_string_free(s, FALSE);
}

static void
test_tokens(void)
{
    gsize n;
    char *t;

    t = tokens_text("{\"op\": \"ping\", \"n\": [1, -2.5e3, {}], \"e\\\"k\": null}", 16, &n);
    g_assert_cmpstr(
        t, ==,
        "O:{\"op\": \"ping\", \"n\": [1, -2.5e3, {}], \"e\\\"k\": null}:3 S:op:0 "
        "S:ping:0 S:n:0 A:[1, -2.5e3, {}]:3 P:1:0 P:-2.5e3:0 O:{}:0 S:e\\\"k:0 P:null:0");
    g_assert_cmpuint(n, ==, 10);
    g_free(t);
    t = tokens_text(" 7 ", 16, &n); /* a scalar payload: one token */
    g_assert_cmpstr(t, ==, "P:7:0");
    g_free(t);
    t = tokens_text("\"h\\u00e9\"", 16, &n); /* escapes kept as written */
    g_assert_cmpstr(t, ==, "S:h\\u00e9:0");
    g_free(t);
    /* More values than room: the first ones kept, all counted (the caller checks again). */
    t = tokens_text("[true, false, [null], \"x\"]", 3, &n);
    g_assert_cmpstr(t, ==, "A:[true, false, [null], \"x\"]:4 P:true:0 P:false:0");
    g_assert_cmpuint(n, ==, 6);
    g_free(t);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/valid", test_valid);
    g_test_add_func("/json/invalid", test_invalid);
    g_test_add_func("/json/error-position", test_error_position);
    g_test_add_func("/json/depth-limit", test_depth_limit);
    g_test_add_func("/json/utf8-as-glib", test_utf8_as_glib);
    g_test_add_func("/json/payload-check", test_payload_check);
    g_test_add_func("/json/tokens", test_tokens);
    return g_test_run();
}
