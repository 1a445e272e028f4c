/* lua_header — the head of appmsg.lua, the Lua edition: its protocol, fields and expert infos,
 * written from the C plugin's lists (core/appmsg_fields.h, core/appmsg_kinds.h,
 * core/appmsg_json.h) so that both editions offer the same names, types and texts. CMake puts
 * it before lua/appmsg-body.lua.
 *
 *   lua_header > appmsg-head.lua */
#include <stdio.h>
#include <string.h>

#include "appmsg_fields.h"
#include "appmsg_json.h"
#include "appmsg_kinds.h"

/* s as a Lua string literal. */
static void
put_lua_string(const char *s)
{
    if (!s) {
        fputs("nil", stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

/* Wireshark's Lua API for each of core/appmsg_fields.h's types, displays and strings. */
static const char *
lua_constructor(const char *type)
{
    static const struct {
        const char *type, *lua;
    } map[] = {{"UINT8", "uint8"},       {"UINT32", "uint32"},
               {"UINT64", "uint64"},     {"BOOLEAN", "bool"},
               {"STRING", "string"},     {"BYTES", "bytes"},
               {"FRAMENUM", "framenum"}, {"RELATIVE_TIME", "relative_time"}};

    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].type, type) == 0)
            return map[i].lua;
    return NULL;
}

static void
put_field(const char *id, const char *abbrev, const char *name, const char *type,
          const char *display, const char *strings, const char *blurb)
{
    const char *ctor = lua_constructor(type);
    /* Lua takes no BASE_NONE for an integer (checksum status): decimal, as the value shows. */
    const char *base = strcmp(display, "HEX") == 0 ? "base.HEX" : "base.DEC";

    printf("F.%s = ProtoField.%s(", id, ctor);
    put_lua_string(abbrev);
    fputs(", ", stdout);
    put_lua_string(name);
    if (strcmp(type, "STRING") == 0 || strcmp(type, "BYTES") == 0 ||
        strcmp(type, "RELATIVE_TIME") == 0) {
        /* (abbr, name, [display], [desc]); relative_time has no display */
        if (strcmp(type, "RELATIVE_TIME") != 0)
            fputs(", base.NONE", stdout);
    } else if (strcmp(type, "BOOLEAN") == 0) {
        fputs(", base.NONE, nil, nil", stdout);
    } else if (strcmp(type, "FRAMENUM") == 0) {
        printf(", base.NONE, %s, nil", strcmp(strings, "RESPONSE") == 0  ? "frametype.RESPONSE"
                                       : strcmp(strings, "REQUEST") == 0 ? "frametype.REQUEST"
                                                                         : "nil");
    } else {
        printf(", %s, %s, nil", base,
               strcmp(strings, "TYPE_NAMES") == 0        ? "type_names"
               : strcmp(strings, "CHECKSUM_STATUS") == 0 ? "checksum_status"
                                                         : "nil");
    }
    fputs(", ", stdout);
    put_lua_string(blurb);
    fputs(")\n", stdout);
}

int
main(void)
{
    puts("-- appmsg.lua: generated from core/appmsg_fields.h and core/appmsg_kinds.h by\n"
         "-- lua/lua_header.c, between lua/appmsg-types.lua and lua/appmsg-body.lua. Edit those,\n"
         "-- not this file.");
    /* Two editions cannot both register protocol appmsg: the C plugin, when loaded, wins. */
    puts("if Dissector.get(\"appmsg\") then\n"
         "  io.stderr:write(\"appmsg.lua: the AppMsg C plugin is loaded; the Lua edition steps "
         "aside\\n\")\n"
         "  return\n"
         "end");
    puts("local F, E = {}, {}");
    puts("-- The type table's names (lua/appmsg-types.lua); checksum status as Wireshark says it.");
    puts("local type_names = read_type_names()");
    puts("local checksum_status = {[0] = \"Bad\", [1] = \"Good\", [2] = \"Unverified\",\n"
         "                         [3] = \"Not present\", [4] = \"Illegal\"}");
#define FIELD(id, abbrev, name, type, display, strings, blurb)                                     \
    put_field(#id, abbrev, name, #type, #display, #strings, blurb);
    APPMSG_FIELDS(FIELD)
#undef FIELD
#define EXPERT(id, expert, group, severity, summary, ...)                                          \
    printf("E.%s = ProtoExpert.new(", #id);                                                        \
    put_lua_string(expert);                                                                        \
    fputs(", ", stdout);                                                                           \
    put_lua_string(summary);                                                                       \
    printf(", expert.group.%s, expert.severity.%s)\n", #group, #severity);
    APPMSG_PROBLEMS(EXPERT)
#undef EXPERT
    /* Fields and expert infos in the C plugin's order (FIELD_LIST, EXPERT_LIST). */
    fputs("local FIELD_LIST = {", stdout);
#define FIELD_ITEM(id, ...) printf("F.%s, ", #id);
    APPMSG_FIELDS(FIELD_ITEM)
#undef FIELD_ITEM
    puts("}");
    fputs("local EXPERT_LIST = {", stdout);
#define EXPERT_ITEM(id, ...) printf("E.%s, ", #id);
    APPMSG_PROBLEMS(EXPERT_ITEM)
#undef EXPERT_ITEM
    puts("}");
    /* The preferences, by the C plugin's names: appmsg.desegment, ... (P, for the body). */
    puts("local P = {}");
#define PREF(name, kind, value, title, description)                                                \
    printf("P[#P + 1] = {\"%s\", %s, ", #name,                                                     \
           strcmp(#kind, "BOOL") == 0 ? "Pref.bool" : "Pref.uint");                                \
    put_lua_string(title);                                                                         \
    if (strcmp(#kind, "BOOL") == 0)                                                                \
        printf(", %s, ", (value) ? "true" : "false");                                              \
    else                                                                                           \
        printf(", %lu, ", (unsigned long)(value));                                                 \
    put_lua_string(description);                                                                   \
    puts("}");
    APPMSG_PREFS(PREF)
#undef PREF
    /* The payload's member list: its limit, and the note shown instead beyond it. */
    printf("local JSON_TREE_MAX_TOKENS = %d\n", APPMSG_JSON_TREE_MAX_TOKENS);
    fputs("local JSON_TREE_TOO_MANY = ", stdout);
    put_lua_string(APPMSG_JSON_TREE_TOO_MANY);
    putchar('\n');
    /* The Info labels and the order problems are listed in, as the C plugin has them. */
    puts("local PROBLEMS = {");
#define PROBLEM(id, expert, group, severity, summary, label, row)                                  \
    printf("  {\"%s\", \"%s\"},\n", #id, label);
    APPMSG_PROBLEMS(PROBLEM)
#undef PROBLEM
    puts("}");
    return 0;
}
