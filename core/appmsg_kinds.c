/* appmsg_kinds.c — the lists of appmsg_kinds.h as data. */
#include "appmsg_kinds.h"

const appmsg_problem_info appmsg_problem_table[APPMSG_N_PROBLEMS] = {
#define APPMSG_PROBLEM_ROW(id, expert, group, severity, summary, label, row)                       \
    [APPMSG_PROBLEM_##id] = {expert, #group, #severity, summary, label, row},
    APPMSG_PROBLEMS(APPMSG_PROBLEM_ROW)
#undef APPMSG_PROBLEM_ROW
};

const appmsg_injection_info appmsg_injection_table[INJ_KIND_COUNT] = {
#define APPMSG_INJECTION_ROW(id, name, manifest_name, where, problem, description)                 \
    [INJ_##id] = {name, manifest_name, description, APPMSG_MANIFEST_##where,                       \
                  APPMSG_PROBLEM_##problem},
    APPMSG_INJECTIONS(APPMSG_INJECTION_ROW)
#undef APPMSG_INJECTION_ROW
};
