/* payload.h — JSON payload text of an exact byte length, from a seeded random source. */
#ifndef APPMSG_GEN_PAYLOAD_H
#define APPMSG_GEN_PAYLOAD_H

#include <glib.h>

/* Replaces out's contents with one JSON value of exactly target_len bytes, written the way
 * Python's json.dumps writes ({"key": value, ...}). Length 0 gives an empty payload, which is not
 * JSON; length 1 gives a one-digit number; below the object skeleton, a JSON string. Text fields
 * mix ASCII words with some UTF-8 words ("ASCII unless the sender chose otherwise"). */
void payload_build(GString *out, GRand *rng, guint64 id, guint32 target_len);

#endif
