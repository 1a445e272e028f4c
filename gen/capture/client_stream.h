/* client_stream.h — what the client writes, message by message: scenario → encoder (with the
 * planned errors, inject.h) → manifest → segmenter.
 *
 * Shared by the capture writer (conversation.c) and the live client (send.c): both get the same
 * messages, errors and cuts from the same arguments; only what they do with a segment differs. */
#ifndef APPMSG_GEN_CLIENT_STREAM_H
#define APPMSG_GEN_CLIENT_STREAM_H

#include "inject.h"
#include "manifest.h"
#include "scenario.h"
#include "segmenter.h"

typedef enum {
    CLIENT_STREAM_MESSAGE, /* the next message, whole */
    CLIENT_STREAM_CUT,     /* the stream ends inside this message: after the segmenter's last
                              segments, the caller sends e.sent bytes of e.wire and ends it */
    CLIENT_STREAM_END,     /* the scenario is over */
} client_stream_event;

typedef struct {
    scenario *sc;
    const inject_plan *plan;
    manifest *mf; /* NULL: none */
    guint conn;   /* connection number in the manifest */
    gboolean echo;
    segmenter *seg;
    encoded_message e; /* the last message */
    guint64 index;     /* the last message's index in the scenario */
    guint64 start;     /* stream offset of e.wire's first byte */
    guint64 pushed;    /* stream bytes handed out so far */
} client_stream;

/* sc, plan and mf must outlive the stream; segments go to emit(ctx, ...). */
void client_stream_init(client_stream *cs, scenario *sc, const inject_plan *plan, manifest *mf,
                        guint conn, gboolean echo, const segmenter_config *seg_cfg, segment_fn emit,
                        void *ctx);
/* Encodes the next message (e, start) and records it in the manifest; nothing is cut yet, so the
 * caller can note what the message's segments will carry. */
client_stream_event client_stream_next(client_stream *cs);
/* Then hands it to the segmenter (MESSAGE), or flushes the segmenter (CUT, END). */
gboolean client_stream_forward(client_stream *cs, client_stream_event ev, GError **err);
void client_stream_clear(client_stream *cs);

#endif
