/* Unit test: the echo checker finds the first differing byte and names where it is; latency
 * percentiles stay within their promised 3 %. */
#include <string.h>

#include "echo_check.h"

/* Three messages: 12-byte header + 8-byte payload, the second after 5 garbage bytes. */
static echo_check *
three_messages(GByteArray *stream)
{
    echo_check *ec = echo_check_new(12);
    guint64 at = 0;

    for (guint i = 0; i < 3; i++) {
        gsize garbage = i == 1 ? 5 : 0, len = garbage + 20;
        echo_check_message(ec, i, at, len, garbage);
        for (gsize b = 0; b < len; b++) {
            guint8 v = (guint8)('a' + (at + b) % 26);
            g_byte_array_append(stream, &v, 1);
        }
        at += len;
    }
    return ec;
}

static void
test_exact_echo_in_pieces(void)
{
    GByteArray *s = g_byte_array_new();
    echo_check *ec = three_messages(s);

    echo_check_sent(ec, s->data, 30, 1000); /* message 0 whole at t=1000 */
    echo_check_sent(ec, s->data + 30, s->len - 30, 2000);
    for (guint off = 0; off < s->len; off += 7) /* back in 7-byte pieces */
        g_assert_true(echo_check_received(ec, s->data + off, MIN(7, s->len - off), 5000));
    g_assert_false(echo_check_failed(ec));
    g_assert_cmpuint(echo_check_echoed_bytes(ec), ==, s->len);
    g_assert_cmpuint(echo_check_sent_bytes(ec), ==, s->len);
    g_assert_cmpuint(echo_check_latency(ec)->count, ==, 3);
    g_assert_cmpuint(echo_check_latency(ec)->max_usec, ==, 4000);
    g_assert_null(echo_check_difference(ec));
    echo_check_free(ec);
    g_byte_array_free(s, TRUE);
}

static void
test_changed_byte_is_located(void)
{
    GByteArray *s = g_byte_array_new();
    echo_check *ec = three_messages(s);
    g_autofree char *diff = NULL;
    guint8 *echo = g_memdup2(s->data, s->len);

    echo[20 + 5 + 12 + 3] = '#'; /* message 1, payload byte 3 */
    echo_check_sent(ec, s->data, s->len, 0);
    g_assert_false(echo_check_received(ec, echo, s->len, 10));
    g_assert_true(echo_check_failed(ec));
    g_assert_cmpuint(echo_check_echoed_bytes(ec), ==, 40);
    diff = echo_check_difference(ec);
    g_assert_cmpstr(diff, ==,
                    "the echo differs at byte 40 of the stream (message 1, payload byte 3): "
                    "sent 0x6f 'o', got 0x23 '#'");
    g_assert_false(echo_check_received(ec, echo, 1, 20)); /* stays failed */
    g_free(echo);
    echo_check_free(ec);
    g_byte_array_free(s, TRUE);
}

static void
test_where(void)
{
    GByteArray *s = g_byte_array_new();
    echo_check *ec = three_messages(s);
    g_autofree char *garbage = echo_check_where(ec, 22);
    g_autofree char *type = echo_check_where(ec, 25 + 5);
    g_autofree char *past = echo_check_where(ec, 999);

    g_assert_cmpstr(garbage, ==, "the 5 garbage bytes before message 1");
    g_assert_cmpstr(type, ==, "message 1, header byte 5 (type)");
    g_assert_cmpstr(past, ==, "after the last message");
    echo_check_free(ec);
    g_byte_array_free(s, TRUE);
}

static void
test_more_than_sent(void)
{
    GByteArray *s = g_byte_array_new();
    echo_check *ec = three_messages(s);
    g_autofree char *diff = NULL;

    echo_check_sent(ec, s->data, 10, 0);
    g_assert_false(echo_check_received(ec, s->data, 11, 1));
    g_assert_cmpuint(echo_check_echoed_bytes(ec), ==, 10);
    diff = echo_check_difference(ec);
    g_assert_cmpstr(diff, ==,
                    "more came back than was sent: 10 bytes were sent and echoed, then came 0x6b "
                    "'k'");
    echo_check_free(ec);
    g_byte_array_free(s, TRUE);
}

/* A server that echoes only the first message of a read: the echo goes on with a later one. */
static void
test_lost_messages(void)
{
    GByteArray *s = g_byte_array_new();
    echo_check *ec = three_messages(s);
    g_autofree char *diff = NULL;

    echo_check_sent(ec, s->data, s->len, 0);
    g_assert_true(echo_check_received(ec, s->data, 20, 1));       /* message 0 */
    g_assert_false(echo_check_received(ec, s->data + 45, 15, 2)); /* then message 2 */
    diff = echo_check_difference(ec);
    g_assert_cmpstr(diff, ==,
                    "the echo skips from message 1 (byte 20 of the stream) to message 2 (byte 45): "
                    "25 bytes sent never came back");
    echo_check_free(ec);
    g_byte_array_free(s, TRUE);
}

/* Many messages: the arrays shrink as echoes come, and nothing is lost on the way. */
static void
test_long_stream(void)
{
    echo_check *ec = echo_check_new(12);
    guint8 msg[20];

    for (guint i = 0; i < 100000; i++) {
        memset(msg, (int)(i & 0xff), sizeof msg);
        echo_check_message(ec, i, (guint64)i * 20, 20, 0);
        echo_check_sent(ec, msg, 20, i);
        if (i % 3 == 0)
            continue;
        for (guint j = i - (i % 3 == 1 ? 1 : 0); j <= i; j++) {
            memset(msg, (int)(j & 0xff), sizeof msg);
            g_assert_true(echo_check_received(ec, msg, 20, i + 10));
        }
    }
    g_assert_cmpuint(echo_check_echoed_bytes(ec), ==, 99999 * 20);
    g_assert_cmpuint(echo_check_latency(ec)->count, ==, 99999);
    echo_check_free(ec);
}

static void
test_percentiles(void)
{
    latency_histogram *h = g_new0(latency_histogram, 1);

    g_assert_cmpuint(latency_percentile(h, 50), ==, 0);
    for (guint64 v = 1; v <= 100000; v++)
        latency_add(h, v);
    for (double p = 1; p <= 100; p += 1) {
        double want = p * 1000, got = (double)latency_percentile(h, p);
        g_assert_cmpfloat(got, >=, want * 0.97);
        g_assert_cmpfloat(got, <=, want * 1.03);
    }
    g_assert_cmpuint(latency_percentile(h, 100), ==, 100000);
    g_assert_cmpuint(latency_percentile(h, 0.001), ==, 1);
    latency_add(h, G_GUINT64_CONSTANT(1) << 62); /* the largest buckets exist */
    g_assert_cmpuint(latency_percentile(h, 100), ==, G_GUINT64_CONSTANT(1) << 62);
    g_free(h);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/echo_check/exact", test_exact_echo_in_pieces);
    g_test_add_func("/echo_check/changed", test_changed_byte_is_located);
    g_test_add_func("/echo_check/where", test_where);
    g_test_add_func("/echo_check/extra", test_more_than_sent);
    g_test_add_func("/echo_check/lost", test_lost_messages);
    g_test_add_func("/echo_check/long", test_long_stream);
    g_test_add_func("/latency/percentiles", test_percentiles);
    return g_test_run();
}
