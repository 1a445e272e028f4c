/* Unit test: appmsg-gen's --help names every option the parser accepts, and every --inject kind
 * of core/appmsg_kinds.h, each of which the parser takes. */
#include <string.h>

#include "cli.h"
#include "inject.h"
#include "live.h"

/* Every long option is in help as " --name", and every short form as " -x, --name". */
static void
check_help(const char *help, const struct option *options, const char *short_forms)
{
    for (const struct option *o = options; o->name; o++) {
        g_autofree char *long_form = g_strdup_printf(" --%s", o->name);
        g_assert_nonnull(strstr(help, long_form));
        if (o->val > 0 && o->val < 256 && strchr(short_forms, o->val)) {
            g_autofree char *both = g_strdup_printf(" -%c,%s", o->val, long_form);
            g_assert_nonnull(strstr(help, both));
        }
    }
}

static void
test_help_lists_every_option(void)
{
    g_autofree char *help = cli_help_text();
    const struct option *options;
    const char *short_forms;

    options = cli_long_options(&short_forms);
    check_help(help, options, short_forms);
    const char *serve_help = live_serve_help(&options, &short_forms);
    check_help(serve_help, options, short_forms);
}

static void
test_help_lists_every_kind(void)
{
    g_autofree char *help = cli_help_text();

    for (int k = 0; k < INJ_KIND_COUNT; k++) {
        const appmsg_injection_info *inj = &appmsg_injection_table[k];
        g_autofree char *line = g_strdup_printf("\n%*s%s ", 27, "", inj->name);
        g_autofree char *spec = g_strdup_printf("%s@3", inj->name);
        inject_plan plan;

        g_assert_nonnull(strstr(help, line));
        inject_plan_init(&plan);
        g_assert_true(inject_plan_add(&plan, spec));
        g_assert_cmpuint(plan.at[k]->len, ==, 1);
        inject_plan_clear(&plan);
    }
}

/* Names are what users type and what manifests hold: each one once. */
static void
test_names_unique(void)
{
    for (int a = 0; a < INJ_KIND_COUNT; a++)
        for (int b = a + 1; b < INJ_KIND_COUNT; b++) {
            const appmsg_injection_info *x = &appmsg_injection_table[a],
                                        *y = &appmsg_injection_table[b];
            g_assert_cmpstr(x->name, !=, y->name);
            /* Two kinds share a manifest name only where the manifest says the same of both. */
            if (x->manifest_place == APPMSG_MANIFEST_REQUEST)
                g_assert_cmpstr(x->manifest_name, !=, y->manifest_name);
        }
    for (int a = 0; a < APPMSG_N_PROBLEMS; a++)
        for (int b = a + 1; b < APPMSG_N_PROBLEMS; b++)
            g_assert_cmpstr(appmsg_problem_table[a].expert, !=, appmsg_problem_table[b].expert);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/help-lists-every-option", test_help_lists_every_option);
    g_test_add_func("/cli/help-lists-every-kind", test_help_lists_every_kind);
    g_test_add_func("/kinds/names-unique", test_names_unique);
    return g_test_run();
}
