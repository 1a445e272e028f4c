/* cli.h — appmsg-gen's command line. */
#ifndef APPMSG_GEN_CLI_H
#define APPMSG_GEN_CLI_H

#include <getopt.h>

#include "conversation.h"
#include "inject.h"
#include "scenario.h"
#include "segmenter.h"

typedef enum { FORMAT_PCAP, FORMAT_PCAPNG } gen_format;
typedef enum { MODE_FILE, MODE_SEND } gen_mode; /* write a capture, or send on a socket */

typedef struct {
    const char *output; /* -w: capture path, "-" for standard output */
    gen_format format;
    gen_mode mode;
    guint connections;
    GPtrArray *payloads; /* GBytes, from --payloads; NULL: generated */
    char *manifest_path; /* NULL: none */
    gint64 timeout_usec; /* send: connect, a blocked write, an echo that stops */
    scenario_config scenario;
    segmenter_config segmenter;
    conversation_config conversation;
    inject_plan plan;
} gen_options;

/* Exit code for every error the user can cause: bad arguments, unreadable or unwritable files. */
#define GEN_EXIT_USAGE 2

/* Fills *opt from argv. Returns -1 to go on, or an exit code: 0 after --help or --version,
 * GEN_EXIT_USAGE after printing one line naming the problem. */
int cli_parse(int argc, char **argv, gen_mode mode, gen_options *opt);
void cli_options_clear(gen_options *opt);
/* appmsg-gen --help (g_free it), and the options cli_parse() accepts: long (NULL-terminated)
 * and short (*short_forms, getopt's form). */
char *cli_help_text(void);
const struct option *cli_long_options(const char **short_forms);
/* "ADDR", "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" into ep; *have_addr when it named an address. */
gboolean cli_parse_endpoint(const char *text, tcp_endpoint *ep, gboolean *have_addr);

#endif
