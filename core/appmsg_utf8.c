/* appmsg_utf8.c — counting UTF-8 characters. */
#include "appmsg_utf8.h"

uint32_t
appmsg_utf8_chars(const uint8_t *p, size_t len)
{
    uint32_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += (p[i] & 0xc0) != 0x80;
    return n;
}

size_t
appmsg_utf8_bytes_of_chars(const uint8_t *p, size_t avail, size_t chars)
{
    size_t at = 0;

    for (size_t n = 0; n < chars; n++) {
        if (at == avail)
            return 0;
        uint8_t b = p[at];
        size_t len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (avail - at < len)
            return 0;
        at += len;
    }
    return at;
}
