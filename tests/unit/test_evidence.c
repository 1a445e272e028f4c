/* Unit test: the heuristic's evidence — a whole message with a JSON payload is strong, a header
 * is weak, stray magic in other protocols' bytes is none. */
#include <string.h>

#include <glib.h>

#include "appmsg_evidence.h"
#include "appmsg_wire.h"
#include "unit_message.h"

static const appmsg_frame_opts plain = {false, 1000};

static void
test_whole_json_message_is_strong(void)
{
    guint8 buf[128];
    gsize n = unit_message(buf, 1, "{\"user\": \"ana\"}");

    g_assert_cmpint(appmsg_evidence_of(buf, n, &plain, NULL), ==, APPMSG_EVIDENCE_MESSAGE);
    /* followed by the next message, whole or cut anywhere (even inside its magic) */
    gsize m = n + unit_message(buf + n, 2, "[1, 2]");
    for (gsize cut = n + 1; cut <= m; cut++)
        g_assert_cmpint(appmsg_evidence_of(buf, cut, &plain, NULL), ==, APPMSG_EVIDENCE_MESSAGE);
    /* a bare number is a JSON text too (json.dumps(7)) */
    n = unit_message(buf, 1, "7");
    g_assert_cmpint(appmsg_evidence_of(buf, n, &plain, NULL), ==, APPMSG_EVIDENCE_MESSAGE);
}

static void
test_header_is_weak(void)
{
    guint8 buf[128];
    gsize n = unit_message(buf, 1, "{\"user\": \"ana\"}");

    /* the payload not all here yet, or not JSON after a JSON-like start, or empty */
    for (gsize cut = APPMSG_HDR_LEN; cut < n; cut++)
        g_assert_cmpint(appmsg_evidence_of(buf, cut, &plain, NULL), ==, APPMSG_EVIDENCE_HEADER);
    n = unit_message(buf, 1, "{broken");
    g_assert_cmpint(appmsg_evidence_of(buf, n, &plain, NULL), ==, APPMSG_EVIDENCE_HEADER);
    n = unit_message(buf, 1, "");
    g_assert_cmpint(appmsg_evidence_of(buf, n, &plain, NULL), ==, APPMSG_EVIDENCE_HEADER);
    /* a valid message followed by bytes that are not a magic */
    n = unit_message(buf, 1, "{}");
    memcpy(buf + n, "HTTP", 4);
    g_assert_cmpint(appmsg_evidence_of(buf, n + 4, &plain, NULL), ==, APPMSG_EVIDENCE_HEADER);
}

static void
test_magic_without_header_is_a_prefix(void)
{
    guint8 buf[16];

    appmsg_put_header(buf, 1, 10);
    for (gsize cut = 4; cut < APPMSG_HDR_LEN; cut++)
        g_assert_cmpint(appmsg_evidence_of(buf, cut, &plain, NULL), ==, APPMSG_EVIDENCE_PREFIX);
    for (gsize cut = 0; cut < 4; cut++)
        g_assert_cmpint(appmsg_evidence_of(buf, cut, &plain, NULL), ==, APPMSG_EVIDENCE_NONE);
}

static void
test_stray_magic_is_nothing(void)
{
    guint8 buf[64];

    /* a binary body after the header */
    appmsg_put_header(buf, 7, 16);
    for (int i = 0; i < 16; i++)
        buf[APPMSG_HDR_LEN + i] = (guint8)(0x80 + i * 7);
    g_assert_cmpint(appmsg_evidence_of(buf, APPMSG_HDR_LEN + 16, &plain, NULL), ==,
                    APPMSG_EVIDENCE_NONE);
    /* a length no sender under the maximum writes */
    appmsg_put_header(buf, 7, 5000);
    g_assert_cmpint(appmsg_evidence_of(buf, APPMSG_HDR_LEN, &plain, NULL), ==,
                    APPMSG_EVIDENCE_NONE);
    /* text that merely contains the magic later on */
    memcpy(buf, "GET / HTTP/1.1\r\n", 16);
    appmsg_put_header(buf + 16, 1, 2);
    g_assert_cmpint(appmsg_evidence_of(buf, 28, &plain, NULL), ==, APPMSG_EVIDENCE_NONE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/evidence/whole-json-message-is-strong", test_whole_json_message_is_strong);
    g_test_add_func("/evidence/header-is-weak", test_header_is_weak);
    g_test_add_func("/evidence/magic-without-header-is-a-prefix",
                    test_magic_without_header_is_a_prefix);
    g_test_add_func("/evidence/stray-magic-is-nothing", test_stray_magic_is_nothing);
    return g_test_run();
}
