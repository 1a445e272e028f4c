/* traffic.h — the whole capture: N connections, interleaved message by message on one clock.
 *
 * Connection i gets its share of the messages, its own client port (the base port + i), its own
 * random streams and sequence numbers; connection 0 is exactly what a single connection is. */
#ifndef APPMSG_GEN_TRAFFIC_H
#define APPMSG_GEN_TRAFFIC_H

#include "cli.h"
#include "manifest.h"
#include "packet_sink.h"

/* Connection i's share of the scenario and its own random streams. */
void traffic_connection_configs(const gen_options *opt, guint i, scenario_config *s,
                                segmenter_config *g);
gboolean traffic_run(const gen_options *opt, packet_sink *sink, manifest *mf, GError **err);

#endif
