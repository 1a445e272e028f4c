/* appmsg-wtap-compat.h — where wiretap's writing API differs between the Wireshark versions we
 * build for (see appmsg-compat.h). The generator's pcapng sink calls these, never the version
 * macros.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPMSG_WTAP_COMPAT_H
#define APPMSG_WTAP_COMPAT_H

#include <wiretap/wtap.h>

#include "appmsg-compat.h"

/* 4.6 gives each record a buffer of its own for the packet bytes (wtap_rec.data) and
 * wtap_rec_init() takes its first size; up to 4.4 a record is only the header. */
static inline void
appmsg_wtap_rec_init(wtap_rec *rec, size_t space)
{
#if APPMSG_WS_AT_LEAST(4, 6)
    wtap_rec_init(rec, space);
#else
    (void)space;
    wtap_rec_init(rec);
#endif
}

/* Writes one packet: up to 4.4 wtap_dump() takes the bytes beside the record; from 4.6 they
 * must be in the record's own buffer (one copy per packet). */
static inline gboolean
appmsg_wtap_dump(wtap_dumper *dumper, wtap_rec *rec, const guint8 *bytes, guint32 len, int *err,
                 gchar **err_info)
{
#if APPMSG_WS_AT_LEAST(4, 6)
    ws_buffer_clean(&rec->data);
    ws_buffer_append(&rec->data, bytes, len);
    return wtap_dump(dumper, rec, err, err_info);
#else
    (void)len;
    return wtap_dump(dumper, rec, bytes, err, err_info);
#endif
}

#endif
