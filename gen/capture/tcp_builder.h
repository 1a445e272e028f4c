/* tcp_builder.h — turns segment payloads into Ethernet/IP/TCP frames of one connection.
 *
 * Third stage of the pipeline. Keeps each side's sequence numbers, puts correct IPv4 and TCP
 * checksums on every frame (IPv4 or IPv6), and ACKs data as a real receiver does: a side that
 * sends data piggybacks its ACK, and a side that only receives sends a pure ACK for every second
 * data segment (delayed ACK). Frames go to a packet_sink with their timestamps. */
#ifndef APPMSG_GEN_TCP_BUILDER_H
#define APPMSG_GEN_TCP_BUILDER_H

#include <glib.h>

#include "packet_sink.h"

#define TCP_BUILDER_MSS_V4 1460 /* an Ethernet MTU of 1500 less the IPv4 and TCP headers */
#define TCP_BUILDER_MSS_V6 1440 /* ... less the IPv6 and TCP headers */
#define TCP_BUILDER_MSS    TCP_BUILDER_MSS_V4 /* the larger of the two */

typedef enum { TCP_C2S = 0, TCP_S2C = 1 } tcp_dir;

typedef struct {
    guint8 mac[6];
    gboolean ipv6;
    guint8 addr[16]; /* network byte order: 4 bytes for IPv4, 16 for IPv6 */
    guint16 port;
    guint32 isn; /* initial sequence number */
} tcp_endpoint;

typedef struct {
    tcp_endpoint ep;
    guint32 next_seq;
    guint16 ip_id;
    guint unacked; /* data segments received since this side last sent an ACK */
} tcp_side;

typedef struct {
    tcp_side side[2]; /* indexed by tcp_dir of what the side sends */
    guint64 now_usec;
    packet_sink *sink;
    guint8 frame[14 + 40 + 24 + TCP_BUILDER_MSS];
} tcp_conn;

/* Both endpoints must have the same family. */
void tcp_conn_init(tcp_conn *c, const tcp_endpoint *client, const tcp_endpoint *server,
                   guint64 start_usec, packet_sink *sink);
/* The largest payload of one segment for this connection's family. */
guint tcp_conn_mss(const tcp_conn *c);
/* SYN, SYN-ACK, ACK. */
gboolean tcp_conn_open(tcp_conn *c, GError **err);
/* One data segment (at most tcp_conn_mss() bytes) from dir's side, plus the receiver's delayed
 * ACK when one is due. */
gboolean tcp_conn_send(tcp_conn *c, tcp_dir dir, const guint8 *data, gsize len, GError **err);
/* The same, with the payload's inet_sum() already known (an echo of the same bytes). */
gboolean tcp_conn_send_summed(tcp_conn *c, tcp_dir dir, const guint8 *data, gsize len,
                              guint64 payload_sum, GError **err);
/* A last data segment from dir's side that also carries FIN. */
gboolean tcp_conn_send_fin(tcp_conn *c, tcp_dir dir, const guint8 *data, gsize len, GError **err);
/* After dir's FIN: FIN-ACK from the other side, last ACK from dir. */
gboolean tcp_conn_finish(tcp_conn *c, tcp_dir dir, GError **err);
/* FIN from the client, FIN-ACK from the server, last ACK from the client. */
gboolean tcp_conn_close(tcp_conn *c, GError **err);
/* RST (with ACK) from dir's side: the connection is gone. */
gboolean tcp_conn_reset(tcp_conn *c, tcp_dir dir, GError **err);
void tcp_conn_advance(tcp_conn *c, guint64 usec);

#endif
