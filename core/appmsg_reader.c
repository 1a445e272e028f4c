/* appmsg_reader.c — the next item of the data TCP delivers (appmsg_reader.h). */
#include "appmsg_reader.h"
#include "appmsg_mistakes.h"
#include "appmsg_utf8.h"

/* A reassembly that ends with a message whose length counted the header also holds the next
 * message's header, which may begin exactly where the current segment does: TCP cannot split a
 * reassembly there (it would show the first message again later). So the first waits for the
 * next one, and both are shown together. */
static void
wait_with_next(const uint8_t *buf, size_t len, const appmsg_frame_opts *opts, appmsg_frame *f)
{
    appmsg_frame next;

    if (f->kind != APPMSG_FRAME_MESSAGE || !(f->mistakes & APPMSG_MISTAKE_LENGTH_WITH_HEADER) ||
        f->len >= len)
        return;
    next = appmsg_frame_read(buf + f->len, len - f->len, opts);
    if (next.kind != APPMSG_FRAME_NEED_MORE)
        return;
    f->kind = APPMSG_FRAME_NEED_MORE;
    f->need = next.need ? f->len + next.need : 0; /* 0: one more segment */
}

appmsg_read
appmsg_read_next(const uint8_t *buf, size_t len, size_t offset, bool reassembled, bool can_wait,
                 const appmsg_frame_opts *opts)
{
    appmsg_read r = {0};
    size_t avail = len - offset;

    r.f = appmsg_frame_read(buf + offset, avail, opts);
    if (offset == 0 && reassembled)
        wait_with_next(buf, len, opts, &r.f);
    r.len = r.f.len;
    switch (r.f.kind) {
    case APPMSG_FRAME_MESSAGE:
        r.kind = APPMSG_READ_MESSAGE;
        break;
    case APPMSG_FRAME_BAD_MAGIC:
        r.kind = APPMSG_READ_SKIPPED;
        break;
    case APPMSG_FRAME_TOO_LONG:
        r.kind = APPMSG_READ_TOO_LONG;
        break;
    case APPMSG_FRAME_NEED_MORE:
        r.len = avail;
        if (!can_wait) {
            r.kind = APPMSG_READ_TRUNCATED;
            break;
        }
        r.kind = APPMSG_READ_WAIT;
        /* What this message needs (f.need may reach past it: wait_with_next). */
        r.whole = r.f.have_header ? r.f.header_len + r.f.length : r.f.need;
        /* Without the whole header, take the next segment whole (as tcp_dissect_pdus does): a
         * reassembly cut to the header's end would need extending. */
        r.more = r.f.have_header && r.f.need ? (uint32_t)(r.f.need - avail) : 0;
        break;
    }
    return r;
}

/* Skipped bytes that a sender's json.dumps() wrote without a header: they open an object or an
 * array and go on as text (a single byte will do where the data ends). */
static bool
looks_like_json_text(const uint8_t *p, size_t len, bool to_end)
{
    if ((len < 2 && !to_end) || (p[0] != '{' && p[0] != '['))
        return false;
    for (size_t i = 1; i < len && i < 64; i++) /* the first 64 bytes tell */
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return false;
    return true;
}

appmsg_run
appmsg_run_of(const uint8_t *buf, size_t len, size_t offset, size_t run_len)
{
    bool to_end = offset + run_len == len;
    appmsg_run run = {offset == 0, to_end, looks_like_json_text(buf + offset, run_len, to_end),
                      appmsg_utf8_chars(buf + offset, run_len), (uint32_t)run_len};

    return run;
}
