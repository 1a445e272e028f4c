/* appmsg_mistakes.c — lengths that count the header, or characters. */
#include "appmsg_mistakes.h"
#include "appmsg_json.h"
#include "appmsg_utf8.h"

/* A full magic at p, in either byte order. */
static bool
magic_at(const uint8_t *p, size_t avail)
{
    return avail >= 4 && appmsg_magic_starts(p, 4);
}

/* Whether a magic (or the end of the data) follows offset end. */
static bool
message_ends_at(const uint8_t *buf, size_t avail, size_t end)
{
    return end == avail || (end < avail && appmsg_magic_starts(buf + end, avail - end));
}

/* A payload that is a JSON object, array or string: one that a cut cannot leave complete. A
 * number or literal could be the head of a longer one. */
static bool
complete_json_container(const uint8_t *p, size_t len)
{
    size_t last = len;

    while (last > 0 && (p[last - 1] == ' ' || p[last - 1] == '\n' || p[last - 1] == '\r' ||
                        p[last - 1] == '\t'))
        last--;
    return last > 0 && (p[last - 1] == '}' || p[last - 1] == ']' || p[last - 1] == '"') &&
           appmsg_json_valid(p, len, NULL);
}

static void
reframe(appmsg_frame *f, uint8_t mistake, size_t payload_len)
{
    f->kind = APPMSG_FRAME_MESSAGE;
    f->mistakes |= mistake;
    f->length = (uint32_t)payload_len;
    f->len = f->header_len + payload_len;
    f->need = 0;
}

/* The message ends where the length says the header and payload together end. */
static bool
length_with_header(const uint8_t *buf, size_t avail, appmsg_frame *f)
{
    size_t hdr = f->header_len, end = f->length; /* header included */

    if (f->length < hdr)
        return false;
    /* The next message's magic, header-length bytes before where this one would end. */
    if (avail >= end + 4 && magic_at(buf + end, avail - end)) {
        reframe(f, APPMSG_MISTAKE_LENGTH_WITH_HEADER, end - hdr);
        return true;
    }
    /* Or the data stops right there (the sender's write, or the last message) after a complete
     * JSON value. */
    if (f->kind == APPMSG_FRAME_NEED_MORE && avail == end &&
        complete_json_container(buf + hdr, end - hdr)) {
        reframe(f, APPMSG_MISTAKE_LENGTH_WITH_HEADER, end - hdr);
        return true;
    }
    return false;
}

/* The length counts characters: the payload it frames is cut inside its JSON, and the text it
 * counts runs on to the next magic. */
static void
length_in_chars(const uint8_t *buf, size_t avail, appmsg_frame *f)
{
    const uint8_t *payload = buf + f->header_len;
    size_t bytes;

    /* Cheap tests first: this runs for every message, and a right length is followed by the
     * next magic (or by nothing yet). */
    if (f->kind != APPMSG_FRAME_MESSAGE || f->length == 0 || message_ends_at(buf, avail, f->len))
        return;
    bytes = appmsg_utf8_bytes_of_chars(payload, avail - f->header_len, f->length);
    if (bytes <= f->length || !message_ends_at(buf, avail, f->header_len + bytes))
        return; /* all ASCII, or the counted text does not end at a message boundary */
    if (!appmsg_json_valid(payload, f->length, NULL) && appmsg_json_valid(payload, bytes, NULL))
        reframe(f, APPMSG_MISTAKE_LENGTH_IN_CHARS, bytes);
}

appmsg_frame
appmsg_frame_read(const uint8_t *buf, size_t avail, const appmsg_frame_opts *opts)
{
    appmsg_frame f = appmsg_frame_next(buf, avail, opts);

    appmsg_length_mistakes(buf, avail, &f);
    return f;
}

void
appmsg_length_mistakes(const uint8_t *buf, size_t avail, appmsg_frame *f)
{
    if (!f->have_header || f->kind == APPMSG_FRAME_TOO_LONG)
        return;
    if (!length_with_header(buf, avail, f))
        length_in_chars(buf, avail, f);
}
