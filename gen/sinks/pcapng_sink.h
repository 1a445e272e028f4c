/* pcapng_sink.h — a packet_sink writing pcapng through Wireshark's wiretap (wtap_dump). */
#ifndef APPMSG_GEN_PCAPNG_SINK_H
#define APPMSG_GEN_PCAPNG_SINK_H

#include "packet_sink.h"

/* path "-" writes to standard output. Frames are Ethernet. */
packet_sink *pcapng_sink_open(const char *path, GError **err);

#endif
