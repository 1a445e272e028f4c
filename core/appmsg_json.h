/* appmsg_json.h — is a payload exactly one JSON value (RFC 8259)?
 *
 * Wireshark 4.0's json_validate() (jsmn) is no help here: it rejects a bare top-level number
 * ("7", what json.dumps(7) sends) and accepts two values in a row ("7 8"). This checks the
 * grammar strictly, in one pass, with bounded nesting. JSON text is UTF-8 (RFC 8259 section
 * 8.1), and outside strings it is ASCII, so the same pass checks the UTF-8 inside strings: a
 * valid payload is valid UTF-8 without NUL bytes, and needs no second check. */
#ifndef APPMSG_JSON_H
#define APPMSG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APPMSG_JSON_MAX_DEPTH 256

/* The payload's member list (plugin/appmsg-json-tree.c, and the Lua edition's): with more JSON
 * tokens than this in one payload it is not built, and a note says so instead (its text, with
 * the count and the limit): a hostile 16 MiB payload must not become millions of items. */
#define APPMSG_JSON_TREE_MAX_TOKENS 4096
#define APPMSG_JSON_TREE_TOO_MANY                                                                  \
    "JSON tree not shown: %d tokens, more than %d (the appmsg.json_dissector preference shows it " \
    "all)"

typedef struct {
    size_t offset;       /* where the payload stops being JSON */
    const char *problem; /* what was wrong there, e.g. "expected a value" */
} appmsg_json_error;

/* true when buf holds exactly one JSON value, with optional white space around it, in valid
 * UTF-8. On false, *err (if not NULL) says where and why. */
bool appmsg_json_valid(const uint8_t *buf, size_t len, appmsg_json_error *err);

/* What is wrong with a message's payload (appmsg_kinds.h): 0 for exactly one JSON value, else the
 * first of APPMSG_ERR_NOT_UTF8 (*err says from which byte) and APPMSG_ERR_NOT_JSON (*err says
 * where and why). */
uint32_t appmsg_payload_check(const uint8_t *buf, size_t len, appmsg_json_error *err);

#endif
