/* extcap.c — Wireshark's extcap protocol, mapped onto the ordinary options. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "extcap.h"

#define INTERFACE "appmsg"

enum {
    X_INTERFACES = 300,
    X_VERSION,
    X_INTERFACE,
    X_DLTS,
    X_CONFIG,
    X_CAPTURE,
    X_FIFO,
    X_FILTER,
    X_CONTROL_IN,
    X_CONTROL_OUT,
    X_DEBUG,
    X_DEBUG_FILE,
    O_COUNT,
    O_SEGMENT,
    O_MERGE,
    O_ERRORS,
    O_SEED,
    O_RATE,
    O_CHECKED
};

static const struct option options[] = {
    {"extcap-interfaces", no_argument, NULL, X_INTERFACES},
    {"extcap-version", optional_argument, NULL, X_VERSION},
    {"extcap-interface", required_argument, NULL, X_INTERFACE},
    {"extcap-dlts", no_argument, NULL, X_DLTS},
    {"extcap-config", no_argument, NULL, X_CONFIG},
    {"capture", no_argument, NULL, X_CAPTURE},
    {"fifo", required_argument, NULL, X_FIFO},
    {"extcap-capture-filter", required_argument, NULL, X_FILTER},
    {"extcap-control-in", required_argument, NULL, X_CONTROL_IN},
    {"extcap-control-out", required_argument, NULL, X_CONTROL_OUT},
    {"debug", no_argument, NULL, X_DEBUG},
    {"debug-file", required_argument, NULL, X_DEBUG_FILE},
    {"count", required_argument, NULL, O_COUNT},
    {"segment", required_argument, NULL, O_SEGMENT},
    {"merge", required_argument, NULL, O_MERGE},
    {"errors", required_argument, NULL, O_ERRORS},
    {"seed", required_argument, NULL, O_SEED},
    {"rate", required_argument, NULL, O_RATE},
    {"checked", no_argument, NULL, O_CHECKED},
    {NULL, 0, NULL, 0},
};

/* The options dialog: each arg's call is an option of its own, mapped below. */
static const char config[] =
    "arg {number=0}{call=--count}{display=Messages}{type=integer}{range=1,10000000}"
    "{default=100}{tooltip=Client messages; the server echoes each one}\n"
    "arg {number=1}{call=--segment}{display=Segmentation}{type=selector}"
    "{tooltip=How the byte stream is cut into TCP segments}\n"
    "value {arg=1}{value=whole}{display=One message per segment}{default=true}\n"
    "value {arg=1}{value=merged}{display=Several messages per segment (merged)}{default=false}\n"
    "value {arg=1}{value=partial}{display=Messages cut in pieces (partial)}{default=false}\n"
    "value {arg=1}{value=mixed}{display=Cuts anywhere (mixed)}{default=false}\n"
    "arg {number=2}{call=--merge}{display=Messages per merged segment}{type=integer}"
    "{range=1,100}{default=3}\n"
    "arg {number=3}{call=--errors}{display=Errors to inject}{type=string}"
    "{tooltip=KIND@N, comma-separated: bad-magic, oversize, bad-utf8, bad-json, garbage, cut,"
    " echo-payload, echo-type (N counts messages from 0)}{placeholder=bad-magic@3,cut@50}\n"
    "arg {number=4}{call=--seed}{display=Seed}{type=integer}{default=1}"
    "{tooltip=The same seed gives the same traffic}\n"
    "arg {number=5}{call=--rate}{display=Segments per second}{type=integer}{range=1,100000}"
    "{default=50}\n"
    "arg {number=6}{call=--checked}{display=Checked layout (CRC-32)}{type=boolflag}"
    "{default=false}\n";

gboolean
extcap_called(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (g_str_has_prefix(argv[i], "--extcap-") || strcmp(argv[i], "--capture") == 0)
            return TRUE;
    return FALSE;
}

static int
fail(const char *fmt, const char *arg)
{
    fputs("appmsg-gen: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

int
extcap_main(int argc, char **argv)
{
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free); /* for cli_parse */
    const char *iface = NULL, *fifo = NULL, *rate = "50";
    gboolean list = FALSE, dlts = FALSE, show_config = FALSE, capture = FALSE;
    int c, rc;

    g_ptr_array_add(args, g_strdup("appmsg-gen"));
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case X_INTERFACES:
            list = TRUE;
            break;
        case X_INTERFACE:
            iface = optarg;
            break;
        case X_DLTS:
            dlts = TRUE;
            break;
        case X_CONFIG:
            show_config = TRUE;
            break;
        case X_CAPTURE:
            capture = TRUE;
            break;
        case X_FIFO:
            fifo = optarg;
            break;
        case O_COUNT:
        case O_SEGMENT:
        case O_MERGE:
        case O_SEED:
            g_ptr_array_add(args, g_strdup(c == O_COUNT     ? "--count"
                                           : c == O_SEGMENT ? "--segment"
                                           : c == O_MERGE   ? "--merge"
                                                            : "--seed"));
            g_ptr_array_add(args, g_strdup(optarg));
            break;
        case O_ERRORS: {
            g_auto(GStrv) specs = g_strsplit(optarg, ",", -1);
            for (char **s = specs; *s; s++) {
                g_strstrip(*s);
                if (**s) {
                    g_ptr_array_add(args, g_strdup("--inject"));
                    g_ptr_array_add(args, g_strdup(*s));
                }
            }
            break;
        }
        case O_RATE:
            rate = optarg;
            break;
        case O_CHECKED:
            g_ptr_array_add(args, g_strdup("--checked"));
            break;
        case '?':
            g_ptr_array_free(args, TRUE);
            return fail("unknown extcap option '%s'", argv[optind - 1]);
        default: /* version, capture filter, control pipes, debug: nothing to do */
            break;
        }
    }
    if (list) {
        printf("extcap {version=%s}{help=https://www.wireshark.org/docs/man-pages/extcap.html}\n"
               "interface {value=" INTERFACE "}{display=AppMsg generator}\n",
               APPMSG_VERSION);
        g_ptr_array_free(args, TRUE);
        return 0;
    }
    if (!iface || strcmp(iface, INTERFACE) != 0) {
        g_ptr_array_free(args, TRUE);
        return fail("no such extcap interface: '%s'", iface ? iface : "(none)");
    }
    if (dlts || show_config) {
        fputs(dlts ? "dlt {number=1}{name=EN10MB}{display=Ethernet}\n" : config, stdout);
        g_ptr_array_free(args, TRUE);
        return 0;
    }
    if (!capture || !fifo) {
        g_ptr_array_free(args, TRUE);
        return fail("%s", "an extcap capture needs --capture and --fifo PATH");
    }

    gen_options opt;
    g_ptr_array_add(args, g_strdup("--rate"));
    g_ptr_array_add(args, g_strdup(rate));
    g_ptr_array_add(args, g_strdup("--format"));
    g_ptr_array_add(args, g_strdup("pcap"));
    g_ptr_array_add(args, g_strdup("--no-manifest"));
    g_ptr_array_add(args, g_strdup("-w"));
    g_ptr_array_add(args, g_strdup(fifo));
    g_ptr_array_add(args, NULL);
    if ((rc = cli_parse((int)args->len - 1, (char **)args->pdata, MODE_FILE, &opt)) < 0)
        rc = capture_write(&opt, TRUE);
    cli_options_clear(&opt);
    g_ptr_array_free(args, TRUE);
    return rc;
}
