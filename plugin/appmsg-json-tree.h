/* appmsg-json-tree.h — a payload's JSON members as a subtree, built from wsutil's jsmn tokens.
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

/* Gives payload_item a subtree of the members (or elements) of the JSON object (or array) in
 * text: the payload at offset in tvb, NUL-terminated and already checked to be one JSON value.
 * Scalars add nothing: the payload item shows them whole. */
void appmsg_json_tree_add(proto_item *payload_item, tvbuff_t *tvb, int offset, packet_info *pinfo,
                          const char *text);

#endif
