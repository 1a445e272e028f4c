/* appmsg-stats.c — the appmsg tap and stats tree.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "appmsg-stats.h"
#include "appmsg-types.h"

static int appmsg_tap = -1;

static int st_messages, st_types, st_directions, st_sizes, st_recv, st_errors;

static void
appmsg_stats_init(stats_tree *st)
{
    st_messages = stats_tree_create_node(st, "Messages", 0, STAT_DT_INT, TRUE);
    st_types = stats_tree_create_node(st, "By type", st_messages, STAT_DT_INT, TRUE);
    st_directions = stats_tree_create_node(st, "By direction", st_messages, STAT_DT_INT, TRUE);
    st_sizes = stats_tree_create_range_node(st, "By payload size (bytes)", st_messages, "0-63",
                                            "64-255", "256-1023", "1024-16383", "16384-", NULL);
    st_recv = stats_tree_create_node(st, "What one recv() gets", st_messages, STAT_DT_INT, TRUE);
    st_errors = stats_tree_create_node(st, "Errors", 0, STAT_DT_INT, TRUE);
    stats_tree_create_node(st, "Skipped bytes", 0, STAT_DT_INT, FALSE);
}

static tap_packet_status
appmsg_stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                    const void *data, tap_flags_t flags _U_)
{
    const appmsg_tap_info *info = data;

    if (info->is_message) {
        char label[ITEM_LABEL_LENGTH];

        tick_stat_node(st, "Messages", 0, TRUE);
        /* The group rows count their messages too (else they read 0 and no percentages). */
        tick_stat_node(st, "By type", st_messages, TRUE);
        tick_stat_node(st, "By direction", st_messages, TRUE);
        appmsg_type_format(label, sizeof label, info->type);
        tick_stat_node(st, label, st_types, FALSE);
        tick_stat_node(st, info->from_client ? "Client to server" : "Server to client",
                       st_directions, FALSE);
        /* A length above the maximum is no payload size (and past 2^24 the tree's averages,
         * kept in floats, would come out above their maximum). */
        if (!(info->errors & APPMSG_ERR_TOO_LONG)) {
            tick_stat_node(st, "By payload size (bytes)", st_messages, TRUE);
            stats_tree_tick_range(st, "By payload size (bytes)", st_messages,
                                  (int)MIN(info->length, (guint32)G_MAXINT));
        }
        /* Whole messages: in how many segments, and with how many others. */
        if (info->segments) {
            tick_stat_node(st, "What one recv() gets", st_messages, TRUE);
            tick_stat_node(st,
                           info->segments > 1 ? "Part of it (message across segments)"
                                              : "All of it (message in one segment)",
                           st_recv, FALSE);
            if (info->merged)
                tick_stat_node(st, "More (segment shared with other messages)", st_recv, FALSE);
        }
    } else {
        increase_stat_node(st, "Skipped bytes", 0, FALSE, (gint)info->length);
    }
    for (guint i = 0; i < APPMSG_N_PROBLEMS; i++) {
        if (info->errors & (1u << i)) {
            tick_stat_node(st, "Errors", 0, TRUE);
            tick_stat_node(st, appmsg_problem_table[i].stats_row, st_errors, FALSE);
        }
    }
    return TAP_PACKET_REDRAW;
}

void
appmsg_stats_queue(packet_info *pinfo, const appmsg_tap_info *info)
{
    tap_queue_packet(appmsg_tap, pinfo, info);
}

void
appmsg_stats_register(void)
{
    appmsg_tap = register_tap("appmsg");
    stats_tree_register_plugin("appmsg", "appmsg", "AppMsg", 0, appmsg_stats_packet,
                               appmsg_stats_init, NULL);
}
