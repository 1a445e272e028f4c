/* appmsg-fields.h — the ids of the dissector's fields (hf_appmsg_magic, ...), one per row of
 * core/appmsg_fields.h, all registered by packet-appmsg.c. */
#ifndef APPMSG_PLUGIN_FIELDS_H
#define APPMSG_PLUGIN_FIELDS_H

#include "appmsg_fields.h"

#define APPMSG_HF_EXTERN(id, ...) extern int hf_appmsg_##id;
APPMSG_FIELDS(APPMSG_HF_EXTERN)
#undef APPMSG_HF_EXTERN

#endif
