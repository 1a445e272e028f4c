/* appmsg_frame.c — the framing core. */
#include <string.h>

#include <zlib.h>

#include "appmsg_frame.h"
#include "appmsg_wire.h"

static const uint8_t magic_bytes[4] = {(uint8_t)(APPMSG_MAGIC >> 24), (uint8_t)(APPMSG_MAGIC >> 16),
                                       (uint8_t)(APPMSG_MAGIC >> 8), (uint8_t)APPMSG_MAGIC};

size_t
appmsg_find_magic(const uint8_t *buf, size_t len)
{
    const uint8_t *p = buf, *end = buf + len;

    while ((p = memchr(p, magic_bytes[0], (size_t)(end - p))) != NULL) {
        size_t left = (size_t)(end - p);
        if (memcmp(p, magic_bytes, left < 4 ? left : 4) == 0)
            return (size_t)(p - buf); /* a full magic, or a prefix of one at the end */
        p++;
    }
    return len;
}

appmsg_frame
appmsg_frame_next(const uint8_t *buf, size_t avail, const appmsg_frame_opts *opts)
{
    appmsg_frame f;
    size_t prefix = avail < 4 ? avail : 4;

    memset(&f, 0, sizeof f);
    f.header_len = appmsg_header_len(opts->checked);
    if (memcmp(buf, magic_bytes, prefix) != 0) {
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
    f.type = appmsg_get_u32(buf + APPMSG_OFF_TYPE);
    f.length = appmsg_get_u32(buf + APPMSG_OFF_LENGTH);
    if (opts->checked)
        f.checksum = appmsg_get_u32(buf + APPMSG_OFF_CHECKSUM);
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
