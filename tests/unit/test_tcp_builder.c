/* Unit test: frames have valid checksums, consistent sequence numbers and timely ACKs. */
#include <string.h>

#include "appmsg_wire.h"
#include "inet_checksum.h"
#include "tcp_builder.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_ACK 0x10

typedef struct {
    guint8 dir; /* 0: from the client */
    guint8 flags;
    guint32 seq, ack;
    gsize payload_len;
    guint64 ts;
} frame_info;

typedef struct {
    packet_sink base;
    GArray *frames;
} memory_sink;

static guint16
get_u16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

/* Parses and checks one Ethernet/IPv4-or-IPv6/TCP frame as the receiver would. */
static gboolean
memory_write(packet_sink *self, guint64 ts, const guint8 *f, guint32 len, GError **err)
{
    memory_sink *s = (memory_sink *)self;
    gboolean v6 = get_u16(f + 12) == 0x86dd;
    const guint8 *ip = f + 14, *tcp = ip + (v6 ? 40 : 20);
    gsize tcp_len = v6 ? get_u16(ip + 4) : get_u16(ip + 2) - 20u;
    gsize hlen = (gsize)(tcp[12] >> 4) * 4, alen = v6 ? 16 : 4;
    guint8 tail[8] = {0, 0, (guint8)(tcp_len >> 8), (guint8)tcp_len, 0, 0, 0, 6};
    guint64 sum;
    frame_info fi;

    (void)err;
    g_assert_true(v6 || get_u16(f + 12) == 0x0800);
    g_assert_cmpuint(len, ==, (gsize)(tcp - f) + tcp_len);
    if (!v6)
        g_assert_cmpuint(inet_checksum_fold(inet_sum(0, ip, 20)), ==, 0);
    else
        g_assert_cmpuint(ip[0] >> 4, ==, 6);
    /* The pseudo-header: source, destination, then length and protocol. */
    sum = inet_sum(inet_sum(0, ip + (v6 ? 8 : 12), alen), ip + (v6 ? 24 : 16), alen);
    sum = inet_sum(sum, tail, sizeof tail);
    g_assert_cmpuint(inet_checksum_fold(inet_sum(sum, tcp, tcp_len)), ==, 0);

    fi.dir = get_u16(tcp) == 51000 ? 0 : 1;
    fi.flags = tcp[13];
    fi.seq = appmsg_get_u32(tcp + 4);
    fi.ack = appmsg_get_u32(tcp + 8);
    fi.payload_len = tcp_len - hlen;
    fi.ts = ts;
    g_array_append_val(s->frames, fi);
    return TRUE;
}

static const tcp_endpoint client = {
    .mac = {2, 0, 0, 0, 0, 1}, .addr = {192, 0, 2, 10}, .port = 51000, .isn = 0xfffffff0u};
static const tcp_endpoint server = {
    .mac = {2, 0, 0, 0, 0, 2}, .addr = {192, 0, 2, 20}, .port = 65432, .isn = 1000};
static const tcp_endpoint client6 = {.mac = {2, 0, 0, 0, 0, 1},
                                     .ipv6 = TRUE,
                                     .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10},
                                     .port = 51000,
                                     .isn = 0xfffffff0u};
static const tcp_endpoint server6 = {.mac = {2, 0, 0, 0, 0, 2},
                                     .ipv6 = TRUE,
                                     .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x20},
                                     .port = 65432,
                                     .isn = 1000};
static gboolean use_ipv6;

static GArray *
build(void (*script)(tcp_conn *))
{
    memory_sink sink = {{memory_write, NULL, NULL, NULL},
                        g_array_new(FALSE, FALSE, sizeof(frame_info))};
    tcp_conn c;

    tcp_conn_init(&c, use_ipv6 ? &client6 : &client, use_ipv6 ? &server6 : &server, 1000000,
                  &sink.base);
    g_assert_true(tcp_conn_open(&c, NULL));
    script(&c);
    g_assert_true(tcp_conn_close(&c, NULL));
    return sink.frames;
}

static const guint8 data[TCP_BUILDER_MSS] = {0x12, 0x34, 0x56, 0x78};

static void
one_way(tcp_conn *c)
{
    for (guint i = 0; i < 5; i++) {
        g_assert_true(tcp_conn_send(c, TCP_C2S, data, 10 + i, NULL));
        tcp_conn_advance(c, 1000);
    }
}

static void
echo(tcp_conn *c)
{
    for (guint i = 0; i < 4; i++) {
        g_assert_true(tcp_conn_send(c, TCP_C2S, data, 100, NULL));
        g_assert_true(tcp_conn_send(c, TCP_S2C, data, 100, NULL));
    }
    g_assert_true(tcp_conn_send(c, TCP_C2S, data, tcp_conn_mss(c), NULL));
}

/* Sequence numbers continue exactly (wrapping at 2^32), and each ACK acknowledges all the peer
 * has sent so far. */
static void
check_sequence(GArray *frames)
{
    guint32 next[2] = {client.isn, server.isn};

    for (guint i = 0; i < frames->len; i++) {
        frame_info *f = &g_array_index(frames, frame_info, i);
        g_assert_cmpuint(f->seq, ==, next[f->dir]);
        if (f->flags & TH_ACK)
            g_assert_cmpuint(f->ack, ==, next[!f->dir]);
        next[f->dir] += (guint32)f->payload_len + ((f->flags & (TH_SYN | TH_FIN)) ? 1 : 0);
        if (i > 0)
            g_assert_cmpuint(f->ts, >=, g_array_index(frames, frame_info, i - 1).ts);
    }
}

static void
test_handshake_and_close(void)
{
    GArray *frames = build(one_way);
    frame_info *f = (frame_info *)frames->data;
    guint n = frames->len;

    g_assert_cmpuint(f[0].flags, ==, TH_SYN);
    g_assert_cmpuint(f[1].flags, ==, TH_SYN | TH_ACK);
    g_assert_cmpuint(f[2].flags, ==, TH_ACK);
    g_assert_cmpuint(f[n - 3].flags, ==, TH_FIN | TH_ACK);
    g_assert_cmpuint(f[n - 2].flags, ==, TH_FIN | TH_ACK);
    g_assert_cmpuint(f[n - 1].flags, ==, TH_ACK);
    check_sequence(frames);
    g_array_free(frames, TRUE);
}

/* One-way data: the receiver sends a pure ACK after every second segment. */
static void
test_delayed_ack(void)
{
    GArray *frames = build(one_way);
    guint data_frames = 0, acks = 0;

    for (guint i = 3; i < frames->len - 3; i++) {
        frame_info *f = &g_array_index(frames, frame_info, i);
        if (f->dir == 0) {
            g_assert_cmpuint(f->payload_len, >, 0);
            data_frames++;
        } else {
            g_assert_cmpuint(f->payload_len, ==, 0);
            g_assert_cmpuint(data_frames % 2, ==, 0);
            acks++;
        }
    }
    g_assert_cmpuint(data_frames, ==, 5);
    g_assert_cmpuint(acks, ==, 2);
    check_sequence(frames);
    g_array_free(frames, TRUE);
}

/* Echoed data piggybacks the ACK; no extra pure ACKs are needed. */
static void
test_echo_piggyback(void)
{
    GArray *frames = build(echo);

    check_sequence(frames);
    for (guint i = 3; i < frames->len - 3; i++)
        g_assert_cmpuint(g_array_index(frames, frame_info, i).payload_len, >, 0);
    g_array_free(frames, TRUE);
}

/* The same checks hold over IPv6: its pseudo-header, its smaller MSS. */
static void
test_ipv6(void)
{
    use_ipv6 = TRUE;
    test_handshake_and_close();
    test_delayed_ack();
    test_echo_piggyback();
    use_ipv6 = FALSE;
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcp-builder/handshake-and-close", test_handshake_and_close);
    g_test_add_func("/tcp-builder/delayed-ack", test_delayed_ack);
    g_test_add_func("/tcp-builder/echo-piggyback", test_echo_piggyback);
    g_test_add_func("/tcp-builder/ipv6", test_ipv6);
    return g_test_run();
}
