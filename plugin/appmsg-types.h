/* appmsg-types.h — names for message types, from a user table (UAT).
 *
 * Preferences → Protocols → AppMsg → Type names; stored in the profile as "appmsg_types". */
#ifndef APPMSG_TYPES_H
#define APPMSG_TYPES_H

#include <epan/prefs.h>

void appmsg_types_register(module_t *module);
/* The user's name for type, or NULL. */
const char *appmsg_type_name(guint32 type);
/* The form the type field shows, for every other text: "login (1)" with a name, else "1". */
void appmsg_type_format(char *buf, gsize size, guint32 type);
/* The type field's value_string until the table is read (register the field with it). */
extern const value_string appmsg_no_type_names[];
/* From now on the type field's names follow the table (call once the field is registered). */
void appmsg_types_attach(int hf_type);

#endif
