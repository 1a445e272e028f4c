/* scenario.h — what the client says: a deterministic sequence of messages (type + payload).
 *
 * First stage of the generator's pipeline; knows nothing of segments, TCP or files. */
#ifndef APPMSG_GEN_SCENARIO_H
#define APPMSG_GEN_SCENARIO_H

#include <glib.h>

typedef struct {
    guint64 count;              /* messages the client sends */
    guint32 type_min, type_max; /* type drawn uniformly in [min, max] */
    guint32 size_min, size_max; /* payload bytes drawn uniformly in [min, max] */
    guint64 seed;
    GPtrArray *payloads; /* GBytes used in turn instead of generated ones; NULL: generate */
} scenario_config;

typedef struct {
    guint64 index; /* 0-based position in the scenario */
    guint32 type;
    const guint8 *payload; /* valid until the next scenario_next() */
    guint32 length;
} scenario_message;

typedef struct scenario scenario;

scenario *scenario_new(const scenario_config *cfg);
/* Fills *msg with the next message; FALSE when the scenario is over. */
gboolean scenario_next(scenario *s, scenario_message *msg);
void scenario_free(scenario *s);

#endif
