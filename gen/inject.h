/* inject.h — the errors a capture should contain, and how a message becomes wire bytes.
 *
 * Between the scenario and the segmenter: encodes each message in the plain or checked layout
 * (core/appmsg_wire.h) and applies the errors planned for it with --inject KIND@N. Every error
 * row of PROTOCOL.md has a kind; docs/manifest.md says how a reader reports each. */
#ifndef APPMSG_GEN_INJECT_H
#define APPMSG_GEN_INJECT_H

#include <glib.h>

#include "scenario.h"

typedef enum {
    INJ_BAD_MAGIC,    /* the message's magic is wrong: a reader skips the whole message */
    INJ_OVERSIZE,     /* the length field is above any sane maximum; the payload still follows */
    INJ_BAD_UTF8,     /* two payload bytes are not UTF-8 */
    INJ_BAD_JSON,     /* the payload's last byte is replaced by a space: not JSON any more */
    INJ_BAD_CHECKSUM, /* checked layout: the checksum field is wrong */
    INJ_GARBAGE,      /* 17 bytes without a magic come before the message */
    INJ_CUT,          /* the client's stream ends inside the message (FIN, or RST) */
    INJ_ECHO_PAYLOAD, /* the server's echo of the message has one payload byte changed */
    INJ_ECHO_TYPE,    /* the server's echo of the message has another type */
    /* A socket programmer's mistakes (docs/debugging.md): the echo is the same bytes. */
    INJ_LE_HEADER,          /* the whole header little-endian (struct.pack('<III')) */
    INJ_LE_LENGTH,          /* htonl() on the magic only: type and length in host order */
    INJ_LENGTH_WITH_HEADER, /* the length counts the header too */
    INJ_LENGTH_IN_CHARS,    /* the length counts characters (len(text) before .encode());
                               the payload gets a non-ASCII letter if it has none */
    INJ_NO_HEADER,          /* the payload alone, without a header */
    INJ_KIND_COUNT
} inject_kind;

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
} encoded_message;

void inject_plan_init(inject_plan *plan);
void inject_plan_clear(inject_plan *plan);
/* "bad-magic@3" → adds message 3 to the plan; FALSE if the text is not KIND@N. */
gboolean inject_plan_add(inject_plan *plan, const char *spec);
/* An error planned for a message at or past count (messages count from 0): TRUE, with its kind
 * and index; FALSE if every planned message exists. */
gboolean inject_plan_beyond(const inject_plan *plan, guint64 count, const char **kind,
                            guint64 *index);
const char *inject_kind_names(void);
/* The first kind in kinds, for the manifest's "error" key (NULL for none). */
const char *inject_error_name(guint32 kinds);

void encoded_message_init(encoded_message *e);
void encoded_message_clear(encoded_message *e);
void inject_encode(const inject_plan *plan, const scenario_message *msg, encoded_message *e);

#endif
