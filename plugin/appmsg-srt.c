/* appmsg-srt.c — the Service Response Time table: one row per request type, with the number of
 * echoes and their min, max, average and total time.
 *
 * The GUI makes a row item per row of the table when it starts reading, and keeps pointers to
 * them: rows must neither move nor be renamed after the table is made. So the table has a fixed
 * number of rows from the start. Rows 0-255 are types 0-255, so their index is the type (the
 * GUI's filters are made from it) and they come in the type's order. Larger types take the next
 * rows: in the GUI, which opens the dialog on a loaded file, those echoed in the file so far, by
 * type; then, in the order seen, those seen later (tshark reads names when it prints). One last
 * row counts every type beyond.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "appmsg-compat.h"

#include <epan/srt_table.h>
#include <epan/tap.h>

#include "appmsg-srt.h"
#include "appmsg-stats.h"
#include "appmsg-types.h"

#define SMALL_TYPES 256 /* rows 0-255: types 0-255 */
/* Rows for larger types: far more than a protocol of tutorials uses, and few enough for a linear
 * search per echo while the table is open. */
#define LARGE_ROWS 256
#define OTHER_ROW  (SMALL_TYPES + LARGE_ROWS)

/* Request types above 255 echoed in this file (at most LARGE_ROWS of them), and the last one
 * noted: most echoes repeat the type before them. */
static wmem_map_t *echoed_types;
static guint n_echoed;
static guint32 last_noted;
static gboolean noted_any;

void
appmsg_srt_note_request_type(guint32 type)
{
    if (type < SMALL_TYPES || (noted_any && type == last_noted) || n_echoed >= LARGE_ROWS ||
        type > G_MAXINT)
        return;
    last_noted = type;
    noted_any = TRUE;
    if (!wmem_map_contains(echoed_types, GUINT_TO_POINTER(type))) {
        wmem_map_insert(echoed_types, GUINT_TO_POINTER(type), NULL);
        n_echoed++;
    }
}

static void
forget_types(void)
{
    n_echoed = 0; /* the map itself goes with the file (autoreset) */
    noted_any = FALSE;
}

static void
collect_type(gpointer key, gpointer value _U_, gpointer types)
{
    guint32 type = GPOINTER_TO_UINT(key);

    g_array_append_val((GArray *)types, type);
}

static gint
compare_types(gconstpointer a, gconstpointer b)
{
    guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

    return x < y ? -1 : x > y;
}

/* Row i names type (its index column, the type). */
static void
name_row(srt_stat_table *table, int i, guint32 type)
{
    char label[ITEM_LABEL_LENGTH];

    appmsg_type_format(label, sizeof label, type);
    init_srt_table_row(table, i, label);
    table->procedures[i].proc_index = (int)type;
}

static void
appmsg_srt_init(struct register_srt *srt _U_, GArray *srt_array)
{
    srt_stat_table *table = init_srt_table("AppMsg echo time", NULL, srt_array, OTHER_ROW + 1,
                                           "Request type", "appmsg.type", NULL);
    GArray *large = g_array_new(FALSE, FALSE, sizeof(guint32));

    for (guint32 type = 0; type < SMALL_TYPES; type++)
        name_row(table, (int)type, type);
    wmem_map_foreach(echoed_types, collect_type, large);
    g_array_sort(large, compare_types);
    for (guint i = 0; i < large->len; i++)
        name_row(table, SMALL_TYPES + (int)i, g_array_index(large, guint32, i));
    g_array_free(large, TRUE);
    init_srt_table_row(table, OTHER_ROW, "Other types");
    table->procedures[OTHER_ROW].proc_index = -1;
}

/* The row of type: its own below 256; for a larger type, its row, else the first free one (named
 * now), else "Other types", where types above G_MAXINT go too (the index column is an int). */
static int
row_of(srt_stat_table *table, guint32 type)
{
    if (type < SMALL_TYPES)
        return (int)type;
    if (type > G_MAXINT)
        return OTHER_ROW;
    for (int i = SMALL_TYPES; i < OTHER_ROW; i++) {
        if (!table->procedures[i].procedure) {
            name_row(table, i, type);
            return i;
        }
        if (table->procedures[i].proc_index == (int)type)
            return i;
    }
    return OTHER_ROW;
}

static tap_packet_status
appmsg_srt_packet(void *pss, packet_info *pinfo, epan_dissect_t *edt _U_, const void *prv,
                  tap_flags_t flags _U_)
{
    srt_data_t *data = pss;
    const appmsg_tap_info *info = prv;
    srt_stat_table *table;
    nstime_t request_time, since;

    if (!info->is_message || info->from_client || !info->peer_frame)
        return TAP_PACKET_DONT_REDRAW;
    table = g_array_index(data->srt_array, srt_stat_table *, 0);
    /* add_srt_table_data takes the request's time and subtracts it from this frame's. */
    since.secs = (time_t)(info->echo_ns / 1000000000);
    since.nsecs = (int)(info->echo_ns % 1000000000);
    nstime_delta(&request_time, &pinfo->abs_ts, &since);
    add_srt_table_data(table, row_of(table, info->request_type), &request_time, pinfo);
    return TAP_PACKET_REDRAW;
}

void
appmsg_srt_register(int proto)
{
    echoed_types =
        wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_direct_hash, g_direct_equal);
    register_cleanup_routine(forget_types);
    register_srt_table(proto, NULL, 1, appmsg_srt_packet, appmsg_srt_init, NULL);
}
