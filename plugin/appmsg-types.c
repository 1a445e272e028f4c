/* appmsg-types.c — the type-name table (UAT).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/proto.h>
#include <epan/uat.h>

#include "appmsg-compat.h"
#include "appmsg-types.h"

typedef struct {
    guint32 type;
    char *name;
} type_name_rec;

static type_name_rec *type_names;
static guint num_type_names;
static GHashTable *names_by_type; /* type → name, rebuilt when the table changes */
static int hf_type = -1;          /* the type field, whose value_string follows the table */
static value_string *type_vals;   /* the table as a value_string, for that field */

const value_string appmsg_no_type_names[] = {{0, NULL}};

/* cppcheck-suppress unknownMacro ; epan/uat.h defines it, cppcheck reads no epan headers */
UAT_DEC_CB_DEF(appmsg_types, type, type_name_rec)
UAT_CSTRING_CB_DEF(appmsg_types, name, type_name_rec)

static void *
type_name_copy(void *dest, const void *source, size_t len _U_)
{
    type_name_rec *d = dest;
    const type_name_rec *s = source;

    d->type = s->type;
    d->name = g_strdup(s->name);
    return d;
}

static appmsg_bool
type_name_update(void *record, char **error)
{
    type_name_rec *r = record;

    if (!r->name || !*r->name) {
        *error = g_strdup_printf("type %u: the name is empty", r->type);
        return FALSE;
    }
    return TRUE;
}

static void
type_name_free(void *record)
{
    g_free(((type_name_rec *)record)->name);
}

/* The type field's value_string becomes the table: display filters then take the names
 * (appmsg.type == login), and the field shows "login (1)", or the number alone for a type
 * without a name (BASE_SPECIAL_VALS). */
static void
set_field_names(void)
{
    header_field_info *hfinfo;
    value_string *old = type_vals;

    if (hf_type <= 0)
        return;
    type_vals = g_new0(value_string, num_type_names + 1);
    for (guint i = 0; i < num_type_names; i++) {
        type_vals[i].value = type_names[i].type;
        type_vals[i].strptr = type_names[i].name;
    }
    hfinfo = proto_registrar_get_nth((guint)hf_type);
    hfinfo->strings = type_vals;
    g_free(old);
}

static void
type_names_changed(void)
{
    g_hash_table_remove_all(names_by_type);
    for (guint i = 0; i < num_type_names; i++)
        g_hash_table_insert(names_by_type, GUINT_TO_POINTER(type_names[i].type),
                            type_names[i].name);
    set_field_names();
}

void
appmsg_types_attach(int hf)
{
    hf_type = hf;
    set_field_names();
}

const char *
appmsg_type_name(guint32 type)
{
    return num_type_names ? g_hash_table_lookup(names_by_type, GUINT_TO_POINTER(type)) : NULL;
}

void
appmsg_type_format(char *buf, gsize size, guint32 type)
{
    const char *name = appmsg_type_name(type);

    if (name)
        g_snprintf(buf, size, "%s (%u)", name, type);
    else
        g_snprintf(buf, size, "%u", type);
}

void
appmsg_types_register(module_t *module)
{
    static uat_field_t fields[] = {
        UAT_FLD_DEC(appmsg_types, type, "Type", "Message type number (0 to 4294967295)"),
        UAT_FLD_CSTRING(appmsg_types, name, "Name", "Name shown beside the number"),
        UAT_END_FIELDS};
    uat_t *uat;

    names_by_type = g_hash_table_new(g_direct_hash, g_direct_equal);
    uat = uat_new("AppMsg Type Names", sizeof(type_name_rec), "appmsg_types", TRUE, &type_names,
                  &num_type_names, UAT_AFFECTS_DISSECTION, NULL, type_name_copy, type_name_update,
                  type_name_free, type_names_changed, NULL, fields);
    prefs_register_uat_preference(module, "type_names", "Type names",
                                  "Names for message type numbers, shown beside the number", uat);
}
