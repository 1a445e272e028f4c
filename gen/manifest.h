/* manifest.h — the record of every message the generator put in a capture.
 *
 * JSON Lines, one message a line, in the order the messages were sent; docs/manifest.md has the
 * format. Written beside the capture so tests (and users) have an oracle that is not tshark. */
#ifndef APPMSG_GEN_MANIFEST_H
#define APPMSG_GEN_MANIFEST_H

#include <glib.h>

#include "tcp_builder.h"

typedef struct manifest manifest;

manifest *manifest_open(const char *path, GError **err);
void manifest_add(manifest *m, guint conn, tcp_dir dir, guint64 index, guint32 type,
                  const guint8 *payload, guint32 length);
gboolean manifest_commit(manifest *m, GError **err);
void manifest_discard(manifest *m);

#endif
