/* serve.c — `appmsg-gen serve`: the command line, the listening socket and the summary around
 * the echo server's event loop (echo_server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "appmsg_wire.h"
#include "atomic_file.h"
#include "cli.h"
#include "echo_server.h"
#include "live.h"
#include "net.h"

static const char serve_help[] =
    "Usage: appmsg-gen serve [--listen ADDR:PORT] [--port-file FILE] [--no-echo]\n"
    "                        [--connections N] [--max-seconds N] [--idle-timeout N] [-q]\n"
    "An echo server, like the tutorials': sends back every byte it receives, to any number of\n"
    "clients at once; a client that does not read its echoes holds up no one else.\n"
    "\n"
    "  -l, --listen ADDR:PORT  where to listen (default 127.0.0.1:65432; port 0: any free port)\n"
    "      --port-file FILE    write the port listened on to FILE (useful with port 0)\n"
    "      --no-echo           receive only, send nothing back\n"
    "  -c, --connections N     stop after N connections have ended\n"
    "  -t, --max-seconds N     stop after N seconds (0, the default: until interrupted)\n"
    "      --idle-timeout N    close a connection where nothing moved for N seconds (default 0:\n"
    "                          never)\n"
    "  -q, --quiet             no line for each reset, stall, idle close or lack of descriptors\n"
    "  -h, --help              show this help and exit\n"
    "\n"
    "Example:\n"
    "  appmsg-gen serve --port-file p --connections 1 &\n"
    "  appmsg-gen send -n 20 -s partial --server 127.0.0.1:$(cat p)\n";

/* Every option here is in serve_help (unit test test_cli). */
static const struct option serve_options[] = {{"listen", required_argument, NULL, 'l'},
                                              {"no-echo", no_argument, NULL, 'E'},
                                              {"connections", required_argument, NULL, 'c'},
                                              {"max-seconds", required_argument, NULL, 't'},
                                              {"idle-timeout", required_argument, NULL, 'i'},
                                              {"port-file", required_argument, NULL, 'P'},
                                              {"quiet", no_argument, NULL, 'q'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
static const char serve_short_options[] = ":l:c:t:qh";

const char *
live_serve_help(const struct option **options, const char **short_options)
{
    *options = serve_options;
    *short_options = serve_short_options;
    return serve_help;
}

static int
serve_usage(const char *problem, const char *arg)
{
    fprintf(stderr, "appmsg-gen: serve %s '%s' (try --help)\n", problem, arg);
    return GEN_EXIT_USAGE;
}

/* Through atomic_file: a regular file appears whole, and a fifo or /dev/stdout is written in
 * place, not renamed over (which, as root, replaced /dev/stdout with a file). */
static int
write_port_file(const char *path, guint port)
{
    atomic_file af;
    GError *err = NULL;

    if (atomic_file_open(&af, path, &err)) {
        if (fprintf(af.fp, "%u\n", port) < 0) {
            atomic_file_set_error(&af, &err);
            atomic_file_discard(&af, FALSE);
        } else if (atomic_file_commit(&af, FALSE, &err)) {
            return 0;
        }
    }
    fprintf(stderr, "appmsg-gen: %s\n", err->message);
    g_error_free(err);
    return GEN_EXIT_USAGE;
}

/* The listening socket, its port told through port_file; -1 after printing why not. */
static int
open_listener(tcp_endpoint *ep, const char *port_file)
{
    struct sockaddr_storage ss;
    socklen_t sl = net_sockaddr(ep, &ss);
    g_autofree char *where = net_endpoint_text(ep);
    int one = 1, fd = socket(ss.ss_family, SOCK_STREAM, 0);

    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
        listen(fd, SOMAXCONN) != 0 || /* 64 reset clients that connected all at once */
        !net_prepare(fd, FALSE) || getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        fprintf(stderr, "appmsg-gen: cannot listen on %s: %s\n", where, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ep->port = net_sockaddr_port(&ss); /* port 0: the kernel's choice */
    if (port_file && write_port_file(port_file, ep->port) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static const char *
plural(guint64 n)
{
    return n == 1 ? "" : "s";
}

int
live_serve(int argc, char **argv)
{
    static volatile sig_atomic_t stop_requested;
    tcp_endpoint listen_on = {.port = APPMSG_DEFAULT_PORT};
    echo_server_config cfg = {.echo = TRUE, .stop = &stop_requested};
    echo_server_stats st;
    gboolean have_addr = FALSE;
    guint64 max_seconds = 0, idle_seconds = 0;
    const char *port_file = NULL;
    int c, lfd;

    inet_pton(AF_INET, "127.0.0.1", listen_on.addr);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, serve_short_options, serve_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(serve_help, stdout);
            return 0;
        case 'l':
            if (!cli_parse_endpoint(optarg, &listen_on, &have_addr))
                return serve_usage("--listen: expected ADDR:PORT, got", optarg);
            break;
        case 'E':
            cfg.echo = FALSE;
            break;
        case 'c':
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, G_MAXUINT32, &cfg.max_ended, NULL))
                return serve_usage("--connections: expected a whole number, got", optarg);
            break;
        case 't':
            if (!g_ascii_string_to_unsigned(optarg, 10, 0, 86400, &max_seconds, NULL))
                return serve_usage("--max-seconds: expected 0 to 86400, got", optarg);
            break;
        case 'i':
            if (!g_ascii_string_to_unsigned(optarg, 10, 0, 86400, &idle_seconds, NULL))
                return serve_usage("--idle-timeout: expected 0 to 86400, got", optarg);
            break;
        case 'P':
            port_file = optarg;
            break;
        case 'q':
            cfg.quiet = TRUE;
            break;
        default:
            return serve_usage("unknown option or missing value", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return serve_usage("unexpected argument", argv[optind]);

    net_catch_stop_signals(&stop_requested);
    cfg.fd_limit = net_raise_fd_limit();
    if ((lfd = open_listener(&listen_on, port_file)) < 0)
        return GEN_EXIT_USAGE;
    g_autofree char *where = net_endpoint_text(&listen_on);
    fprintf(stderr, "appmsg-gen: %s server on %s\n", cfg.echo ? "echo" : "silent", where);
    cfg.idle_usec = (gint64)idle_seconds * G_USEC_PER_SEC;
    cfg.deadline_usec =
        max_seconds ? g_get_monotonic_time() + (gint64)max_seconds * G_USEC_PER_SEC : 0;
    echo_server_run(lfd, &cfg, &st);
    close(lfd);
    fprintf(stderr,
            "appmsg-gen: %" G_GUINT64_FORMAT " connection%s: %" G_GUINT64_FORMAT
            " closed by the client, %" G_GUINT64_FORMAT " reset, %" G_GUINT64_FORMAT
            " idle timeout, %" G_GUINT64_FORMAT " open at exit; %" G_GUINT64_FORMAT
            " bytes in, %" G_GUINT64_FORMAT " bytes out\n",
            st.accepted, plural(st.accepted), st.closed, st.reset, st.idle, st.open_at_exit,
            st.bytes_in, st.bytes_out);
    return 0;
}
