/* latency.c — log-linear histogram: a bucket is a power of two split in 32 equal parts. */
#include "latency.h"

/* Values below 2^SUB_BITS have a bucket each; above, the top SUB_BITS+1 bits pick it. */
static guint
bucket_of(guint64 v)
{
    guint msb;

    if (v < (1u << LATENCY_SUB_BITS))
        return (guint)v;
    msb = (guint)g_bit_nth_msf(v, -1);
    return ((msb - LATENCY_SUB_BITS + 1) << LATENCY_SUB_BITS) |
           (guint)((v >> (msb - LATENCY_SUB_BITS)) & ((1u << LATENCY_SUB_BITS) - 1));
}

/* The largest value that falls in bucket b. */
static guint64
bucket_top(guint b)
{
    guint shift = b >> LATENCY_SUB_BITS, sub = b & ((1u << LATENCY_SUB_BITS) - 1);

    if (shift == 0)
        return sub;
    return (((G_GUINT64_CONSTANT(1) << LATENCY_SUB_BITS | sub) + 1) << (shift - 1)) - 1;
}

void
latency_add(latency_histogram *h, guint64 usec)
{
    h->bucket[bucket_of(usec)]++;
    h->count++;
    h->max_usec = MAX(h->max_usec, usec);
}

void
latency_merge(latency_histogram *into, const latency_histogram *from)
{
    for (guint b = 0; b < LATENCY_BUCKETS; b++)
        into->bucket[b] += from->bucket[b];
    into->count += from->count;
    into->max_usec = MAX(into->max_usec, from->max_usec);
}

guint64
latency_percentile(const latency_histogram *h, double p)
{
    guint64 rank, seen = 0;

    if (h->count == 0)
        return 0;
    rank = (guint64)(p / 100.0 * (double)h->count + 0.999999);
    rank = CLAMP(rank, 1, h->count);
    for (guint b = 0; b < LATENCY_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen >= rank)
            return MIN(bucket_top(b), h->max_usec);
    }
    return h->max_usec;
}
