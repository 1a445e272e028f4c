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

/* The JSON values of a checked payload, in the order they start (jsmn's layout, so that a tree
 * can be built from the one pass that checks the payload). */
typedef enum {
    APPMSG_JSON_OBJECT = 1,
    APPMSG_JSON_ARRAY,
    APPMSG_JSON_STRING,   /* a member name too */
    APPMSG_JSON_PRIMITIVE /* number, true, false, null */
} appmsg_json_type;

typedef struct {
    appmsg_json_type type;
    uint32_t start, end; /* offsets in the payload; a string's without its quotes */
    uint32_t size;       /* an object's members, an array's elements */
} appmsg_json_token;

/* Where the check puts the tokens: cap of them in tok; count says how many the payload has,
 * also when that is more than cap (then the first cap are there and the rest are not). */
typedef struct {
    appmsg_json_token *tok;
    size_t cap, count;
} appmsg_json_tokens;

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

/* The same check, also filling *tokens (when not NULL) with the payload's values: what a
 * member list is built from, without parsing the payload a second time. On a payload that is
 * not JSON the tokens mean nothing. */
uint32_t appmsg_payload_check_tokens(const uint8_t *buf, size_t len, appmsg_json_error *err,
                                     appmsg_json_tokens *tokens);

#endif
