/* appmsg-types.h — names for message types, from a user table (UAT).
 *
 * Preferences → Protocols → AppMsg → Type names; stored in the profile as "appmsg_types". */
#ifndef APPMSG_TYPES_H
#define APPMSG_TYPES_H

#include <epan/prefs.h>

void appmsg_types_register(module_t *module);
/* The user's name for type, or NULL. */
const char *appmsg_type_name(guint32 type);
/* "login (1)" for a named type, else "4", into buf (ITEM_LABEL_LENGTH bytes): the type field's
 * BASE_CUSTOM formatter, so the text is made only when a label is shown. */
void appmsg_type_format(gchar *buf, guint32 type);

#endif
