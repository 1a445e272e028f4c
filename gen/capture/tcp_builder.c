/* tcp_builder.c — Ethernet/IPv4/TCP frames with correct sequence numbers and checksums. */
#include <string.h>

#include "appmsg_wire.h"
#include "inet_checksum.h"
#include "tcp_builder.h"

#define ETH_LEN  14
#define IPV4_LEN 20
#define IPV6_LEN 40
#define TCP_LEN  20

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define TCP_WINDOW     65535
#define ACK_DELAY_USEC 40 /* a pure ACK follows the segment it answers this much later */

static void
put_u16(guint8 *p, guint16 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

void
tcp_conn_init(tcp_conn *c, const tcp_endpoint *client, const tcp_endpoint *server,
              guint64 start_usec, packet_sink *sink)
{
    memset(c, 0, sizeof *c);
    c->side[TCP_C2S].ep = *client;
    c->side[TCP_S2C].ep = *server;
    c->side[TCP_C2S].next_seq = client->isn;
    c->side[TCP_S2C].next_seq = server->isn;
    c->now_usec = start_usec;
    c->sink = sink;
}

void
tcp_conn_advance(tcp_conn *c, guint64 usec)
{
    c->now_usec += usec;
}

guint
tcp_conn_mss(const tcp_conn *c)
{
    return c->side[TCP_C2S].ep.ipv6 ? TCP_BUILDER_MSS_V6 : TCP_BUILDER_MSS_V4;
}

static guint8 *
put_ipv4(guint8 *ip, tcp_side *src, const tcp_side *dst, gsize payload_len)
{
    ip[0] = 0x45; /* version 4, 20-byte header */
    ip[1] = 0;
    put_u16(ip + 2, (guint16)(IPV4_LEN + payload_len));
    put_u16(ip + 4, src->ip_id++);
    put_u16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;              /* TTL */
    ip[9] = 6;               /* TCP */
    put_u16(ip + 10, 0);
    memcpy(ip + 12, src->ep.addr, 4);
    memcpy(ip + 16, dst->ep.addr, 4);
    put_u16(ip + 10, inet_checksum_fold(inet_sum(0, ip, IPV4_LEN)));
    return ip + IPV4_LEN;
}

static guint8 *
put_ipv6(guint8 *ip, const tcp_side *src, const tcp_side *dst, gsize payload_len)
{
    appmsg_put_u32(ip, 0x60000000u); /* version 6, no traffic class, no flow label */
    put_u16(ip + 4, (guint16)payload_len);
    ip[6] = 6;  /* next header: TCP */
    ip[7] = 64; /* hop limit */
    memcpy(ip + 8, src->ep.addr, 16);
    memcpy(ip + 24, dst->ep.addr, 16);
    return ip + IPV6_LEN;
}

/* The TCP checksum's pseudo-header (RFC 793 for IPv4, RFC 8200 for IPv6), summed. */
static guint64
pseudo_header_sum(const tcp_side *src, const tcp_side *dst, gsize tcp_len)
{
    guint8 tail[8] = {0, 0, (guint8)(tcp_len >> 8), (guint8)tcp_len, 0, 0, 0, 6};
    gsize alen = src->ep.ipv6 ? 16 : 4;
    guint64 sum = inet_sum(inet_sum(0, src->ep.addr, alen), dst->ep.addr, alen);

    return inet_sum(sum, tail, sizeof tail); /* same sum as IPv4's zero, protocol, length */
}

#define SUM_UNKNOWN G_MAXUINT64

static gboolean
emit_summed(tcp_conn *c, tcp_dir dir, guint8 flags, const guint8 *data, gsize len,
            guint64 payload_sum, GError **err)
{
    tcp_side *src = &c->side[dir], *dst = &c->side[!dir];
    gsize tcp_hlen = (flags & TH_SYN) ? TCP_LEN + 4 : TCP_LEN;
    guint8 *eth = c->frame, *tcp;
    guint64 sum;

    g_assert(len <= tcp_conn_mss(c));
    memcpy(eth, dst->ep.mac, 6);
    memcpy(eth + 6, src->ep.mac, 6);
    put_u16(eth + 12, src->ep.ipv6 ? 0x86dd : 0x0800);
    tcp = src->ep.ipv6 ? put_ipv6(eth + ETH_LEN, src, dst, tcp_hlen + len)
                       : put_ipv4(eth + ETH_LEN, src, dst, tcp_hlen + len);

    put_u16(tcp, src->ep.port);
    put_u16(tcp + 2, dst->ep.port);
    appmsg_put_u32(tcp + 4, src->next_seq);
    appmsg_put_u32(tcp + 8, (flags & TH_ACK) ? dst->next_seq : 0);
    tcp[12] = (guint8)((tcp_hlen / 4) << 4);
    tcp[13] = flags;
    put_u16(tcp + 14, TCP_WINDOW);
    put_u16(tcp + 16, 0);
    put_u16(tcp + 18, 0);
    if (flags & TH_SYN) { /* MSS option, as every real SYN carries */
        tcp[20] = 2;
        tcp[21] = 4;
        put_u16(tcp + 22, (guint16)tcp_conn_mss(c));
    }
    if (len > 0) /* data is NULL for SYN, FIN, ACK: memcpy(…, NULL, 0) is undefined */
        memcpy(tcp + tcp_hlen, data, len);

    sum = pseudo_header_sum(src, dst, tcp_hlen + len);
    sum = inet_sum(sum, tcp, tcp_hlen); /* even length: the payload's sum adds on */
    sum += payload_sum != SUM_UNKNOWN ? payload_sum : inet_sum(0, data, len);
    put_u16(tcp + 16, inet_checksum_fold(sum));

    src->next_seq += (guint32)len + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
    if (flags & TH_ACK)
        src->unacked = 0;
    return c->sink->write(c->sink, c->now_usec, c->frame, (guint32)(tcp + tcp_hlen + len - eth),
                          err);
}

static gboolean
emit(tcp_conn *c, tcp_dir dir, guint8 flags, const guint8 *data, gsize len, GError **err)
{
    return emit_summed(c, dir, flags, data, len, SUM_UNKNOWN, err);
}

gboolean
tcp_conn_open(tcp_conn *c, GError **err)
{
    if (!emit(c, TCP_C2S, TH_SYN, NULL, 0, err))
        return FALSE;
    tcp_conn_advance(c, ACK_DELAY_USEC);
    if (!emit(c, TCP_S2C, TH_SYN | TH_ACK, NULL, 0, err))
        return FALSE;
    tcp_conn_advance(c, ACK_DELAY_USEC);
    return emit(c, TCP_C2S, TH_ACK, NULL, 0, err);
}

static gboolean
send_data(tcp_conn *c, tcp_dir dir, guint8 flags, const guint8 *data, gsize len, guint64 sum,
          GError **err)
{
    tcp_side *receiver = &c->side[!dir];

    if (!emit_summed(c, dir, flags, data, len, sum, err))
        return FALSE;
    if (++receiver->unacked < 2)
        return TRUE;
    tcp_conn_advance(c, ACK_DELAY_USEC);
    return emit(c, (tcp_dir)!dir, TH_ACK, NULL, 0, err);
}

gboolean
tcp_conn_send(tcp_conn *c, tcp_dir dir, const guint8 *data, gsize len, GError **err)
{
    return send_data(c, dir, TH_PSH | TH_ACK, data, len, SUM_UNKNOWN, err);
}

gboolean
tcp_conn_send_summed(tcp_conn *c, tcp_dir dir, const guint8 *data, gsize len, guint64 payload_sum,
                     GError **err)
{
    return send_data(c, dir, TH_PSH | TH_ACK, data, len, payload_sum, err);
}

gboolean
tcp_conn_send_fin(tcp_conn *c, tcp_dir dir, const guint8 *data, gsize len, GError **err)
{
    return send_data(c, dir, TH_PSH | TH_ACK | TH_FIN, data, len, SUM_UNKNOWN, err);
}

gboolean
tcp_conn_finish(tcp_conn *c, tcp_dir dir, GError **err)
{
    tcp_conn_advance(c, ACK_DELAY_USEC);
    if (!emit(c, (tcp_dir)!dir, TH_FIN | TH_ACK, NULL, 0, err))
        return FALSE;
    tcp_conn_advance(c, ACK_DELAY_USEC);
    return emit(c, dir, TH_ACK, NULL, 0, err);
}

gboolean
tcp_conn_close(tcp_conn *c, GError **err)
{
    return emit(c, TCP_C2S, TH_FIN | TH_ACK, NULL, 0, err) && tcp_conn_finish(c, TCP_C2S, err);
}

gboolean
tcp_conn_reset(tcp_conn *c, tcp_dir dir, GError **err)
{
    return emit(c, dir, TH_RST | TH_ACK, NULL, 0, err);
}
