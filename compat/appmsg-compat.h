/* appmsg-compat.h — every place where Wireshark's API differs between the versions we build for
 * (4.0 in Debian 12, 4.4 in Debian 13, 4.6 in Debian sid). One source: the differences are
 * decided by the version numbers of the headers we compile against (ws_version.h, via
 * wireshark.h), here and in appmsg-wtap-compat.h, nowhere else. docs/versions.md lists them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPMSG_COMPAT_H
#define APPMSG_COMPAT_H

#include <wireshark.h>

#define APPMSG_WS_AT_LEAST(major, minor)                                                           \
    (WIRESHARK_VERSION_MAJOR > (major) ||                                                          \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

/* A field_info's value: an fvalue_t inside it up to 4.0, a pointer to one from 4.2 on. */
#if APPMSG_WS_AT_LEAST(4, 2)
#define APPMSG_FINFO_VALUE(fi) ((fi)->value)
#else
#define APPMSG_FINFO_VALUE(fi) (&(fi)->value)
#endif

/* Boolean preferences, heuristic dissectors and UAT update callbacks: gboolean up to 4.0, C's
 * bool from 4.2 on. */
#if APPMSG_WS_AT_LEAST(4, 2)
typedef bool appmsg_bool;
#else
typedef gboolean appmsg_bool;
#endif

/* From 4.2 on the plugin loader asks each plugin what kind it is (plugin_describe(), with the
 * kinds in <wsutil/plugins.h>); 4.0 has neither. APPMSG_PLUGIN_DESCRIBE(kind) defines it where
 * the loader wants it. */
#if APPMSG_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h>
#define APPMSG_PLUGIN_DESCRIBE(kind)                                                               \
    WS_DLL_PUBLIC uint32_t plugin_describe(void);                                                  \
    uint32_t plugin_describe(void)                                                                 \
    {                                                                                              \
        return (kind);                                                                             \
    }
#else
#define APPMSG_PLUGIN_DESCRIBE(kind)
#endif

/* A follower (Follow → X Stream): from 4.2 on, register_follow_stream() also takes how many
 * streams there are and, for protocols with sub-streams, a sub-stream lookup (none here). */
#if APPMSG_WS_AT_LEAST(4, 2)
#define APPMSG_REGISTER_FOLLOW_STREAM(proto, tap, conv, index, address, port, handler, count)      \
    register_follow_stream((proto), (tap), (conv), (index), (address), (port), (handler), (count), \
                           NULL)
#else
#define APPMSG_REGISTER_FOLLOW_STREAM(proto, tap, conv, index, address, port, handler, count)      \
    register_follow_stream((proto), (tap), (conv), (index), (address), (port), (handler))
#endif

#endif
