/* manifest.h — the record of every message the generator put in a capture.
 *
 * JSON Lines, one message a line, in the order the messages were sent; docs/manifest.md has the
 * format. Written beside the capture so tests (and users) have an oracle that is not tshark. */
#ifndef APPMSG_GEN_MANIFEST_H
#define APPMSG_GEN_MANIFEST_H

#include <glib.h>

#include "tcp_builder.h"

typedef struct manifest manifest;

/* One message as it went on the wire. */
typedef struct {
    guint conn;
    tcp_dir dir;
    guint64 index;
    guint32 type, length; /* as the header says */
    const guint8 *payload;
    guint32 payload_len;    /* bytes that followed the header (differs from length: oversize) */
    const char *error;      /* injected error, NULL for none */
    guint32 garbage_before; /* bytes without a magic sent just before the message */
    gint64 sent; /* bytes of the message that went out before the stream ended; -1: all */
} manifest_entry;

manifest *manifest_open(const char *path, GError **err);
void manifest_add(manifest *m, const manifest_entry *e);
/* A message as encoded (inject.h): the client's line, and with echo on the server's. */
struct encoded_message;
void manifest_add_message(manifest *mf, guint conn, gboolean echo, guint64 index,
                          const struct encoded_message *e);
gboolean manifest_commit(manifest *m, GError **err);
void manifest_discard(manifest *m);

#endif
