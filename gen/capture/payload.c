/* payload.c — JSON payload text of an exact byte length. */
#include "payload.h"

typedef struct {
    const char *text;
    guint8 len; /* bytes */
} word;

#define W(s)                                                                                       \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
static const word ops[] = {W("ping"), W("login"), W("query"), W("update"), W("logout"), W("echo")};
/* 16 words: 12 ASCII, and 4 non-ASCII ones from senders that call
 * json.dumps(..., ensure_ascii=False). */
static const word words[16] = {W("alpha"),  W("bravo"),   W("socket"), W("stream"),
                               W("merged"), W("partial"), W("header"), W("magic"),
                               W("echo"),   W("server"),  W("client"), W("payload"),
                               W("café"),   W("naïve"),   W("Grüße"),  W("日本")};
#undef W

/* Appends exactly len bytes of words separated by spaces; never a character JSON must escape.
 * One random draw per word: this runs for every message of a million-message capture. */
static void
append_filler(GString *out, GRand *rng, gsize len)
{
    gsize end = out->len + len;

    while (out->len < end) {
        guint32 r = g_rand_int(rng);
        const word *w = &words[r & 15];

        if ((gsize)w->len + 1 <= end - out->len) {
            g_string_append_len(out, w->text, w->len);
            g_string_append_c(out, ' ');
            continue;
        }
        /* Too little room for a word: pad with letters, which are one byte each. */
        for (r >>= 4; out->len < end; r = r / 26 ? r / 26 : g_rand_int(rng))
            g_string_append_c(out, (char)('a' + r % 26));
    }
}

void
payload_build(GString *out, GRand *rng, guint64 id, guint32 target_len)
{
    const word *op = &ops[g_rand_int(rng) % G_N_ELEMENTS(ops)];

    g_string_truncate(out, 0);
    if (target_len == 0)
        return;
    if (target_len == 1) {
        g_string_append_c(out, (char)('0' + id % 10));
        return;
    }

    g_string_printf(out, "{\"id\": %" G_GUINT64_FORMAT ", \"op\": \"%s\", \"text\": \"", id,
                    op->text);
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
