/* appmsg-stats.h — the "appmsg" tap (one record per message or run of skipped bytes) and its
 * stats tree (tshark -z appmsg,tree; Statistics → AppMsg in Wireshark). The same records feed
 * Follow → AppMsg Stream (appmsg-follow.h), Service Response Time (appmsg-srt.h) and
 * Conversations (appmsg-conv.h); a tap costs nothing while no view listens to it. */
#ifndef APPMSG_STATS_H
#define APPMSG_STATS_H

#include <epan/packet.h>

/* Problems a record can carry: APPMSG_ERR_* bits, and their labels ("[not JSON]" in the Info
 * column and Follow) and statistics rows, all from core/appmsg_kinds.h. */
#include "appmsg_kinds.h"

typedef struct {
    gboolean is_message; /* FALSE: bytes skipped while looking for a magic */
    gboolean from_client;
    guint32 type, length; /* length: payload bytes, or bytes skipped */
    guint32 errors;       /* APPMSG_ERR_* (appmsg_kinds.h) */
    guint32 segments;     /* TCP segments it spans; 0 unless whole (appmsg-recv.h) */
    guint32 merged;       /* other messages that share a segment with it */
    /* Its bytes in the capture: `bytes` in all (header and payload, or the skipped bytes), of
     * which text_len at text_offset in tvb are what Follow shows (the payload, or the skipped
     * bytes). tvb is NULL for a message reported where its stream ended: its bytes were in
     * earlier frames. */
    guint32 bytes;
    gboolean header_cut; /* a message cut inside its header: no type or length */
    const char *note;    /* a run of skipped bytes that no error names: what it is */
    tvbuff_t *tvb;
    guint32 text_offset, text_len;
    /* Echo pairing: the frame of the other half (0: none); on an echo (a server message), the
     * type of its request and the time since it. */
    guint32 peer_frame, request_type;
    gint64 echo_ns;
} appmsg_tap_info;

void appmsg_stats_register(void);
/* Queues a record for the tap (the record must live in pinfo->pool). */
void appmsg_stats_queue(packet_info *pinfo, const appmsg_tap_info *info);

#endif
