/* inet_checksum.c — RFC 1071 checksum. */
#include "inet_checksum.h"

/* Adds 32-bit big-endian words: 2^16 = 1 modulo 0xffff, so after folding this is the sum of
 * the 16-bit words, in half the additions. */
guint64
inet_sum(guint64 sum, const guint8 *data, gsize len)
{
    gsize i = 0;

    for (; i + 3 < len; i += 4)
        sum += (guint32)data[i] << 24 | (guint32)data[i + 1] << 16 | (guint32)data[i + 2] << 8 |
               data[i + 3];
    for (; i + 1 < len; i += 2)
        sum += (guint32)data[i] << 8 | data[i + 1];
    if (i < len)
        sum += (guint32)data[i] << 8;
    return sum;
}

guint16
inet_checksum_fold(guint64 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (guint16)~sum;
}
