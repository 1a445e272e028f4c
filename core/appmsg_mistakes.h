/* appmsg_mistakes.h — the length mistakes socket tutorials' readers make, read from the bytes.
 *
 * A length that counts the 12-byte header (len(header + payload)), or that counts characters
 * rather than UTF-8 bytes (len(text) before .encode()), frames every later message wrong for a
 * plain reader. Both leave an exact trace: the next magic sits header-length bytes before where
 * the length says the message ends, or the length's count of characters ends at the next magic.
 * Pure logic on plain buffers, like the framing core it refines. */
#ifndef APPMSG_MISTAKES_H
#define APPMSG_MISTAKES_H

#include <stddef.h>
#include <stdint.h>

#include "appmsg_frame.h"

/* Refines what appmsg_frame_next() read at the start of buf (avail bytes): a message whose
 * length is one of these mistakes becomes a MESSAGE of its real extent (f->mistakes says which,
 * f->declared keeps the length field). Decides only from the bytes there are: it never asks
 * for more. Never reads past avail. */
void appmsg_length_mistakes(const uint8_t *buf, size_t avail, appmsg_frame *f);

/* What a reader finds at the start of buf: appmsg_frame_next(), with the length mistakes read
 * through. The dissector and the fuzzers read messages with it. */
appmsg_frame appmsg_frame_read(const uint8_t *buf, size_t avail, const appmsg_frame_opts *opts);

#endif
