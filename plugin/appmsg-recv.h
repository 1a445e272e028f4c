/* appmsg-recv.h — what a plain recv() loop would get of each message: how many TCP segments its
 * bytes are in (appmsg.segments: above 1, one recv() cuts it) and how many other messages share
 * a segment with it (appmsg.merged: above 0, one recv() returns several).
 *
 * A frame's count is final only once all its messages are dissected (TCP may call the dissector
 * twice for one frame), so the fields are added to each message's tree by the postdissector.
 * Builds on appmsg-stream.h: the segments seen while a message waited for more bytes. */
#ifndef APPMSG_RECV_H
#define APPMSG_RECV_H

#include <epan/packet.h>

#include "appmsg-stats.h"
#include "appmsg-stream.h"

/* Call from proto_register (its fields are in appmsg-fields.h). */
void appmsg_recv_register(int proto);

/* A message (whole, cut, or waiting for more bytes) has bytes in this frame of s, in dir. */
void appmsg_recv_piece(packet_info *pinfo, appmsg_stream *s, appmsg_dir dir);
/* A whole message, TCP sequence numbers [seq, end), ends in this frame: its fields go under
 * tree, at tvb/offset, its counts in info. */
void appmsg_recv_message(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb, int offset,
                         guint32 seq, guint32 end, appmsg_tap_info *info);
/* From the postdissector, when the frame's messages are all known. */
void appmsg_recv_finish_frame(packet_info *pinfo);

#endif
