/* cli.c — option parsing with getopt_long; every problem is one line and exit code 2. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "appmsg_wire.h"
#include "atomic_file.h"
#include "cli.h"

#ifndef APPMSG_VERSION
#error "APPMSG_VERSION must be defined by the build"
#endif

#define MAX_COUNT           G_GUINT64_CONSTANT(10000000000)
#define MAX_PAYLOAD         APPMSG_DEFAULT_MAX_LENGTH
#define MAX_ECHO_DELAY_USEC 10000000 /* 10 s */

/* 2026-01-01T00:00:00Z: captures carry fixed times so that they are reproducible. */
#define START_USEC (G_GUINT64_CONSTANT(1767225600) * G_USEC_PER_SEC)

/* The help: these two parts around the --inject kinds (core/appmsg_kinds.h). Every option
 * long_options holds is here (unit test test_cli). */
static const char usage_head[] =
    "Usage: appmsg-gen [OPTION]... -w FILE\n"
    "       appmsg-gen send [OPTION]...       (the same traffic on a real socket)\n"
    "       appmsg-gen serve [--listen ADDR:PORT] [--port-file FILE] [--no-echo]\n"
    "                        [--connections N] [--max-seconds N]   (an echo server)\n"
    "Write a capture of TCP connections (one, or -c N) carrying AppMsg messages (magic\n"
    "0x12345678, type, length, JSON payload), each echoed back by the server, and a manifest of\n"
    "the messages.\n"
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
    "      --payloads FILE    payloads from FILE, one a line (JSON lines), used in turn\n"
    "      --no-echo          the server only ACKs, it sends nothing back\n"
    "  -c, --connections N    N connections at once, interleaved; the messages are shared\n"
    "                         out among them (default 1)\n"
    "  -6, --ipv6             IPv6 (documentation addresses 2001:db8::10 and ::20)\n"
    "      --client ADDR[:PORT]  client address and first port (default 192.0.2.10:51000)\n"
    "      --server ADDR[:PORT]  server address and port (default 192.0.2.20:65432);\n"
    "                         IPv6 as [2001:db8::1]:80\n"
    "      --checked          16-byte header with a CRC-32 of the payload (checked layout)\n"
    "  -i, --inject KIND@N    put an error in message N (from 0); repeat for more. KIND:\n";
static const char usage_tail[] =
    "      --cut-with HOW     how a cut stream ends: fin (default, on the last data segment),\n"
    "                         rst, or none (the capture just ends there)\n"
    "  -p, --port N           server TCP port (default 65432; same as --server :N)\n"
    "      --timeout SECS     send: how long to wait to connect, for a blocked write or for an\n"
    "                         echo (default 5)\n"
    "      --rate N           N client segments per second, in the timestamps and on a socket\n"
    "                         (default 1000)\n"
    "      --echo-delay A[-B] microseconds the server takes to echo a segment, drawn from\n"
    "                         A..B for each segment (default 150)\n"
    "      --seed N           seed of every random choice (default 1); same seed, same bytes\n"
    "  -m, --manifest FILE    manifest to write (default: FILE.manifest.jsonl beside a regular\n"
    "                         output FILE; none for standard output, a device or a fifo)\n"
    "      --no-manifest      write no manifest\n"
    "      --list-kinds       list the --inject kinds, the expert info a reader shows for each,\n"
    "                         and what each does; then exit\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Examples:\n"
    "  appmsg-gen -n 20 -s merged -k 4 -w merged.pcap\n"
    "  appmsg-gen -n 1000 -s mixed --seed 7 -w - | tshark -r - -Y appmsg\n"
    "  appmsg-gen -n 10 -i bad-magic@2 -i bad-json@5 -i cut@9 -w errors.pcap\n"
    "  appmsg-gen -n 100 -c 4 -6 -s partial -w four-ipv6-connections.pcapng\n"
    "  appmsg-gen serve --port-file p & appmsg-gen send -n 20 -s merged --server 127.0.0.1:$(cat "
    "p)\n"
    "\n"
    "send: the scenario options above, to --server (default 127.0.0.1:65432); one write per\n"
    "segment (TCP_NODELAY, MSG_EOR), so merged and partial arrive as such; -m writes the\n"
    "manifest. serve: echoes every byte it receives until --connections connections have\n"
    "ended or --max-seconds have passed (0: until interrupted).\n";

enum {
    OPT_MIXED_MAX = 256,
    OPT_NO_ECHO,
    OPT_SEED,
    OPT_NO_MANIFEST,
    OPT_CHECKED,
    OPT_CUT_WITH,
    OPT_PAYLOADS,
    OPT_RATE,
    OPT_ECHO_DELAY,
    OPT_CLIENT,
    OPT_SERVER,
    OPT_TIMEOUT,
    OPT_LIST_KINDS,
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
    {"payloads", required_argument, NULL, OPT_PAYLOADS},
    {"rate", required_argument, NULL, OPT_RATE},
    {"echo-delay", required_argument, NULL, OPT_ECHO_DELAY},
    {"connections", required_argument, NULL, 'c'},
    {"ipv6", no_argument, NULL, '6'},
    {"client", required_argument, NULL, OPT_CLIENT},
    {"server", required_argument, NULL, OPT_SERVER},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"list-kinds", no_argument, NULL, OPT_LIST_KINDS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

char *
cli_help_text(void)
{
    GString *text = g_string_new(usage_head);

    inject_kinds_help(text, 27);
    g_string_append(text, usage_tail);
    return g_string_free(text, FALSE);
}

/* getopt_long's short options: every one is a long option's short form. */
static const char short_options[] = ":w:F:n:s:k:t:z:p:m:i:c:6hV";

const struct option *
cli_long_options(const char **short_forms)
{
    *short_forms = short_options;
    return long_options;
}

static void
print_help(FILE *out)
{
    g_autofree char *text = cli_help_text();

    fputs(text, out);
}

/* One line on stderr, exit code 2. Problems with the arguments suggest --help (hint). */
G_GNUC_PRINTF(2, 3)
static int
complain(gboolean hint, const char *fmt, ...)
{
    va_list ap;
    char *message;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "appmsg-gen: %s%s\n", message, hint ? " (try --help)" : "");
    g_free(message);
    return GEN_EXIT_USAGE;
}
#define fail(...)       complain(TRUE, __VA_ARGS__)
#define fail_plain(...) complain(FALSE, __VA_ARGS__)

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

/* The default manifest: capture.pcap → capture.pcap.manifest.jsonl, named after the whole
 * output name (partial.pcap and partial.pcapng keep apart). None beside standard output or what
 * is written in place — a device, a fifo, /dev/stdout — where it would land in /dev or beside a
 * pipe. */
static char *
default_manifest_path(const char *capture)
{
    if (strcmp(capture, "-") == 0 || atomic_file_in_place(capture))
        return NULL;
    return g_strdup_printf("%s.manifest.jsonl", capture);
}

/* RFC 5737 / RFC 3849 documentation addresses: a capture never names a real host. */
static const guint8 client_v4[4] = {192, 0, 2, 10}, server_v4[4] = {192, 0, 2, 20};
static const guint8 client_v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
static const guint8 server_v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x20};

static void
set_defaults(gen_options *opt)
{
    static const tcp_endpoint client = {.mac = {0x02, 0, 0, 0, 0, 0x01}, .port = 51000};
    static const tcp_endpoint server = {.mac = {0x02, 0, 0, 0, 0, 0x02},
                                        .port = APPMSG_DEFAULT_PORT};

    memset(opt, 0, sizeof *opt);
    inject_plan_init(&opt->plan);
    opt->connections = 1;
    opt->timeout_usec = (gint64)5 * G_USEC_PER_SEC;
    opt->scenario = (scenario_config){
        .count = 10, .type_min = 1, .type_max = 5, .size_min = 20, .size_max = 120, .seed = 1};
    opt->segmenter = (segmenter_config){
        .mode = SEG_WHOLE, .merge_count = 3, .mixed_max = 200, .mss = TCP_BUILDER_MSS};
    opt->conversation = (conversation_config){.echo = TRUE,
                                              .client = client,
                                              .server = server,
                                              .start_usec = START_USEC,
                                              .gap_usec = 1000,
                                              .echo_delay_min_usec = 150,
                                              .echo_delay_max_usec = 150};
}

/* "ADDR", "ADDR:PORT", "[V6ADDR]" or "[V6ADDR]:PORT"; FALSE if it is none of these. */
gboolean
cli_parse_endpoint(const char *text, tcp_endpoint *ep, gboolean *have_addr)
{
    g_autofree char *host = NULL;
    const char *port = NULL;
    guint64 n;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || (close[1] && close[1] != ':'))
            return FALSE;
        host = g_strndup(text + 1, (gsize)(close - text - 1));
        port = close[1] ? close + 2 : NULL;
    } else if (strchr(text, ':') == strrchr(text, ':') && strchr(text, ':')) {
        host = g_strndup(text, (gsize)(strchr(text, ':') - text)); /* IPv4:PORT */
        port = strchr(text, ':') + 1;
    } else {
        host = g_strdup(text);
    }
    if (port && !parse_number(port, 0, 65535, &n)) /* 0: a listener's "any free port" */
        return FALSE;
    if (port)
        ep->port = (guint16)n;
    if (!*host)
        return port != NULL; /* ":PORT" changes only the port */
    if (inet_pton(AF_INET, host, ep->addr) == 1)
        ep->ipv6 = FALSE;
    else if (inet_pton(AF_INET6, host, ep->addr) == 1)
        ep->ipv6 = TRUE;
    else
        return FALSE;
    *have_addr = TRUE;
    return TRUE;
}

/* Every random choice follows the seed; initial sequence numbers too (traffic.c). */
static void
set_seed(gen_options *opt, guint64 seed)
{
    opt->scenario.seed = seed;
    opt->segmenter.seed = seed;
}

/* Each line of the file (without its newline) is one payload. */
static int
read_payloads(gen_options *opt, const char *path)
{
    g_autofree char *text = NULL;
    gsize len;
    GError *err = NULL;

    if (!g_file_get_contents(path, &text, &len, &err)) {
        /* GLib's message names the file again: keep only its reason. */
        const char *reason = strrchr(err->message, ':');
        int rc = fail_plain("cannot read payload file '%s': %s", path,
                            reason ? reason + 2 : err->message);
        g_error_free(err);
        return rc;
    }
    opt->payloads = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (gsize start = 0; start < len;) {
        const char *nl = memchr(text + start, '\n', len - start);
        gsize end = nl ? (gsize)(nl - text) : len;
        gsize line_end = end > start && text[end - 1] == '\r' ? end - 1 : end;
        if (line_end - start > MAX_PAYLOAD)
            return fail_plain("payload file '%s': a line is longer than %u bytes", path,
                              MAX_PAYLOAD);
        g_ptr_array_add(opt->payloads, g_bytes_new(text + start, line_end - start));
        start = end + 1;
    }
    if (opt->payloads->len == 0)
        return fail_plain("payload file '%s' has no lines", path);
    return -1;
}

int
cli_parse(int argc, char **argv, gen_mode mode, gen_options *opt)
{
    gboolean no_manifest = FALSE;
    const char *manifest = NULL, *format = NULL, *payloads = NULL;
    gboolean ipv6 = FALSE, client_addr = FALSE, server_addr = FALSE, timeout = FALSE;
    tcp_endpoint *client = &opt->conversation.client, *server = &opt->conversation.server;
    guint64 n, seed = 1;
    int c, rc;

    set_defaults(opt);
    opt->mode = mode;
    opterr = 0; /* our own one-line messages */
    optind = 1;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
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
        case OPT_RATE:
            if (!parse_number(optarg, 1, 1000000, &n))
                return fail("--rate: expected segments per second from 1 to 1000000, got '%s'",
                            optarg);
            opt->conversation.gap_usec = G_USEC_PER_SEC / n;
            break;
        case OPT_ECHO_DELAY:
            if (!parse_range(optarg, 0, MAX_ECHO_DELAY_USEC, &opt->conversation.echo_delay_min_usec,
                             &opt->conversation.echo_delay_max_usec))
                return fail("--echo-delay: expected microseconds A or A-B with 0 <= A <= B <= %d, "
                            "got '%s'",
                            MAX_ECHO_DELAY_USEC, optarg);
            break;
        case OPT_PAYLOADS:
            payloads = optarg;
            break;
        case 'c':
            if (!parse_number(optarg, 1, 10000, &n))
                return fail("--connections: expected a whole number from 1 to 10000, got '%s'",
                            optarg);
            opt->connections = (guint)n;
            break;
        case '6':
            ipv6 = TRUE;
            break;
        case OPT_CLIENT:
        case OPT_SERVER:
            if (!cli_parse_endpoint(
                    optarg, c == OPT_CLIENT ? &opt->conversation.client : &opt->conversation.server,
                    c == OPT_CLIENT ? &client_addr : &server_addr))
                return fail("%s: expected ADDR, ADDR:PORT or [IPV6ADDR]:PORT, got '%s'",
                            c == OPT_CLIENT ? "--client" : "--server", optarg);
            break;
        case OPT_TIMEOUT: {
            char *end;
            double secs = g_ascii_strtod(optarg, &end);
            if (*end || end == optarg || !(secs >= 0.1 && secs <= 3600))
                return fail("--timeout: expected seconds from 0.1 to 3600, got '%s'", optarg);
            opt->timeout_usec = (gint64)(secs * G_USEC_PER_SEC);
            timeout = TRUE;
            break;
        }
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
            print_help(stdout);
            return 0;
        case OPT_LIST_KINDS:
            inject_list_kinds(stdout);
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
    if (mode == MODE_FILE && !opt->output)
        return fail("no output file: give -w FILE, or -w - for standard output");
    if (opt->output && strcmp(opt->output, "-") == 0 && isatty(STDOUT_FILENO))
        return fail("-w -: refusing to write a binary capture to a terminal; pipe it (-w - | "
                    "tshark -r -) or give a file");
    if (mode == MODE_FILE && timeout)
        return fail("--timeout is for send: a capture file waits for nothing");
    if (mode == MODE_SEND && opt->output)
        return fail("send writes no capture: capture the traffic with dumpcap or tshark");
    if (mode == MODE_SEND &&
        (opt->plan.at[INJ_ECHO_PAYLOAD]->len || opt->plan.at[INJ_ECHO_TYPE]->len))
        return fail("echo-payload and echo-type alter the server's echo: only in a capture file");
    if (manifest && no_manifest)
        return fail("--manifest and --no-manifest contradict each other");
    if (opt->plan.at[INJ_BAD_CHECKSUM]->len && !opt->plan.checked)
        return fail("--inject bad-checksum needs --checked: the plain layout has no checksum");
    const char *kind;
    guint64 index;
    if (inject_plan_beyond(&opt->plan, opt->scenario.count, &kind, &index))
        return opt->scenario.count
                   ? fail("--inject %s@%" G_GUINT64_FORMAT
                          ": there is no message %" G_GUINT64_FORMAT
                          " (messages count from 0: -n %" G_GUINT64_FORMAT
                          " makes 0 to %" G_GUINT64_FORMAT ")",
                          kind, index, index, opt->scenario.count, opt->scenario.count - 1)
                   : fail("--inject %s@%" G_GUINT64_FORMAT ": -n 0 makes no message", kind, index);

    /* Addresses: the defaults of the family asked for, and one family for both ends. */
    if ((client_addr && client->ipv6) || (server_addr && server->ipv6))
        ipv6 = TRUE;
    if ((client_addr && client->ipv6 != ipv6) || (server_addr && server->ipv6 != ipv6))
        return fail("the client and the server must both be IPv4 or both IPv6");
    client->ipv6 = server->ipv6 = ipv6;
    if (!client_addr)
        memcpy(client->addr, ipv6 ? client_v6 : client_v4, ipv6 ? 16 : 4);
    if (!server_addr && mode == MODE_SEND) /* live: the loopback address, never a real host */
        inet_pton(ipv6 ? AF_INET6 : AF_INET, ipv6 ? "::1" : "127.0.0.1", server->addr);
    else if (!server_addr)
        memcpy(server->addr, ipv6 ? server_v6 : server_v4, ipv6 ? 16 : 4);
    if (client->port == 0 || server->port == 0)
        return fail("port 0 is not a port a connection can use");
    if ((guint)client->port + opt->connections - 1 > 65535)
        return fail("--connections %u from client port %u would need ports above 65535",
                    opt->connections, client->port);
    if (payloads && (rc = read_payloads(opt, payloads)) >= 0)
        return rc;
    opt->scenario.payloads = opt->payloads;
    if (!format)
        format = opt->output && g_str_has_suffix(opt->output, ".pcapng") ? "pcapng" : "pcap";
    opt->format = strcmp(format, "pcapng") == 0 ? FORMAT_PCAPNG : FORMAT_PCAP;
    set_seed(opt, seed);
    if (manifest)
        opt->manifest_path = g_strdup(manifest);
    else if (!no_manifest && opt->output)
        opt->manifest_path = default_manifest_path(opt->output);
    return -1;
}

void
cli_options_clear(gen_options *opt)
{
    g_clear_pointer(&opt->manifest_path, g_free);
    g_clear_pointer(&opt->payloads, g_ptr_array_unref);
    inject_plan_clear(&opt->plan);
}
