/* appmsg_fields.h — every display-filter field and preference the dissector offers: the one list
 * the C plugin registers (packet-appmsg.c) and the Lua edition is generated from
 * (lua/lua_header.c), so that both have the same names, types and descriptions.
 *
 * Plain C: no Wireshark types. A field's type is the tail of FT_*, its display the tail of BASE_*
 * (DEC_SPECIAL: BASE_DEC | BASE_SPECIAL_VALS), its strings one of: NONE, TYPE_NAMES (the type
 * table), CHECKSUM_STATUS (Good/Bad...), RESPONSE / REQUEST (a frame number's link). */
#ifndef APPMSG_FIELDS_H
#define APPMSG_FIELDS_H

#include "appmsg_wire.h"

/* X(id, abbreviation, name, type, display, strings, description) */
#define APPMSG_FIELDS(X)                                                                           \
    X(magic, "appmsg.magic", "Magic", UINT32, HEX, NONE,                                           \
      "Marks the start of every message (0x12345678)")                                             \
    X(from_client, "appmsg.from_client", "From client", BOOLEAN, NONE, NONE,                       \
      "Sent by the client (the side that sent the SYN; else the side not on the AppMsg port)")     \
    X(type, "appmsg.type", "Type", UINT32, DEC_SPECIAL, TYPE_NAMES,                                \
      "Message type identifier (with its name from the type table; filters take the name)")        \
    X(length, "appmsg.length", "Length", UINT32, DEC, NONE, "Payload bytes after the header")      \
    X(checksum, "appmsg.checksum", "Checksum", UINT32, HEX, NONE,                                  \
      "CRC-32 of the payload (checked layout)")                                                    \
    X(checksum_status, "appmsg.checksum.status", "Checksum Status", UINT8, NONE, CHECKSUM_STATUS,  \
      NULL)                                                                                        \
    X(payload, "appmsg.payload", "Payload", STRING, NONE, NONE, "Payload text (one JSON value)")   \
    X(response_in, "appmsg.response_in", "Echo in", FRAMENUM, NONE, RESPONSE,                      \
      "The frame that completes the echo of this client message")                                  \
    X(response_to, "appmsg.response_to", "Echo of", FRAMENUM, NONE, REQUEST,                       \
      "The frame that completed the request this server message echoes")                           \
    X(time, "appmsg.time", "Time since request", RELATIVE_TIME, NONE, NONE,                        \
      "Time between the request and its echo")                                                     \
    X(skipped, "appmsg.skipped", "Skipped bytes", BYTES, NONE, NONE,                               \
      "Bytes skipped while looking for the next magic")                                            \
    X(truncated_start, "appmsg.truncated.start", "Truncated message starts in", FRAMENUM, NONE,    \
      NONE, "Frame holding the first bytes of a message the stream ended inside of")               \
    X(truncated_seen, "appmsg.truncated.seen", "Bytes seen", UINT64, DEC, NONE,                    \
      "Payload bytes of the truncated message that were seen (header bytes, when the header"       \
      " itself was cut)")                                                                          \
    X(segments, "appmsg.segments", "TCP segments", UINT32, DEC, NONE,                              \
      "TCP segments that carry bytes of this message: above 1, a single recv() would get"          \
      " only part of it")                                                                          \
    X(merged, "appmsg.merged", "Merged with", UINT32, DEC, NONE,                                   \
      "Other messages that share a TCP segment with this one: above 0, a single recv()"            \
      " would get several messages at once")                                                       \
    X(json_member, "appmsg.json.member", "Member", STRING, NONE, NONE,                             \
      "A JSON object member as key:value (strings unescaped, without quotes); just the key "       \
      "when the value is an object or array")                                                      \
    X(json_element, "appmsg.json.element", "Element", STRING, NONE, NONE,                          \
      "A JSON array element that is not an object or array (strings unescaped)")

/* The dissector's preferences (appmsg.NAME): X(name, kind, default, title, description); kind
 * BOOL or UINT (decimal). The TCP port(s) preference comes with the port's registration. */
#define APPMSG_PREFS(X)                                                                            \
    X(desegment, BOOL, 1, "Reassemble messages spanning multiple TCP segments",                    \
      "Whether the AppMsg dissector should reassemble messages spanning multiple TCP segments."    \
      " To use this option, you must also enable \"Allow subdissectors to reassemble TCP"          \
      " streams\" in the TCP protocol settings.")                                                  \
    X(checked, BOOL, 0, "Checked layout (16-byte header with CRC-32)",                             \
      "Read a CRC-32 of the payload after the length field (the checked layout of the AppMsg"      \
      " protocol). Nothing on the wire says which layout a connection uses.")                      \
    X(max_length, UINT, APPMSG_DEFAULT_MAX_LENGTH, "Maximum payload length",                       \
      "A header whose length is above this is reported and skipped, not waited for")               \
    X(payload_as_json, BOOL, 1, "Dissect the payload as JSON",                                     \
      "Show the members of each valid JSON payload under it (appmsg.json.member,"                  \
      " appmsg.json.element).")                                                                    \
    X(json_dissector, BOOL, 0, "Use Wireshark's JSON dissector for the payload",                   \
      "Hand each valid payload to Wireshark's JSON dissector (json.* fields) instead of our"       \
      " member list. About twice as slow in all.")

#endif
