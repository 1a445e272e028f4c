/* inject.h — the errors a capture should contain, and how a message becomes wire bytes.
 *
 * Between the scenario and the segmenter: encodes each message in the plain or checked layout
 * (core/appmsg_wire.h) and applies the errors planned for it with --inject KIND@N. Every error
 * row of docs/protocol.md has a kind; docs/manifest.md says how a reader reports each. */
#ifndef APPMSG_GEN_INJECT_H
#define APPMSG_GEN_INJECT_H

#include <stdio.h>

#include <glib.h>

#include "appmsg_kinds.h"
#include "scenario.h"

/* The kinds of error (INJ_BAD_MAGIC …): core/appmsg_kinds.h lists them, with their names. */

#define INJECT_GARBAGE_LEN 17
#define INJECT_OVERSIZE    0x7ffffff0u

typedef struct {
    GArray *at[INJ_KIND_COUNT];                   /* message indexes (guint64), per kind */
    enum { CUT_FIN, CUT_RST, CUT_NONE } cut_with; /* how a cut stream ends */
    gboolean checked;                             /* encode in the checked layout */
} inject_plan;

/* One message as it goes on the wire, and as the server sends it back. */
typedef struct encoded_message {
    guint32 kinds;        /* 1 << inject_kind, applied to this message */
    GByteArray *wire;     /* client bytes: garbage (if any), header, payload */
    gsize msg_start;      /* offset of the header in wire */
    gsize sent;           /* bytes of wire that go out (less than wire->len when cut) */
    guint32 type, length; /* as the header says */
    GByteArray *payload;  /* as sent */
    guint32 echo_type;
    GByteArray *echo_payload; /* as echoed */
    GByteArray *echo_wire;    /* the server's echo of wire where the plan alters it (its type,
                                 its payload); empty when the echo is wire itself */
} encoded_message;

void inject_plan_init(inject_plan *plan);
void inject_plan_clear(inject_plan *plan);
/* "bad-magic@3" → adds message 3 to the plan; FALSE if the text is not KIND@N. */
gboolean inject_plan_add(inject_plan *plan, const char *spec);
/* An error planned for a message at or past count (messages count from 0): TRUE, with its kind
 * and index; FALSE if every planned message exists. */
gboolean inject_plan_beyond(const inject_plan *plan, guint64 count, const char **kind,
                            guint64 *index);
/* "bad-magic, oversize, …": every name inject_plan_add() accepts. */
const char *inject_kind_names(void);
/* The --inject help: one line a kind, name and what it does, indented by indent. */
void inject_kinds_help(GString *out, int indent);
/* appmsg-gen --list-kinds: one line a kind, its name, the expert info a reader shows, and what
 * it does. */
void inject_list_kinds(FILE *out);
/* The manifest's "error" of the first of kinds that the manifest puts in that place (the
 * request's line or the echo's), or NULL for none. */
const char *inject_error_name(guint32 kinds, appmsg_manifest_place place);

void encoded_message_init(encoded_message *e);
void encoded_message_clear(encoded_message *e);
void inject_encode(const inject_plan *plan, const scenario_message *msg, encoded_message *e);

#endif
