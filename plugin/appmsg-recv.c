/* appmsg-recv.c — segments and merged counts per message.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "appmsg-keys.h"
#include "appmsg-fields.h"
#include "appmsg-recv.h"

#include <epan/proto_data.h>

static int proto_appmsg = -1;

typedef struct {
    proto_tree *tree;
    tvbuff_t *tvb;
    int offset;
    guint32 seq, end;
    appmsg_tap_info *info;
} ended_message;

/* What this frame holds: its stream and direction, the messages with bytes in it, and those
 * that end in it. */
typedef struct {
    appmsg_stream *stream;
    appmsg_dir dir;
    guint32 pieces;
    wmem_array_t *ended;
} frame_pieces;

static frame_pieces *
frame_state(packet_info *pinfo)
{
    frame_pieces *fp = p_get_proto_data(pinfo->pool, pinfo, proto_appmsg, APPMSG_KEY_FRAME_PIECES);

    if (!fp) {
        fp = wmem_new0(pinfo->pool, frame_pieces);
        fp->ended = wmem_array_new(pinfo->pool, sizeof(ended_message));
        p_add_proto_data(pinfo->pool, pinfo, proto_appmsg, APPMSG_KEY_FRAME_PIECES, fp);
    }
    return fp;
}

void
appmsg_recv_piece(packet_info *pinfo, appmsg_stream *s, appmsg_dir dir)
{
    frame_pieces *fp = frame_state(pinfo);

    fp->stream = s;
    fp->dir = dir;
    fp->pieces++;
}

void
appmsg_recv_message(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb, int offset, guint32 seq,
                    guint32 end, appmsg_tap_info *info)
{
    ended_message e = {tree, tvb, offset, seq, end, info};

    wmem_array_append_one(frame_state(pinfo)->ended, e);
}

void
appmsg_recv_finish_frame(packet_info *pinfo)
{
    frame_pieces *fp = p_get_proto_data(pinfo->pool, pinfo, proto_appmsg, APPMSG_KEY_FRAME_PIECES);

    if (!fp || !fp->stream)
        return;
    /* The first pass's count: on later passes TCP does not always call the dissector for the
     * start of a message that continues in later frames. Kept only above 1 (most frames hold
     * one message: a record each would cost memory for nothing). */
    if (!pinfo->fd->visited) {
        if (fp->pieces > 1)
            p_add_proto_data(wmem_file_scope(), pinfo, proto_appmsg, APPMSG_KEY_PIECES,
                             GUINT_TO_POINTER(fp->pieces));
    } else {
        fp->pieces = MAX(1, GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo,
                                                              proto_appmsg, APPMSG_KEY_PIECES)));
    }
    /* A message that continues past this frame will need this count where it ends. */
    appmsg_stream_note_pieces(fp->stream, pinfo, fp->dir, fp->pieces);
    for (guint i = 0; i < wmem_array_get_count(fp->ended); i++) {
        const ended_message *e = wmem_array_index(fp->ended, i);
        guint32 first_pieces;
        guint32 earlier = appmsg_stream_earlier_segments(fp->stream, pinfo, fp->dir, e->seq, e->end,
                                                         &first_pieces);
        guint32 segments = earlier + 1;
        /* Others in its last segment (this one), and in its first. */
        guint32 merged = fp->pieces - 1 + (earlier && first_pieces ? first_pieces - 1 : 0);

        proto_item_set_generated(
            proto_tree_add_uint(e->tree, hf_appmsg_segments, e->tvb, e->offset, 0, segments));
        proto_item_set_generated(
            proto_tree_add_uint(e->tree, hf_appmsg_merged, e->tvb, e->offset, 0, merged));
        e->info->segments = segments;
        e->info->merged = merged;
    }
}

void
appmsg_recv_register(int proto)
{
    proto_appmsg = proto; /* its fields: appmsg-fields.h */
}
