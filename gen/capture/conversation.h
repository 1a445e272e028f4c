/* conversation.h — one TCP connection, start to end: the pipeline's driver.
 *
 * Pulls messages from a scenario, encodes them with the planned errors (inject.h), cuts the
 * client's stream with a segmenter, and has the server echo every segment it receives, as the
 * seeds' echo server (recv then sendall) does: unchanged, unless the plan alters an echo.
 * Frames go to the sink, messages to the manifest. */
#ifndef APPMSG_GEN_CONVERSATION_H
#define APPMSG_GEN_CONVERSATION_H

#include "inject.h"
#include "manifest.h"
#include "packet_sink.h"
#include "scenario.h"
#include "segmenter.h"
#include "tcp_builder.h"

typedef struct {
    guint id; /* connection number in the manifest */
    gboolean echo;
    tcp_endpoint client, server;
    guint64 start_usec;
    guint64 gap_usec; /* between two client segments */
    /* Between a segment and its echo: drawn from min..max for each segment, from seed. */
    guint32 echo_delay_min_usec, echo_delay_max_usec;
    guint64 seed;
} conversation_config;

typedef struct conversation conversation;

/* mf may be NULL (no manifest). plan says which messages carry errors and the layout. All
 * arguments must outlive the conversation. */
conversation *conversation_new(const conversation_config *cfg, scenario *sc,
                               const inject_plan *plan, const segmenter_config *seg_cfg,
                               packet_sink *sink, manifest *mf);
/* The handshake, at *clock; advances *clock. */
gboolean conversation_open(conversation *cv, guint64 *clock, GError **err);
/* The next message (or the close, when the scenario is over), at *clock; advances *clock.
 * *more is FALSE once the connection has ended. */
gboolean conversation_step(conversation *cv, guint64 *clock, gboolean *more, GError **err);
void conversation_free(conversation *cv);

#endif
