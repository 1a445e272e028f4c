/* net.h — what both live commands need from sockets: addresses, non-blocking descriptors, a
 * clock, waiting, the descriptor limit and stop signals. */
#ifndef APPMSG_GEN_NET_H
#define APPMSG_GEN_NET_H

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include "tcp_builder.h"

socklen_t net_sockaddr(const tcp_endpoint *ep, struct sockaddr_storage *ss);
/* "127.0.0.1:65432", "[::1]:65432". */
char *net_endpoint_text(const tcp_endpoint *ep);
char *net_sockaddr_text(const struct sockaddr_storage *ss);
guint16 net_sockaddr_port(const struct sockaddr_storage *ss);
/* O_NONBLOCK and close-on-exec; TCP_NODELAY on a TCP socket. FALSE (errno set) on failure. */
gboolean net_prepare(int fd, gboolean tcp);
/* The soft limit on open descriptors raised to the hard one: thousands of connections need it.
 * Returns the limit now in force. */
guint64 net_raise_fd_limit(void);
/* poll() with a timeout in microseconds (ppoll: gaps below a millisecond stay exact); returns
 * what poll returns, 0 after a signal. */
int net_wait(struct pollfd *fds, nfds_t n, gint64 timeout_usec);
/* SIGINT and SIGTERM set *flag instead of killing, and interrupt net_wait at once. */
void net_catch_stop_signals(volatile sig_atomic_t *flag);

#endif
