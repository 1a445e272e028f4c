/* appmsg-conv.c — the Conversations and Endpoints tables. Their "packets" are messages here,
 * their bytes the messages' bytes (header and payload); skipped bytes are not messages and are
 * not counted. Rows are keyed like TCP's, so filters made from a row select the connection.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "appmsg-compat.h"

#include <epan/conversation.h>
#include <epan/conversation_table.h>
#include <epan/tap.h>

#include "appmsg-conv.h"
#include "appmsg-stats.h"
#include "appmsg-stream.h"

/* The fields a filter made from a row uses: TCP's ports, IPv4's or IPv6's addresses. */
static const char *
address_field(const address *a, const char *v4, const char *v6)
{
    return a->type == AT_IPv4 ? v4 : a->type == AT_IPv6 ? v6 : CONV_FILTER_INVALID;
}

static const char *
conv_filter_field(conv_item_t *conv, conv_filter_type_e filter)
{
    switch (filter) {
    case CONV_FT_SRC_PORT:
        return "tcp.srcport";
    case CONV_FT_DST_PORT:
        return "tcp.dstport";
    case CONV_FT_ANY_PORT:
        return "tcp.port";
    default:
        break;
    }
    if (!conv)
        return CONV_FILTER_INVALID;
    switch (filter) {
    case CONV_FT_SRC_ADDRESS:
        return address_field(&conv->src_address, "ip.src", "ipv6.src");
    case CONV_FT_DST_ADDRESS:
        return address_field(&conv->dst_address, "ip.dst", "ipv6.dst");
    case CONV_FT_ANY_ADDRESS:
        return address_field(&conv->src_address, "ip.addr", "ipv6.addr");
    default:
        return CONV_FILTER_INVALID;
    }
}

static const char *
endpoint_filter_field(endpoint_item_t *endpoint, conv_filter_type_e filter)
{
    if (filter == CONV_FT_SRC_PORT || filter == CONV_FT_DST_PORT || filter == CONV_FT_ANY_PORT)
        return "tcp.port";
    if (!endpoint)
        return CONV_FILTER_INVALID;
    if (filter == CONV_FT_SRC_ADDRESS || filter == CONV_FT_DST_ADDRESS ||
        filter == CONV_FT_ANY_ADDRESS)
        return address_field(&endpoint->myaddress, "ip.addr", "ipv6.addr");
    return CONV_FILTER_INVALID;
}

static ct_dissector_info_t conv_info = {conv_filter_field};
static et_dissector_info_t endpoint_info = {endpoint_filter_field};

static tap_packet_status
appmsg_conv_packet(void *pct, packet_info *pinfo, epan_dissect_t *edt _U_, const void *vip,
                   tap_flags_t flags)
{
    conv_hash_t *hash = pct;
    const appmsg_tap_info *info = vip;
    guint32 stream;

    if (!info->is_message)
        return TAP_PACKET_DONT_REDRAW;
    hash->flags = flags;
    /* Keyed by TCP's stream index too, as TCP's own table is: a connection that reuses an
     * earlier one's ports gets a row of its own, and the GUI shows the index. */
    add_conversation_table_data_with_conv_id(
        hash, &pinfo->src, &pinfo->dst, pinfo->srcport, pinfo->destport,
        appmsg_tcp_stream(pinfo, &stream) ? (conv_id_t)stream : CONV_ID_UNSET, 1,
        (int)MIN(info->bytes, (guint32)G_MAXINT), &pinfo->rel_ts, &pinfo->abs_ts, &conv_info,
        CONVERSATION_TCP);
    return TAP_PACKET_REDRAW;
}

static tap_packet_status
appmsg_endpoint_packet(void *pit, packet_info *pinfo, epan_dissect_t *edt _U_, const void *vip,
                       tap_flags_t flags)
{
    conv_hash_t *hash = pit;
    const appmsg_tap_info *info = vip;
    int bytes = (int)MIN(info->bytes, (guint32)G_MAXINT);

    if (!info->is_message)
        return TAP_PACKET_DONT_REDRAW;
    hash->flags = flags;
    add_endpoint_table_data(hash, &pinfo->src, pinfo->srcport, TRUE, 1, bytes, &endpoint_info,
                            ENDPOINT_TCP);
    add_endpoint_table_data(hash, &pinfo->dst, pinfo->destport, FALSE, 1, bytes, &endpoint_info,
                            ENDPOINT_TCP);
    return TAP_PACKET_REDRAW;
}

void
appmsg_conv_register(int proto)
{
    register_conversation_table(proto, FALSE, appmsg_conv_packet, appmsg_endpoint_packet);
}
