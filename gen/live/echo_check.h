/* echo_check.h — did the echo server send back exactly what the client sent? One connection.
 *
 * send registers each message's place in the client's stream, then every byte it writes and
 * every byte that comes back. The first byte that differs is kept with where it is (message
 * index, field or payload offset); each message's echo latency (its last byte written → its last
 * byte echoed) goes into a histogram. Memory: only the bytes not yet echoed. */
#ifndef APPMSG_GEN_ECHO_CHECK_H
#define APPMSG_GEN_ECHO_CHECK_H

#include <glib.h>

#include "latency.h"

typedef struct echo_check echo_check;

/* header_len: 12 (plain layout) or 16 (checked). */
echo_check *echo_check_new(gsize header_len);
void echo_check_free(echo_check *ec);

/* Message index takes the stream's bytes [start, start + len), its header at start + header_at
 * (the bytes before it are garbage). Messages are registered in stream order, before they are
 * sent. */
void echo_check_message(echo_check *ec, guint64 index, guint64 start, guint64 len, gsize header_at);
/* Bytes written to the server, in stream order, at now_usec. */
void echo_check_sent(echo_check *ec, const guint8 *data, gsize len, gint64 now_usec);
/* Bytes that came back at now_usec. FALSE from the first byte that differs from what was sent,
 * or that was never sent. */
gboolean echo_check_received(echo_check *ec, const guint8 *data, gsize len, gint64 now_usec);

guint64 echo_check_sent_bytes(const echo_check *ec);
/* Bytes echoed exactly, from the start of the stream. */
guint64 echo_check_echoed_bytes(const echo_check *ec);
gboolean echo_check_failed(const echo_check *ec);
/* Where a stream offset is: "message 7, payload byte 3", "message 2, header byte 5 (type)",
 * "the 17 garbage bytes before message 4". */
char *echo_check_where(const echo_check *ec, guint64 offset);
/* The first difference as a sentence; NULL if there is none. */
char *echo_check_difference(const echo_check *ec);
const latency_histogram *echo_check_latency(const echo_check *ec);

#endif
