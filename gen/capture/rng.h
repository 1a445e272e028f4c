/* rng.h — the generator's random streams: every choice comes from --seed, so the same arguments
 * give the same bytes. Each pipeline stage draws from its own stream (a distinct tag), so that
 * changing one stage, such as the segmentation, never changes another's choices. */
#ifndef APPMSG_GEN_RNG_H
#define APPMSG_GEN_RNG_H

#include <glib.h>

enum {
    RNG_STREAM_SCENARIO = 0x5ce7a210u,
    RNG_STREAM_SEGMENTER = 0x5e6c0472u,
    RNG_STREAM_TCP = 0x7c9b1e55u,
    RNG_STREAM_ECHO = 0xec40de1au,
};

static inline GRand *
rng_new(guint64 seed, guint32 stream)
{
    guint32 words[3] = {(guint32)seed, (guint32)(seed >> 32), stream};
    return g_rand_new_with_seed_array(words, G_N_ELEMENTS(words));
}

#endif
