/* appmsg_reader.h — reading what TCP delivers: the next item at an offset of a segment's data
 * (or of a reassembly), as the dissector's loop goes over it: a message, skipped bytes, a header
 * whose length is above the maximum, an incomplete message to wait for or one the stream ends
 * inside of.
 *
 * Pure logic on plain buffers: no state but the arguments. What an item means for the connection
 * (the kind of a skipped run, the echo pairing) is appmsg_conn.h's. */
#ifndef APPMSG_READER_H
#define APPMSG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "appmsg_conn.h"
#include "appmsg_frame.h"

typedef enum {
    APPMSG_READ_MESSAGE,   /* a whole message (f) */
    APPMSG_READ_SKIPPED,   /* bytes without a magic, up to the next magic or the data's end */
    APPMSG_READ_TOO_LONG,  /* a header whose length is above the maximum: not waited for */
    APPMSG_READ_WAIT,      /* an incomplete message: the rest of the data waits for more */
    APPMSG_READ_TRUNCATED, /* an incomplete message and nothing more will come: the rest */
} appmsg_read_kind;

typedef struct {
    appmsg_read_kind kind;
    appmsg_frame f; /* what the framing core read at the offset, length mistakes read through */
    size_t len;     /* bytes of the data this item covers */
    uint32_t more;  /* WAIT: bytes needed beyond the data; 0: the next segment, whole */
    uint64_t whole; /* WAIT: bytes the whole message needs, when known (else what is needed) */
} appmsg_read;

/* The item at offset of len bytes of data. reassembled: the data begins with a message that
 * waited (TCP put it together). can_wait: more bytes may come and TCP will hold these for them;
 * else an incomplete message is truncated. */
appmsg_read appmsg_read_next(const uint8_t *buf, size_t len, size_t offset, bool reassembled,
                             bool can_wait, const appmsg_frame_opts *opts);

/* A run of skipped bytes, [offset, offset + run_len) of len bytes of data, as appmsg_conn_skipped
 * weighs it. */
appmsg_run appmsg_run_of(const uint8_t *buf, size_t len, size_t offset, size_t run_len);

#endif
