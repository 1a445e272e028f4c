/* echo_server.c — non-blocking echo with back-pressure, fd exhaustion and idle handling.
 *
 * epoll, not poll: poll's cost grows with the connections open, epoll's with those ready (at
 * 100 connections poll spent more per message than the echo itself). */
#include <errno.h>
#include <sys/epoll.h>
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
    int fd;
    guint slot; /* index in server.clients */
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
    int epfd, lfd;
    GPtrArray *clients; /* client *, every connection open */
    guint8 *buf;
    gboolean accept_paused, fd_shortage_logged;
    gint64 accept_retry_usec;
    guint64 ended;
} server;

static void log_event(const server *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

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

/* What epoll reports for fd: events (0: nothing), with the client (NULL: the listener). */
static void
watch(server *s, int op, int fd, guint32 events, client *c)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};

    epoll_ctl(s->epfd, op, fd, &ev);
}

static void
drop(server *s, client *c, guint64 *counter)
{
    client *last = g_ptr_array_index(s->clients, s->clients->len - 1);

    close(c->fd); /* which also removes it from epoll */
    (*counter)++;
    s->ended++;
    last->slot = c->slot; /* the last client takes the freed slot */
    s->clients->pdata[c->slot] = last;
    g_ptr_array_set_size(s->clients, s->clients->len - 1);
    g_free(c->pending);
    g_free(c);
    if (s->accept_paused) { /* a descriptor is free again */
        s->accept_paused = FALSE;
        watch(s, EPOLL_CTL_MOD, s->lfd, EPOLLIN, NULL);
    }
}

static void
drop_reset(server *s, client *c, const char *what, int err)
{
    g_autofree char *peer = net_sockaddr_text(&c->peer);

    log_event(s, "%s %s: %s (after %" G_GUINT64_FORMAT " bytes in, %" G_GUINT64_FORMAT " out)",
              what, peer, g_strerror(err), c->in, c->out);
    drop(s, c, &s->st->reset);
}

static void
accept_clients(server *s, gint64 now)
{
    for (guint n = 0; n < ACCEPTS_PER_WAKEUP; n++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int fd = accept(s->lfd, (struct sockaddr *)&peer, &len);

        if (fd < 0 && (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)) {
            /* The listener would stay readable and poll would spin: stop watching it until a
             * connection closes (or a second has passed); waiting clients stay queued. */
            if (!s->fd_shortage_logged)
                log_event(s,
                          "out of file descriptors (%s; limit %" G_GUINT64_FORMAT
                          ", %u connections open): not accepting until one closes",
                          g_strerror(errno), s->cfg->fd_limit, s->clients->len);
            s->fd_shortage_logged = TRUE;
            s->accept_paused = TRUE;
            s->accept_retry_usec = now + ACCEPT_RETRY_USEC;
            watch(s, EPOLL_CTL_MOD, s->lfd, 0, NULL);
            return;
        }
        if (fd < 0)
            return; /* EAGAIN: none left; ECONNABORTED and the like: gone already */
        if (!net_prepare(fd, TRUE)) {
            close(fd);
            continue;
        }
        if (s->fd_shortage_logged) {
            log_event(s, "accepting again (%u connections open)", s->clients->len);
            s->fd_shortage_logged = FALSE;
        }
        client *c = g_new0(client, 1);
        c->fd = fd;
        c->slot = s->clients->len;
        c->peer = peer;
        c->last_progress_usec = now;
        g_ptr_array_add(s->clients, c);
        watch(s, EPOLL_CTL_ADD, fd, EPOLLIN, c);
        s->st->accepted++;
    }
}

/* Writes what is pending; TRUE if the connection goes on. */
static gboolean
flush_pending(server *s, client *c, gint64 now)
{
    while (c->pending_off < c->pending_len) {
        ssize_t n =
            send(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TRUE;
        if (n < 0) {
            drop_reset(s, c, "cannot echo to", errno);
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
        drop(s, c, &s->st->closed);
        return FALSE;
    }
    watch(s, EPOLL_CTL_MOD, c->fd, EPOLLIN, c);
    return TRUE;
}

/* One read, and its echo at once; what does not fit in the socket waits in pending. */
static void
serve_client(server *s, client *c, guint32 events, gint64 now)
{
    int fd = c->fd;
    ssize_t n;

    if (c->pending) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            flush_pending(s, c, now);
        return;
    }
    if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    n = recv(fd, s->buf, READ_CHUNK, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0) {
        drop_reset(s, c, "connection reset by", errno);
        return;
    }
    if (n == 0) { /* FIN: the tutorials' server closes here */
        drop(s, c, &s->st->closed);
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
            watch(s, EPOLL_CTL_MOD, fd, EPOLLOUT, c);
            return;
        }
        if (w < 0) {
            drop_reset(s, c, "cannot echo to", errno);
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
    for (guint i = s->clients->len; i-- > 0;) { /* backwards: drop moves the last one here */
        client *c = g_ptr_array_index(s->clients, i);
        g_autofree char *peer = NULL;

        if (s->cfg->idle_usec && now - c->last_progress_usec >= s->cfg->idle_usec) {
            peer = net_sockaddr_text(&c->peer);
            log_event(s, "closing %s: nothing moved for %.1f s (idle timeout)", peer,
                      (double)(now - c->last_progress_usec) / G_USEC_PER_SEC);
            drop(s, c, &s->st->idle);
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
        watch(s, EPOLL_CTL_MOD, s->lfd, EPOLLIN, NULL);
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
    server s = {.cfg = cfg, .st = st, .lfd = lfd};
    struct epoll_event ready[256];
    gint64 now = g_get_monotonic_time(), next_tick = now + TICK_USEC;

    memset(st, 0, sizeof *st);
    s.epfd = epoll_create1(EPOLL_CLOEXEC);
    s.clients = g_ptr_array_new();
    s.buf = g_malloc(READ_CHUNK);
    watch(&s, EPOLL_CTL_ADD, lfd, EPOLLIN, NULL);
    while (!must_stop(&s, now)) {
        int timeout_ms = (int)((MAX(next_tick - now, 0) + 999) / 1000);
        int n = epoll_wait(s.epfd, ready, G_N_ELEMENTS(ready), timeout_ms);

        now = g_get_monotonic_time();
        for (int i = 0; i < n; i++) {
            if (ready[i].data.ptr)
                serve_client(&s, ready[i].data.ptr, ready[i].events, now);
            else
                accept_clients(&s, now);
        }
        if (now >= next_tick) {
            check_clients(&s, now);
            next_tick = now + TICK_USEC;
        }
    }
    for (guint i = 0; i < s.clients->len; i++) {
        client *c = g_ptr_array_index(s.clients, i);
        close(c->fd);
        g_free(c->pending);
        g_free(c);
        st->open_at_exit++;
    }
    close(s.epfd);
    g_free(s.buf);
    g_ptr_array_free(s.clients, TRUE);
}
