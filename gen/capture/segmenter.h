/* segmenter.h — how one direction's byte stream is cut into TCP segments.
 *
 * Second stage of the pipeline: takes whole encoded messages, hands out segment payloads.
 * Knows nothing of TCP headers or files. */
#ifndef APPMSG_GEN_SEGMENTER_H
#define APPMSG_GEN_SEGMENTER_H

#include <glib.h>

typedef enum {
    SEG_WHOLE,   /* one message per segment */
    SEG_MERGED,  /* merge_count messages per segment */
    SEG_PARTIAL, /* every message cut into 2-4 pieces, anywhere, also inside the header */
    SEG_MIXED,   /* cuts anywhere in the stream: partial, merged and straddling segments */
} seg_mode;

typedef struct {
    seg_mode mode;
    guint merge_count; /* SEG_MERGED */
    guint mixed_max;   /* SEG_MIXED: segment sizes uniform in [1, mixed_max] */
    guint mss;         /* no segment is longer, in any mode */
    guint64 seed;
} segmenter_config;

/* Receives each segment's payload; FALSE (with *err set) stops the pipeline. */
typedef gboolean (*segment_fn)(void *ctx, const guint8 *data, gsize len, GError **err);

typedef struct segmenter segmenter;

segmenter *segmenter_new(const segmenter_config *cfg, segment_fn emit, void *ctx);
/* Adds one whole message to the stream; may emit segments. */
gboolean segmenter_push(segmenter *s, const guint8 *msg, gsize len, GError **err);
/* Emits whatever is still held back (end of stream). */
gboolean segmenter_flush(segmenter *s, GError **err);
void segmenter_free(segmenter *s);

gboolean segmenter_mode_parse(const char *name, seg_mode *mode);
const char *segmenter_mode_names(void);

#endif
