/* appmsg-dissector.h — what the dissector's files share: its fields, subtree, expert infos and
 * preferences (registered in packet-appmsg.c), what one call of the dissector works on, and how
 * one message is shown (appmsg-show.c) for the loop that reads the data (appmsg-dissect.c). */
#ifndef APPMSG_DISSECTOR_H
#define APPMSG_DISSECTOR_H

#include <epan/expert.h>
#include <epan/packet.h>

#include "appmsg-compat.h"
#include "appmsg-fields.h"
#include "appmsg-stream.h"
#include "appmsg_frame.h"
#include "appmsg_kinds.h"

/* ---- Registered in packet-appmsg.c ---- */
extern int proto_appmsg;
extern gint ett_appmsg;
/* One expert info per problem of core/appmsg_kinds.h, indexed by appmsg_problem. */
extern expert_field ei_appmsg[APPMSG_N_PROBLEMS];

/* Preferences, one variable per row of core/appmsg_fields.h: appmsg_desegment, ... */
#define APPMSG_PREF_TYPE_BOOL               appmsg_bool
#define APPMSG_PREF_TYPE_UINT               guint
#define APPMSG_PREF_EXTERN(name, kind, ...) extern APPMSG_PREF_TYPE_##kind appmsg_##name;
APPMSG_PREFS(APPMSG_PREF_EXTERN)
#undef APPMSG_PREF_EXTERN
/* The framing preferences of the moment (the dissector's and the heuristic's). */
appmsg_frame_opts appmsg_framing_opts(void);

/* ---- The dissector (appmsg-dissect.c) ---- */
int dissect_appmsg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
/* Call from handoff: TCP's tap and the postdissector that shows stream ends. */
void appmsg_dissect_handoff(void);

/* What one call of the dissector works on. */
typedef struct {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
    appmsg_stream *stream; /* NULL for a message shown where its stream ended */
    appmsg_dir dir;
    guint *count; /* messages of this frame so far: see appmsg_frame_message_count() */
    guint32 seq;  /* TCP sequence number of the tvb's first byte */
    /* First pass: where the message at offset 0 began, when it completes one that waited. */
    guint32 carried_start_frame;
} appmsg_ctx;

/* ---- How one message is shown (appmsg-show.c) ---- */
/* The messages already shown in this frame: the first replaces TCP's Info text, the others are
 * appended in stream order, and the count tells a frame's messages apart for their records. */
guint *appmsg_frame_message_count(packet_info *pinfo);
/* A whole message at offset of c's tvb. */
void appmsg_show_message(appmsg_ctx *c, int offset, const appmsg_frame *f);
/* len bytes that do not start with the magic, up to the next magic or the data's end. */
void appmsg_show_skipped(appmsg_ctx *c, int offset, guint len);
/* A header whose length is above the maximum: shown, not waited for. */
void appmsg_show_too_long(appmsg_ctx *c, int offset, const appmsg_frame *f);
/* The part of a message the stream ends inside of, from offset to the data's end (why: "FIN",
 * "RST", "not reassembled"). */
void appmsg_show_truncated(appmsg_ctx *c, int offset, const appmsg_frame *f, const char *why);
/* A message the stream ended inside of, shown where it ended (its bytes were in earlier frames). */
void appmsg_show_tail(appmsg_ctx *c, const appmsg_tail *t);
/* Call from handoff: Wireshark's JSON dissector, for the preference that hands payloads to it. */
void appmsg_show_handoff(void);

#endif
