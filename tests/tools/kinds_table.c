/* kinds_table — core/appmsg_kinds.h's two lists as tab-separated lines, for the doc_kinds test,
 * which checks (and update-docs writes) the tables in docs/ from them:
 *   problem <TAB> expert <TAB> group <TAB> severity <TAB> summary <TAB> label <TAB> stats row
 *   injection <TAB> name <TAB> manifest name <TAB> expert <TAB> description */
#include <stdio.h>

#include "appmsg_kinds.h"

int
main(void)
{
    for (int i = 0; i < APPMSG_N_PROBLEMS; i++) {
        const appmsg_problem_info *p = &appmsg_problem_table[i];
        printf("problem\t%s\t%s\t%s\t%s\t%s\t%s\n", p->expert, p->group, p->severity, p->summary,
               p->label, p->stats_row);
    }
    for (int k = 0; k < INJ_KIND_COUNT; k++) {
        const appmsg_injection_info *inj = &appmsg_injection_table[k];
        printf("injection\t%s\t%s\t%s\t%s\n", inj->name, inj->manifest_name,
               appmsg_problem_table[inj->problem].expert, inj->description);
    }
    return 0;
}
