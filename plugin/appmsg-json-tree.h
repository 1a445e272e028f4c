/* appmsg-json-tree.h — a payload's JSON members as a subtree, built from the tokens the payload's
 * check found (core/appmsg_json.h: one pass over the payload, not two).
 *
 * Wireshark's JSON dissector costs more per message than all the rest of our work together
 * (it builds a dozen items for a three-member object). This shows the same members, one item
 * each ("op: \"ping\""), with two filter fields: appmsg.json.member ("op:ping", as
 * json.member_with_value) and appmsg.json.element (array elements). The JSON dissector stays
 * available through the appmsg.json_dissector preference.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef APPMSG_JSON_TREE_H
#define APPMSG_JSON_TREE_H

#include <epan/packet.h>

#include "appmsg_json.h" /* APPMSG_JSON_TREE_MAX_TOKENS */

/* Its subtree; call from proto_register (its fields are in appmsg-fields.h). */
void appmsg_json_tree_register(void);

/* Whether a tree would show or filter the members: parsing is skipped otherwise. */
gboolean appmsg_json_tree_wanted(proto_tree *tree);

/* Tokens that fit in the caller's array need no allocation: most payloads have a few dozen. */
#define APPMSG_JSON_TREE_STACK_TOKENS 128

/* Gives payload_item a subtree of the members (or elements) of the JSON object (or array) in
 * text: the payload at offset in tvb (length bytes, NUL-terminated), checked to be one JSON
 * value by appmsg_payload_check_tokens(), which filled tokens (if there were more than its
 * room, they are found again here). Scalars add nothing: the payload item shows them whole. */
void appmsg_json_tree_add(proto_item *payload_item, tvbuff_t *tvb, int offset, packet_info *pinfo,
                          const char *text, guint32 length, const appmsg_json_tokens *tokens);

#endif
