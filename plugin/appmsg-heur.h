/* appmsg-heur.h — finding AppMsg on TCP ports nobody registered (the "appmsg_tcp" heuristic).
 *
 * A connection is taken only on evidence that holds up (core/appmsg_evidence.h): a whole message
 * whose payload is one JSON value, anywhere; a plausible header in the first data of a
 * direction; or two consecutive headers (a segment that starts with a magic exactly where the
 * previous header said its message ends). Never on a port another dissector owns, never from a
 * conversation another dissector was given, and only from the frame that held the evidence on:
 * frames before it stay as they were, in every pass. docs/dissector.md says the same for users. */
#ifndef APPMSG_HEUR_H
#define APPMSG_HEUR_H

#include <epan/packet.h>

#include "appmsg_frame.h"

/* Registers the heuristic on TCP; call from handoff. What it takes goes to handle from then on,
 * and to dissect (handle's function) at once; opts() gives the framing preferences of the
 * moment. */
void appmsg_heur_register(int proto, dissector_handle_t handle, dissector_t dissect,
                          appmsg_frame_opts (*opts)(void));

#endif
