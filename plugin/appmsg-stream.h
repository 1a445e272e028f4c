/* appmsg-stream.h — what the dissector remembers about one TCP connection, pass after pass.
 *
 * The rules (which side is the client, what a skipped run is, the echo pairing, a message the
 * stream ends inside of, the segments a message came in) are core/appmsg_conn.h's; this is their
 * pass bookkeeping: the rules run on the first pass only, their answers are kept per frame and
 * read back on every later pass, so any visiting order (two-pass tshark, the GUI) gives the same
 * answers. Builds no tree items: packet-appmsg.c shows what is here.
 *
 * TCP does not call a subdissector for a segment without payload (a bare FIN or RST), so the
 * dissector's postdissector reports TCP packets here, with the header TCP's tap holds
 * (appmsg_stream_observe_tcp).
 */
#ifndef APPMSG_STREAM_H
#define APPMSG_STREAM_H

#include <epan/packet.h>
#include <epan/dissectors/packet-tcp.h>

/* Directions, skipped runs, the chars rest, the waiting message and its tail: the core's. */
#include "appmsg_conn.h"

/* What a message's echo pairing came to, kept for the whole file (read again when frames are
 * revisited): 24 bytes a message, in one array per frame. */
typedef struct {
    guint32 peer_frame;             /* that completes the other half of the pair; 0: unpaired */
    guint32 peer_type, peer_length; /* of the other half */
    guint8 dir;                     /* appmsg_dir of this message */
    guint8 diff;     /* APPMSG_DIFF_*, on the server message of a pair; on a CHARS_REST run, whether
                        it ends the payload */
    guint8 skip;     /* appmsg_skip, on a run of skipped bytes */
    gint64 delta_ns; /* echo's time minus its request's, on the server message */
} appmsg_pairing;

typedef struct appmsg_stream appmsg_stream;

/* The index of pinfo's TCP connection (tcp.stream), if it has one: read from TCP's state as it
 * is (get_tcp_conversation_data() would reset the packet's TCP analysis, or make TCP state). */
gboolean appmsg_tcp_stream(packet_info *pinfo, guint32 *stream);

/* Registers the per-file state; call from handoff. */
void appmsg_stream_register(int proto);

/* The state of pinfo's TCP connection (created on first use). */
appmsg_stream *appmsg_stream_get(packet_info *pinfo);
/* Direction of pinfo's message; on the first pass, the first message may fix the client. */
appmsg_dir appmsg_stream_direction(appmsg_stream *s, packet_info *pinfo);

/* First pass: records a message and pairs it with the other side's message of the same rank.
 * Later passes: returns the record made then. key tells messages of one frame apart. */
const appmsg_pairing *appmsg_stream_message(appmsg_stream *s, packet_info *pinfo, guint key,
                                            appmsg_dir dir, guint32 type, guint32 length,
                                            guint32 crc);

/* First pass: the magic was found in dir, starting a message, a header cut short, or (too_long)
 * a header with a length above the maximum, whose payload the following skipped bytes then are. */
void appmsg_stream_framed(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, gboolean too_long);
/* First pass: what the run of skipped bytes at key is. Later passes: the answer given then.
 * For APPMSG_SKIP_CHARS_REST, *rest says whose payload it ends. */
appmsg_skip appmsg_stream_skipped(appmsg_stream *s, packet_info *pinfo, guint key, appmsg_dir dir,
                                  const appmsg_run *run, appmsg_chars_rest *rest);
/* First pass: the message just framed in dir is not JSON, and its payload_len bytes begin only
 * chars characters of the declared length: if skipped bytes follow at once, they may be the rest
 * of a length counted in characters. */
void appmsg_stream_chars_short(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir,
                               guint32 declared, guint32 payload_len, guint32 chars);
/* First pass: an incomplete message waits at the end of dir's data (NULL clears it). Observed
 * TCP packets then count what else arrives and note FIN/RST; a stream that ends with it still
 * waiting gets a tail. */
void appmsg_stream_set_pending(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir,
                               const appmsg_tail *pending);
/* First pass: the message waiting in dir, if any (*out), before the dissector clears it. */
gboolean appmsg_stream_pending(const appmsg_stream *s, appmsg_dir dir, appmsg_tail *out);
/* First pass: this frame's segment, [seq, end), where a message begins to wait (TCP's tap may
 * not be read yet in the packet that starts it). */
void appmsg_stream_log_segment(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir, guint32 seq,
                               guint32 end);
/* When this frame's messages are all known: pieces of messages have bytes in it. */
void appmsg_stream_note_pieces(appmsg_stream *s, packet_info *pinfo, appmsg_dir dir,
                               guint32 pieces);
/* The TCP segments of dir before this frame that carry bytes of the sequence range [seq, end),
 * as TCP packets observed while a message waited (or a later pass replaying them) showed: how
 * many, and how many message pieces the first of them held (*first_pieces). */
guint32 appmsg_stream_earlier_segments(const appmsg_stream *s, packet_info *pinfo, appmsg_dir dir,
                                       guint32 seq, guint32 end, guint32 *first_pieces);
/* Whether any stream has a message waiting or cut, or (on a later pass) packets to replay: else
 * TCP packets need not be looked at. */
gboolean appmsg_stream_following(const packet_info *pinfo);
/* Every TCP packet, first pass, after dissection, with TCP's tapped header (NULL in a pass
 * without taps): follows directions that wait for the rest of a message. Returns the tails this
 * packet ends (FIN/RST), to show in it at once, in *ended_here. */
guint appmsg_stream_observe_tcp(packet_info *pinfo, const struct tcpheader *tcph,
                                const appmsg_tail *const **ended_here);
/* Tails to show in this frame, on passes after the first (tcph as above): returns how many,
 * *tails the list. */
guint appmsg_stream_tails_in_frame(packet_info *pinfo, const struct tcpheader *tcph,
                                   const appmsg_tail *const **tails);

#endif
