/* fuzz_core.c — libFuzzer harness for the framing core (core/appmsg_frame.c, core/appmsg_json.c,
 * core/appmsg_evidence.c).
 *
 * Invariants, each checked with abort() so the fuzzer reports them:
 *  - appmsg_frame_next never reads past the buffer (AddressSanitizer: the input is an exact-size
 *    heap copy) and every result is consistent with the bytes it was given;
 *  - walking a stream with it always advances: resynchronisation cannot loop;
 *  - a well-formed message, plain or checked, always parses back to what was written;
 *  - the JSON check never reads out of bounds and agrees with itself on a prefix of spaces;
 *  - the heuristic's evidence agrees with the framing: strong only for a whole message;
 *  - the reader of what TCP delivers (core/appmsg_reader.c) covers the data item by item, with
 *    or without a reassembly at its start, and a wait takes the rest of it;
 *  - a connection's rules (core/appmsg_conn.c) take every skipped run the reader finds.
 *
 * Build: cmake with clang present builds it as target fuzz_core (tests/CMakeLists.txt).
 * Run:   build/tests/fuzz_core -max_total_time=60 tests/fuzz/corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "appmsg_evidence.h"
#include "appmsg_frame.h"
#include "appmsg_json.h"
#include "appmsg_mistakes.h"
#include "appmsg_reader.h"
#include "appmsg_wire.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* A magic either way round: the framing reads a little-endian header too. */
static int
magic_at(const uint8_t *p)
{
    return appmsg_get_u32(p) == APPMSG_MAGIC || appmsg_get_u32(p) == APPMSG_MAGIC_LE;
}

/* As the dissector reads what TCP delivers: every item advances and stays in the data; a wait
 * takes the rest, and so does a message cut where nothing more comes; skipped runs go to a
 * connection's rules. */
static void
read_stream(const uint8_t *data, size_t size, const appmsg_frame_opts *opts, bool reassembled)
{
    appmsg_conn *conn = appmsg_conn_new();

    for (int can_wait = 0; can_wait < 2; can_wait++) {
        size_t offset = 0;
        while (offset < size) {
            appmsg_read r = appmsg_read_next(data, size, offset, reassembled, can_wait, opts);
            CHECK(r.len > 0 && r.len <= size - offset);
            CHECK((r.kind == APPMSG_READ_WAIT) == (can_wait && r.f.kind == APPMSG_FRAME_NEED_MORE));
            if (r.kind == APPMSG_READ_WAIT || r.kind == APPMSG_READ_TRUNCATED)
                CHECK(r.len == size - offset);
            if (r.kind == APPMSG_READ_WAIT)
                CHECK(r.more == 0 || r.f.have_header);
            if (r.kind == APPMSG_READ_SKIPPED) {
                appmsg_run run = appmsg_run_of(data, size, offset, r.len);
                appmsg_chars_rest rest;
                CHECK(run.len == r.len && run.chars <= run.len);
                appmsg_conn_skipped(conn, APPMSG_C2S, &run, &rest);
            } else {
                appmsg_conn_framed(conn, APPMSG_C2S, r.kind == APPMSG_READ_TOO_LONG);
            }
            offset += r.len;
        }
    }
    appmsg_conn_free(conn);
}

static void
walk_stream(const uint8_t *data, size_t size, const appmsg_frame_opts *opts)
{
    size_t offset = 0;

    while (offset < size) {
        size_t avail = size - offset;
        /* As the dissector reads: the length mistakes only ever make a message shorter or
         * longer within the bytes there are, or ask for fewer bytes than the length would. */
        appmsg_frame f = appmsg_frame_read(data + offset, avail, opts);
        switch (f.kind) {
        case APPMSG_FRAME_MESSAGE:
            CHECK(f.have_header && f.len == f.header_len + f.length && f.len <= avail);
            CHECK(f.mistakes || f.length == f.declared);
            CHECK(magic_at(data + offset));
            break;
        case APPMSG_FRAME_BAD_MAGIC:
            CHECK(f.len >= 1 && f.len <= avail);
            /* what it skips holds no whole magic */
            for (size_t i = 0; i + 4 <= f.len; i++)
                CHECK(!magic_at(data + offset + i));
            break;
        case APPMSG_FRAME_TOO_LONG:
            CHECK(f.have_header && f.len == f.header_len && f.length > opts->max_length);
            break;
        case APPMSG_FRAME_NEED_MORE:
            CHECK(f.need > avail);
            return;
        }
        CHECK(f.len > 0); /* resync always advances */
        offset += f.len;
    }
    CHECK(offset == size);
}

/* The input's first bytes choose a type; the rest is a payload to write and read back. */
static void
round_trip(const uint8_t *data, size_t size, int checked)
{
    uint32_t type = size >= 4 ? appmsg_get_u32(data) : 7;
    const uint8_t *payload = size >= 4 ? data + 4 : data;
    size_t len = size >= 4 ? size - 4 : size;
    size_t hdr = appmsg_header_len(checked);
    uint8_t *msg = malloc(hdr + len + 1);
    appmsg_frame_opts opts = {checked != 0, APPMSG_DEFAULT_MAX_LENGTH};
    appmsg_frame f;

    if (checked)
        appmsg_put_checked_header(msg, type, (uint32_t)len, appmsg_payload_crc32(payload, len));
    else
        appmsg_put_header(msg, type, (uint32_t)len);
    memcpy(msg + hdr, payload, len);
    f = appmsg_frame_next(msg, hdr + len, &opts);
    CHECK(f.kind == APPMSG_FRAME_MESSAGE && f.type == type && f.length == len);
    CHECK(f.len == hdr + len && memcmp(msg + hdr, payload, len) == 0);
    if (checked)
        CHECK(f.checksum == appmsg_payload_crc32(msg + hdr, len));
    /* Every cut of it asks for more. */
    for (size_t cut = 1; cut < hdr + len && cut < 64; cut++)
        CHECK(appmsg_frame_next(msg, cut, &opts).kind == APPMSG_FRAME_NEED_MORE);
    free(msg);
}

/* The member list's tokens: the same whatever room they are given (a short list is the start
 * of the long one, the count the same), each inside the payload, a string between quotes. */
static void
check_tokens(const uint8_t *data, size_t size)
{
    appmsg_json_token few[4], *all = malloc(sizeof *all * size);
    appmsg_json_tokens a = {few, 4, 0}, b = {all, size, 0};
    appmsg_json_error err;

    CHECK(appmsg_payload_check_tokens(data, size, &err, &a) == 0);
    CHECK(appmsg_payload_check_tokens(data, size, &err, &b) == 0);
    CHECK(a.count == b.count && b.count >= 1 && b.count <= size);
    CHECK(memcmp(few, all, sizeof *all * (a.count < 4 ? a.count : 4)) == 0);
    for (size_t i = 0; i < b.count; i++) {
        CHECK(all[i].start <= all[i].end && all[i].end <= size);
        CHECK(all[i].type != APPMSG_JSON_STRING ||
              (all[i].start >= 1 && data[all[i].start - 1] == '"' && data[all[i].end] == '"'));
    }
    free(all);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const appmsg_frame_opts plain = {0, 64}, checked = {1, APPMSG_DEFAULT_MAX_LENGTH};
    appmsg_json_error err;

    walk_stream(data, size, &plain);
    walk_stream(data, size, &checked);
    read_stream(data, size, &plain, true);
    read_stream(data, size, &checked, false);
    for (int i = 0; i < 2; i++) {
        const appmsg_frame_opts *opts = i ? &checked : &plain;
        appmsg_evidence e = appmsg_evidence_of(data, size, opts, NULL);
        appmsg_frame f = size ? appmsg_frame_next(data, size, opts) : (appmsg_frame){0};
        CHECK(e == APPMSG_EVIDENCE_NONE || (size >= 4 && magic_at(data)));
        CHECK(e != APPMSG_EVIDENCE_MESSAGE || f.kind == APPMSG_FRAME_MESSAGE);
        CHECK(e != APPMSG_EVIDENCE_PREFIX || !f.have_header);
    }
    if (size <= APPMSG_DEFAULT_MAX_LENGTH) {
        round_trip(data, size, 0);
        round_trip(data, size, 1);
    }
    if (size > 0) {
        CHECK(appmsg_find_magic(data, size) <= size);
        int ok = appmsg_json_valid(data, size, &err);
        CHECK(ok || (err.offset <= size && err.problem));
        /* valid JSON is valid UTF-8 without NUL: the plugin checks nothing more */
        CHECK(!ok ||
              (g_utf8_validate((const char *)data, (gssize)size, NULL) && !memchr(data, 0, size)));
        /* leading white space never changes the verdict */
        uint8_t *spaced = malloc(size + 1);
        spaced[0] = ' ';
        memcpy(spaced + 1, data, size);
        CHECK(appmsg_json_valid(spaced, size + 1, NULL) == ok);
        free(spaced);
        if (ok)
            check_tokens(data, size);
        CHECK(appmsg_magic_starts(data, size) == (appmsg_find_magic(data, size) == 0));
    }
    return 0;
}
