/* inet_checksum.h — the Internet checksum (RFC 1071) for IPv4 and TCP headers.
 *
 * Debian's libwsutil does not export Wireshark's in_cksum(), so the generator has this one. */
#ifndef APPMSG_GEN_INET_CHECKSUM_H
#define APPMSG_GEN_INET_CHECKSUM_H

#include <glib.h>

/* Adds data, as big-endian 16-bit words, to a running sum. Every chunk but the last must have
 * an even length. Sums of separate chunks may be added together likewise. */
guint64 inet_sum(guint64 sum, const guint8 *data, gsize len);
/* Folds a running sum into the 16-bit checksum to put on the wire. */
guint16 inet_checksum_fold(guint64 sum);

#endif
