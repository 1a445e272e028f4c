/* live.c — real sockets: a client that sends scenarios, an echo server. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "appmsg_wire.h"
#include "cli.h"
#include "inject.h"
#include "live.h"
#include "manifest.h"
#include "scenario.h"
#include "segmenter.h"
#include "traffic.h"

#define DRAIN_TIMEOUT_MS 5000 /* how long the client waits for the last echoes */

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int
fail_errno(const char *what, const char *where)
{
    fprintf(stderr, "appmsg-gen: %s %s: %s\n", what, where, g_strerror(errno));
    return GEN_EXIT_USAGE;
}

static socklen_t
to_sockaddr(const tcp_endpoint *ep, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (ep->ipv6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(ep->port);
        memcpy(&a->sin6_addr, ep->addr, 16);
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(ep->port);
    memcpy(&a->sin_addr, ep->addr, 4);
    return sizeof *a;
}

static char *
endpoint_text(const tcp_endpoint *ep)
{
    char host[INET6_ADDRSTRLEN];

    inet_ntop(ep->ipv6 ? AF_INET6 : AF_INET, ep->addr, host, sizeof host);
    return g_strdup_printf(ep->ipv6 ? "[%s]:%u" : "%s:%u", host, ep->port);
}

/* One write of its own: TCP_NODELAY sends it now, MSG_EOR keeps Linux from corking it with the
 * next one. */
static gboolean
send_all(int fd, const guint8 *data, gsize len, GError **err)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_EOR | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error(err, APPMSG_GEN_ERROR, errno, "cannot send: %s", g_strerror(errno));
            return FALSE;
        }
        data += n;
        len -= (gsize)n;
    }
    return TRUE;
}

/* Reads what has arrived (the echoes) without waiting; or, with a timeout, until end of stream.
 * Adds the bytes read to *received. */
static void
drain(int fd, int timeout_ms, guint64 *received)
{
    guint8 buf[65536];
    struct pollfd p = {fd, POLLIN, 0};

    while (poll(&p, 1, timeout_ms) > 0) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0)
            *received += (guint64)n;
        else if (!(n < 0 && errno == EINTR))
            return;
    }
}

/* ---- send --------------------------------------------------------------------------------------
 */

typedef struct {
    int fd;
    scenario *sc;
    segmenter *seg;
    encoded_message e;
    gboolean more;
    guint64 gap_usec;
    guint64 messages, sent, received; /* what went out, and what came back (bytes) */
} live_conn;

static gboolean
on_segment(void *ctx, const guint8 *data, gsize len, GError **err)
{
    live_conn *lc = ctx;

    if (!send_all(lc->fd, data, len, err))
        return FALSE;
    lc->sent += len;
    drain(lc->fd, 0, &lc->received);
    g_usleep(lc->gap_usec);
    return TRUE;
}

/* The stream ends inside a message: what was sent of it, then FIN or RST. */
static gboolean
cut(live_conn *lc, int how, GError **err)
{
    if (!segmenter_flush(lc->seg, err) || !on_segment(lc, lc->e.wire->data, lc->e.sent, err))
        return FALSE;
    if (how == CUT_RST) {
        struct linger hard = {1, 0}; /* close() then sends RST */
        setsockopt(lc->fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    } else {
        shutdown(lc->fd, SHUT_WR);
        drain(lc->fd, DRAIN_TIMEOUT_MS, &lc->received);
    }
    return TRUE;
}

static gboolean
step(live_conn *lc, const gen_options *opt, guint id, manifest *mf, GError **err)
{
    scenario_message msg;

    if (!scenario_next(lc->sc, &msg)) {
        lc->more = FALSE;
        if (!segmenter_flush(lc->seg, err))
            return FALSE;
        shutdown(lc->fd, SHUT_WR);
        drain(lc->fd, DRAIN_TIMEOUT_MS, &lc->received);
        return TRUE;
    }
    inject_encode(&opt->plan, &msg, &lc->e);
    lc->messages++;
    if (mf)
        manifest_add_message(mf, id, opt->conversation.echo, msg.index, &lc->e);
    if (lc->e.kinds & (1u << INJ_CUT)) {
        lc->more = FALSE;
        return cut(lc, (int)opt->plan.cut_with, err);
    }
    return segmenter_push(lc->seg, lc->e.wire->data, lc->e.wire->len, err);
}

static int
connect_to(const tcp_endpoint *server)
{
    struct sockaddr_storage ss;
    socklen_t sl = to_sockaddr(server, &ss);
    int one = 1, fd = socket(ss.ss_family, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int
live_send(int argc, char **argv)
{
    gen_options opt;
    int rc = cli_parse(argc, argv, MODE_SEND, &opt);
    guint n;
    live_conn *conns;
    manifest *mf = NULL;
    GError *err = NULL;
    gboolean ok = TRUE;
    guint active;

    if (rc >= 0) {
        cli_options_clear(&opt);
        return rc;
    }
    signal(SIGPIPE, SIG_IGN);
    n = opt.connections;
    conns = g_new0(live_conn, n);
    for (guint i = 0; i < n; i++) {
        live_conn *lc = &conns[i];
        scenario_config s;
        segmenter_config g;

        traffic_connection_configs(&opt, i, &s, &g);
        g.mss = 65536; /* the kernel cuts into MSS-sized segments itself */
        lc->fd = -1;
        lc->gap_usec = opt.conversation.gap_usec;
        lc->more = TRUE;
        lc->sc = scenario_new(&s);
        lc->seg = segmenter_new(&g, on_segment, lc);
        encoded_message_init(&lc->e);
    }
    for (guint i = 0; ok && i < n; i++) {
        if ((conns[i].fd = connect_to(&opt.conversation.server)) < 0) {
            g_autofree char *where = endpoint_text(&opt.conversation.server);
            rc = fail_errno("cannot connect to", where);
            ok = FALSE;
        }
    }
    if (ok && opt.manifest_path && !(mf = manifest_open(opt.manifest_path, &err)))
        ok = FALSE;
    for (active = n; ok && active > 0;) {
        for (guint i = 0; ok && i < n; i++) {
            if (!conns[i].more)
                continue;
            ok = step(&conns[i], &opt, i, mf, &err);
            active -= !conns[i].more;
        }
    }
    guint64 messages = 0, sent = 0, received = 0;
    for (guint i = 0; i < n; i++) {
        messages += conns[i].messages;
        sent += conns[i].sent;
        received += conns[i].received;
        if (conns[i].fd >= 0)
            close(conns[i].fd);
        segmenter_free(conns[i].seg);
        scenario_free(conns[i].sc);
        encoded_message_clear(&conns[i].e);
    }
    g_free(conns);
    if (ok && mf)
        ok = manifest_commit(mf, &err);
    else
        manifest_discard(mf);
    if (ok && !err) {
        g_autofree char *where = endpoint_text(&opt.conversation.server);
        /* What an echo server should have sent back: every byte. */
        fprintf(stderr,
                "appmsg-gen: sent %" G_GUINT64_FORMAT " message%s (%" G_GUINT64_FORMAT
                " bytes) on %u connection%s to %s; %" G_GUINT64_FORMAT " bytes came back%s\n",
                messages, messages == 1 ? "" : "s", sent, n, n == 1 ? "" : "s", where, received,
                received == sent ? " (all of it)" : "");
    }
    cli_options_clear(&opt);
    if (err) {
        fprintf(stderr, "appmsg-gen: %s\n", err->message);
        g_error_free(err);
        return GEN_EXIT_USAGE;
    }
    return ok ? 0 : rc;
}

/* ---- serve -------------------------------------------------------------------------------------
 */

static const char serve_help[] =
    "Usage: appmsg-gen serve [--listen ADDR:PORT] [--port-file FILE] [--no-echo]\n"
    "                        [--connections N] [--max-seconds N]\n"
    "An echo server, like the tutorials': sends back every byte it receives.\n"
    "\n"
    "  --listen ADDR:PORT  where to listen (default 127.0.0.1:65432; port 0: any free port)\n"
    "  --port-file FILE    write the port listened on to FILE (useful with port 0)\n"
    "  --no-echo           receive only, send nothing back\n"
    "  --connections N     stop after N connections have ended\n"
    "  --max-seconds N     stop after N seconds (0, the default: until interrupted)\n"
    "  -h, --help          show this help and exit\n"
    "\n"
    "Example:\n"
    "  appmsg-gen serve --port-file p --connections 1 &\n"
    "  appmsg-gen send -n 20 -s partial --server 127.0.0.1:$(cat p)\n";

static int
serve_usage(const char *problem, const char *arg)
{
    fprintf(stderr, "appmsg-gen: serve %s '%s' (try --help)\n", problem, arg);
    return GEN_EXIT_USAGE;
}

static int
write_port_file(const char *path, guint port)
{
    g_autofree char *text = g_strdup_printf("%u\n", port);
    GError *err = NULL;

    if (g_file_set_contents(path, text, -1, &err))
        return 0;
    fprintf(stderr, "appmsg-gen: cannot write '%s': %s\n", path, err->message);
    g_error_free(err);
    return GEN_EXIT_USAGE;
}

int
live_serve(int argc, char **argv)
{
    static const struct option options[] = {{"listen", required_argument, NULL, 'l'},
                                            {"no-echo", no_argument, NULL, 'E'},
                                            {"connections", required_argument, NULL, 'c'},
                                            {"max-seconds", required_argument, NULL, 't'},
                                            {"port-file", required_argument, NULL, 'P'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    tcp_endpoint listen_on = {.port = APPMSG_DEFAULT_PORT};
    gboolean echo = TRUE, have_addr = FALSE;
    guint64 max_conns = 0, max_seconds = 0;
    const char *port_file = NULL;
    struct sockaddr_storage ss;
    socklen_t sl;
    GArray *fds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
    guint64 ended = 0;
    gint64 deadline;
    int c, one = 1, lfd;

    inet_pton(AF_INET, "127.0.0.1", listen_on.addr);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":l:c:t:h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(serve_help, stdout);
            g_array_free(fds, TRUE);
            return 0;
        case 'l':
            if (!cli_parse_endpoint(optarg, &listen_on, &have_addr))
                return serve_usage("--listen: expected ADDR:PORT, got", optarg);
            break;
        case 'E':
            echo = FALSE;
            break;
        case 'c':
            if (!g_ascii_string_to_unsigned(optarg, 10, 1, G_MAXUINT32, &max_conns, NULL))
                return serve_usage("--connections: expected a whole number, got", optarg);
            break;
        case 't':
            if (!g_ascii_string_to_unsigned(optarg, 10, 0, 86400, &max_seconds, NULL))
                return serve_usage("--max-seconds: expected 0 to 86400, got", optarg);
            break;
        case 'P':
            port_file = optarg;
            break;
        default:
            return serve_usage("unknown option or missing value", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return serve_usage("unexpected argument", argv[optind]);

    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    sl = to_sockaddr(&listen_on, &ss);
    g_autofree char *where = endpoint_text(&listen_on);
    if ((lfd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
        return fail_errno("cannot listen on", where);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&ss, sl) != 0 || listen(lfd, 64) != 0) {
        int rc = fail_errno("cannot listen on", where);
        close(lfd);
        return rc;
    }
    /* Port 0: the kernel's choice, told through --port-file. */
    getsockname(lfd, (struct sockaddr *)&ss, &sl);
    listen_on.port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                    : ((struct sockaddr_in *)&ss)->sin_port);
    if (port_file && write_port_file(port_file, listen_on.port) != 0) {
        close(lfd);
        return GEN_EXIT_USAGE;
    }
    g_free(where);
    where = endpoint_text(&listen_on);
    fprintf(stderr, "appmsg-gen: %s server on %s\n", echo ? "echo" : "silent", where);

    struct pollfd lp = {lfd, POLLIN, 0};
    g_array_append_val(fds, lp);
    deadline = max_seconds ? g_get_monotonic_time() + (gint64)max_seconds * G_USEC_PER_SEC : 0;
    while (!stop_requested && !(max_conns && ended >= max_conns) &&
           !(deadline && g_get_monotonic_time() >= deadline)) {
        if (poll((struct pollfd *)fds->data, fds->len, 200) <= 0)
            continue;
        for (guint i = fds->len; i-- > 0;) {
            struct pollfd *p = &g_array_index(fds, struct pollfd, i);
            guint8 buf[65536];
            ssize_t n;

            if (!p->revents)
                continue;
            if (p->fd == lfd) {
                int cfd = accept(lfd, NULL, NULL);
                struct pollfd cp = {cfd, POLLIN, 0};
                if (cfd >= 0) {
                    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    g_array_append_val(fds, cp);
                }
                continue;
            }
            /* recv then sendall, as the seeds' echo server does */
            n = recv(p->fd, buf, sizeof buf, 0);
            if (n > 0 && (!echo || send_all(p->fd, buf, (gsize)n, NULL)))
                continue;
            if (n < 0 && errno == EINTR)
                continue;
            close(p->fd);
            g_array_remove_index(fds, i);
            ended++;
        }
    }
    for (guint i = 0; i < fds->len; i++)
        close(g_array_index(fds, struct pollfd, i).fd);
    g_array_free(fds, TRUE);
    fprintf(stderr, "appmsg-gen: %" G_GUINT64_FORMAT " connection%s served\n", ended,
            ended == 1 ? "" : "s");
    return 0;
}
