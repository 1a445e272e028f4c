/* Unit test: the wire header against docs/protocol.md's table. */
#include <glib.h>

#include "appmsg_wire.h"

static void
test_header_layout(void)
{
    guint8 buf[APPMSG_HDR_LEN];
    static const guint8 want[APPMSG_HDR_LEN] = {0x12, 0x34, 0x56, 0x78, 0x00, 0x00,
                                                0x00, 0x03, 0x00, 0x00, 0x01, 0x02};

    g_assert_cmpuint(appmsg_put_header(buf, 3, 258), ==, 12);
    g_assert_cmpmem(buf, sizeof buf, want, sizeof want);
    g_assert_cmpuint(appmsg_get_u32(buf + APPMSG_OFF_MAGIC), ==, 0x12345678u);
    g_assert_cmpuint(appmsg_get_u32(buf + APPMSG_OFF_TYPE), ==, 3);
    g_assert_cmpuint(appmsg_get_u32(buf + APPMSG_OFF_LENGTH), ==, 258);
}

static void
test_round_trip_extremes(void)
{
    guint8 buf[4];
    const guint32 values[] = {0, 1, 0x7fffffffu, 0x80000000u, 0xffffffffu};

    for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
        appmsg_put_u32(buf, values[i]);
        g_assert_cmpuint(appmsg_get_u32(buf), ==, values[i]);
    }
}

static void
test_layouts(void)
{
    g_assert_cmpuint(appmsg_header_len(FALSE), ==, 12);
    g_assert_cmpuint(appmsg_header_len(TRUE), ==, 16);
    g_assert_cmpuint(APPMSG_OFF_CHECKSUM, ==, 12);
    g_assert_cmpuint(APPMSG_DEFAULT_PORT, ==, 65432);
    g_assert_cmpuint(APPMSG_DEFAULT_MAX_LENGTH, ==, 16u << 20);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/wire/header-layout", test_header_layout);
    g_test_add_func("/wire/round-trip-extremes", test_round_trip_extremes);
    g_test_add_func("/wire/layouts", test_layouts);
    return g_test_run();
}
