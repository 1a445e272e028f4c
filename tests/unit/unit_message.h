/* unit_message.h — a plain message written into a buffer, for the framing tests. */
#ifndef UNIT_MESSAGE_H
#define UNIT_MESSAGE_H

#include <string.h>

#include <glib.h>

#include "appmsg_wire.h"

/* Header and payload at out; returns the bytes written. */
static inline gsize
unit_message(guint8 *out, guint32 type, const char *payload)
{
    gsize n = strlen(payload);
    appmsg_put_header(out, type, (guint32)n);
    memcpy(out + APPMSG_HDR_LEN, payload, n);
    return APPMSG_HDR_LEN + n;
}

#endif
