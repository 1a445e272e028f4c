/* packet-appmsg.c — dissector for the AppMsg magic-number protocol: its fields, subtree, expert
 * infos and preferences, registered, and its handoff to TCP.
 *
 * A message is a 12-byte header (magic, type, length; big-endian) and a JSON payload, back to
 * back on a TCP stream; an optional 16-byte layout adds a CRC-32 of the payload. The wire format
 * lives in core/appmsg_wire.h, the reading of what TCP delivers in core/appmsg_reader.c, the
 * connection's rules in core/appmsg_conn.c; the contract is docs/protocol.md.
 *
 * The dissector's loop is appmsg-dissect.c, how one message is shown appmsg-show.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>

#include "appmsg-conv.h"
#include "appmsg-dissector.h"
#include "appmsg-follow.h"
#include "appmsg-heur.h"
#include "appmsg-json-tree.h"
#include "appmsg-recv.h"
#include "appmsg-srt.h"
#include "appmsg-stats.h"
#include "appmsg-stream.h"
#include "appmsg-types.h"
#include "appmsg_wire.h"
#include "packet-appmsg.h"

int proto_appmsg = -1;

#define HF_DEFINE(id, ...) int hf_appmsg_##id = -1;
APPMSG_FIELDS(HF_DEFINE)
#undef HF_DEFINE

gint ett_appmsg = -1;

/* One expert info per problem, registered from core/appmsg_kinds.h's list. */
#define EI_UNREGISTERED(...) EI_INIT,
expert_field ei_appmsg[APPMSG_N_PROBLEMS] = {APPMSG_PROBLEMS(EI_UNREGISTERED)};
#undef EI_UNREGISTERED

static dissector_handle_t appmsg_handle;

/* Preferences (core/appmsg_fields.h): appmsg_desegment, ... */
#define PREF_DEFINE(name, kind, value, ...) APPMSG_PREF_TYPE_##kind appmsg_##name = value;
APPMSG_PREFS(PREF_DEFINE)
#undef PREF_DEFINE

appmsg_frame_opts
appmsg_framing_opts(void)
{
    const appmsg_frame_opts opts = {appmsg_checked, appmsg_max_length};
    return opts;
}

/* ---- Registration ------------------------------------------------------------------------------
 */

void
proto_register_appmsg(void)
{
/* core/appmsg_fields.h's tokens, as Wireshark spells them. */
#define DISPLAY_NONE            BASE_NONE
#define DISPLAY_DEC             BASE_DEC
#define DISPLAY_HEX             BASE_HEX
#define DISPLAY_DEC_SPECIAL     (BASE_DEC | BASE_SPECIAL_VALS)
#define STRINGS_NONE            NULL
#define STRINGS_TYPE_NAMES      VALS(appmsg_no_type_names)
#define STRINGS_CHECKSUM_STATUS VALS(proto_checksum_vals)
#define STRINGS_RESPONSE        FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE)
#define STRINGS_REQUEST         FRAMENUM_TYPE(FT_FRAMENUM_REQUEST)
#define HF_ROW(id, abbrev, name, type, display, strings, blurb)                                    \
    {&hf_appmsg_##id,                                                                              \
     {name, abbrev, FT_##type, DISPLAY_##display, STRINGS_##strings, 0x0, blurb, HFILL}},
    static hf_register_info hf[] = {APPMSG_FIELDS(HF_ROW)};
#undef HF_ROW
    static gint *ett[] = {&ett_appmsg};
#define EI_ROW(id, expert, group, severity, summary, ...)                                          \
    {&ei_appmsg[APPMSG_PROBLEM_##id], {expert, PI_##group, PI_##severity, summary, EXPFILL}},
    static ei_register_info ei[] = {APPMSG_PROBLEMS(EI_ROW)};
#undef EI_ROW
    module_t *appmsg_module;
    expert_module_t *expert_appmsg;

    proto_appmsg =
        proto_register_protocol("AppMsg Magic-Number Application Protocol", "AppMsg", "appmsg");
    proto_register_field_array(proto_appmsg, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    appmsg_json_tree_register();
    expert_appmsg = expert_register_protocol(proto_appmsg);
    expert_register_field_array(expert_appmsg, ei, array_length(ei));

    appmsg_handle = register_dissector("appmsg", dissect_appmsg, proto_appmsg);

    appmsg_module = prefs_register_protocol(proto_appmsg, NULL);
#define REGISTER_BOOL(name, title, description)                                                    \
    prefs_register_bool_preference(appmsg_module, #name, title, description, &appmsg_##name)
#define REGISTER_UINT(name, title, description)                                                    \
    prefs_register_uint_preference(appmsg_module, #name, title, description, 10, &appmsg_##name)
#define PREF_REGISTER(name, kind, value, title, description)                                       \
    REGISTER_##kind(name, title, description);
    APPMSG_PREFS(PREF_REGISTER)
#undef PREF_REGISTER
    appmsg_types_register(appmsg_module);
    appmsg_types_attach(hf_appmsg_type);
    appmsg_stats_register();
    appmsg_follow_register(proto_appmsg);
    appmsg_srt_register(proto_appmsg);
    appmsg_conv_register(proto_appmsg);
    appmsg_recv_register(proto_appmsg);
}

void
proto_reg_handoff_appmsg(void)
{
    appmsg_show_handoff();
    /* Registers the "TCP port(s)" preference and the Decode As entry. */
    dissector_add_uint_range_with_preference("tcp.port", G_STRINGIFY(APPMSG_DEFAULT_PORT),
                                             appmsg_handle);
    appmsg_heur_register(proto_appmsg, appmsg_handle, dissect_appmsg, appmsg_framing_opts);
    appmsg_stream_register(proto_appmsg);

    appmsg_dissect_handoff();
}
