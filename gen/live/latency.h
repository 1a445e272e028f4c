/* latency.h — a histogram of durations with percentiles, in constant memory.
 *
 * Log-linear buckets (32 per power of two): any percentile is within 1/32 (3 %) of the true
 * value, whatever the number of samples — send checks millions of echoes without keeping them. */
#ifndef APPMSG_GEN_LATENCY_H
#define APPMSG_GEN_LATENCY_H

#include <glib.h>

#define LATENCY_SUB_BITS 5
#define LATENCY_BUCKETS  (64 << LATENCY_SUB_BITS)

typedef struct {
    guint64 count, max_usec;
    guint64 bucket[LATENCY_BUCKETS];
} latency_histogram;

void latency_add(latency_histogram *h, guint64 usec);
/* Adds every sample of from to into. */
void latency_merge(latency_histogram *into, const latency_histogram *from);
/* The smallest recorded value v such that at least p percent of the samples are <= v (within
 * 3 %, never above the maximum); 0 without samples. */
guint64 latency_percentile(const latency_histogram *h, double p);

#endif
