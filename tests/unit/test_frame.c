/* Unit test: the framing core finds messages, skips garbage and refuses hostile lengths. */
#include <string.h>

#include <glib.h>

#include "appmsg_frame.h"
#include "appmsg_wire.h"
#include "unit_message.h"

static const appmsg_frame_opts plain = {false, 1000};
static const appmsg_frame_opts checked = {true, 1000};

static void
test_whole_message(void)
{
    guint8 buf[64];
    gsize n = unit_message(buf, 3, "{\"a\": 1}");
    appmsg_frame f = appmsg_frame_next(buf, n, &plain);

    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
    g_assert_cmpuint(f.len, ==, n);
    g_assert_cmpuint(f.type, ==, 3);
    g_assert_cmpuint(f.length, ==, 8);
}

/* Every cut of a message, inside the magic, the header or the payload, asks for more. */
static void
test_every_cut_needs_more(void)
{
    guint8 buf[64];
    gsize n = unit_message(buf, 3, "\"hello\"");

    for (gsize cut = 1; cut < n; cut++) {
        appmsg_frame f = appmsg_frame_next(buf, cut, &plain);
        g_assert_cmpint(f.kind, ==, APPMSG_FRAME_NEED_MORE);
        g_assert_cmpuint(f.need, ==, cut < APPMSG_HDR_LEN ? APPMSG_HDR_LEN : n);
        g_assert_cmpuint(f.need, >, cut);
    }
}

static void
test_bad_magic_skips_to_next(void)
{
    guint8 buf[64] = "garbage!";
    gsize n = 8 + unit_message(buf + 8, 1, "1");
    appmsg_frame f = appmsg_frame_next(buf, n, &plain);

    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_BAD_MAGIC);
    g_assert_cmpuint(f.len, ==, 8);
    f = appmsg_frame_next(buf + 8, n - 8, &plain);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
}

/* Garbage that ends in the first bytes of a magic stops there: the stream may complete it. */
static void
test_partial_magic_at_end(void)
{
    const guint8 buf[] = {'x', 'y', 0x12, 0x34, 0x56};
    appmsg_frame f = appmsg_frame_next(buf, sizeof buf, &plain);

    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_BAD_MAGIC);
    g_assert_cmpuint(f.len, ==, 2);
    f = appmsg_frame_next(buf + 2, 3, &plain);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_NEED_MORE);
    g_assert_cmpuint(appmsg_find_magic((const guint8 *)"\x12\x34\x99", 3), ==, 3);
}

static void
test_too_long(void)
{
    guint8 buf[APPMSG_HDR_LEN];
    appmsg_frame f;

    appmsg_put_header(buf, 9, 1001);
    f = appmsg_frame_next(buf, sizeof buf, &plain);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_TOO_LONG);
    g_assert_cmpuint(f.len, ==, APPMSG_HDR_LEN);
    g_assert_cmpuint(f.length, ==, 1001);

    appmsg_put_header(buf, 9, 0xffffffffu); /* no overflow in header + length */
    f = appmsg_frame_next(buf, sizeof buf, &plain);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_TOO_LONG);
}

static void
test_checked_layout(void)
{
    guint8 buf[64];
    const char *payload = "{\"a\": 1}";

    appmsg_put_header(buf, 4, 8);
    appmsg_put_u32(buf + APPMSG_OFF_CHECKSUM, appmsg_payload_crc32((const guint8 *)payload, 8));
    memcpy(buf + APPMSG_CHECKED_HDR_LEN, payload, 8);
    appmsg_frame f = appmsg_frame_next(buf, APPMSG_CHECKED_HDR_LEN + 8, &checked);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_MESSAGE);
    g_assert_cmpuint(f.len, ==, 24);
    g_assert_cmpuint(f.checksum, ==, appmsg_payload_crc32(buf + 16, 8));
    f = appmsg_frame_next(buf, 15, &checked);
    g_assert_cmpint(f.kind, ==, APPMSG_FRAME_NEED_MORE);
    g_assert_cmpuint(f.need, ==, 16);
}

/* The check value every CRC-32 (IEEE 802.3) implementation gives for "123456789". */
static void
test_crc32_check_value(void)
{
    g_assert_cmpuint(appmsg_payload_crc32((const guint8 *)"123456789", 9), ==, 0xcbf43926u);
    g_assert_cmpuint(appmsg_payload_crc32(NULL, 0), ==, 0);
}

/* appmsg_magic_starts answers what appmsg_find_magic(p, n) == 0 says, for every short buffer
 * made of the magic's bytes (either order) and others: full magics, partial ones, near misses. */
static void
test_magic_starts_as_find(void)
{
    static const guint8 alphabet[] = {0x12, 0x34, 0x56, 0x78, 0x00};
    guint8 buf[6];

    for (gsize n = 1; n <= sizeof buf; n++) {
        gsize combos = 1;
        for (gsize i = 0; i < n; i++)
            combos *= sizeof alphabet;
        for (gsize k = 0; k < combos; k++) {
            gsize v = k;
            for (gsize i = 0; i < n; i++, v /= sizeof alphabet)
                buf[i] = alphabet[v % sizeof alphabet];
            g_assert_cmpint(appmsg_magic_starts(buf, n), ==, appmsg_find_magic(buf, n) == 0);
        }
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/frame/whole-message", test_whole_message);
    g_test_add_func("/frame/every-cut-needs-more", test_every_cut_needs_more);
    g_test_add_func("/frame/bad-magic-skips-to-next", test_bad_magic_skips_to_next);
    g_test_add_func("/frame/partial-magic-at-end", test_partial_magic_at_end);
    g_test_add_func("/frame/too-long", test_too_long);
    g_test_add_func("/frame/checked-layout", test_checked_layout);
    g_test_add_func("/frame/crc32-check-value", test_crc32_check_value);
    g_test_add_func("/frame/magic-starts-as-find", test_magic_starts_as_find);
    return g_test_run();
}
