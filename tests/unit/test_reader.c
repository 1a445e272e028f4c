/* Unit test: the reader (core/appmsg_reader.h) over a byte stream cut anywhere, as TCP delivers
 * it to a dissector that asks for more (desegment_offset/len): every cut of one and two points,
 * and every segment size, must give the same messages; skipped bytes come out in runs that add up
 * to the bytes without a magic; a stream that ends inside a message says so. A test harness in
 * the manner of llhttp's: the same cases fed in chunks of any size. */
#include <string.h>

#include <glib.h>

#include "appmsg_reader.h"
#include "appmsg_wire.h"

/* What the reader made of a stream: its messages (type, length, payload) and runs, in order. */
typedef struct {
    GString *log;     /* "M type length payload|" per message, "S n|" per skipped run, ... */
    guint64 skipped;  /* bytes in skipped runs */
    GByteArray *held; /* bytes TCP holds for a message that waits */
    guint32 more;     /* bytes it still needs; 0 with held bytes: the next segment, whole */
    appmsg_frame_opts opts;
} reading;

static void
deliver(reading *r, const guint8 *data, gsize len, gboolean reassembled, gboolean can_wait)
{
    gsize offset = 0;

    while (offset < len) {
        appmsg_read item = appmsg_read_next(data, len, offset, reassembled, can_wait, &r->opts);
        switch (item.kind) {
        case APPMSG_READ_MESSAGE:
            g_string_append_printf(r->log, "M %u %u %.*s|", item.f.type, item.f.length,
                                   (int)item.f.length, data + offset + item.f.header_len);
            break;
        case APPMSG_READ_SKIPPED:
            r->skipped += item.len;
            if (!g_str_has_suffix(r->log->str, "S|")) /* runs cut by segments: one in the log */
                g_string_append(r->log, "S|");
            break;
        case APPMSG_READ_TOO_LONG:
            g_string_append_printf(r->log, "L %u|", item.f.length);
            break;
        case APPMSG_READ_TRUNCATED:
            g_string_append_printf(r->log, "T %u|", (guint)item.len);
            break;
        case APPMSG_READ_WAIT:
            g_assert_true(can_wait);
            g_assert_cmpuint(item.len, ==, len - offset);
            g_byte_array_append(r->held, data + offset, (guint)item.len);
            r->more = item.more;
            return;
        }
        g_assert_cmpuint(item.len, >, 0);
        offset += item.len;
    }
}

/* One TCP segment of the stream, as TCP hands it on: joined to what is held, first, up to what
 * the wait asked for; the rest goes on as data of its own, or (when the joined data waits again)
 * joins the new wait, as TCP extends a reassembly. fin: the stream ends with it. */
static void
segment(reading *r, const guint8 *data, gsize len, gboolean fin)
{
    while (r->held->len > 0) {
        g_autoptr(GByteArray) joined = g_byte_array_new();
        gsize take = r->more ? MIN(r->more, len) : len;

        g_byte_array_append(joined, r->held->data, r->held->len);
        g_byte_array_append(joined, data, (guint)take);
        g_byte_array_set_size(r->held, 0);
        if (r->more && take < r->more && !fin) { /* still short: TCP keeps it all */
            g_byte_array_append(r->held, joined->data, joined->len);
            r->more -= (guint32)take;
            return;
        }
        r->more = 0;
        deliver(r, joined->data, joined->len, TRUE, !fin || take < len);
        data += take;
        len -= take;
        if (len == 0)
            return;
    }
    deliver(r, data, len, FALSE, !fin);
}

/* The stream cut at the given points (ascending, inside the stream), the last segment with
 * FIN when fin. Returns the log (g_free it); *skipped the bytes skipped. */
static char *
read_cut(const GByteArray *stream, const gsize *cuts, guint ncuts, gboolean fin, guint64 *skipped,
         gboolean checked)
{
    reading r = {g_string_new(NULL), 0, g_byte_array_new(), 0, {checked, 1000}};
    gsize from = 0;

    for (guint i = 0; i <= ncuts; i++) {
        gsize to = i < ncuts ? cuts[i] : stream->len;
        segment(&r, stream->data + from, to - from, fin && i == ncuts);
        from = to;
    }
    if (r.held->len) /* the capture ends: what waited is cut (the plugin's tails) */
        g_string_append_printf(r.log, "T %u|", r.held->len);
    *skipped = r.skipped;
    g_byte_array_free(r.held, TRUE);
    return g_string_free(r.log, FALSE);
}

/* Every cut of one and of two points, and every segment size, read as the stream whole is. */
static void
check_every_cut(const GByteArray *stream, guint64 want_skipped, gboolean checked)
{
    guint64 skipped;
    g_autofree char *whole = read_cut(stream, NULL, 0, FALSE, &skipped, checked);

    g_assert_cmpuint(skipped, ==, want_skipped);
    for (gsize a = 1; a < stream->len; a++) {
        g_autofree char *one = read_cut(stream, &a, 1, FALSE, &skipped, checked);
        g_assert_cmpstr(one, ==, whole);
        g_assert_cmpuint(skipped, ==, want_skipped);
        for (gsize b = a + 1; b < stream->len; b++) {
            gsize cuts[2] = {a, b};
            g_autofree char *two = read_cut(stream, cuts, 2, FALSE, &skipped, checked);
            g_assert_cmpstr(two, ==, whole);
            g_assert_cmpuint(skipped, ==, want_skipped);
        }
    }
    for (gsize size = 1; size < stream->len; size++) {
        g_autofree gsize *cuts = g_new(gsize, stream->len / size + 1);
        guint n = 0;
        for (gsize at = size; at < stream->len; at += size)
            cuts[n++] = at;
        g_autofree char *sized = read_cut(stream, cuts, n, FALSE, &skipped, checked);
        g_assert_cmpstr(sized, ==, whole);
    }
}

static void
add_message(GByteArray *s, guint32 type, const char *payload, gboolean checked)
{
    guint8 h[APPMSG_CHECKED_HDR_LEN];
    guint32 len = (guint32)strlen(payload);
    gsize n = checked ? appmsg_put_checked_header(
                            h, type, len, appmsg_payload_crc32((const guint8 *)payload, len))
                      : appmsg_put_header(h, type, len);

    g_byte_array_append(s, h, (guint)n);
    g_byte_array_append(s, (const guint8 *)payload, len);
}

static void
test_messages_cut_anywhere(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();

    add_message(s, 1, "{\"id\": 1}", FALSE);
    add_message(s, 2, "[]", FALSE);
    add_message(s, 3, "", FALSE); /* an empty payload */
    add_message(s, 4, "\"caf\xc3\xa9\"", FALSE);
    check_every_cut(s, 0, FALSE);
    g_autofree char *log = NULL;
    guint64 skipped;
    log = read_cut(s, NULL, 0, FALSE, &skipped, FALSE);
    g_assert_cmpstr(log, ==, "M 1 9 {\"id\": 1}|M 2 2 []|M 3 0 |M 4 7 \"caf\xc3\xa9\"|");
}

static void
test_checked_cut_anywhere(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();

    add_message(s, 7, "{\"a\": [1, 2]}", TRUE);
    add_message(s, 8, "null", TRUE);
    check_every_cut(s, 0, TRUE);
}

/* Bytes without a magic between messages (one that looks like the start of a magic too): the
 * messages are found, and the runs add up to those bytes, however TCP cut them. */
static void
test_garbage_cut_anywhere(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();
    static const guint8 garbage[] = {'x', 0x12, 0x34, 'y', 0x12, 0x34, 0x56, 'z', 'w'};

    g_byte_array_append(s, garbage, 3);
    add_message(s, 1, "{\"id\": 1}", FALSE);
    g_byte_array_append(s, garbage, sizeof garbage);
    add_message(s, 2, "true", FALSE);
    check_every_cut(s, 3 + sizeof garbage, FALSE);
}

/* A length above the maximum: the header is read and not waited for; its payload is skipped up
 * to the next magic. */
static void
test_too_long_cut_anywhere(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();
    guint8 h[APPMSG_HDR_LEN];

    g_byte_array_append(s, h, (guint)appmsg_put_header(h, 5, 5000));
    g_byte_array_append(s, (const guint8 *)"{\"big\": 0}", 10);
    add_message(s, 6, "{}", FALSE);
    check_every_cut(s, 10, FALSE);
}

/* A header written little-endian, and a length that counts the header: read through, whatever
 * the cuts. */
static void
test_mistakes_cut_anywhere(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();
    guint8 h[APPMSG_HDR_LEN];

    add_message(s, 1, "{\"a\": 1}", FALSE);
    appmsg_put_u32_le(h, APPMSG_MAGIC);
    appmsg_put_u32_le(h + APPMSG_OFF_TYPE, 2);
    appmsg_put_u32_le(h + APPMSG_OFF_LENGTH, 6);
    g_byte_array_append(s, h, sizeof h);
    g_byte_array_append(s, (const guint8 *)"\"abcd\"", 6);
    g_byte_array_append(s, h, (guint)appmsg_put_header(h, 3, APPMSG_HDR_LEN + 8));
    g_byte_array_append(s, (const guint8 *)"{\"b\": 2}", 8);
    add_message(s, 4, "[1]", FALSE);
    check_every_cut(s, 0, FALSE);
    guint64 skipped;
    g_autofree char *log = read_cut(s, NULL, 0, FALSE, &skipped, FALSE);
    g_assert_cmpstr(log, ==, "M 1 8 {\"a\": 1}|M 2 6 \"abcd\"|M 3 8 {\"b\": 2}|M 4 3 [1]|");
}

/* A capture that starts in the middle of a message, anywhere in it, header too: its rest is
 * skipped, and every later message is found, however TCP cuts what follows. */
static void
test_starts_mid_stream(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();
    gsize first;

    add_message(s, 1, "{\"id\": 1}", FALSE);
    first = s->len;
    add_message(s, 2, "{\"id\": 2}", FALSE);
    add_message(s, 3, "[3]", FALSE);
    for (gsize start = 1; start < first; start++) {
        g_autoptr(GByteArray) late = g_byte_array_new();
        guint64 skipped;

        g_byte_array_append(late, s->data + start, (guint)(s->len - start));
        check_every_cut(late, first - start, FALSE);
        g_autofree char *log = read_cut(late, NULL, 0, FALSE, &skipped, FALSE);
        g_assert_cmpstr(log, ==, "S|M 2 9 {\"id\": 2}|M 3 3 [3]|");
    }
}

/* The stream ends inside a message: with FIN on the segment, the reader says so at once; with
 * the capture's end, what waited is left to the stream's tail. */
static void
test_truncated(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();
    guint64 skipped;

    add_message(s, 1, "{\"id\": 1}", FALSE);
    add_message(s, 2, "{\"id\": 2}", FALSE);
    g_byte_array_set_size(s, s->len - 4);
    for (gsize a = 1; a < s->len; a++) {
        g_autofree char *fin = read_cut(s, &a, 1, TRUE, &skipped, FALSE);
        g_autofree char *end = read_cut(s, &a, 1, FALSE, &skipped, FALSE);
        g_assert_true(g_str_has_prefix(fin, "M 1 9 {\"id\": 1}|T "));
        g_assert_true(g_str_has_prefix(end, "M 1 9 {\"id\": 1}|T "));
        /* What was seen of the second message is the same either way. */
        g_assert_cmpstr(strrchr(fin, 'T'), ==, strrchr(end, 'T'));
    }
    g_autofree char *log = read_cut(s, NULL, 0, TRUE, &skipped, FALSE);
    g_assert_cmpstr(log, ==, "M 1 9 {\"id\": 1}|T 17|");
}

/* What a wait asks of TCP: the bytes the message still needs, or (header not whole) the next
 * segment whole. */
static void
test_wait(void)
{
    g_autoptr(GByteArray) s = g_byte_array_new();
    const appmsg_frame_opts opts = {FALSE, 1000};
    appmsg_read r;

    add_message(s, 1, "{\"id\": 1}", FALSE);
    r = appmsg_read_next(s->data, 15, 0, FALSE, TRUE, &opts);
    g_assert_cmpint(r.kind, ==, APPMSG_READ_WAIT);
    g_assert_cmpuint(r.more, ==, 6);
    g_assert_cmpuint(r.whole, ==, 21);
    r = appmsg_read_next(s->data, 7, 0, FALSE, TRUE, &opts);
    g_assert_cmpint(r.kind, ==, APPMSG_READ_WAIT);
    g_assert_cmpuint(r.more, ==, 0);
    r = appmsg_read_next(s->data, 7, 0, FALSE, FALSE, &opts);
    g_assert_cmpint(r.kind, ==, APPMSG_READ_TRUNCATED);
    g_assert_cmpuint(r.len, ==, 7);
    g_assert_false(r.f.have_header);
}

/* A skipped run as the connection weighs it. */
static void
test_run_of(void)
{
    static const guint8 data[] = "ab{\"x\": \"\xc3\xa9\"}";
    appmsg_run run = appmsg_run_of(data, sizeof data - 1, 2, sizeof data - 3);

    g_assert_false(run.at_start);
    g_assert_true(run.to_end);
    g_assert_true(run.json_text);
    g_assert_cmpuint(run.len, ==, sizeof data - 3);
    g_assert_cmpuint(run.chars, ==, sizeof data - 4);
    run = appmsg_run_of(data, sizeof data - 1, 0, 2);
    g_assert_true(run.at_start);
    g_assert_false(run.to_end);
    g_assert_false(run.json_text);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reader/messages-cut-anywhere", test_messages_cut_anywhere);
    g_test_add_func("/reader/checked-cut-anywhere", test_checked_cut_anywhere);
    g_test_add_func("/reader/garbage-cut-anywhere", test_garbage_cut_anywhere);
    g_test_add_func("/reader/too-long-cut-anywhere", test_too_long_cut_anywhere);
    g_test_add_func("/reader/mistakes-cut-anywhere", test_mistakes_cut_anywhere);
    g_test_add_func("/reader/starts-mid-stream", test_starts_mid_stream);
    g_test_add_func("/reader/truncated", test_truncated);
    g_test_add_func("/reader/wait", test_wait);
    g_test_add_func("/reader/run-of", test_run_of);
    return g_test_run();
}
