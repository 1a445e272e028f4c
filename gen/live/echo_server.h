/* echo_server.h — the event loop behind `appmsg-gen serve`: every byte a client sends goes back
 * to it, on any number of connections, and no client can hold up another.
 *
 * One thread, non-blocking sockets, poll. A client's echo that cannot be written at once waits
 * in a buffer of its own, and nothing more is read from that client until it has gone out
 * (back-pressure); the others are served meanwhile. Out of descriptors, accepting pauses until a
 * connection closes. Stop requests and the deadline are seen within 100 ms. */
#ifndef APPMSG_GEN_ECHO_SERVER_H
#define APPMSG_GEN_ECHO_SERVER_H

#include <signal.h>

#include <glib.h>

typedef struct {
    gboolean echo;        /* FALSE: read and discard */
    guint64 max_ended;    /* stop once this many connections have ended (0: never) */
    gint64 deadline_usec; /* monotonic time to stop at (0: none) */
    gint64 idle_usec;     /* close a connection where nothing moved for this long (0: never) */
    gboolean quiet;       /* no log line per abnormal event */
    guint64 fd_limit;     /* for the log line when descriptors run out */
    volatile sig_atomic_t *stop;
} echo_server_config;

typedef struct {
    guint64 accepted;
    guint64 closed;       /* by the client, after its echo went out */
    guint64 reset;        /* reset by the client, or an error on its socket */
    guint64 idle;         /* closed by the idle timeout */
    guint64 open_at_exit; /* still open when the server stopped */
    guint64 bytes_in, bytes_out;
} echo_server_stats;

/* Serves the listening socket lfd until a stop request, the deadline or max_ended. */
void echo_server_run(int lfd, const echo_server_config *cfg, echo_server_stats *st);

#endif
