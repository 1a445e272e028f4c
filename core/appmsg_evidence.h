/* appmsg_evidence.h — how strongly the start of a TCP segment says "AppMsg": what the heuristic
 * dissector weighs before it takes a connection on a port nobody registered.
 *
 * Pure logic on plain buffers, like the framing core it builds on. The magic alone is four bytes
 * that other protocols' payloads contain now and then; a header whose payload is exactly one JSON
 * value is not. */
#ifndef APPMSG_EVIDENCE_H
#define APPMSG_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "appmsg_frame.h"

typedef enum {
    APPMSG_EVIDENCE_NONE,    /* no magic at the start, a length above the maximum, or a payload
                                that cannot be JSON */
    APPMSG_EVIDENCE_PREFIX,  /* the whole magic, but the segment ends inside the header */
    APPMSG_EVIDENCE_HEADER,  /* a plausible header: the payload starts like JSON, or is empty, or
                                is not in this segment */
    APPMSG_EVIDENCE_MESSAGE, /* a whole message whose payload is one valid JSON value, with
                                nothing after it or another magic (or the start of one) */
} appmsg_evidence;

/* What the first avail bytes of a segment are evidence of; *frame (if not NULL) gets what the
 * framing core read there. */
appmsg_evidence appmsg_evidence_of(const uint8_t *buf, size_t avail, const appmsg_frame_opts *opts,
                                   appmsg_frame *frame);

#endif
