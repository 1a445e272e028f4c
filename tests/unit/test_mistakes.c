/* Unit test: the sender's mistakes the framing reads through — a little-endian header, a length
 * that counts the header or characters — and the right messages they must leave alone. */
#include <string.h>

#include <glib.h>

#include "appmsg_mistakes.h"
#include "appmsg_wire.h"
#include "unit_message.h"

static const appmsg_frame_opts plain = {false, 1000};

/* Frames the message at buf as the dissector does: the core, then the length mistakes. */
static appmsg_frame
frame(const guint8 *buf, gsize n)
{
    appmsg_frame f = appmsg_frame_next(buf, n, &plain);
    appmsg_length_mistakes(buf, n, &f);
    return f;
}

static void
test_little_endian_header(void)
{
    guint8 buf[64];
    gsize n = unit_message(buf, 3, "{\"a\": 1}");

    for (int field = 0; field < 3; field++) /* struct.pack('<III', ...) */
        appmsg_put_u32_le(buf + 4 * field, appmsg_get_u32(buf + 4 * field));
    appmsg_frame f = frame(buf, n);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
    g_assert_cmpuint(f.mistakes, ==, APPMSG_MISTAKE_LE_HEADER);
    g_assert_cmpuint(f.type, ==, 3);
    g_assert_cmpuint(f.length, ==, 8);
    /* found where a search for the magic looks, and its first bytes are a magic's start */
    g_assert_cmpuint(appmsg_find_magic((const guint8 *)"ab\x78\x56\x34\x12", 6), ==, 2);
    g_assert_cmpuint(appmsg_find_magic((const guint8 *)"ab\x78\x56", 4), ==, 2);
    g_assert_cmpuint(appmsg_find_magic((const guint8 *)"\x78\x12\x34\x56\x78", 5), ==, 1);
}

static void
test_little_endian_length(void)
{
    guint8 buf[64];
    gsize n = unit_message(buf, 3, "{\"a\": 1}");

    /* htonl() on the magic only */
    appmsg_put_u32_le(buf + APPMSG_OFF_TYPE, 3);
    appmsg_put_u32_le(buf + APPMSG_OFF_LENGTH, 8);
    appmsg_frame f = frame(buf, n);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
    g_assert_cmpuint(f.mistakes, ==, APPMSG_MISTAKE_LE_LENGTH);
    g_assert_cmpuint(f.type, ==, 3);
    g_assert_cmpuint(f.length, ==, 8);
    /* a length above the maximum either way round stays too long */
    appmsg_put_u32(buf + APPMSG_OFF_LENGTH, 0x10101010u);
    g_assert_cmpint(frame(buf, n).kind, ==, APPMSG_FRAME_TOO_LONG);
}

static void
test_length_with_header(void)
{
    guint8 buf[128];
    gsize n = unit_message(buf, 1, "{\"a\": 1}");
    gsize m = n + unit_message(buf + n, 2, "[1, 2, 3]");

    appmsg_put_u32(buf + APPMSG_OFF_LENGTH, (guint32)n); /* 12 + payload */
    /* the next magic where the length says the payload still goes on */
    for (gsize avail = n + 4; avail <= m; avail++) {
        appmsg_frame f = frame(buf, avail);
        g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
        g_assert_cmpuint(f.mistakes, ==, APPMSG_MISTAKE_LENGTH_WITH_HEADER);
        g_assert_cmpuint(f.len, ==, n);
        g_assert_cmpuint(f.declared, ==, n);
    }
    /* the data stopping there after a complete object: the sender's one write */
    appmsg_frame f = frame(buf, n);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
    g_assert_cmpuint(f.len, ==, n);
    /* ... but not after a number, which could go on */
    n = unit_message(buf, 1, "12345678901234567890");
    appmsg_put_u32(buf + APPMSG_OFF_LENGTH, 20);
    g_assert_cmpint(frame(buf, 20).kind, ==, APPMSG_FRAME_NEED_MORE);
    /* a right length whose payload is still coming is only waited for */
    n = unit_message(buf, 1, "{\"text\": \"a payload longer than twelve bytes\"}");
    for (gsize avail = APPMSG_HDR_LEN; avail < n; avail++) {
        f = frame(buf, avail);
        g_assert_cmpint(f.kind, ==, APPMSG_FRAME_NEED_MORE);
        g_assert_cmpuint(f.need, ==, n);
    }
}

static void
test_length_in_chars(void)
{
    guint8 buf[128];
    const char *text = "{\"name\": \"caf\xc3\xa9 na\xc3\xafve\"}"; /* 22 characters, 24 bytes */
    gsize n = unit_message(buf, 1, text);
    gsize m = n + unit_message(buf + n, 2, "7");

    appmsg_put_u32(buf + APPMSG_OFF_LENGTH, (guint32)g_utf8_strlen(text, -1));
    /* the counted characters end at the next magic, or where the data ends */
    for (gsize avail = n; avail <= m; avail++) {
        if (avail > n && avail < n + 4)
            continue; /* a magic's first bytes: could be anything yet */
        appmsg_frame f = frame(buf, avail);
        g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
        g_assert_cmpuint(f.mistakes, ==, APPMSG_MISTAKE_LENGTH_IN_CHARS);
        g_assert_cmpuint(f.length, ==, strlen(text));
        g_assert_cmpuint(f.declared, ==, 22);
    }
    /* the counted bytes alone (TCP cut it there): framed as the length says */
    appmsg_frame f = frame(buf, APPMSG_HDR_LEN + 22);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
    g_assert_cmpuint(f.mistakes, ==, 0);
}

static void
test_right_messages_untouched(void)
{
    guint8 buf[256];
    gsize n = unit_message(buf, 1, "{\"name\": \"caf\xc3\xa9\"}");

    n += unit_message(buf + n, 2, "\"x\"");
    n += unit_message(buf + n, 3, "{\"a\": [1, 2, 3], \"b\": \"twelve bytes\"}");
    for (gsize at = 0; at < n;) {
        appmsg_frame f = frame(buf + at, n - at);
        g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
        g_assert_cmpuint(f.mistakes, ==, 0);
        g_assert_cmpuint(f.length, ==, f.declared);
        at += f.len;
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mistakes/little-endian-header", test_little_endian_header);
    g_test_add_func("/mistakes/little-endian-length", test_little_endian_length);
    g_test_add_func("/mistakes/length-with-header", test_length_with_header);
    g_test_add_func("/mistakes/length-in-chars", test_length_in_chars);
    g_test_add_func("/mistakes/right-messages-untouched", test_right_messages_untouched);
    return g_test_run();
}
