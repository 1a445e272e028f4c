/* cli.c — option parsing with getopt_long; every problem is one line and exit code 2. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "appmsg_wire.h"
#include "cli.h"
#include "rng.h"

#ifndef APPMSG_VERSION
#error "APPMSG_VERSION must be defined by the build"
#endif

#define MAX_COUNT   G_GUINT64_CONSTANT(10000000000)
#define MAX_PAYLOAD APPMSG_DEFAULT_MAX_LENGTH

/* 2026-01-01T00:00:00Z: captures carry fixed times so that they are reproducible. */
#define START_USEC (G_GUINT64_CONSTANT(1767225600) * G_USEC_PER_SEC)

static const char usage_text[] =
    "Usage: appmsg-gen [OPTION]... -w FILE\n"
    "Write a capture of one TCP connection carrying AppMsg messages (magic 0x12345678, type,\n"
    "length, JSON payload), each echoed back by the server, and a manifest of the messages.\n"
    "\n"
    "  -w, --write FILE       capture to write; '-' for standard output\n"
    "  -F, --format FMT       pcap or pcapng (default: pcapng for a FILE ending in .pcapng,\n"
    "                         else pcap)\n"
    "  -n, --count N          messages the client sends (default 10)\n"
    "  -s, --segment MODE     how the byte stream is cut into TCP segments:\n"
    "                           whole   one message per segment (default)\n"
    "                           merged  K messages per segment (see --merge)\n"
    "                           partial every message cut into 2-4 pieces, also in the header\n"
    "                           mixed   cuts anywhere in the stream (see --mixed-max)\n"
    "  -k, --merge K          messages per segment with --segment merged (default 3)\n"
    "      --mixed-max N      largest segment with --segment mixed, in bytes (default 200)\n"
    "  -t, --types A[-B]      message types, drawn from A..B (default 1-5)\n"
    "  -z, --size A[-B]       payload bytes, drawn from A..B (default 20-120)\n"
    "      --no-echo          the server only ACKs, it sends nothing back\n"
    "      --checked          16-byte header with a CRC-32 of the payload (checked layout)\n"
    "  -i, --inject KIND@N    put an error in message N (from 0); repeat for more. KIND:\n"
    "                           bad-magic     wrong magic: a reader skips the message\n"
    "                           oversize      length field far above any maximum\n"
    "                           bad-utf8      payload bytes that are not UTF-8\n"
    "                           bad-json      payload that is not JSON\n"
    "                           bad-checksum  wrong CRC-32 (needs --checked)\n"
    "                           garbage       17 bytes without a magic before the message\n"
    "                           cut           the client's stream ends inside the message\n"
    "                           echo-payload  the server's echo has a changed payload byte\n"
    "                           echo-type     the server's echo has another type\n"
    "      --cut-with HOW     how a cut stream ends: fin (default, on the last data segment),\n"
    "                         rst, or none (the capture just ends there)\n"
    "  -p, --port N           server TCP port (default 65432)\n"
    "      --seed N           seed of every random choice (default 1); same seed, same bytes\n"
    "  -m, --manifest FILE    manifest to write (default: beside the capture, .manifest.jsonl)\n"
    "      --no-manifest      write no manifest\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Examples:\n"
    "  appmsg-gen -n 20 -s merged -k 4 -w merged.pcap\n"
    "  appmsg-gen -n 1000 -s mixed --seed 7 -w - | tshark -r - -Y appmsg\n"
    "  appmsg-gen -n 10 -i bad-magic@2 -i bad-json@5 -i cut@9 -w errors.pcap\n";

enum {
    OPT_MIXED_MAX = 256,
    OPT_NO_ECHO,
    OPT_SEED,
    OPT_NO_MANIFEST,
    OPT_CHECKED,
    OPT_CUT_WITH,
};

static const struct option long_options[] = {
    {"write", required_argument, NULL, 'w'},
    {"format", required_argument, NULL, 'F'},
    {"count", required_argument, NULL, 'n'},
    {"segment", required_argument, NULL, 's'},
    {"merge", required_argument, NULL, 'k'},
    {"mixed-max", required_argument, NULL, OPT_MIXED_MAX},
    {"types", required_argument, NULL, 't'},
    {"size", required_argument, NULL, 'z'},
    {"no-echo", no_argument, NULL, OPT_NO_ECHO},
    {"port", required_argument, NULL, 'p'},
    {"seed", required_argument, NULL, OPT_SEED},
    {"manifest", required_argument, NULL, 'm'},
    {"no-manifest", no_argument, NULL, OPT_NO_MANIFEST},
    {"checked", no_argument, NULL, OPT_CHECKED},
    {"inject", required_argument, NULL, 'i'},
    {"cut-with", required_argument, NULL, OPT_CUT_WITH},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

G_GNUC_PRINTF(1, 2)
static int
fail(const char *fmt, ...)
{
    va_list ap;

    fputs("appmsg-gen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (try --help)\n", stderr);
    return GEN_EXIT_USAGE;
}

static gboolean
parse_number(const char *text, guint64 min, guint64 max, guint64 *out)
{
    return g_ascii_string_to_unsigned(text, 10, min, max, out, NULL);
}

/* "A" or "A-B" with min <= A <= B <= max. */
static gboolean
parse_range(const char *text, guint64 min, guint64 max, guint32 *lo, guint32 *hi)
{
    g_auto(GStrv) parts = g_strsplit(text, "-", 3);
    guint64 a, b;

    if (g_strv_length(parts) == 1 && parse_number(parts[0], min, max, &a)) {
        *lo = *hi = (guint32)a;
        return TRUE;
    }
    if (g_strv_length(parts) == 2 && parse_number(parts[0], min, max, &a) &&
        parse_number(parts[1], min, max, &b) && a <= b) {
        *lo = (guint32)a;
        *hi = (guint32)b;
        return TRUE;
    }
    return FALSE;
}

/* capture.pcap → capture.manifest.jsonl */
static char *
manifest_path_for(const char *capture)
{
    const char *dot = strrchr(capture, '.');
    const char *slash = strrchr(capture, '/');
    gsize stem = (dot && (!slash || dot > slash)) ? (gsize)(dot - capture) : strlen(capture);

    return g_strdup_printf("%.*s.manifest.jsonl", (int)stem, capture);
}

static void
set_defaults(gen_options *opt)
{
    static const tcp_endpoint client = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, 0xc000020a, 51000, 0};
    static const tcp_endpoint server = {
        {0x02, 0x00, 0x00, 0x00, 0x00, 0x02}, 0xc0000214, APPMSG_DEFAULT_PORT, 0};

    memset(opt, 0, sizeof *opt);
    inject_plan_init(&opt->plan);
    opt->scenario = (scenario_config){
        .count = 10, .type_min = 1, .type_max = 5, .size_min = 20, .size_max = 120, .seed = 1};
    opt->segmenter = (segmenter_config){
        .mode = SEG_WHOLE, .merge_count = 3, .mixed_max = 200, .mss = TCP_BUILDER_MSS};
    opt->conversation = (conversation_config){.echo = TRUE,
                                              .client = client, /* 192.0.2.10, RFC 5737 */
                                              .server = server, /* 192.0.2.20 */
                                              .start_usec = START_USEC,
                                              .gap_usec = 1000,
                                              .echo_delay_usec = 150};
}

/* Initial sequence numbers come from the seed too, as a real stack's look random. */
static void
set_seed(gen_options *opt, guint64 seed)
{
    GRand *rng = rng_new(seed, RNG_STREAM_TCP);

    opt->scenario.seed = seed;
    opt->segmenter.seed = seed;
    opt->conversation.client.isn = g_rand_int(rng);
    opt->conversation.server.isn = g_rand_int(rng);
    g_rand_free(rng);
}

int
cli_parse(int argc, char **argv, gen_options *opt)
{
    gboolean no_manifest = FALSE;
    const char *manifest = NULL, *format = NULL;
    guint64 n, seed = 1;
    int c;

    set_defaults(opt);
    opterr = 0; /* our own one-line messages */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":w:F:n:s:k:t:z:p:m:i:hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'w':
            opt->output = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "pcap") != 0 && strcmp(optarg, "pcapng") != 0)
                return fail("--format: expected pcap or pcapng, got '%s'", optarg);
            format = optarg;
            break;
        case 'n':
            if (!parse_number(optarg, 0, MAX_COUNT, &opt->scenario.count))
                return fail("--count: expected a whole number from 0 to %" G_GUINT64_FORMAT
                            ", got '%s'",
                            MAX_COUNT, optarg);
            break;
        case 's':
            if (!segmenter_mode_parse(optarg, &opt->segmenter.mode))
                return fail("--segment: expected one of %s, got '%s'", segmenter_mode_names(),
                            optarg);
            break;
        case 'k':
            if (!parse_number(optarg, 1, 10000, &n))
                return fail("--merge: expected a whole number from 1 to 10000, got '%s'", optarg);
            opt->segmenter.merge_count = (guint)n;
            break;
        case OPT_MIXED_MAX:
            if (!parse_number(optarg, 1, TCP_BUILDER_MSS, &n))
                return fail("--mixed-max: expected a whole number from 1 to %d, got '%s'",
                            TCP_BUILDER_MSS, optarg);
            opt->segmenter.mixed_max = (guint)n;
            break;
        case 't':
            if (!parse_range(optarg, 0, G_MAXUINT32, &opt->scenario.type_min,
                             &opt->scenario.type_max))
                return fail("--types: expected A or A-B with 0 <= A <= B <= %u, got '%s'",
                            G_MAXUINT32, optarg);
            break;
        case 'z':
            if (!parse_range(optarg, 0, MAX_PAYLOAD, &opt->scenario.size_min,
                             &opt->scenario.size_max))
                return fail("--size: expected A or A-B with 0 <= A <= B <= %u, got '%s'",
                            MAX_PAYLOAD, optarg);
            break;
        case OPT_NO_ECHO:
            opt->conversation.echo = FALSE;
            break;
        case 'p':
            if (!parse_number(optarg, 1, 65535, &n))
                return fail("--port: expected a port number from 1 to 65535, got '%s'", optarg);
            opt->conversation.server.port = (guint16)n;
            break;
        case OPT_SEED:
            if (!parse_number(optarg, 0, G_MAXUINT64, &seed))
                return fail("--seed: expected a whole number, got '%s'", optarg);
            break;
        case 'm':
            manifest = optarg;
            break;
        case OPT_NO_MANIFEST:
            no_manifest = TRUE;
            break;
        case OPT_CHECKED:
            opt->plan.checked = TRUE;
            break;
        case 'i':
            if (!inject_plan_add(&opt->plan, optarg))
                return fail("--inject: expected KIND@N with KIND one of %s, got '%s'",
                            inject_kind_names(), optarg);
            break;
        case OPT_CUT_WITH:
            if (strcmp(optarg, "fin") == 0)
                opt->plan.cut_with = CUT_FIN;
            else if (strcmp(optarg, "rst") == 0)
                opt->plan.cut_with = CUT_RST;
            else if (strcmp(optarg, "none") == 0)
                opt->plan.cut_with = CUT_NONE;
            else
                return fail("--cut-with: expected fin, rst or none, got '%s'", optarg);
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            printf("appmsg-gen %s\n", APPMSG_VERSION);
            return 0;
        case ':':
            return fail("%s needs a value", argv[optind - 1]);
        default:
            return fail("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fail("unexpected argument '%s'", argv[optind]);
    if (!opt->output)
        return fail("no output file: give -w FILE, or -w - for standard output");
    if (manifest && no_manifest)
        return fail("--manifest and --no-manifest contradict each other");
    if (opt->plan.at[INJ_BAD_CHECKSUM]->len && !opt->plan.checked)
        return fail("--inject bad-checksum needs --checked: the plain layout has no checksum");

    if (!format)
        format = g_str_has_suffix(opt->output, ".pcapng") ? "pcapng" : "pcap";
    opt->format = strcmp(format, "pcapng") == 0 ? FORMAT_PCAPNG : FORMAT_PCAP;
    set_seed(opt, seed);
    if (manifest)
        opt->manifest_path = g_strdup(manifest);
    else if (!no_manifest && strcmp(opt->output, "-") != 0)
        opt->manifest_path = manifest_path_for(opt->output);
    return -1;
}

void
cli_options_clear(gen_options *opt)
{
    g_clear_pointer(&opt->manifest_path, g_free);
    inject_plan_clear(&opt->plan);
}
