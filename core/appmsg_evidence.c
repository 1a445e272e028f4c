/* appmsg_evidence.c — the heuristic's evidence, from the framing core and the JSON check. */
#include <string.h>

#include "appmsg_evidence.h"
#include "appmsg_json.h"

/* A byte a JSON text may begin with: white space or the first byte of a value. */
static bool
json_may_start_with(uint8_t c)
{
    return c != 0 && strchr(" \t\n\r{[\"-tfn0123456789", c) != NULL;
}

appmsg_evidence
appmsg_evidence_of(const uint8_t *buf, size_t avail, const appmsg_frame_opts *opts,
                   appmsg_frame *frame)
{
    appmsg_frame f;

    if (avail < 4)
        return APPMSG_EVIDENCE_NONE; /* not even the magic */
    f = appmsg_frame_next(buf, avail, opts);
    if (frame)
        *frame = f;
    if (f.kind == APPMSG_FRAME_BAD_MAGIC || f.kind == APPMSG_FRAME_TOO_LONG)
        return APPMSG_EVIDENCE_NONE;
    if (!f.have_header)
        return APPMSG_EVIDENCE_PREFIX;
    if (f.length > 0 && avail > f.header_len && !json_may_start_with(buf[f.header_len]))
        return APPMSG_EVIDENCE_NONE;
    if (f.kind != APPMSG_FRAME_MESSAGE || f.length == 0 ||
        !appmsg_json_valid(buf + f.header_len, f.length, NULL))
        return APPMSG_EVIDENCE_HEADER;
    /* What follows must be the next message: a magic, or as much of one as the segment holds. */
    if (f.len < avail && appmsg_find_magic(buf + f.len, avail - f.len) != 0)
        return APPMSG_EVIDENCE_HEADER;
    return APPMSG_EVIDENCE_MESSAGE;
}
