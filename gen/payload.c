/* payload.c — JSON payload text of an exact byte length. */
#include "payload.h"

static const char *const ops[] = {"ping", "login", "query", "update", "logout", "echo"};
static const char *const words[] = {"alpha",  "bravo", "socket", "stream", "merged", "partial",
                                    "header", "magic", "echo",   "server", "client", "payload"};
/* Non-ASCII words: senders that call json.dumps(..., ensure_ascii=False). */
static const char *const utf8_words[] = {"café", "naïve", "Grüße", "日本"};

static const char *
pick(GRand *rng, const char *const *list, guint n)
{
    return list[g_rand_int_range(rng, 0, (gint32)n)];
}

/* Appends exactly len bytes of words separated by spaces; never a character JSON must escape. */
static void
append_filler(GString *out, GRand *rng, gsize len)
{
    gsize end = out->len + len;

    while (out->len < end) {
        gsize room = end - out->len;
        const char *word = g_rand_int_range(rng, 0, 8) == 0
                               ? pick(rng, utf8_words, G_N_ELEMENTS(utf8_words))
                               : pick(rng, words, G_N_ELEMENTS(words));
        gsize wlen = strlen(word);

        if (wlen + 1 <= room) {
            g_string_append(out, word);
            g_string_append_c(out, ' ');
        } else {
            /* Too little room for a word: pad with letters, which are one byte each. */
            while (out->len < end)
                g_string_append_c(out, (char)('a' + g_rand_int_range(rng, 0, 26)));
        }
    }
}

void
payload_build(GString *out, GRand *rng, guint64 id, guint32 target_len)
{
    const char *op = pick(rng, ops, G_N_ELEMENTS(ops));

    g_string_truncate(out, 0);
    if (target_len == 0)
        return;
    if (target_len == 1) {
        g_string_append_c(out, (char)('0' + id % 10));
        return;
    }

    g_string_printf(out, "{\"id\": %" G_GUINT64_FORMAT ", \"op\": \"%s\", \"text\": \"", id, op);
    if (out->len + 2 <= target_len) {
        append_filler(out, rng, target_len - out->len - 2);
        g_string_append(out, "\"}");
        return;
    }
    /* Too short for the object: a bare JSON string. */
    g_string_assign(out, "\"");
    append_filler(out, rng, target_len - 2);
    g_string_append_c(out, '"');
}
