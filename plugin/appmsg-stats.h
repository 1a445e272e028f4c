/* appmsg-stats.h — the "appmsg" tap (one record per message or error) and its stats tree
 * (tshark -z appmsg,tree; Statistics → AppMsg in Wireshark). */
#ifndef APPMSG_STATS_H
#define APPMSG_STATS_H

#include <epan/packet.h>

/* Problems a record can carry. */
#define APPMSG_ERR_BAD_MAGIC    0x01 /* skipped bytes: not a message */
#define APPMSG_ERR_TOO_LONG     0x02
#define APPMSG_ERR_NOT_UTF8     0x04
#define APPMSG_ERR_NOT_JSON     0x08
#define APPMSG_ERR_BAD_CHECKSUM 0x10
#define APPMSG_ERR_TRUNCATED    0x20
#define APPMSG_ERR_ECHO_DIFFERS 0x40
/* The sender's mistakes, named (docs/debugging.md). */
#define APPMSG_ERR_LE_HEADER          0x80
#define APPMSG_ERR_LENGTH_WITH_HEADER 0x100
#define APPMSG_ERR_LENGTH_IN_CHARS    0x200
#define APPMSG_ERR_NO_HEADER          0x400

typedef struct {
    gboolean is_message; /* FALSE: bytes skipped while looking for a magic */
    gboolean from_client;
    guint32 type, length; /* length: payload bytes, or bytes skipped */
    guint32 errors;       /* APPMSG_ERR_* */
    guint32 segments;     /* TCP segments it spans; 0 unless whole (appmsg-recv.h) */
    guint32 merged;       /* other messages that share a segment with it */
} appmsg_tap_info;

void appmsg_stats_register(void);
/* Queues a record for the tap (the record must live in pinfo->pool). */
void appmsg_stats_queue(packet_info *pinfo, const appmsg_tap_info *info);

#endif
