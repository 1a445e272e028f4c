/* plugin.c — the symbols Wireshark's plugin loader looks for.
 *
 * A plugin loads only into the Wireshark major.minor it was built against: plugin_want_major and
 * plugin_want_minor come from the headers we compiled with. From 4.2 on, the loader also asks
 * plugin_describe() what kind of plugin this is (<wsutil/plugins.h>, absent from 4.0).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/proto.h>

#include "appmsg-compat.h"
#include "packet-appmsg.h"

#ifndef APPMSG_VERSION
#error "APPMSG_VERSION must be defined by the build"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = APPMSG_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
APPMSG_PLUGIN_DESCRIBE(WS_PLUGIN_DESC_DISSECTOR)

void
plugin_register(void)
{
    static proto_plugin plug_appmsg;

    plug_appmsg.register_protoinfo = proto_register_appmsg;
    plug_appmsg.register_handoff = proto_reg_handoff_appmsg;
    proto_register_plugin(&plug_appmsg);
}
