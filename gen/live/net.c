/* net.c — socket helpers for send and serve. */
#define _GNU_SOURCE /* ppoll (POSIX.1-2024, older glibc headers want this) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "net.h"

socklen_t
net_sockaddr(const tcp_endpoint *ep, struct sockaddr_storage *ss)
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

char *
net_endpoint_text(const tcp_endpoint *ep)
{
    struct sockaddr_storage ss;

    net_sockaddr(ep, &ss);
    return net_sockaddr_text(&ss);
}

guint16
net_sockaddr_port(const struct sockaddr_storage *ss)
{
    return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
                                           : ((const struct sockaddr_in *)ss)->sin_port);
}

char *
net_sockaddr_text(const struct sockaddr_storage *ss)
{
    char host[INET6_ADDRSTRLEN] = "?";
    gboolean v6 = ss->ss_family == AF_INET6;

    inet_ntop(ss->ss_family,
              v6 ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                 : (const void *)&((const struct sockaddr_in *)ss)->sin_addr,
              host, sizeof host);
    return g_strdup_printf(v6 ? "[%s]:%u" : "%s:%u", host, net_sockaddr_port(ss));
}

gboolean
net_prepare(int fd, gboolean tcp)
{
    int one = 1, flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return FALSE;
    /* Each write its own segment, at once: merged and partial must arrive as such. */
    return !tcp || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0;
}

guint64
net_raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY ? G_MAXUINT64 : (guint64)rl.rlim_cur;
}

int
net_wait(struct pollfd *fds, nfds_t n, gint64 timeout_usec)
{
    struct timespec ts = {(time_t)(timeout_usec / G_USEC_PER_SEC),
                          (long)(timeout_usec % G_USEC_PER_SEC) * 1000};
    int r = ppoll(fds, n, timeout_usec < 0 ? NULL : &ts, NULL);

    return r < 0 && errno == EINTR ? 0 : r;
}

static volatile sig_atomic_t *stop_flag;

static void
on_stop_signal(int sig)
{
    (void)sig;
    *stop_flag = 1;
}

void
net_catch_stop_signals(volatile sig_atomic_t *flag)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal; /* no SA_RESTART: a blocked call returns EINTR */
    sigemptyset(&sa.sa_mask);
    stop_flag = flag;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
