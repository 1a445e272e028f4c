/* packet-appmsg.c — dissector for the AppMsg magic-number protocol.
 *
 * A message is a 12-byte header (magic, type, length; big-endian) and a JSON payload, back to
 * back on a TCP stream. The wire format lives in core/appmsg_wire.h; the contract is PROTOCOL.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/packet.h>
#include <epan/proto_data.h>
#include <epan/prefs.h>
#include <epan/dissectors/packet-tcp.h>

#include "appmsg_wire.h"
#include "packet-appmsg.h"

static int proto_appmsg = -1;

static int hf_appmsg_magic = -1;
static int hf_appmsg_type = -1;
static int hf_appmsg_length = -1;
static int hf_appmsg_payload = -1;

static gint ett_appmsg = -1;

static dissector_handle_t appmsg_handle;
static dissector_handle_t json_handle;

/* Preferences. */
static gboolean appmsg_desegment = TRUE;
static gboolean appmsg_payload_as_json = TRUE;

/* ---- Dissection ------------------------------------------------------------------------------ */

/* Counts the messages already put in the Info column of the frame being dissected, so that the
 * first one replaces TCP's text and the others are appended in stream order. It lives in the
 * packet scope because TCP may call us several times for one frame (reassembled PDU + rest). */
static guint
appmsg_frame_message_index(packet_info *pinfo)
{
    guint index = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, proto_appmsg, 0));
    p_add_proto_data(pinfo->pool, pinfo, proto_appmsg, 0, GUINT_TO_POINTER(index + 1));
    return index;
}

static void
appmsg_add_info(packet_info *pinfo, guint32 type, guint32 length)
{
    if (appmsg_frame_message_index(pinfo) == 0) {
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "AppMsg");
        col_clear(pinfo->cinfo, COL_INFO);
    }
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ", "Type=%u Len=%u", type, length);
}

static guint
get_appmsg_pdu_len(packet_info *pinfo _U_, tvbuff_t *tvb, int offset, void *data _U_)
{
    guint32 length = tvb_get_ntohl(tvb, offset + APPMSG_OFF_LENGTH);

    /* A length that does not fit the PDU length type cannot be reassembled. */
    if (length > G_MAXUINT - APPMSG_HDR_LEN)
        return APPMSG_HDR_LEN;
    return APPMSG_HDR_LEN + length;
}

/* One whole message: tvb starts at its magic and holds header + payload. */
static int
dissect_appmsg_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    proto_item *ti;
    proto_tree *appmsg_tree;
    guint32 type, length;

    ti = proto_tree_add_item(tree, proto_appmsg, tvb, 0, -1, ENC_NA);
    appmsg_tree = proto_item_add_subtree(ti, ett_appmsg);

    proto_tree_add_item(appmsg_tree, hf_appmsg_magic, tvb, APPMSG_OFF_MAGIC, 4, ENC_BIG_ENDIAN);
    proto_tree_add_item_ret_uint(appmsg_tree, hf_appmsg_type, tvb, APPMSG_OFF_TYPE, 4,
                                 ENC_BIG_ENDIAN, &type);
    proto_tree_add_item_ret_uint(appmsg_tree, hf_appmsg_length, tvb, APPMSG_OFF_LENGTH, 4,
                                 ENC_BIG_ENDIAN, &length);
    /* Always present, even when empty, so that field occurrences line up across messages. */
    proto_tree_add_item(appmsg_tree, hf_appmsg_payload, tvb, APPMSG_HDR_LEN, length, ENC_UTF_8);

    proto_item_append_text(ti, ", Type: %u, Length: %u", type, length);
    appmsg_add_info(pinfo, type, length);

    if (appmsg_payload_as_json && length > 0) {
        tvbuff_t *payload_tvb = tvb_new_subset_length(tvb, APPMSG_HDR_LEN, length);
        /* The columns describe messages; keep JSON's "JavaScript Object Notation" out. */
        col_set_writable(pinfo->cinfo, -1, FALSE);
        call_dissector(json_handle, payload_tvb, pinfo, appmsg_tree);
        col_set_writable(pinfo->cinfo, -1, TRUE);
    }
    return tvb_captured_length(tvb);
}

static int
dissect_appmsg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    tcp_dissect_pdus(tvb, pinfo, tree, appmsg_desegment, APPMSG_HDR_LEN, get_appmsg_pdu_len,
                     dissect_appmsg_message, data);
    return tvb_captured_length(tvb);
}

/* ---- Registration ---------------------------------------------------------------------------- */

void
proto_register_appmsg(void)
{
    static hf_register_info hf[] = {
        {&hf_appmsg_magic,
         {"Magic", "appmsg.magic", FT_UINT32, BASE_HEX, NULL, 0x0,
          "Marks the start of every message (0x12345678)", HFILL}},
        {&hf_appmsg_type,
         {"Type", "appmsg.type", FT_UINT32, BASE_DEC, NULL, 0x0, "Message type identifier", HFILL}},
        {&hf_appmsg_length,
         {"Length", "appmsg.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Payload bytes after the header", HFILL}},
        {&hf_appmsg_payload,
         {"Payload", "appmsg.payload", FT_STRING, BASE_NONE, NULL, 0x0,
          "Payload text (one JSON value)", HFILL}},
    };
    static gint *ett[] = {&ett_appmsg};
    module_t *appmsg_module;

    proto_appmsg =
        proto_register_protocol("AppMsg Magic-Number Application Protocol", "AppMsg", "appmsg");
    proto_register_field_array(proto_appmsg, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));

    appmsg_handle = register_dissector("appmsg", dissect_appmsg, proto_appmsg);

    appmsg_module = prefs_register_protocol(proto_appmsg, NULL);
    prefs_register_bool_preference(
        appmsg_module, "desegment", "Reassemble messages spanning multiple TCP segments",
        "Whether the AppMsg dissector should reassemble messages spanning multiple TCP segments."
        " To use this option, you must also enable \"Allow subdissectors to reassemble TCP"
        " streams\" in the TCP protocol settings.",
        &appmsg_desegment);
    prefs_register_bool_preference(appmsg_module, "payload_as_json", "Dissect the payload as JSON",
                                   "Hand each payload to Wireshark's JSON dissector.",
                                   &appmsg_payload_as_json);
}

void
proto_reg_handoff_appmsg(void)
{
    json_handle = find_dissector_add_dependency("json", proto_appmsg);
    /* Registers the "TCP port(s)" preference and the Decode As entry. */
    dissector_add_uint_range_with_preference("tcp.port", G_STRINGIFY(APPMSG_DEFAULT_PORT),
                                             appmsg_handle);
}
