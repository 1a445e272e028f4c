/* Unit test: the rules of a connection (core/appmsg_conn.h), driven as the dissector's first
 * pass drives them: the client side, each kind of skipped run, the echo pairing, a message the
 * stream ends inside of, and the TCP segments a message came in. */
#include <glib.h>

#include "appmsg_conn.h"

static void
test_client_side(void)
{
    /* TCP saw the handshake: the server's port decides, whoever sends. */
    g_assert_true(appmsg_sender_is_client(65432, 51000, 65432, false, true));
    g_assert_false(appmsg_sender_is_client(65432, 65432, 51000, true, false));
    /* ... even when the client's port is the AppMsg port too. */
    g_assert_true(appmsg_sender_is_client(7000, 65432, 7000, true, false));
    /* A capture that starts in the middle: the side not on the AppMsg port is the client. */
    g_assert_false(appmsg_sender_is_client(0, 65432, 51000, true, false));
    g_assert_true(appmsg_sender_is_client(0, 51000, 65432, false, true));
    /* Both or neither on the port (Decode As, the heuristic): the first to send. */
    g_assert_true(appmsg_sender_is_client(0, 65432, 65432, true, true));
    g_assert_true(appmsg_sender_is_client(0, 7000, 8000, false, false));
}

static appmsg_run
run(bool at_start, bool to_end, bool json_text, uint32_t chars, uint32_t len)
{
    return (appmsg_run){at_start, to_end, json_text, chars, len};
}

/* Bad magic, and the search going on into the next segment; after a magic, a new search. */
static void
test_skipped_resync(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_chars_rest rest;
    appmsg_run r = run(false, true, false, 5, 5);

    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &r, &rest), ==, APPMSG_SKIP_RESYNC);
    r = run(true, true, false, 9, 9); /* the whole next segment: still no magic */
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &r, &rest), ==, APPMSG_SKIP_CONTINUED);
    /* The other direction searches on its own. */
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_S2C, &r, &rest), ==, APPMSG_SKIP_RESYNC);
    r = run(true, false, false, 3, 3); /* ends at a magic */
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &r, &rest), ==, APPMSG_SKIP_CONTINUED);
    appmsg_conn_framed(c, APPMSG_C2S, false);
    r = run(true, true, false, 3, 3);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &r, &rest), ==, APPMSG_SKIP_RESYNC);
    appmsg_conn_free(c);
}

/* After a header whose length is above the maximum, the bytes up to the next magic are its
 * payload, over as many segments as it takes. */
static void
test_skipped_oversize(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_chars_rest rest;
    appmsg_run r = run(false, true, true, 40, 40);

    appmsg_conn_framed(c, APPMSG_S2C, true);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_S2C, &r, &rest), ==, APPMSG_SKIP_OVERSIZE);
    r = run(true, false, false, 7, 7);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_S2C, &r, &rest), ==, APPMSG_SKIP_OVERSIZE);
    appmsg_conn_framed(c, APPMSG_S2C, false);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_S2C, &r, &rest), ==, APPMSG_SKIP_RESYNC);
    appmsg_conn_free(c);
}

/* JSON text where a message should start: a payload sent without its header. */
static void
test_skipped_no_header(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_chars_rest rest;
    appmsg_run r = run(true, false, true, 30, 30);

    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &r, &rest), ==, APPMSG_SKIP_NO_HEADER);
    appmsg_conn_free(c);
}

/* A length that counted characters: the message framed by it is 6 characters short; the run
 * after it in the next segment ends the payload, in two pieces. */
static void
test_skipped_chars_rest(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_chars_rest rest;
    appmsg_run first = run(true, true, false, 4, 5), second = run(true, false, false, 2, 2);

    appmsg_conn_framed(c, APPMSG_C2S, false);
    appmsg_conn_chars_short(c, APPMSG_C2S, 31, 27, 25, 21); /* 25 bytes, 21 characters of 27 */
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &first, &rest), ==, APPMSG_SKIP_CHARS_REST);
    g_assert_cmpuint(rest.frame, ==, 31);
    g_assert_cmpuint(rest.declared, ==, 27);
    g_assert_cmpuint(rest.bytes, ==, 30);
    g_assert_false(rest.complete);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &second, &rest), ==, APPMSG_SKIP_CHARS_REST);
    g_assert_cmpuint(rest.bytes, ==, 32);
    g_assert_true(rest.complete);
    /* Ended: a further run is a run of its own. */
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &second, &rest), ==, APPMSG_SKIP_RESYNC);

    /* Too many characters, or a run that stops short of them before the data's end: not the
     * rest of that payload. */
    appmsg_conn_chars_short(c, APPMSG_C2S, 40, 10, 8, 8);
    appmsg_run too_many = run(true, true, false, 5, 5);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &too_many, &rest), ==, APPMSG_SKIP_RESYNC);
    appmsg_conn_framed(c, APPMSG_C2S, false);
    appmsg_conn_chars_short(c, APPMSG_C2S, 41, 10, 8, 8);
    appmsg_run short_of = run(true, false, false, 1, 1);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &short_of, &rest), ==, APPMSG_SKIP_RESYNC);
    /* A magic in between (framed) ends what the message before could count. */
    appmsg_conn_chars_short(c, APPMSG_C2S, 42, 10, 8, 8);
    appmsg_conn_framed(c, APPMSG_C2S, false);
    appmsg_run exact = run(true, false, false, 2, 2);
    g_assert_cmpint(appmsg_conn_skipped(c, APPMSG_C2S, &exact, &rest), ==, APPMSG_SKIP_RESYNC);
    appmsg_conn_free(c);
}

static appmsg_echo_msg
msg(uint32_t frame, uint32_t type, uint32_t length, uint32_t crc, int64_t time_ns)
{
    return (appmsg_echo_msg){frame, type, length, crc, time_ns, GUINT_TO_POINTER(frame), 7};
}

/* The Nth message one way with the Nth the other way, whichever comes first; both directions
 * interleaved; the difference and time of each echo. */
static void
test_pairing(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_echo_pair p;
    appmsg_echo_msg m;

    m = msg(4, 1, 10, 0xaa, 1000);
    g_assert_false(appmsg_conn_pair(c, APPMSG_C2S, &m, &p));
    m = msg(5, 2, 20, 0xbb, 2000);
    g_assert_false(appmsg_conn_pair(c, APPMSG_C2S, &m, &p));
    m = msg(6, 1, 10, 0xaa, 1150); /* echo of frame 4 */
    g_assert_true(appmsg_conn_pair(c, APPMSG_S2C, &m, &p));
    g_assert_cmpuint(p.other.frame, ==, 4);
    g_assert_true(p.other.owner == GUINT_TO_POINTER(4));
    g_assert_cmpuint(p.other.key, ==, 7);
    g_assert_cmpuint(p.diff, ==, 0);
    g_assert_cmpint(p.delta_ns, ==, 150);
    m = msg(7, 3, 21, 0xcc, 2500); /* echo of frame 5: another type, length and payload */
    g_assert_true(appmsg_conn_pair(c, APPMSG_S2C, &m, &p));
    g_assert_cmpuint(p.other.frame, ==, 5);
    g_assert_cmpuint(p.diff, ==, APPMSG_DIFF_TYPE | APPMSG_DIFF_LENGTH | APPMSG_DIFF_PAYLOAD);
    g_assert_cmpint(p.delta_ns, ==, 500);
    /* The server speaks first: its message waits, and the client's pairs with it; the time is
     * still the echo's minus the request's. */
    m = msg(8, 9, 1, 0x11, 5000);
    g_assert_false(appmsg_conn_pair(c, APPMSG_S2C, &m, &p));
    m = msg(9, 9, 1, 0x12, 4000);
    g_assert_true(appmsg_conn_pair(c, APPMSG_C2S, &m, &p));
    g_assert_cmpuint(p.other.frame, ==, 8);
    g_assert_cmpuint(p.diff, ==, APPMSG_DIFF_PAYLOAD);
    g_assert_cmpint(p.delta_ns, ==, 1000);
    /* One left waiting is freed with the connection. */
    m = msg(10, 1, 1, 1, 6000);
    g_assert_false(appmsg_conn_pair(c, APPMSG_C2S, &m, &p));
    appmsg_conn_free(c);
}

static appmsg_tail
waiting(uint32_t start_frame, uint64_t seen, uint64_t need)
{
    return (appmsg_tail){start_frame, 0, seen, need, true, 4, (uint32_t)(need - 12), NULL, 0};
}

/* A message waits; later packets count its bytes; a FIN in its direction ends it there, a FIN
 * the other way does not. */
static void
test_tail_fin(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_tail t = waiting(10, 20, 90), ended[2], now;

    g_assert_cmpint(appmsg_conn_set_pending(c, APPMSG_C2S, &t, 10), ==, 1);
    g_assert_cmpint(appmsg_conn_set_pending(c, APPMSG_C2S, &t, 10), ==, 0);
    g_assert_true(appmsg_conn_any_pending(c));
    /* The frame that started it is not counted again. */
    g_assert_cmpuint(appmsg_conn_follow(c, APPMSG_C2S, 10, 1000, 20, false, false, false, ended),
                     ==, 0);
    g_assert_cmpuint(appmsg_conn_follow(c, APPMSG_C2S, 11, 1020, 30, false, false, false, ended),
                     ==, 0);
    g_assert_cmpuint(appmsg_conn_follow(c, APPMSG_S2C, 12, 500, 0, true, false, false, ended), ==,
                     0);
    g_assert_true(appmsg_conn_pending(c, APPMSG_C2S, &now));
    g_assert_cmpuint(now.seen, ==, 50);
    g_assert_cmpuint(now.end_frame, ==, 11);
    g_assert_cmpuint(appmsg_conn_follow(c, APPMSG_C2S, 13, 1050, 5, true, false, false, ended), ==,
                     1);
    g_assert_cmpuint(ended[0].seen, ==, 55);
    g_assert_cmpuint(ended[0].end_frame, ==, 13);
    g_assert_cmpuint(ended[0].start_frame, ==, 10);
    g_assert_cmpstr(ended[0].end, ==, "FIN");
    g_assert_cmpuint(ended[0].dir, ==, APPMSG_C2S);
    g_assert_false(appmsg_conn_any_pending(c));
    appmsg_conn_free(c);
}

/* A RST ends what both directions wait for; what completes clears the wait (-1). */
static void
test_tail_rst(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_tail a = waiting(3, 5, 40), b = waiting(4, 2, 12), ended[2];

    appmsg_conn_set_pending(c, APPMSG_C2S, &a, 3);
    appmsg_conn_set_pending(c, APPMSG_S2C, &b, 4);
    g_assert_cmpuint(appmsg_conn_last_frame(c), ==, 4);
    g_assert_cmpuint(appmsg_conn_follow(c, APPMSG_S2C, 6, 0, 0, false, true, false, ended), ==, 2);
    g_assert_cmpstr(ended[0].end, ==, "RST");
    g_assert_cmpuint(ended[0].dir, ==, APPMSG_C2S);
    g_assert_cmpuint(ended[1].dir, ==, APPMSG_S2C);
    g_assert_false(appmsg_conn_any_pending(c));

    appmsg_conn_set_pending(c, APPMSG_C2S, &a, 8);
    g_assert_cmpint(appmsg_conn_set_pending(c, APPMSG_C2S, NULL, 9), ==, -1);
    appmsg_conn_saw_frame(c, 12);
    appmsg_conn_saw_frame(c, 11);
    g_assert_cmpuint(appmsg_conn_last_frame(c), ==, 12);
    appmsg_conn_free(c);
}

/* Segments: a retransmission and a segment that ends no further are left out; a message's
 * earlier segments are those before its frame that hold its bytes. */
static void
test_segments(void)
{
    appmsg_conn *c = appmsg_conn_new();
    uint32_t first;

    appmsg_conn_log_segment(c, APPMSG_C2S, 2, 100, 150);
    appmsg_conn_note_pieces(c, APPMSG_C2S, 2, 3);
    appmsg_conn_log_segment(c, APPMSG_C2S, 3, 100, 150); /* retransmission */
    appmsg_conn_log_segment(c, APPMSG_C2S, 4, 150, 200);
    appmsg_conn_log_segment(c, APPMSG_C2S, 4, 150, 260); /* the same frame again */
    appmsg_conn_log_segment(c, APPMSG_C2S, 5, 120, 180); /* out of order, ends no further */
    appmsg_conn_log_segment(c, APPMSG_C2S, 6, 200, 250);
    appmsg_conn_note_pieces(c, APPMSG_C2S, 5, 9); /* not the last segment's frame: ignored */
    /* A message [140, 230) completed in frame 7: segments of frames 2, 4 and 6. */
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_C2S, 7, 140, 230, &first), ==, 3);
    g_assert_cmpuint(first, ==, 3);
    /* Completed in frame 6: frame 6's own segment is not earlier. */
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_C2S, 6, 140, 230, &first), ==, 2);
    /* [150, 200): frame 4's alone; the other direction has none. */
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_C2S, 9, 150, 200, &first), ==, 1);
    g_assert_cmpuint(first, ==, 0);
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_S2C, 9, 150, 200, &first), ==, 0);
    /* Sequence numbers wrap. */
    appmsg_conn_log_segment(c, APPMSG_S2C, 2, 0xfffffff0u, 0x10);
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_S2C, 3, 0xfffffff8u, 0x8, &first), ==,
                     1);
    appmsg_conn_forget_segments(c);
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_C2S, 7, 140, 230, &first), ==, 0);
    appmsg_conn_free(c);
}

/* Only a waiting message's segments are logged by follow, unless told (a replay). */
static void
test_follow_logs(void)
{
    appmsg_conn *c = appmsg_conn_new();
    appmsg_tail t = waiting(1, 10, 100), ended[2];
    uint32_t first;

    appmsg_conn_follow(c, APPMSG_C2S, 1, 0, 10, false, false, false, ended);
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_C2S, 9, 0, 10, &first), ==, 0);
    appmsg_conn_follow(c, APPMSG_C2S, 1, 0, 10, false, false, true, ended);
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_C2S, 9, 0, 10, &first), ==, 1);
    appmsg_conn_set_pending(c, APPMSG_C2S, &t, 1);
    appmsg_conn_follow(c, APPMSG_C2S, 2, 10, 40, false, false, false, ended);
    g_assert_cmpuint(appmsg_conn_earlier_segments(c, APPMSG_C2S, 9, 0, 100, &first), ==, 2);
    appmsg_conn_free(c);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conn/client-side", test_client_side);
    g_test_add_func("/conn/skipped/resync", test_skipped_resync);
    g_test_add_func("/conn/skipped/oversize", test_skipped_oversize);
    g_test_add_func("/conn/skipped/no-header", test_skipped_no_header);
    g_test_add_func("/conn/skipped/chars-rest", test_skipped_chars_rest);
    g_test_add_func("/conn/pairing", test_pairing);
    g_test_add_func("/conn/tail/fin", test_tail_fin);
    g_test_add_func("/conn/tail/rst", test_tail_rst);
    g_test_add_func("/conn/segments", test_segments);
    g_test_add_func("/conn/follow-logs", test_follow_logs);
    return g_test_run();
}
