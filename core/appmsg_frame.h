/* appmsg_frame.h — finding messages in a byte stream: the framing core.
 *
 * Pure logic on plain buffers (no Wireshark types), shared by the dissector and the tests, and
 * small enough to fuzz: header parse, magic scan for resynchronisation, length limit, CRC-32. */
#ifndef APPMSG_FRAME_H
#define APPMSG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    APPMSG_FRAME_MESSAGE,   /* a whole message: header and payload, len bytes */
    APPMSG_FRAME_NEED_MORE, /* too few bytes to decide: need bytes from the start are needed */
    APPMSG_FRAME_BAD_MAGIC, /* no magic at the start: len bytes (>= 1) to skip to the next
                               candidate magic, which may be a partial one at the very end */
    APPMSG_FRAME_TOO_LONG,  /* a header whose length is above the maximum: len = header size;
                               resynchronise after it */
} appmsg_frame_kind;

typedef struct {
    bool checked;        /* 16-byte layout with a CRC-32 of the payload */
    uint32_t max_length; /* longest payload accepted */
} appmsg_frame_opts;

/* A sender's mistake the reading still frames a message through (appmsg_frame.mistakes):
 * LE_HEADER, magic 0x78563412, the whole header little-endian; LE_LENGTH, the right magic but a
 * length absurd as written and plausible byte-swapped (the type is swapped too); the length
 * counts the header, or characters (both appmsg_mistakes.h). */
#define APPMSG_MISTAKE_LE_HEADER          0x1
#define APPMSG_MISTAKE_LE_LENGTH          0x2
#define APPMSG_MISTAKE_LENGTH_WITH_HEADER 0x4
#define APPMSG_MISTAKE_LENGTH_IN_CHARS    0x8

typedef struct {
    appmsg_frame_kind kind;
    size_t len;  /* bytes this result covers (MESSAGE, BAD_MAGIC, TOO_LONG) */
    size_t need; /* NEED_MORE: bytes needed from the start; 0 if the header is not whole yet */
    size_t header_len;
    bool have_header;                /* type, length and checksum below were read */
    uint32_t type, length, checksum; /* length: the payload's bytes, as framed */
    uint32_t declared;               /* the length field, in the byte order the sender used */
    uint8_t mistakes;                /* APPMSG_MISTAKE_* */
} appmsg_frame;

/* Looks at the start of buf (avail bytes) and says what is there. Never reads past avail. A
 * little-endian header (APPMSG_MISTAKE_LE_*) is read in the order it was written. */
appmsg_frame appmsg_frame_next(const uint8_t *buf, size_t avail, const appmsg_frame_opts *opts);

/* Offset of the first full magic in buf (either byte order), or of a tail that is the start of
 * one (the stream may complete it), or len when there is neither. */
size_t appmsg_find_magic(const uint8_t *buf, size_t len);

/* Whether the first min(avail, 4) bytes at p are the magic's first bytes, in either byte order
 * (appmsg_find_magic(p, avail) == 0 for avail > 0, without a search). */
bool appmsg_magic_starts(const uint8_t *p, size_t avail);

/* The checked layout's checksum: CRC-32 (IEEE 802.3), as zlib's crc32() computes it. */
uint32_t appmsg_payload_crc32(const uint8_t *payload, size_t len);

#endif
