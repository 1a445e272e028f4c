/* pcap_sink.h — a packet_sink writing a pcap file through libpcap. */
#ifndef APPMSG_GEN_PCAP_SINK_H
#define APPMSG_GEN_PCAP_SINK_H

#include "packet_sink.h"

/* path "-" writes to standard output. linktype is a DLT_ value (DLT_EN10MB for Ethernet). */
packet_sink *pcap_sink_open(const char *path, int linktype, GError **err);

#endif
