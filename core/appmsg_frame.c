/* appmsg_frame.c — the framing core. */
#include <string.h>

#include <zlib.h>

#include "appmsg_frame.h"
#include "appmsg_wire.h"

static const uint8_t magic_bytes[4] = {(uint8_t)(APPMSG_MAGIC >> 24), (uint8_t)(APPMSG_MAGIC >> 16),
                                       (uint8_t)(APPMSG_MAGIC >> 8), (uint8_t)APPMSG_MAGIC};
/* The magic as a little-endian sender writes it. */
static const uint8_t magic_le_bytes[4] = {(uint8_t)APPMSG_MAGIC, (uint8_t)(APPMSG_MAGIC >> 8),
                                          (uint8_t)(APPMSG_MAGIC >> 16),
                                          (uint8_t)(APPMSG_MAGIC >> 24)};

/* The first place before limit where pattern starts: the whole of it, or as much as the buffer
 * (len bytes) still holds at its end. limit when there is none. */
static size_t
find_pattern(const uint8_t *buf, size_t len, size_t limit, const uint8_t pattern[4])
{
    const uint8_t *p = buf, *end = buf + len;

    while ((p = memchr(p, pattern[0], limit - (size_t)(p - buf))) != NULL) {
        size_t left = (size_t)(end - p);
        if (memcmp(p, pattern, left < 4 ? left : 4) == 0)
            return (size_t)(p - buf);
        p++;
    }
    return limit;
}

size_t
appmsg_find_magic(const uint8_t *buf, size_t len)
{
    size_t be = find_pattern(buf, len, len, magic_bytes);

    /* The little-endian magic only before the first big-endian one: no second full scan. */
    return find_pattern(buf, len, be, magic_le_bytes);
}

bool
appmsg_magic_starts(const uint8_t *p, size_t avail)
{
    if (avail == 0)
        return false;
    size_t n = avail < 4 ? avail : 4;
    return memcmp(p, magic_bytes, n) == 0 || memcmp(p, magic_le_bytes, n) == 0;
}

static uint32_t
swap_u32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xff00u) | (v << 8 & 0xff0000u) | v << 24;
}

appmsg_frame
appmsg_frame_next(const uint8_t *buf, size_t avail, const appmsg_frame_opts *opts)
{
    appmsg_frame f;
    size_t prefix = avail < 4 ? avail : 4;

    memset(&f, 0, sizeof f);
    f.header_len = appmsg_header_len(opts->checked);
    if (memcmp(buf, magic_le_bytes, prefix) == 0) {
        f.mistakes = APPMSG_MISTAKE_LE_HEADER;
    } else if (memcmp(buf, magic_bytes, prefix) != 0) {
        f.kind = APPMSG_FRAME_BAD_MAGIC;
        f.len = 1 + appmsg_find_magic(buf + 1, avail - 1);
        return f;
    }
    if (avail < f.header_len) {
        f.kind = APPMSG_FRAME_NEED_MORE;
        f.need = f.header_len;
        return f;
    }
    f.have_header = true;
    uint32_t (*get)(const uint8_t *) = f.mistakes ? appmsg_get_u32_le : appmsg_get_u32;
    f.type = get(buf + APPMSG_OFF_TYPE);
    f.length = get(buf + APPMSG_OFF_LENGTH);
    if (opts->checked)
        f.checksum = get(buf + APPMSG_OFF_CHECKSUM);
    if (!f.mistakes && f.length > opts->max_length && swap_u32(f.length) <= opts->max_length) {
        /* htonl() on the magic only: the other fields went out in host order. */
        f.mistakes = APPMSG_MISTAKE_LE_LENGTH;
        f.type = swap_u32(f.type);
        f.length = swap_u32(f.length);
        f.checksum = swap_u32(f.checksum);
    }
    f.declared = f.length;
    if (f.length > opts->max_length) {
        f.kind = APPMSG_FRAME_TOO_LONG;
        f.len = f.header_len;
        return f;
    }
    if (avail - f.header_len < f.length) {
        f.kind = APPMSG_FRAME_NEED_MORE;
        f.need = f.header_len + f.length;
        return f;
    }
    f.kind = APPMSG_FRAME_MESSAGE;
    f.len = f.header_len + f.length;
    return f;
}

uint32_t
appmsg_payload_crc32(const uint8_t *payload, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);

    /* zlib takes uInt lengths: feed large payloads in pieces. */
    while (len > 0) {
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = crc32(crc, payload, n);
        payload += n;
        len -= n;
    }
    return (uint32_t)crc;
}
