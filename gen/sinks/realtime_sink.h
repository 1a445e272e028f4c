/* realtime_sink.h — a packet_sink decorator that hands each frame on at the wall-clock time its
 * timestamp says (relative to the first), flushing before it waits: for a reader that watches
 * the traffic arrive, such as Wireshark reading the generator as an extcap interface. */
#ifndef APPMSG_GEN_REALTIME_SINK_H
#define APPMSG_GEN_REALTIME_SINK_H

#include "packet_sink.h"

/* Takes ownership of inner. */
packet_sink *realtime_sink_wrap(packet_sink *inner);

#endif
