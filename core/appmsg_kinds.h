/* appmsg_kinds.h — every problem the dissector names, and every error the generator injects:
 * the one list both are made from.
 *
 * The plugin registers an expert info per problem and labels the Info column, Follow and the
 * statistics with it; the generator takes its --inject names, their help lines, --list-kinds and
 * the manifest's "error" names from the injections, each of which names the problem a reader
 * reports for it. The tables in docs/ are printed from here (tests/kinds_doc.c) and checked by
 * the doc_kinds test. Adding a kind: one row here, and the code that makes or finds it.
 *
 * Plain C: no Wireshark types. An expert's group and severity are the words after PI_ in epan's
 * expert.h (the plugin pastes them on). */
#ifndef APPMSG_KINDS_H
#define APPMSG_KINDS_H

/* X(ID, expert field, group, severity, summary, Info label, statistics row). The order is the
 * order problems are listed in the Info column, Follow and the statistics. */
#define APPMSG_PROBLEMS(X)                                                                         \
    X(BAD_MAGIC, "appmsg.bad_magic", MALFORMED, ERROR,                                             \
      "Bad magic: bytes skipped to the next magic", "bad magic", "Bad magic (resynchronisations)") \
    X(TOO_LONG, "appmsg.length_too_large", MALFORMED, ERROR,                                       \
      "Length above the maximum: skipped to the next magic", "length above maximum",               \
      "Length above maximum")                                                                      \
    X(NOT_UTF8, "appmsg.payload.not_utf8", MALFORMED, WARN, "Payload is not valid UTF-8",          \
      "not UTF-8", "Payload not UTF-8")                                                            \
    X(NOT_JSON, "appmsg.payload.not_json", MALFORMED, WARN, "Payload is not JSON", "not JSON",     \
      "Payload not JSON")                                                                          \
    X(BAD_CHECKSUM, "appmsg.checksum.bad", CHECKSUM, ERROR, "Checksum mismatch", "bad checksum",   \
      "Checksum mismatch")                                                                         \
    X(TRUNCATED, "appmsg.truncated", MALFORMED, ERROR, "Stream ended inside a message",            \
      "truncated", "Truncated message")                                                            \
    X(ECHO_DIFFERS, "appmsg.echo_differs", SEQUENCE, WARN, "Echo differs from its request",        \
      "echo differs", "Echo differs from request")                                                 \
    /* The sender's mistakes (docs/debugging.md): named, with their fix. */                        \
    X(LE_HEADER, "appmsg.mistake.little_endian", PROTOCOL, ERROR,                                  \
      "Header written little-endian; the protocol is big-endian", "little-endian header",          \
      "Little-endian header")                                                                      \
    X(LENGTH_WITH_HEADER, "appmsg.mistake.length_with_header", PROTOCOL, ERROR,                    \
      "Length counts the header; it is the payload's size alone", "length counts the header",      \
      "Length counts the header")                                                                  \
    X(LENGTH_IN_CHARS, "appmsg.mistake.length_in_chars", PROTOCOL, ERROR,                          \
      "Length counts characters, not UTF-8 bytes", "length counts characters",                     \
      "Length counts characters")                                                                  \
    X(NO_HEADER, "appmsg.mistake.no_header", PROTOCOL, ERROR,                                      \
      "JSON text without a header where a message should start", "JSON without a header",          \
      "JSON without a header")

typedef enum {
#define APPMSG_PROBLEM_ID(id, ...) APPMSG_PROBLEM_##id,
    APPMSG_PROBLEMS(APPMSG_PROBLEM_ID)
#undef APPMSG_PROBLEM_ID
        APPMSG_N_PROBLEMS
} appmsg_problem;

/* A set of problems, one bit each: APPMSG_ERR_BAD_MAGIC is 1 << APPMSG_PROBLEM_BAD_MAGIC. */
enum {
#define APPMSG_PROBLEM_BIT(id, ...) APPMSG_ERR_##id = 1u << APPMSG_PROBLEM_##id,
    APPMSG_PROBLEMS(APPMSG_PROBLEM_BIT)
#undef APPMSG_PROBLEM_BIT
};

/* X(ID, --inject name, what the manifest says of it and where, problem a reader reports, what it
 * does). Where (docs/manifest.md): REQUEST, the "error" of the request's line; ECHO, the "error"
 * of its echo's line; KEY, a key of the request's line of its own. */
#define APPMSG_INJECTIONS(X)                                                                       \
    X(BAD_MAGIC, "bad-magic", "bad_magic", REQUEST, BAD_MAGIC,                                     \
      "wrong magic: a reader skips the message")                                                   \
    X(OVERSIZE, "oversize", "oversize", REQUEST, TOO_LONG, "length field far above any maximum")   \
    X(BAD_UTF8, "bad-utf8", "bad_utf8", REQUEST, NOT_UTF8, "payload bytes that are not UTF-8")     \
    X(BAD_JSON, "bad-json", "bad_json", REQUEST, NOT_JSON, "payload that is not JSON")             \
    X(BAD_CHECKSUM, "bad-checksum", "bad_checksum", REQUEST, BAD_CHECKSUM,                         \
      "wrong CRC-32 (needs --checked)")                                                            \
    X(GARBAGE, "garbage", "garbage_before", KEY, BAD_MAGIC,                                        \
      "17 bytes without a magic before the message")                                               \
    X(CUT, "cut", "cut", REQUEST, TRUNCATED, "the client's stream ends inside the message")        \
    X(ECHO_PAYLOAD, "echo-payload", "echo_differs", ECHO, ECHO_DIFFERS,                            \
      "the server's echo has a changed payload byte")                                              \
    X(ECHO_TYPE, "echo-type", "echo_differs", ECHO, ECHO_DIFFERS,                                  \
      "the server's echo has another type")                                                        \
    X(LE_HEADER, "le-header", "le_header", REQUEST, LE_HEADER,                                     \
      "the whole header little-endian (struct.pack('<III'))")                                      \
    X(LE_LENGTH, "le-length", "le_length", REQUEST, LE_HEADER,                                     \
      "htonl() on the magic only: type and length in host order")                                  \
    X(LENGTH_WITH_HEADER, "length-with-header", "length_with_header", REQUEST, LENGTH_WITH_HEADER, \
      "the length counts the header too")                                                          \
    X(LENGTH_IN_CHARS, "length-in-chars", "length_in_chars", REQUEST, LENGTH_IN_CHARS,             \
      "the length counts characters, not UTF-8 bytes")                                             \
    X(NO_HEADER, "no-header", "no_header", REQUEST, NO_HEADER,                                     \
      "the payload alone, without a header")

typedef enum {
#define APPMSG_INJECTION_ID(id, ...) INJ_##id,
    APPMSG_INJECTIONS(APPMSG_INJECTION_ID)
#undef APPMSG_INJECTION_ID
        INJ_KIND_COUNT
} inject_kind;

/* One row of each list, as data. */
typedef struct {
    const char *expert, *group, *severity, *summary, *label, *stats_row;
} appmsg_problem_info;

typedef enum {
    APPMSG_MANIFEST_REQUEST,
    APPMSG_MANIFEST_ECHO,
    APPMSG_MANIFEST_KEY
} appmsg_manifest_place;

typedef struct {
    const char *name, *manifest_name, *description;
    appmsg_manifest_place manifest_place;
    appmsg_problem problem;
} appmsg_injection_info;

extern const appmsg_problem_info appmsg_problem_table[APPMSG_N_PROBLEMS];
extern const appmsg_injection_info appmsg_injection_table[INJ_KIND_COUNT];

#endif
