/* appmsg_conn.h — the rules of one TCP connection as the dissector reads it: which side is the
 * client, what a run of skipped bytes is, the echo pairing, the message a direction waits to
 * complete and how the stream ends inside it, and the TCP segments each message came in.
 *
 * Plain C and glib, no Wireshark types: the unit tests drive it with what TCP delivers, and the
 * plugin (plugin/appmsg-stream.c) feeds it on the first pass and keeps its answers for the passes
 * after. Every function here is a first-pass step: called once per message or packet, in order.
 */
#ifndef APPMSG_CONN_H
#define APPMSG_CONN_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { APPMSG_C2S = 0, APPMSG_S2C = 1 } appmsg_dir;

/* Whether a packet's sender is the client (docs/protocol.md): the SYN's sender, as TCP's
 * server port (0: unknown) says; else the side not on the AppMsg port; else the first to send. */
bool appmsg_sender_is_client(uint32_t server_port, uint32_t sport, uint32_t dport, bool sport_ours,
                             bool dport_ours);

/* How an echo differs from its request. */
#define APPMSG_DIFF_TYPE    0x1
#define APPMSG_DIFF_LENGTH  0x2
#define APPMSG_DIFF_PAYLOAD 0x4

/* What a run of skipped bytes is, given what its direction had before it. */
typedef enum {
    APPMSG_SKIP_RESYNC,    /* bad magic: a new search for the next magic */
    APPMSG_SKIP_CONTINUED, /* the previous segment's search, still without a magic */
    APPMSG_SKIP_OVERSIZE,  /* the payload of a message whose length was above the maximum */
    APPMSG_SKIP_NO_HEADER, /* JSON text where a message should start: a payload sent alone */
    APPMSG_SKIP_CHARS_REST /* the rest of the payload before it, whose length counted characters */
} appmsg_skip;

/* A run of skipped bytes as the reader sees it. */
typedef struct {
    bool at_start, to_end; /* it begins / ends the segment's data */
    bool json_text;        /* it opens like JSON text (appmsg_looks_like_json_text) */
    uint32_t chars;        /* UTF-8 characters it begins (appmsg_utf8_chars) */
    uint32_t len;
} appmsg_run;

/* Whose payload APPMSG_SKIP_CHARS_REST goes on with: the message's frame, its length field, its
 * payload size up to the run's end; complete: the run ends it. */
typedef struct {
    uint32_t frame, declared, bytes;
    bool complete;
} appmsg_chars_rest;

/* A message for the echo pairing. owner and key say where the caller keeps the message's
 * record: they come back when a later message pairs with it. */
typedef struct {
    uint32_t frame, type, length, crc;
    int64_t time_ns;
    void *owner;
    unsigned key;
} appmsg_echo_msg;

/* A pair: the other half (as it was given), how the echo differs from its request
 * (APPMSG_DIFF_*) and the echo's time minus its request's. */
typedef struct {
    appmsg_echo_msg other;
    uint8_t diff;
    int64_t delta_ns;
} appmsg_echo_pair;

/* A message a direction waits to complete, as far as it was seen. */
typedef struct {
    uint32_t start_frame, end_frame; /* frame of its first byte; last frame counted (or that
                                        ended the stream) */
    uint64_t seen, need;             /* bytes seen, bytes a whole message needs (0: unknown) */
    bool have_header;
    uint32_t type, length;
    const char *end; /* "FIN", "RST" or "end of capture"; NULL while it waits */
    uint8_t dir;     /* appmsg_dir */
} appmsg_tail;

typedef struct appmsg_conn appmsg_conn;

appmsg_conn *appmsg_conn_new(void);
void appmsg_conn_free(appmsg_conn *c);

/* ---- Skipped bytes ---- */
/* The magic was found in dir: a message, a header cut short, or (too_long) a header whose length
 * is above the maximum, whose payload the following skipped bytes then are. */
void appmsg_conn_framed(appmsg_conn *c, appmsg_dir dir, bool too_long);
/* The message just framed in dir (frame) is not JSON, and its payload_len bytes begin only chars
 * characters of the declared length: skipped bytes right after it may be the rest of a length
 * counted in characters. */
void appmsg_conn_chars_short(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t declared,
                             uint32_t payload_len, uint32_t chars);
/* What a run of skipped bytes in dir is; for APPMSG_SKIP_CHARS_REST, *rest says whose payload
 * it goes on with. */
appmsg_skip appmsg_conn_skipped(appmsg_conn *c, appmsg_dir dir, const appmsg_run *run,
                                appmsg_chars_rest *rest);

/* ---- Echo pairing ---- */
/* The Nth message one way pairs with the Nth the other way; the first to come waits. Returns
 * true when m pairs with a message that waited (*pair), false when m waits. */
bool appmsg_conn_pair(appmsg_conn *c, appmsg_dir dir, const appmsg_echo_msg *m,
                      appmsg_echo_pair *pair);

/* ---- A message waiting for more bytes, and how the stream ends inside it ---- */
/* An incomplete message waits at the end of dir's data, its bytes counted up to frame (NULL:
 * none waits). Returns +1 when dir starts waiting, -1 when it stops, 0 otherwise. */
int appmsg_conn_set_pending(appmsg_conn *c, appmsg_dir dir, const appmsg_tail *pending,
                            uint32_t frame);
/* The message waiting in dir, if any (*out). */
bool appmsg_conn_pending(const appmsg_conn *c, appmsg_dir dir, appmsg_tail *out);
bool appmsg_conn_any_pending(const appmsg_conn *c);
/* The last frame of the connection seen while a message waited. */
uint32_t appmsg_conn_last_frame(const appmsg_conn *c);
void appmsg_conn_saw_frame(appmsg_conn *c, uint32_t frame);
/* A TCP packet of the connection after a message began to wait, in dir: seglen bytes of data
 * from seq (0: none, or not known), FIN or RST. Counts its bytes into what dir waits for, logs
 * its segment, and ends what FIN (its direction) or RST (both) ends: those tails, up to two,
 * are copied to ended; returns how many. log_always: log its segment even with nothing waiting
 * (a later pass replaying the packets the first could not read). */
unsigned appmsg_conn_follow(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t seq,
                            uint32_t seglen, bool fin, bool rst, bool log_always,
                            appmsg_tail ended[2]);

/* ---- What a single recv() gets: the TCP segments a message came in ---- */
/* A segment with new data in dir, [seq, end) (retransmissions and segments that end no further
 * than the last one are left out). */
void appmsg_conn_log_segment(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t seq,
                             uint32_t end);
/* The last logged segment of dir, if it is frame's, holds pieces message pieces. */
void appmsg_conn_note_pieces(appmsg_conn *c, appmsg_dir dir, uint32_t frame, uint32_t pieces);
/* The logged segments of dir before frame that carry bytes of [seq, end): how many, and how
 * many message pieces the first of them held (*first_pieces). */
uint32_t appmsg_conn_earlier_segments(const appmsg_conn *c, appmsg_dir dir, uint32_t frame,
                                      uint32_t seq, uint32_t end, uint32_t *first_pieces);
/* Forgets the logged segments (a replay logs them again, all of them). */
void appmsg_conn_forget_segments(appmsg_conn *c);

#endif
