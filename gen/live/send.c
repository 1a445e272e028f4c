/* send.c — `appmsg-gen send`: the scenario on real sockets, and a check of the server's echo.
 *
 * Every connection runs side by side in one poll loop. Each writes its segments one send() each
 * (MSG_EOR, TCP_NODELAY), a --rate gap apart, so merged and partial arrive as such; every byte
 * that comes back is compared with what was sent (echo_check.h). A connection fails on the
 * first differing byte, on an echo that stops, a close or reset before the echo is whole, or a
 * server that stops reading; each failure is one line. Exit 0: every echo exact; 1: the server
 * misbehaved; 2: bad arguments, or no connection to the server. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "appmsg_wire.h"
#include "cli.h"
#include "client_stream.h"
#include "echo_check.h"
#include "live.h"
#include "net.h"
#include "traffic.h"

#define READ_CHUNK  65536
#define ECHO_WINDOW (4u << 20) /* bytes sent ahead of their echo, at most */
#define TICK_USEC   (G_USEC_PER_SEC / 10)

typedef enum { CONNECTING, SENDING, AWAITING_ECHO, DONE } conn_state;

typedef struct {
    guint id;
    int fd;
    conn_state state;
    gboolean connect_failed;
    char *problem; /* why this connection failed; NULL: it did not */
    scenario *sc;
    client_stream cs;
    GQueue segments; /* GBytes: cut, not written yet */
    gsize head_written;
    gboolean stream_over, end_with_rst;
    gboolean write_blocked;
    gint64 next_write_usec;
    gint64 wait_since_usec; /* connecting, blocked writing, or waiting for the server's close */
    gint64 echo_since_usec; /* last progress of the echo */
    echo_check *ec;         /* NULL with --no-echo */
    guint64 messages, sent, received;
} conn;

typedef struct {
    const gen_options *opt;
    gint64 timeout_usec;
    char *server;
    conn *conns;
    struct pollfd *pfds;
    guint8 *buf;
} sender;

static void conn_fail(conn *c, int how, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
conn_fail(conn *c, int how, const char *fmt, ...)
{
    va_list ap;

    if (c->fd >= 0) {
        if (how == 'R') { /* our own reset, as cut@N with --cut-with rst asks */
            struct linger hard = {1, 0};
            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        }
        close(c->fd);
        c->fd = -1;
    }
    c->state = DONE;
    if (!fmt)
        return;
    va_start(ap, fmt);
    c->problem = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}
#define conn_done(c, how) conn_fail((c), (how), NULL)

static guint64
unechoed(const conn *c)
{
    return c->ec ? echo_check_sent_bytes(c->ec) - echo_check_echoed_bytes(c->ec) : 0;
}

/* "… 120 of 480 bytes came back; the echo stops at byte 120 (message 3, header byte 0 (magic))" */
static char *
echo_progress(const conn *c)
{
    g_autofree char *where = NULL;
    guint64 echoed;

    if (!c->ec)
        return g_strdup_printf("%" G_GUINT64_FORMAT " bytes sent", c->sent);
    echoed = echo_check_echoed_bytes(c->ec);
    if (echoed == c->sent)
        return g_strdup_printf("all %" G_GUINT64_FORMAT " bytes sent had come back", c->sent);
    where = echo_check_where(c->ec, echoed);
    return g_strdup_printf("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                           " bytes sent came back; the echo stops at byte %" G_GUINT64_FORMAT
                           " (%s)",
                           echoed, c->sent, echoed, where);
}

static gboolean
on_segment(void *ctx, const guint8 *data, gsize len, GError **err)
{
    conn *c = ctx;

    (void)err;
    g_queue_push_tail(&c->segments, g_bytes_new(data, len));
    return TRUE;
}

/* Cuts messages until a segment is ready or the stream is over. */
static gboolean
refill(sender *s, conn *c, GError **err)
{
    while (g_queue_is_empty(&c->segments) && !c->stream_over) {
        client_stream_event ev = client_stream_next(&c->cs);
        encoded_message *e = &c->cs.e;

        if (ev != CLIENT_STREAM_END) {
            c->messages++;
            if (c->ec)
                echo_check_message(c->ec, c->cs.index, c->cs.start,
                                   ev == CLIENT_STREAM_CUT ? e->sent : e->wire->len, e->msg_start);
        }
        if (!client_stream_forward(&c->cs, ev, err))
            return FALSE;
        if (ev == CLIENT_STREAM_CUT && e->sent > 0)
            g_queue_push_tail(&c->segments, g_bytes_new(e->wire->data, e->sent));
        c->stream_over = ev != CLIENT_STREAM_MESSAGE;
        c->end_with_rst = ev == CLIENT_STREAM_CUT && s->opt->plan.cut_with == CUT_RST;
    }
    return TRUE;
}

/* The client's stream is over: FIN, then wait for the rest of the echo and the server's close;
 * or RST (cut@N --cut-with rst), and the connection is done. */
static void
end_stream(conn *c, gint64 now)
{
    if (c->end_with_rst) {
        conn_done(c, 'R');
        return;
    }
    shutdown(c->fd, SHUT_WR);
    c->state = AWAITING_ECHO;
    c->wait_since_usec = now;
}

/* One segment (or what is left of one), if its time has come. */
static gboolean
write_next(sender *s, conn *c, gint64 now, GError **err)
{
    GBytes *head;
    gsize len;
    const guint8 *data;
    ssize_t n;

    if (!refill(s, c, err))
        return FALSE;
    if (g_queue_is_empty(&c->segments)) {
        end_stream(c, now);
        return TRUE;
    }
    if (unechoed(c) >= ECHO_WINDOW)
        return TRUE; /* the echo timeout decides */
    head = g_queue_peek_head(&c->segments);
    data = g_bytes_get_data(head, &len);
    n = send(c->fd, data + c->head_written, len - c->head_written, MSG_EOR | MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (!c->write_blocked)
            c->wait_since_usec = now;
        c->write_blocked = TRUE;
        return TRUE;
    }
    if (n < 0) {
        g_autofree char *progress = echo_progress(c);
        if (errno == EPIPE)
            conn_fail(c, 0, "the server closed the connection before the client had sent all: %s",
                      progress);
        else
            conn_fail(c, 0, "the server reset the connection (%s): %s", g_strerror(errno),
                      progress);
        return TRUE;
    }
    if (c->ec) {
        if (unechoed(c) == 0)
            c->echo_since_usec = now;
        echo_check_sent(c->ec, data + c->head_written, (gsize)n, now);
    }
    c->sent += (guint64)n;
    c->write_blocked = FALSE;
    c->head_written += (gsize)n;
    if (c->head_written == len) {
        g_bytes_unref(g_queue_pop_head(&c->segments));
        c->head_written = 0;
        c->next_write_usec = now + (gint64)s->opt->conversation.gap_usec;
    }
    return TRUE;
}

static void
read_echo(sender *s, conn *c, gint64 now)
{
    ssize_t n = recv(c->fd, s->buf, READ_CHUNK, 0);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n > 0) {
        c->received += (guint64)n;
        if (!c->ec)
            return;
        c->echo_since_usec = now;
        if (!echo_check_received(c->ec, s->buf, (gsize)n, now)) {
            g_autofree char *diff = echo_check_difference(c->ec);
            conn_fail(c, 0, "%s", diff);
        }
        return;
    }
    g_autofree char *progress = echo_progress(c);
    if (n < 0)
        conn_fail(c, 0, "the server reset the connection (%s): %s", g_strerror(errno), progress);
    else if (c->state == SENDING)
        conn_fail(c, 0, "the server closed the connection before the client had sent all: %s",
                  progress);
    else if (unechoed(c) > 0)
        conn_fail(c, 0, "the server closed the connection before the echo was whole: %s", progress);
    else
        conn_done(c, 0); /* all echoed, then the server's close: as it should be */
}

static void
connected(sender *s, conn *c, gint64 now)
{
    int err = 0;
    socklen_t len = sizeof err;

    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        c->connect_failed = TRUE;
        conn_fail(c, 0, "cannot connect to %s: %s", s->server, g_strerror(err));
        return;
    }
    c->state = SENDING;
    c->next_write_usec = now;
}

/* Connect, stalled writes, a stalled echo, the wait for the server's close. */
static void
check_timeouts(sender *s, conn *c, gint64 now)
{
    double secs = (double)s->timeout_usec / G_USEC_PER_SEC;
    g_autofree char *progress = NULL;

    if (c->state == CONNECTING && now - c->wait_since_usec >= s->timeout_usec) {
        c->connect_failed = TRUE;
        conn_fail(c, 0, "cannot connect to %s: no answer in %.1f s", s->server, secs);
    } else if (c->state == SENDING && c->write_blocked &&
               now - c->wait_since_usec >= s->timeout_usec) {
        progress = echo_progress(c);
        conn_fail(c, 0,
                  "the server stopped reading: nothing could be written for %.1f s "
                  "(%" G_GUINT64_FORMAT " bytes sent; %s)",
                  secs, c->sent, progress);
    } else if (c->state != CONNECTING && !c->write_blocked && unechoed(c) > 0 &&
               now - c->echo_since_usec >= s->timeout_usec) {
        /* (while writes are refused, "stopped reading" above says more) */
        progress = echo_progress(c);
        conn_fail(c, 0, "no echo for %.1f s: %s", secs, progress);
    } else if (c->state == AWAITING_ECHO && unechoed(c) == 0 &&
               now - c->wait_since_usec >= s->timeout_usec) {
        conn_done(c, 0); /* the echo is whole; the server keeps the connection open */
    }
}

static gboolean
start(sender *s, conn *c, guint i, manifest *mf, gint64 now)
{
    const gen_options *opt = s->opt;
    struct sockaddr_storage ss;
    socklen_t sl = net_sockaddr(&opt->conversation.server, &ss);
    scenario_config sc_cfg;
    segmenter_config seg_cfg;

    traffic_connection_configs(opt, i, &sc_cfg, &seg_cfg);
    seg_cfg.mss = 65536; /* the kernel cuts into MSS-sized segments itself */
    c->id = i;
    c->sc = scenario_new(&sc_cfg);
    client_stream_init(&c->cs, c->sc, &opt->plan, mf, i, opt->conversation.echo, &seg_cfg,
                       on_segment, c);
    g_queue_init(&c->segments);
    if (opt->conversation.echo)
        c->ec = echo_check_new(appmsg_header_len(opt->plan.checked));
    c->state = CONNECTING;
    c->wait_since_usec = now;
    c->fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (c->fd < 0 || !net_prepare(c->fd, TRUE) ||
        (connect(c->fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS)) {
        c->connect_failed = TRUE;
        conn_fail(c, 0, "cannot connect to %s: %s", s->server, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static void
conn_clear(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    g_queue_clear_full(&c->segments, (GDestroyNotify)g_bytes_unref);
    client_stream_clear(&c->cs);
    scenario_free(c->sc);
    echo_check_free(c->ec);
    g_free(c->problem);
}

/* Runs every connection to its end. FALSE with *err on a local failure (the manifest). */
static gboolean
run(sender *s, guint n, GError **err)
{
    guint active = n;

    while (active > 0) {
        gint64 now = g_get_monotonic_time(), wake = now + TICK_USEC;

        active = 0;
        for (guint i = 0; i < n; i++) {
            conn *c = &s->conns[i];
            struct pollfd *p = &s->pfds[i];

            if (c->state != DONE)
                check_timeouts(s, c, now);
            if (c->state == SENDING && !c->write_blocked && now >= c->next_write_usec &&
                !write_next(s, c, now, err))
                return FALSE;
            p->fd = c->state == DONE ? -1 : c->fd;
            p->events = c->state == CONNECTING                    ? POLLOUT
                        : c->state == SENDING && c->write_blocked ? POLLIN | POLLOUT
                                                                  : POLLIN;
            p->revents = 0;
            if (c->state == SENDING && !c->write_blocked && unechoed(c) < ECHO_WINDOW)
                wake = MIN(wake, c->next_write_usec);
            active += c->state != DONE;
            if (c->connect_failed)
                return TRUE; /* no point going on: exit 2 */
        }
        if (active == 0 || net_wait(s->pfds, n, MAX(wake - now, 0)) <= 0)
            continue;
        now = g_get_monotonic_time();
        for (guint i = 0; i < n; i++) {
            conn *c = &s->conns[i];
            short ev = s->pfds[i].revents;

            if (!ev || c->state == DONE)
                continue;
            if (c->state == CONNECTING) {
                connected(s, c, now);
                continue;
            }
            if (ev & (POLLIN | POLLERR | POLLHUP))
                read_echo(s, c, now);
            if (c->state == SENDING && (ev & POLLOUT)) {
                c->write_blocked = FALSE;
                if (!write_next(s, c, now, err))
                    return FALSE;
            }
        }
    }
    return TRUE;
}

static const char *
plural(guint64 n)
{
    return n == 1 ? "" : "s";
}

/* The last line: what was sent, and what the server made of it. */
static int
report(const sender *s, guint n)
{
    guint64 messages = 0, sent = 0, received = 0;
    guint failed = 0, connect_failed = 0;
    latency_histogram *lat = g_new0(latency_histogram, 1);
    int rc;

    for (guint i = 0; i < n; i++) {
        const conn *c = &s->conns[i];
        messages += c->messages;
        sent += c->sent;
        received += c->received;
        if (c->ec)
            latency_merge(lat, echo_check_latency(c->ec));
        if (c->connect_failed) {
            connect_failed++;
            fprintf(stderr, "appmsg-gen: %s\n", c->problem);
            break; /* the same reason for all */
        }
        if (c->problem) {
            failed++;
            fprintf(stderr, "appmsg-gen: connection %u: %s\n", c->id, c->problem);
        }
    }
    if (connect_failed) {
        rc = GEN_EXIT_USAGE;
    } else {
        GString *line = g_string_new(NULL);
        g_string_printf(line,
                        "appmsg-gen: sent %" G_GUINT64_FORMAT " message%s (%" G_GUINT64_FORMAT
                        " bytes) on %u connection%s to %s; ",
                        messages, plural(messages), sent, n, plural(n), s->server);
        if (!s->opt->conversation.echo)
            g_string_append_printf(
                line, "no echo expected (--no-echo), %" G_GUINT64_FORMAT " bytes came back",
                received);
        else if (failed)
            g_string_append_printf(line,
                                   "%u of %u connection%s echoed exactly: the server "
                                   "misbehaved",
                                   n - failed, n, plural(n));
        else
            g_string_append_printf(line,
                                   "every echo exact; echo latency p50 %.2f ms, p99 %.2f ms, "
                                   "max %.2f ms",
                                   (double)latency_percentile(lat, 50) / 1000,
                                   (double)latency_percentile(lat, 99) / 1000,
                                   (double)lat->max_usec / 1000);
        fprintf(stderr, "%s\n", line->str);
        g_string_free(line, TRUE);
        rc = failed ? 1 : 0;
    }
    g_free(lat);
    return rc;
}

int
live_send(int argc, char **argv)
{
    gen_options opt;
    int rc = cli_parse(argc, argv, MODE_SEND, &opt);
    sender s = {.opt = &opt};
    manifest *mf = NULL;
    GError *err = NULL;
    guint n;
    gboolean ok;

    if (rc >= 0) {
        cli_options_clear(&opt);
        return rc;
    }
    signal(SIGPIPE, SIG_IGN);
    net_raise_fd_limit();
    n = opt.connections;
    s.timeout_usec = opt.timeout_usec;
    s.server = net_endpoint_text(&opt.conversation.server);
    s.conns = g_new0(conn, n);
    s.pfds = g_new0(struct pollfd, n);
    s.buf = g_malloc(READ_CHUNK);
    ok = !opt.manifest_path || (mf = manifest_open(opt.manifest_path, &err));
    gint64 now = g_get_monotonic_time();
    gboolean started = TRUE;
    for (guint i = 0; ok && started && i < n; i++)
        started = start(&s, &s.conns[i], i, mf, now);
    ok = ok && (!started || run(&s, n, &err));
    rc = err ? GEN_EXIT_USAGE : report(&s, n);
    if (ok && rc != GEN_EXIT_USAGE && mf)
        manifest_commit(mf, &err); /* what was sent, also when the server failed */
    else
        manifest_discard(mf);
    for (guint i = 0; i < n; i++)
        if (s.conns[i].sc)
            conn_clear(&s.conns[i]);
    if (err) {
        fprintf(stderr, "appmsg-gen: %s\n", err->message);
        g_error_free(err);
        rc = GEN_EXIT_USAGE;
    }
    g_free(s.buf);
    g_free(s.pfds);
    g_free(s.conns);
    g_free(s.server);
    cli_options_clear(&opt);
    return rc;
}
