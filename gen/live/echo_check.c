/* echo_check.c — the bytes not yet echoed, the messages they belong to, the first difference. */
#include <string.h>

#include "echo_check.h"

typedef struct {
    guint64 index, start, end; /* stream bytes [start, end) */
    gsize header_at;
    gint64 sent_usec; /* when its last byte was written; -1: not yet */
} message_span;

struct echo_check {
    gsize header_len;
    GArray *messages; /* message_span; [first, len) are not wholly echoed yet */
    guint first, next_unsent;
    GByteArray *unechoed; /* sent bytes from stream offset base on; echoed ones from the first
                             message not wholly echoed are kept (find_resumption) */
    guint64 base;
    guint unechoed_at; /* echoed - base */
    guint64 sent, echoed;
    gboolean failed;
    guint8 expected, got; /* the first difference, at offset echoed */
    gboolean got_extra;   /* ... which is a byte that was never sent */
    gboolean resumed;     /* the echo goes on with a later message (some were lost): */
    message_span resumed_from, resumed_at;
    latency_histogram latency;
};

echo_check *
echo_check_new(gsize header_len)
{
    echo_check *ec = g_new0(echo_check, 1);

    ec->header_len = header_len;
    ec->messages = g_array_new(FALSE, FALSE, sizeof(message_span));
    ec->unechoed = g_byte_array_new();
    return ec;
}

void
echo_check_free(echo_check *ec)
{
    if (!ec)
        return;
    g_array_free(ec->messages, TRUE);
    g_byte_array_free(ec->unechoed, TRUE);
    g_free(ec);
}

void
echo_check_message(echo_check *ec, guint64 index, guint64 start, guint64 len, gsize header_at)
{
    message_span m = {index, start, start + len, header_at, -1};

    g_array_append_val(ec->messages, m);
}

void
echo_check_sent(echo_check *ec, const guint8 *data, gsize len, gint64 now_usec)
{
    g_byte_array_append(ec->unechoed, data, (guint)len);
    ec->sent += len;
    for (; ec->next_unsent < ec->messages->len; ec->next_unsent++) {
        message_span *m = &g_array_index(ec->messages, message_span, ec->next_unsent);
        if (m->end > ec->sent)
            break;
        m->sent_usec = now_usec;
    }
}

/* Messages wholly echoed leave, with their latency; the arrays shrink now and then. */
static void
retire(echo_check *ec, gint64 now_usec)
{
    for (; ec->first < ec->next_unsent; ec->first++) {
        message_span *m = &g_array_index(ec->messages, message_span, ec->first);
        if (m->end > ec->echoed)
            break;
        latency_add(&ec->latency, (guint64)MAX(now_usec - m->sent_usec, 0));
    }
    if (ec->first >= 1024 && ec->first * 2 >= ec->messages->len) {
        g_array_remove_range(ec->messages, 0, ec->first);
        ec->next_unsent -= ec->first;
        ec->first = 0;
    }
    guint64 keep = ec->first < ec->messages->len
                       ? MIN(g_array_index(ec->messages, message_span, ec->first).start, ec->echoed)
                       : ec->echoed;
    guint drop = (guint)(keep - ec->base);
    if (drop >= 65536 && drop * 2 >= ec->unechoed->len) {
        g_byte_array_remove_range(ec->unechoed, 0, drop);
        ec->base += drop;
        ec->unechoed_at -= drop;
    }
}

/* The echo differs at offset echoed, inside message M: does it go on with a later message, as
 * when a server echoes only the first message of each read? A later message m matches when its
 * first bytes equal what came back of M so far, and the rest equal what came now — a header's
 * worth at least. */
static void
find_resumption(echo_check *ec, const guint8 *got, gsize len)
{
    const guint8 *buf = ec->unechoed->data; /* stream offset o is buf[o - base] */
    const message_span *cur = NULL;

    for (guint i = ec->first; i < ec->next_unsent && !cur; i++)
        if (g_array_index(ec->messages, message_span, i).end > ec->echoed)
            cur = &g_array_index(ec->messages, message_span, i);
    if (!cur || cur->start < ec->base)
        return;
    guint64 back = ec->echoed - cur->start; /* of M, echoed already */
    for (const message_span *m = cur + 1;
         m < &g_array_index(ec->messages, message_span, ec->next_unsent); m++) {
        gsize n = (gsize)MIN((guint64)len, ec->sent - MIN(ec->sent, m->start + back));
        if (back + n >= ec->header_len && m->start + back <= ec->sent &&
            memcmp(buf + (m->start - ec->base), buf + (cur->start - ec->base), (gsize)back) == 0 &&
            memcmp(buf + (m->start + back - ec->base), got, n) == 0) {
            ec->resumed = TRUE;
            ec->resumed_from = *cur;
            ec->resumed_at = *m;
            return;
        }
    }
}

gboolean
echo_check_received(echo_check *ec, const guint8 *data, gsize len, gint64 now_usec)
{
    gsize i;

    if (ec->failed)
        return FALSE;
    for (i = 0; i < len; i++) {
        if (ec->unechoed_at + i >= ec->unechoed->len) {
            ec->got_extra = TRUE;
            break;
        }
        if (ec->unechoed->data[ec->unechoed_at + i] != data[i])
            break;
    }
    ec->echoed += i;
    ec->unechoed_at += (guint)i;
    if (i < len) {
        ec->failed = TRUE;
        ec->got = data[i];
        ec->expected = ec->got_extra ? 0 : ec->unechoed->data[ec->unechoed_at];
        if (!ec->got_extra)
            find_resumption(ec, data + i, len - i);
    }
    retire(ec, now_usec);
    return !ec->failed;
}

guint64
echo_check_sent_bytes(const echo_check *ec)
{
    return ec->sent;
}

guint64
echo_check_echoed_bytes(const echo_check *ec)
{
    return ec->echoed;
}

gboolean
echo_check_failed(const echo_check *ec)
{
    return ec->failed;
}

const latency_histogram *
echo_check_latency(const echo_check *ec)
{
    return &ec->latency;
}

static const char *
header_field(gsize at)
{
    static const char *const names[] = {"magic", "type", "length", "checksum"};

    return names[MIN(at / 4, G_N_ELEMENTS(names) - 1)];
}

char *
echo_check_where(const echo_check *ec, guint64 offset)
{
    for (guint i = ec->first; i < ec->messages->len; i++) {
        const message_span *m = &g_array_index(ec->messages, message_span, i);
        guint64 header = m->start + m->header_at;

        if (offset >= m->end)
            continue;
        if (offset < header)
            return g_strdup_printf("the %" G_GSIZE_FORMAT " garbage bytes before message "
                                   "%" G_GUINT64_FORMAT,
                                   m->header_at, m->index);
        if (offset - header < ec->header_len)
            return g_strdup_printf("message %" G_GUINT64_FORMAT ", header byte %" G_GUINT64_FORMAT
                                   " (%s)",
                                   m->index, offset - header, header_field(offset - header));
        return g_strdup_printf("message %" G_GUINT64_FORMAT ", payload byte %" G_GUINT64_FORMAT,
                               m->index, offset - header - ec->header_len);
    }
    return g_strdup("after the last message");
}

static char *
byte_text(guint8 b)
{
    return g_ascii_isprint(b) ? g_strdup_printf("0x%02x '%c'", b, b) : g_strdup_printf("0x%02x", b);
}

char *
echo_check_difference(const echo_check *ec)
{
    g_autofree char *got = NULL, *expected = NULL, *where = NULL;

    if (!ec->failed)
        return NULL;
    got = byte_text(ec->got);
    if (ec->got_extra)
        return g_strdup_printf("more came back than was sent: %" G_GUINT64_FORMAT
                               " bytes were sent and echoed, then came %s",
                               ec->sent, got);
    where = echo_check_where(ec, ec->echoed);
    if (ec->resumed)
        return g_strdup_printf(
            "the echo skips from message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT
            " of the stream) to message %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT
            "): %" G_GUINT64_FORMAT " bytes sent never came back",
            ec->resumed_from.index, ec->resumed_from.start, ec->resumed_at.index,
            ec->resumed_at.start, ec->resumed_at.start - ec->resumed_from.start);
    expected = byte_text(ec->expected);
    return g_strdup_printf("the echo differs at byte %" G_GUINT64_FORMAT " of the stream (%s): "
                           "sent %s, got %s",
                           ec->echoed, where, expected, got);
}
