/* conversation.h — one TCP connection, start to end: the pipeline's driver.
 *
 * Pulls messages from a scenario, encodes them (core/appmsg_wire.h), cuts the client's stream
 * with a segmenter, and has the server echo every segment it receives unchanged, as the seeds'
 * echo server (recv then sendall) does. Frames go to the sink, messages to the manifest. */
#ifndef APPMSG_GEN_CONVERSATION_H
#define APPMSG_GEN_CONVERSATION_H

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
    guint64 gap_usec;        /* between two client segments */
    guint64 echo_delay_usec; /* between a segment and its echo */
} conversation_config;

/* mf may be NULL (no manifest). */
gboolean conversation_run(const conversation_config *cfg, scenario *sc,
                          const segmenter_config *seg_cfg, packet_sink *sink, manifest *mf,
                          GError **err);

#endif
