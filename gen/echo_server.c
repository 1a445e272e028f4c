/* echo_server.c — non-blocking echo with back-pressure, fd exhaustion and idle handling. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "echo_server.h"
#include "net.h"

#define READ_CHUNK         65536
#define ACCEPTS_PER_WAKEUP 256                   /* then the clients already in get a turn */
#define TICK_USEC          (G_USEC_PER_SEC / 10) /* stop, deadline, idle: seen this often */
#define STALL_REPORT_USEC  G_USEC_PER_SEC        /* a client not reading for this long is logged */
#define ACCEPT_RETRY_USEC  G_USEC_PER_SEC        /* out of descriptors: try again this often */

typedef struct {
    struct sockaddr_storage peer;
    guint8 *pending; /* echo not written yet (back-pressure: nothing read meanwhile) */
    gsize pending_len, pending_off;
    gboolean peer_done; /* the client's FIN came: close once pending is out */
    gint64 last_progress_usec, stalled_since_usec;
    gboolean stall_logged;
    guint64 in, out;
} client;

typedef struct {
    const echo_server_config *cfg;
    echo_server_stats *st;
    GArray *pfds;       /* struct pollfd; [0] is the listener */
    GPtrArray *clients; /* client *, [i] goes with pfds[i]; [0] is NULL */
    guint8 *buf;
    gboolean accept_paused, fd_shortage_logged;
    gint64 accept_retry_usec;
    guint64 ended;
} server;

G_GNUC_PRINTF(2, 3)
static void
log_event(const server *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;

    if (s->cfg->quiet)
        return;
    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "appmsg-gen: serve: %s\n", line);
}

static struct pollfd *
pfd(server *s, guint i)
{
    return &g_array_index(s->pfds, struct pollfd, i);
}

static void
drop(server *s, guint i, guint64 *counter)
{
    client *c = g_ptr_array_index(s->clients, i);
    guint last = s->pfds->len - 1;

    close(pfd(s, i)->fd);
    (*counter)++;
    s->ended++;
    g_free(c->pending);
    g_free(c);
    /* the last entry takes the freed slot */
    *pfd(s, i) = *pfd(s, last);
    s->clients->pdata[i] = s->clients->pdata[last];
    g_array_set_size(s->pfds, last);
    g_ptr_array_set_size(s->clients, last);
    if (s->accept_paused) { /* a descriptor is free again */
        s->accept_paused = FALSE;
        pfd(s, 0)->events = POLLIN;
    }
}

static void
drop_reset(server *s, guint i, const char *what, int err)
{
    client *c = g_ptr_array_index(s->clients, i);
    g_autofree char *peer = net_sockaddr_text(&c->peer);

    log_event(s, "%s %s: %s (after %" G_GUINT64_FORMAT " bytes in, %" G_GUINT64_FORMAT " out)",
              what, peer, g_strerror(err), c->in, c->out);
    drop(s, i, &s->st->reset);
}

static void
accept_clients(server *s, gint64 now)
{
    for (guint n = 0; n < ACCEPTS_PER_WAKEUP; n++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept(pfd(s, 0)->fd, (struct sockaddr *)&peer, &len);

        if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
            /* The listener would stay readable and poll would spin: stop watching it until a
             * connection closes (or a second has passed); waiting clients stay queued. */
            if (!s->fd_shortage_logged)
                log_event(s,
                          "out of file descriptors (%s; limit %" G_GUINT64_FORMAT
                          ", %u connections open): not accepting until one closes",
                          g_strerror(errno), s->cfg->fd_limit, s->clients->len - 1);
            s->fd_shortage_logged = TRUE;
            s->accept_paused = TRUE;
            s->accept_retry_usec = now + ACCEPT_RETRY_USEC;
            pfd(s, 0)->events = 0;
            return;
        }
        if (fd < 0)
            return; /* EAGAIN: none left; ECONNABORTED and the like: gone already */
        if (!net_prepare(fd, TRUE)) {
            close(fd);
            continue;
        }
        if (s->fd_shortage_logged) {
            log_event(s, "accepting again (%u connections open)", s->clients->len - 1);
            s->fd_shortage_logged = FALSE;
        }
        client *c = g_new0(client, 1);
        struct pollfd p = {fd, POLLIN, 0};
        c->peer = peer;
        c->last_progress_usec = now;
        g_array_append_val(s->pfds, p);
        g_ptr_array_add(s->clients, c);
        s->st->accepted++;
    }
}

/* Writes what is pending; TRUE if the connection goes on. */
static gboolean
flush_pending(server *s, guint i, gint64 now)
{
    client *c = g_ptr_array_index(s->clients, i);

    while (c->pending_off < c->pending_len) {
        ssize_t n = send(pfd(s, i)->fd, c->pending + c->pending_off,
                         c->pending_len - c->pending_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TRUE;
        if (n < 0) {
            drop_reset(s, i, "cannot echo to", errno);
            return FALSE;
        }
        c->pending_off += (gsize)n;
        c->out += (guint64)n;
        s->st->bytes_out += (guint64)n;
        c->last_progress_usec = now;
    }
    g_clear_pointer(&c->pending, g_free);
    c->pending_len = c->pending_off = 0;
    if (c->stall_logged) {
        g_autofree char *peer = net_sockaddr_text(&c->peer);
        log_event(s, "%s reads its echoes again after %.1f s", peer,
                  (double)(now - c->stalled_since_usec) / G_USEC_PER_SEC);
    }
    c->stall_logged = FALSE;
    if (c->peer_done) {
        drop(s, i, &s->st->closed);
        return FALSE;
    }
    pfd(s, i)->events = POLLIN;
    return TRUE;
}

/* One read, and its echo at once; what does not fit in the socket waits in pending. */
static void
serve_client(server *s, guint i, gint64 now)
{
    client *c = g_ptr_array_index(s->clients, i);
    int fd = pfd(s, i)->fd;
    short revents = pfd(s, i)->revents;
    ssize_t n;

    if (c->pending) {
        if (revents & (POLLOUT | POLLERR | POLLHUP))
            flush_pending(s, i, now);
        return;
    }
    if (!(revents & (POLLIN | POLLERR | POLLHUP)))
        return;
    n = recv(fd, s->buf, READ_CHUNK, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0) {
        drop_reset(s, i, "connection reset by", errno);
        return;
    }
    if (n == 0) { /* FIN: the tutorials' server closes here */
        drop(s, i, &s->st->closed);
        return;
    }
    c->in += (guint64)n;
    s->st->bytes_in += (guint64)n;
    c->last_progress_usec = now;
    if (!s->cfg->echo)
        return;
    for (gsize off = 0; off < (gsize)n;) {
        ssize_t w = send(fd, s->buf + off, (gsize)n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The client is not reading fast enough: keep the rest, read nothing more. */
            c->pending = g_memdup2(s->buf + off, (gsize)n - off);
            c->pending_len = (gsize)n - off;
            c->stalled_since_usec = now;
            pfd(s, i)->events = POLLOUT;
            return;
        }
        if (w < 0) {
            drop_reset(s, i, "cannot echo to", errno);
            return;
        }
        off += (gsize)w;
        c->out += (guint64)w;
        s->st->bytes_out += (guint64)w;
    }
}

/* Every tick: clients that stopped reading are logged once, idle ones closed. */
static void
check_clients(server *s, gint64 now)
{
    for (guint i = s->pfds->len; i-- > 1;) {
        client *c = g_ptr_array_index(s->clients, i);
        g_autofree char *peer = NULL;

        if (s->cfg->idle_usec && now - c->last_progress_usec >= s->cfg->idle_usec) {
            peer = net_sockaddr_text(&c->peer);
            log_event(s, "closing %s: nothing moved for %.1f s (idle timeout)", peer,
                      (double)(now - c->last_progress_usec) / G_USEC_PER_SEC);
            drop(s, i, &s->st->idle);
        } else if (c->pending && !c->stall_logged &&
                   now - c->stalled_since_usec >= STALL_REPORT_USEC) {
            peer = net_sockaddr_text(&c->peer);
            log_event(s,
                      "%s is not reading its echoes: %" G_GSIZE_FORMAT
                      " bytes wait; reading nothing more from it until they are out",
                      peer, c->pending_len - c->pending_off);
            c->stall_logged = TRUE;
        }
    }
    if (s->accept_paused && now >= s->accept_retry_usec) {
        s->accept_paused = FALSE;
        pfd(s, 0)->events = POLLIN;
    }
}

static gboolean
must_stop(const server *s, gint64 now)
{
    return *s->cfg->stop || (s->cfg->max_ended && s->ended >= s->cfg->max_ended) ||
           (s->cfg->deadline_usec && now >= s->cfg->deadline_usec);
}

void
echo_server_run(int lfd, const echo_server_config *cfg, echo_server_stats *st)
{
    server s = {.cfg = cfg, .st = st};
    struct pollfd lp = {lfd, POLLIN, 0};
    gint64 now = g_get_monotonic_time(), next_tick = now + TICK_USEC;

    memset(st, 0, sizeof *st);
    s.pfds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
    s.clients = g_ptr_array_new();
    s.buf = g_malloc(READ_CHUNK);
    g_array_append_val(s.pfds, lp);
    g_ptr_array_add(s.clients, NULL);
    while (!must_stop(&s, now)) {
        int ready = net_wait((struct pollfd *)s.pfds->data, s.pfds->len, MAX(next_tick - now, 0));

        now = g_get_monotonic_time();
        if (ready > 0) {
            if (pfd(&s, 0)->revents & POLLIN)
                accept_clients(&s, now);
            /* Backwards: a dropped client's slot takes the last one, already seen. */
            for (guint i = s.pfds->len; i-- > 1;)
                if (pfd(&s, i)->revents)
                    serve_client(&s, i, now);
        }
        if (now >= next_tick) {
            check_clients(&s, now);
            next_tick = now + TICK_USEC;
        }
    }
    for (guint i = 1; i < s.pfds->len; i++) {
        client *c = g_ptr_array_index(s.clients, i);
        close(pfd(&s, i)->fd);
        g_free(c->pending);
        g_free(c);
        st->open_at_exit++;
    }
    g_free(s.buf);
    g_ptr_array_free(s.clients, TRUE);
    g_array_free(s.pfds, TRUE);
}
