/* live.h — the same traffic on real sockets: `appmsg-gen send` and `appmsg-gen serve`.
 *
 * send runs the pipeline's first stages (scenario, inject, segmenter) and writes each segment
 * with its own send(..., MSG_EOR) on a TCP_NODELAY socket, pausing between segments, so that
 * what arrives is merged or partial as asked (Linux otherwise corks small writes together).
 * serve is the seeds' echo server: it sends back every byte it receives, on many connections. */
#ifndef APPMSG_GEN_LIVE_H
#define APPMSG_GEN_LIVE_H

#include <getopt.h>

int live_send(int argc, char **argv);
int live_serve(int argc, char **argv);
/* serve's --help, and the options its parser accepts (long, NULL-terminated; short). */
const char *live_serve_help(const struct option **options, const char **short_options);

#endif
