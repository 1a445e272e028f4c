/* Unit test: the generator's socket-programmer mistakes (--inject le-header, le-length,
 * length-with-header, length-in-chars, no-header) put exactly that mistake on the wire. */
#include <string.h>

#include "appmsg_wire.h"
#include "inject.h"

/* Encodes message 0 with payload text and the one injection spec. */
static void
encode(encoded_message *e, const char *spec, const char *text)
{
    inject_plan plan;
    scenario_message msg = {0, 7, (const guint8 *)text, (guint32)strlen(text)};

    inject_plan_init(&plan);
    g_assert_true(inject_plan_add(&plan, spec));
    encoded_message_init(e);
    inject_encode(&plan, &msg, e);
    inject_plan_clear(&plan);
}

static void
test_little_endian(void)
{
    encoded_message e;

    encode(&e, "le-header@0", "{\"a\": 1}");
    g_assert_cmpuint(appmsg_get_u32_le(e.wire->data), ==, APPMSG_MAGIC);
    g_assert_cmpuint(appmsg_get_u32_le(e.wire->data + APPMSG_OFF_TYPE), ==, 7);
    g_assert_cmpuint(appmsg_get_u32_le(e.wire->data + APPMSG_OFF_LENGTH), ==, 8);
    g_assert_cmpstr(inject_error_name(e.kinds, APPMSG_MANIFEST_REQUEST), ==, "le_header");
    encoded_message_clear(&e);

    encode(&e, "le-length@0", "{\"a\": 1}");
    g_assert_cmpuint(appmsg_get_u32(e.wire->data), ==, APPMSG_MAGIC);
    g_assert_cmpuint(appmsg_get_u32_le(e.wire->data + APPMSG_OFF_TYPE), ==, 7);
    g_assert_cmpuint(appmsg_get_u32_le(e.wire->data + APPMSG_OFF_LENGTH), ==, 8);
    g_assert_cmpuint(e.wire->len, ==, APPMSG_HDR_LEN + 8);
    encoded_message_clear(&e);
}

static void
test_lengths(void)
{
    encoded_message e;

    encode(&e, "length-with-header@0", "{\"a\": 1}");
    g_assert_cmpuint(appmsg_get_u32(e.wire->data + APPMSG_OFF_LENGTH), ==, APPMSG_HDR_LEN + 8);
    g_assert_cmpuint(e.length, ==, APPMSG_HDR_LEN + 8);
    g_assert_cmpuint(e.wire->len, ==, APPMSG_HDR_LEN + 8);
    encoded_message_clear(&e);

    /* already non-ASCII: the length is its characters */
    encode(&e, "length-in-chars@0", "\"caf\xc3\xa9\"");
    g_assert_cmpuint(e.length, ==, 6);
    g_assert_cmpuint(e.payload->len, ==, 7);
    encoded_message_clear(&e);
    /* ASCII: a letter in a string becomes 'é', so the mistake shows */
    encode(&e, "length-in-chars@0", "{\"op\": \"ping\"}");
    g_assert_cmpuint(e.payload->len, ==, strlen("{\"op\": \"ping\"}") + 1);
    g_assert_true(memcmp(e.payload->data, "{\"\xc3\xa9p\": \"ping\"}", e.payload->len) == 0);
    g_assert_cmpuint(e.length, ==, e.payload->len - 1);
    g_assert_cmpuint(appmsg_get_u32(e.wire->data + APPMSG_OFF_LENGTH), ==, e.length);
    encoded_message_clear(&e);
    /* no string to put it in: a bare string that has one */
    encode(&e, "length-in-chars@0", "7");
    g_assert_cmpuint(e.payload->len, ==, 4);
    g_assert_cmpuint(e.length, ==, 3);
    encoded_message_clear(&e);
}

static void
test_no_header(void)
{
    encoded_message e;

    encode(&e, "no-header@0", "{\"a\": 1}");
    g_assert_cmpuint(e.wire->len, ==, 8);
    g_assert_true(memcmp(e.wire->data, "{\"a\": 1}", 8) == 0);
    g_assert_cmpstr(inject_error_name(e.kinds, APPMSG_MANIFEST_REQUEST), ==, "no_header");
    encoded_message_clear(&e);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/inject/little-endian", test_little_endian);
    g_test_add_func("/inject/lengths", test_lengths);
    g_test_add_func("/inject/no-header", test_no_header);
    return g_test_run();
}
