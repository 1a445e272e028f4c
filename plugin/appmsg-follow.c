/* appmsg-follow.c — the AppMsg follower. Its records are lines of text, made from the appmsg
 * tap's records only while a Follow view listens:
 *
 *   frame 4, type login (1), 27 bytes: {"user":"bob"}
 *   frame 6, type login (1), 27 bytes, echo of frame 4 after 0.000213 s: {"user":"bob"}
 *   frame 9, 13 bytes skipped: GET / HTTP/1.0 [bad magic]
 *
 * The payload is shown as sent, up to PAYLOAD_SHOWN bytes, with line breaks, tabs and other
 * control bytes written as \n, \r, \t, \xNN so that each message stays on its line. Streams are
 * TCP's (tcp.stream), so the stream numbers are those of Follow → TCP Stream.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "appmsg-compat.h"

#include <epan/addr_resolv.h>
#include <epan/follow.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/dissectors/packet-tcp.h>

#include "appmsg-conv.h"
#include "appmsg-stream.h"
#include "appmsg-follow.h"
#include "appmsg-stats.h"
#include "appmsg-types.h"

/* Enough to recognise a message; its tree has all of it. */
#define PAYLOAD_SHOWN 1024

/* ---- Which connection -------------------------------------------------------------------------
 */

/* The TCP stream of the packet at hand (the GUI's selected packet). */
static char *
follow_conv_filter(epan_dissect_t *edt _U_, packet_info *pinfo, guint *stream,
                   guint *sub_stream _U_)
{
    guint32 index;

    if (!appmsg_tcp_stream(pinfo, &index))
        return NULL;
    *stream = index;
    return g_strdup_printf("tcp.stream eq %u", index);
}

static char *
follow_index_filter(guint stream, guint sub_stream _U_)
{
    return g_strdup_printf("tcp.stream eq %u", stream);
}

/* tshark -z follow,appmsg,ascii,ADDR_A:PORT_A,ADDR_B:PORT_B: both directions of that pair. */
static char *
follow_address_filter(address *a, address *b, int port_a, int port_b)
{
    const char *ip = a->type == AT_IPv6 ? "ipv6" : "ip";
    char a_str[WS_INET6_ADDRSTRLEN], b_str[WS_INET6_ADDRSTRLEN];

    address_to_str_buf(a, a_str, sizeof a_str);
    address_to_str_buf(b, b_str, sizeof b_str);
    return g_strdup_printf("(%s.src eq %s and tcp.srcport eq %d and %s.dst eq %s and "
                           "tcp.dstport eq %d) or (%s.src eq %s and tcp.srcport eq %d and "
                           "%s.dst eq %s and tcp.dstport eq %d)",
                           ip, a_str, port_a, ip, b_str, port_b, ip, b_str, port_b, ip, a_str,
                           port_a);
}

/* ---- The transcript ---------------------------------------------------------------------------
 */

static void
append_text(GString *line, const guint8 *p, guint32 len)
{
    guint32 shown = MIN(len, PAYLOAD_SHOWN);

    for (guint32 i = 0; i < shown; i++) {
        switch (p[i]) {
        case '\n':
            g_string_append(line, "\\n");
            break;
        case '\r':
            g_string_append(line, "\\r");
            break;
        case '\t':
            g_string_append(line, "\\t");
            break;
        default:
            if (p[i] < 0x20 || p[i] == 0x7f)
                g_string_append_printf(line, "\\x%02x", p[i]);
            else
                g_string_append_c(line, (gchar)p[i]);
        }
    }
    if (shown < len)
        g_string_append_printf(line, "... (%u more bytes)", len - shown);
}

/* "after 0.000213 s": an echo's time, to the microsecond. */
static void
append_echo_time(GString *line, gint64 ns)
{
    guint64 magnitude = ns < 0 ? (guint64)-ns : (guint64)ns;

    g_string_append_printf(line, " after %s%" G_GUINT64_FORMAT ".%06u s", ns < 0 ? "-" : "",
                           magnitude / 1000000000, (guint)(magnitude % 1000000000 / 1000));
}

/* One record's line, newline included (the GUI shows records back to back). */
static GString *
transcript_line(const packet_info *pinfo, const appmsg_tap_info *info)
{
    GString *line = g_string_sized_new(64 + MIN(info->text_len, PAYLOAD_SHOWN));

    g_string_append_printf(line, "frame %u, ", pinfo->num);
    if (!info->is_message) {
        g_string_append_printf(line, "%u bytes skipped", info->length);
    } else if (info->header_cut) {
        g_string_append_printf(line, "%u header bytes", info->bytes);
    } else {
        char type[ITEM_LABEL_LENGTH];

        appmsg_type_format(type, sizeof type, info->type);
        g_string_append_printf(line, "type %s, %u bytes", type, info->length);
        if (!info->from_client && info->peer_frame) {
            g_string_append_printf(line, ", echo of frame %u", info->peer_frame);
            append_echo_time(line, info->echo_ns);
        }
    }
    g_string_append_c(line, ':');
    if (info->tvb && info->text_len) {
        g_string_append_c(line, ' ');
        append_text(line, tvb_get_ptr(info->tvb, (gint)info->text_offset, (gint)info->text_len),
                    info->text_len);
    }
    if (info->note)
        g_string_append_printf(line, " [%s]", info->note);
    for (guint i = 0; i < APPMSG_N_PROBLEMS; i++)
        if (info->errors & (1u << i))
            g_string_append_printf(line, " [%s]", appmsg_problem_table[i].label);
    g_string_append_c(line, '\n');
    return line;
}

/* The follow tap's handler: a record per message, on its sender's side. The client is the
 * dissector's (the SYN's sender, else the side not on the AppMsg port), not the first sender. */
static tap_packet_status
follow_appmsg_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
                     tap_flags_t flags _U_)
{
    follow_info_t *follow = tapdata;
    const appmsg_tap_info *info = data;
    follow_record_t *record = g_new0(follow_record_t, 1);
    GString *line = transcript_line(pinfo, info);

    if (follow->client_port == 0) {
        const address *client = info->from_client ? &pinfo->src : &pinfo->dst;
        const address *server = info->from_client ? &pinfo->dst : &pinfo->src;

        copy_address(&follow->client_ip, client);
        copy_address(&follow->server_ip, server);
        follow->client_port = info->from_client ? pinfo->srcport : pinfo->destport;
        follow->server_port = info->from_client ? pinfo->destport : pinfo->srcport;
    }
    record->is_server = !info->from_client;
    record->packet_num = pinfo->num;
    record->abs_ts = pinfo->abs_ts;
    gsize len = line->len;
    record->data = g_byte_array_new_take((guint8 *)g_string_free(line, FALSE), len);
    follow->bytes_written[record->is_server] += record->data->len;
    follow->payload = g_list_prepend(follow->payload, record);
    return TAP_PACKET_DONT_REDRAW;
}

void
appmsg_follow_register(int proto)
{
    APPMSG_REGISTER_FOLLOW_STREAM(proto, "appmsg", follow_conv_filter, follow_index_filter,
                                  follow_address_filter, tcp_port_to_display, follow_appmsg_packet,
                                  get_tcp_stream_count);
}
