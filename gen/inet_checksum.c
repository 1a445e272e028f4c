/* inet_checksum.c — RFC 1071 checksum. */
#include "inet_checksum.h"

guint64
inet_sum(guint64 sum, const guint8 *data, gsize len)
{
    gsize i = 0;

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
