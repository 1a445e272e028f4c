/* appmsg-show.c — how one message is shown: its tree item and fields, its expert infos, its
 * Info column text and its tap record; and skipped bytes, an oversize header, a message the
 * stream ends inside of, the same way wherever they show.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>

#include "appmsg-dissector.h"
#include "appmsg-json-tree.h"
#include "appmsg-keys.h"
#include "appmsg-recv.h"
#include "appmsg-srt.h"
#include "appmsg-stats.h"
#include "appmsg-types.h"
#include "appmsg_json.h"
#include "appmsg_reader.h"
#include "appmsg_utf8.h"
#include "appmsg_wire.h"

static dissector_handle_t json_handle;

/* ---- Columns -----------------------------------------------------------------------------------
 */

/* Packet scope, because TCP may call us twice for one frame (reassembled message, then the rest
 * of the segment). */
guint *
appmsg_frame_message_count(packet_info *pinfo)
{
    guint *count = p_get_proto_data(pinfo->pool, pinfo, proto_appmsg, APPMSG_KEY_MESSAGE_COUNT);

    if (!count) {
        count = wmem_new0(pinfo->pool, guint);
        p_add_proto_data(pinfo->pool, pinfo, proto_appmsg, APPMSG_KEY_MESSAGE_COUNT, count);
    }
    return count;
}

static guint
next_message_in_frame(appmsg_ctx *c)
{
    guint index = (*c->count)++;

    if (index == 0) {
        col_set_str(c->pinfo->cinfo, COL_PROTOCOL, "AppMsg");
        col_clear(c->pinfo->cinfo, COL_INFO);
    }
    return index;
}

/* "type login (3)" with a name from the type table, else "type 3": the form the type field
 * shows, everywhere. */
static const char *
type_label(packet_info *pinfo, guint32 type)
{
    char form[ITEM_LABEL_LENGTH];

    appmsg_type_format(form, sizeof form, type);
    return wmem_strdup_printf(pinfo->pool, "type %s", form);
}

/* Texts are for people: build them only when a tree is shown or columns are filled (tshark
 * -T fields has neither), which matters at a million messages. */
#define INFO_TEXT(pinfo, ...)                                                                      \
    ((pinfo)->cinfo ? wmem_strdup_printf((pinfo)->pool, __VA_ARGS__) : NULL)
#define TREE_TEXT(tree, pinfo, ...)                                                                \
    (tree_visible(tree) ? wmem_strdup_printf((pinfo)->pool, __VA_ARGS__) : "")

static gboolean
tree_visible(proto_tree *tree)
{
    return tree && PTREE_DATA(tree)->visible;
}

static void
add_info(packet_info *pinfo, const char *summary, guint32 errors)
{
    if (!summary)
        return;
    col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", summary);
    for (guint i = 0; i < APPMSG_N_PROBLEMS; i++)
        if (errors & (1u << i))
            col_append_fstr(pinfo->cinfo, COL_INFO, " [%s]", appmsg_problem_table[i].label);
}

/* ---- Tree --------------------------------------------------------------------------------------
 */

/* Which side sent it (generated): filters such as "client messages never echoed" need it. */
static void
add_from_client(proto_tree *tree, tvbuff_t *tvb, appmsg_dir dir)
{
    proto_item_set_generated(
        proto_tree_add_boolean(tree, hf_appmsg_from_client, tvb, 0, 0, dir == APPMSG_C2S));
}

static proto_tree *
add_message_item(appmsg_ctx *c, tvbuff_t *tvb, int offset, int len, proto_item **ti)
{
    proto_tree *tree;

    /* Its text is set once it is known (proto_tree_add_protocol_format would format the text
     * twice, and make a subset tvb). */
    *ti = proto_tree_add_item(c->tree, proto_appmsg, tvb, offset, len, ENC_NA);
    tree = proto_item_add_subtree(*ti, ett_appmsg);
    add_from_client(tree, tvb, c->dir);
    return tree;
}

/* The header's field items, for what an expert info may point at. */
typedef struct {
    proto_item *type, *length;
} header_items;

#define FIX_LENGTH_IN_CHARS                                                                        \
    "Take the length of the encoded bytes (len(text.encode())), not of the text"

/* The sender's mistakes the framing read through (appmsg_frame.mistakes): each named with its
 * fix, on the field it concerns. Returns the APPMSG_ERR_* they count as. */
static guint32
add_mistakes(appmsg_ctx *c, proto_item *magic, const header_items *h, const appmsg_frame *f)
{
    guint32 errors = 0;

    if (f->mistakes & APPMSG_MISTAKE_LE_HEADER) {
        expert_add_info_format(c->pinfo, magic, &ei_appmsg[APPMSG_PROBLEM_LE_HEADER],
                               "Header written little-endian (magic reads 0x%08x): type %u and "
                               "length %u read byte-swapped. The protocol is big-endian: "
                               "struct.pack('!III', ...) in Python, htonl() in C",
                               APPMSG_MAGIC_LE, f->type, f->declared);
        errors |= APPMSG_ERR_LE_HEADER;
    }
    if (f->mistakes & APPMSG_MISTAKE_LE_LENGTH) {
        expert_add_info_format(c->pinfo, h->length, &ei_appmsg[APPMSG_PROBLEM_LE_HEADER],
                               "Length and type written little-endian (host order): the length "
                               "reads 0x%08x big-endian, %u byte-swapped. Convert every field "
                               "with htonl(), not just the magic",
                               GUINT32_SWAP_LE_BE(f->declared), f->declared);
        errors |= APPMSG_ERR_LE_HEADER;
    }
    if (f->mistakes & APPMSG_MISTAKE_LENGTH_WITH_HEADER) {
        expert_add_info_format(c->pinfo, h->length, &ei_appmsg[APPMSG_PROBLEM_LENGTH_WITH_HEADER],
                               "Length %u counts the %u-byte header: the next magic starts %u "
                               "bytes early, and the payload is %u bytes. The length field is the "
                               "payload's size alone",
                               f->declared, (guint)f->header_len, (guint)f->header_len, f->length);
        errors |= APPMSG_ERR_LENGTH_WITH_HEADER;
    }
    if (f->mistakes & APPMSG_MISTAKE_LENGTH_IN_CHARS) {
        expert_add_info_format(
            c->pinfo, h->length, &ei_appmsg[APPMSG_PROBLEM_LENGTH_IN_CHARS],
            "Length %u counts characters; the payload is %u bytes of UTF-8. " FIX_LENGTH_IN_CHARS,
            f->declared, f->length);
        errors |= APPMSG_ERR_LENGTH_IN_CHARS;
    }
    return errors;
}

/* Magic, type (its field shows the name) and length of the header at offset, from the values
 * already read, in the byte order the sender used; with the mistakes found in it (*errors). */
static header_items
add_header_fields(appmsg_ctx *c, proto_tree *tree, tvbuff_t *tvb, int offset, const appmsg_frame *f,
                  guint32 *errors)
{
    header_items h;
    /* The bytes read big-endian (a little-endian header shows its swapped magic), added as a
     * value: proto_tree_add_item's generic path costs more per message. */
    proto_item *magic =
        proto_tree_add_uint(tree, hf_appmsg_magic, tvb, offset + APPMSG_OFF_MAGIC, 4,
                            appmsg_get_u32(tvb_get_ptr(tvb, offset + APPMSG_OFF_MAGIC, 4)));

    h.type = proto_tree_add_uint(tree, hf_appmsg_type, tvb, offset + APPMSG_OFF_TYPE, 4, f->type);
    h.length = proto_tree_add_uint(tree, hf_appmsg_length, tvb, offset + APPMSG_OFF_LENGTH, 4,
                                   f->declared);
    if (f->mistakes)
        *errors |= add_mistakes(c, magic, &h, f);
    return h;
}

/* A message item's text, put together without printf: it is made for every message whenever a
 * tree is shown (tshark -T fields too), where g_snprintf cost more than the message's fields. */
typedef struct {
    gchar s[ITEM_LABEL_LENGTH];
    gsize len;
} item_text;

static void
text_add_len(item_text *t, const char *s, gsize len)
{
    len = MIN(len, sizeof t->s - 1 - t->len);
    memcpy(t->s + t->len, s, len);
    t->len += len;
    t->s[t->len] = '\0';
}

#define text_add(t, literal) text_add_len((t), "" literal, sizeof(literal) - 1)

static void
text_add_uint(item_text *t, guint32 v)
{
    gchar digits[11];
    int i = sizeof digits - 1;

    digits[i] = '\0';
    do
        digits[--i] = (gchar)('0' + v % 10);
    while (v /= 10);
    text_add_len(t, digits + i, sizeof digits - 1 - (gsize)i);
}

/* "AppMsg, Type: login (3), Length: 42": the type in appmsg_type_format()'s form, written here
 * without printf (this text is made for every shown message). */
static void
text_start(item_text *t, guint32 type, guint32 length)
{
    const char *name = appmsg_type_name(type);

    t->len = 0;
    t->s[0] = '\0';
    text_add(t, "AppMsg, Type: ");
    if (name) {
        text_add_len(t, name, strlen(name));
        text_add(t, " (");
        text_add_uint(t, type);
        text_add(t, ")");
    } else {
        text_add_uint(t, type);
    }
    text_add(t, ", Length: ");
    text_add_uint(t, length);
}

/* "AppMsg, Type: login (3), Length: 42" and what more there is to say. */
static void
set_item_text(proto_item *ti, guint32 type, guint32 length, const char *more)
{
    item_text t;

    if (!tree_visible(ti))
        return;
    text_start(&t, type, length);
    text_add_len(&t, more, strlen(more));
    proto_item_set_text(ti, "%s", t.s);
}

/* A NUL-terminated copy of checked payload bytes (wmem_strndup copies byte by byte). */
static const char *
payload_copy(packet_info *pinfo, const guint8 *payload, guint32 length)
{
    char *copy = wmem_alloc(pinfo->pool, (size_t)length + 1);

    memcpy(copy, payload, length);
    copy[length] = '\0';
    return copy;
}

/* The payload item, after its checks: exactly one JSON value (which is UTF-8 without NUL), or
 * else the first of not UTF-8 / not JSON. Checked text is added as it is (tvb_get_string_enc
 * would check it again, byte by byte); *text is that NUL-terminated copy, or NULL. tokens (if not
 * NULL) gets the JSON's values, for the member list. Returns the APPMSG_ERR_* found. */
static guint32
add_payload(appmsg_ctx *c, proto_tree *tree, tvbuff_t *tvb, int offset, const appmsg_frame *f,
            const guint8 *payload, proto_item **item, const char **text, appmsg_json_tokens *tokens)
{
    appmsg_json_error why;
    const int length = (int)f->length;
    guint32 problem = appmsg_payload_check_tokens(payload, f->length, &why, tokens);

    *text = NULL;
    switch (problem) {
    case 0:
        *text = payload_copy(c->pinfo, payload, f->length);
        *item = proto_tree_add_string(tree, hf_appmsg_payload, tvb, offset, length, *text);
        break;
    case APPMSG_ERR_NOT_UTF8:
        *item = proto_tree_add_item(tree, hf_appmsg_payload, tvb, offset, length, ENC_UTF_8);
        expert_add_info_format(c->pinfo, *item, &ei_appmsg[APPMSG_PROBLEM_NOT_UTF8],
                               "Payload is not valid UTF-8 (from byte %u)", (guint)why.offset);
        break;
    default:
        *item = proto_tree_add_string(tree, hf_appmsg_payload, tvb, offset, length,
                                      payload_copy(c->pinfo, payload, f->length));
        expert_add_info_format(c->pinfo, *item, &ei_appmsg[APPMSG_PROBLEM_NOT_JSON],
                               "Payload is not JSON: %s at byte %u", why.problem,
                               (guint)why.offset);
        break;
    }
    return problem;
}

static guint32
check_checksum(appmsg_ctx *c, proto_tree *tree, tvbuff_t *tvb, int offset, const appmsg_frame *f,
               guint32 crc)
{
    const guint enc = f->mistakes & APPMSG_MISTAKE_LE_HEADER ? ENC_LITTLE_ENDIAN : ENC_BIG_ENDIAN;
    proto_item *ci = proto_tree_add_checksum(tree, tvb, offset + APPMSG_OFF_CHECKSUM,
                                             hf_appmsg_checksum, hf_appmsg_checksum_status, NULL,
                                             c->pinfo, crc, enc, PROTO_CHECKSUM_VERIFY);
    if (f->checksum == crc)
        return 0;
    expert_add_info_format(c->pinfo, ci, &ei_appmsg[APPMSG_PROBLEM_BAD_CHECKSUM],
                           "Checksum mismatch: header says 0x%08x, CRC-32 of the payload is "
                           "0x%08x",
                           f->checksum, crc);
    return APPMSG_ERR_BAD_CHECKSUM;
}

/* An echo that differs from its request: the expert info goes on the first field that differs
 * (type, length, else the payload) and says what differs. */
static void
add_echo_differs(appmsg_ctx *c, const appmsg_frame *f, const appmsg_pairing *m,
                 const header_items *h, proto_item *payload_item)
{
    wmem_strbuf_t *what = wmem_strbuf_new(c->pinfo->pool, "");
    proto_item *at = NULL; /* the first field that differs */

    if (m->diff & APPMSG_DIFF_TYPE) {
        wmem_strbuf_append_printf(what, "type %u, not %u", f->type, m->peer_type);
        at = h->type;
    }
    if (m->diff & APPMSG_DIFF_LENGTH) {
        wmem_strbuf_append_printf(what, "%slength %u, not %u",
                                  wmem_strbuf_get_len(what) ? "; " : "", f->length, m->peer_length);
        at = at ? at : h->length;
    }
    if (m->diff & APPMSG_DIFF_PAYLOAD) {
        wmem_strbuf_append_printf(what, "%spayload bytes differ",
                                  wmem_strbuf_get_len(what) ? "; " : "");
        at = at ? at : payload_item;
    }
    expert_add_info_format(c->pinfo, at, &ei_appmsg[APPMSG_PROBLEM_ECHO_DIFFERS],
                           "Echo differs from its request in frame %u: %s", m->peer_frame,
                           wmem_strbuf_get_str(what));
}

/* Echo pairing fields (generated, at offset), and ", echo of frame N" or similar for text (NULL
 * when no tree shows it). */
static void
add_pairing(appmsg_ctx *c, item_text *text, proto_tree *tree, tvbuff_t *tvb, int offset,
            const appmsg_frame *f, const appmsg_pairing *m, guint32 *errors, const header_items *h,
            proto_item *payload_item)
{
    proto_item *pi;

    if (!m || !m->peer_frame)
        return;
    if (m->dir == APPMSG_C2S) {
        pi = proto_tree_add_uint(tree, hf_appmsg_response_in, tvb, offset, 0, m->peer_frame);
        proto_item_set_generated(pi);
        if (text) {
            text_add(text, ", echoed in frame ");
            text_add_uint(text, m->peer_frame);
        }
        return;
    }
    nstime_t delta = {(time_t)(m->delta_ns / 1000000000), (int)(m->delta_ns % 1000000000)};
    pi = proto_tree_add_uint(tree, hf_appmsg_response_to, tvb, offset, 0, m->peer_frame);
    proto_item_set_generated(pi);
    pi = proto_tree_add_time(tree, hf_appmsg_time, tvb, offset, 0, &delta);
    proto_item_set_generated(pi);
    if (m->diff) {
        add_echo_differs(c, f, m, h, payload_item);
        *errors |= APPMSG_ERR_ECHO_DIFFERS;
    }
    if (text) {
        text_add(text, ", echo of frame ");
        text_add_uint(text, m->peer_frame);
    }
}

/* Queues the tap record r describes (appmsg-stats.h), sent in c's direction. */
static appmsg_tap_info *
queue_tap(appmsg_ctx *c, const appmsg_tap_info *r)
{
    appmsg_tap_info *info = wmem_new(c->pinfo->pool, appmsg_tap_info);

    *info = *r;
    info->from_client = c->dir == APPMSG_C2S;
    appmsg_stats_queue(c->pinfo, info);
    return info;
}

/* The record of a message whose header is at offset in c's tvb, with text_len payload bytes
 * after it, bytes in all. */
static appmsg_tap_info *
queue_message_tap(appmsg_ctx *c, const appmsg_frame *f, guint32 errors, int offset, guint32 bytes,
                  guint32 text_len)
{
    const appmsg_tap_info r = {.is_message = TRUE,
                               .type = f->type,
                               .length = f->length,
                               .errors = errors,
                               .bytes = bytes,
                               .tvb = c->tvb,
                               .text_offset = (guint32)offset + (guint32)f->header_len,
                               .text_len = text_len};
    return queue_tap(c, &r);
}

/* The payload's JSON (at offset, text checked): our own member list from its tokens (NULL when
 * no tree wants it), or Wireshark's JSON dissector when preferred. */
static void
add_json(appmsg_ctx *c, proto_tree *tree, int offset, guint32 length, proto_item *payload_item,
         const char *text, const appmsg_json_tokens *tokens)
{
    if (!appmsg_json_dissector) {
        if (tokens)
            appmsg_json_tree_add(payload_item, c->tvb, offset, c->pinfo, text, length, tokens);
        return;
    }
    /* The columns describe messages; keep JSON's "JavaScript Object Notation" out. */
    col_set_writable(c->pinfo->cinfo, -1, FALSE);
    call_dissector(json_handle, tvb_new_subset_length(c->tvb, offset, (gint)length), c->pinfo,
                   tree);
    col_set_writable(c->pinfo->cinfo, -1, TRUE);
}

/* ---- One message -------------------------------------------------------------------------------
 */

/* A whole message at offset. Offsets stay in the segment's tvb: a subset tvb per message costs
 * more than the message's own fields. */
void
appmsg_show_message(appmsg_ctx *c, int offset, const appmsg_frame *f)
{
    const int payload_offset = offset + (int)f->header_len;
    /* tvb_get_ptr may give NULL for no bytes; the checks below want a real (empty) string. */
    const guint8 *payload =
        f->length ? tvb_get_ptr(c->tvb, payload_offset, (gint)f->length) : (const guint8 *)"";
    guint32 crc = appmsg_payload_crc32(payload, f->length), errors = 0;
    guint key = next_message_in_frame(c);
    const appmsg_pairing *m =
        appmsg_stream_message(c->stream, c->pinfo, key, c->dir, f->type, f->length, crc);
    proto_item *ti, *payload_item;
    proto_tree *tree = add_message_item(c, c->tvb, offset, (int)f->len, &ti);
    const char *text;
    item_text label, *shown = NULL; /* the item's text, when a tree shows it */
    /* The member list's tokens, found by the payload's check, when a tree wants the list. */
    appmsg_json_token token_room[APPMSG_JSON_TREE_STACK_TOKENS];
    appmsg_json_tokens tokens = {token_room, G_N_ELEMENTS(token_room), 0};
    const gboolean members =
        appmsg_payload_as_json && !appmsg_json_dissector && appmsg_json_tree_wanted(tree);

    header_items h = add_header_fields(c, tree, c->tvb, offset, f, &errors);
    if (appmsg_checked)
        errors |= check_checksum(c, tree, c->tvb, offset, f, crc);
    /* Always present, even when empty, so that field occurrences line up across messages. */
    errors |= add_payload(c, tree, c->tvb, payload_offset, f, payload, &payload_item, &text,
                          members ? &tokens : NULL);
    if (tree_visible(ti)) {
        text_start(&label, f->type, f->length);
        shown = &label;
    }
    add_pairing(c, shown, tree, c->tvb, offset, f, m, &errors, &h, payload_item);
    if ((errors & (APPMSG_ERR_NOT_JSON | APPMSG_ERR_NOT_UTF8)) && !f->mistakes) {
        guint32 chars = appmsg_utf8_chars(payload, f->length);
        if (chars < f->length) /* not ASCII: its length may count characters */
            appmsg_stream_chars_short(c->stream, c->pinfo, c->dir, f->declared, f->length, chars);
    }
    if (shown)
        proto_item_set_text(ti, "%s", shown->s);

    add_info(c->pinfo, INFO_TEXT(c->pinfo, "%s: %u B", type_label(c->pinfo, f->type), f->length),
             errors);
    appmsg_recv_piece(c->pinfo, c->stream, c->dir);
    appmsg_tap_info *info = queue_message_tap(c, f, errors, offset, (guint32)f->len, f->length);
    if (m && m->peer_frame) {
        info->peer_frame = m->peer_frame;
        if (m->dir == APPMSG_S2C) {
            info->request_type = m->peer_type;
            info->echo_ns = m->delta_ns;
            if (!c->pinfo->fd->visited)
                appmsg_srt_note_request_type(m->peer_type);
        }
    }
    appmsg_recv_message(c->pinfo, tree, c->tvb, offset, c->seq + (guint32)offset,
                        c->seq + (guint32)(offset + f->len), info);

    if (appmsg_payload_as_json && text)
        add_json(c, tree, payload_offset, f->length, payload_item, text, members ? &tokens : NULL);
}

/* Bytes that do not start with the magic, up to the next magic (or the end of the data): an
 * AppMsg item of their own, so that the filter "appmsg" finds the frame, without type, length or
 * payload. What they are depends on what came before in their direction (appmsg_skip): a new
 * search for the magic, the previous segment's search going on, the payload of an oversize
 * message; or a sender's mistake: JSON sent without a header, the rest of a payload whose length
 * counted characters. */
void
appmsg_show_skipped(appmsg_ctx *c, int offset, guint len)
{
    guint key = next_message_in_frame(c); /* takes its place in the Info column */
    appmsg_run run = {0};
    appmsg_chars_rest rest = {0, 0, 0, FALSE};

    if (!c->pinfo->fd->visited) { /* the run's shape decides, once; later passes read it back */
        guint avail = tvb_captured_length(c->tvb);
        run = appmsg_run_of(tvb_get_ptr(c->tvb, 0, (gint)avail), avail, (gsize)offset, len);
    }
    appmsg_skip kind = appmsg_stream_skipped(c->stream, c->pinfo, key, c->dir, &run, &rest);
    static const guint32 tap_errors[] = {APPMSG_ERR_BAD_MAGIC, 0, 0, APPMSG_ERR_NO_HEADER,
                                         APPMSG_ERR_LENGTH_IN_CHARS};
    static const char *const tap_notes[] = {NULL, "bad magic, continued", "oversize payload", NULL,
                                            NULL};
    proto_item *ti;
    proto_tree *tree = add_message_item(c, c->tvb, offset, (int)len, &ti);

    proto_tree_add_item(tree, hf_appmsg_skipped, c->tvb, offset, (gint)len, ENC_NA);
    const appmsg_tap_info r = {.errors = tap_errors[kind],
                               .note = tap_notes[kind],
                               .length = len,
                               .bytes = len,
                               .tvb = c->tvb,
                               .text_offset = (guint32)offset,
                               .text_len = len};
    queue_tap(c, &r);
    switch (kind) {
    case APPMSG_SKIP_OVERSIZE:
        proto_item_set_text(ti, "AppMsg, %u bytes skipped: payload of the oversize message", len);
        col_append_sep_fstr(c->pinfo->cinfo, COL_INFO, ", ", "%u bytes skipped [oversize payload]",
                            len);
        return;
    case APPMSG_SKIP_NO_HEADER:
        /* A sender that wrote the payload alone: name that, not just the missing magic. */
        proto_item_set_text(ti, "AppMsg, %u bytes skipped: JSON text without a header", len);
        expert_add_info_format(c->pinfo, ti, &ei_appmsg[APPMSG_PROBLEM_NO_HEADER],
                               "JSON text without a header: %u bytes of JSON where a message "
                               "should start. Send the %u-byte header (magic, type, length) "
                               "before each payload",
                               len, (guint)appmsg_header_len(appmsg_checked));
        col_append_sep_fstr(c->pinfo->cinfo, COL_INFO, ", ",
                            "%u bytes skipped [JSON without a header]", len);
        return;
    case APPMSG_SKIP_CHARS_REST:
        proto_item_set_text(ti, "AppMsg, %u bytes skipped: the rest of the payload in frame %u",
                            len, rest.frame);
        if (rest.complete)
            expert_add_info_format(c->pinfo, ti, &ei_appmsg[APPMSG_PROBLEM_LENGTH_IN_CHARS],
                                   "These %u bytes end the payload of the message in frame %u: "
                                   "its length %u counts characters; the payload is %u bytes of "
                                   "UTF-8. " FIX_LENGTH_IN_CHARS,
                                   len, rest.frame, rest.declared, rest.bytes);
        else
            expert_add_info_format(c->pinfo, ti, &ei_appmsg[APPMSG_PROBLEM_LENGTH_IN_CHARS],
                                   "These %u bytes go on with the payload of the message in frame "
                                   "%u, whose length %u counts characters",
                                   len, rest.frame, rest.declared);
        col_append_sep_fstr(c->pinfo->cinfo, COL_INFO, ", ",
                            "%u bytes skipped [length counts characters]", len);
        return;
    case APPMSG_SKIP_RESYNC:
    case APPMSG_SKIP_CONTINUED:
        break;
    }
    proto_item_set_text(ti, "AppMsg, %u bytes skipped: no magic 0x%08x %s", len, APPMSG_MAGIC,
                        kind == APPMSG_SKIP_CONTINUED
                            ? "yet (the search goes on from the previous segment)"
                            : "where a message should start");
    expert_add_info_format(c->pinfo, ti, &ei_appmsg[APPMSG_PROBLEM_BAD_MAGIC],
                           "Bad magic: %u bytes skipped to the next magic%s", len,
                           kind == APPMSG_SKIP_CONTINUED ? " (continued)" : "");
    col_append_sep_fstr(c->pinfo->cinfo, COL_INFO, ", ", "%u bytes skipped [bad magic%s]", len,
                        kind == APPMSG_SKIP_CONTINUED ? ", continued" : "");
}

/* A header whose length is above the maximum: shown, not waited for; resync after it. */
void
appmsg_show_too_long(appmsg_ctx *c, int offset, const appmsg_frame *f)
{
    tvbuff_t *tvb = tvb_new_subset_length(c->tvb, offset, (gint)f->header_len);
    proto_item *ti, *li;
    proto_tree *tree;
    guint32 errors = APPMSG_ERR_TOO_LONG;

    next_message_in_frame(c);
    tree = add_message_item(c, tvb, 0, -1, &ti);
    add_header_fields(c, tree, tvb, 0, f, &errors);
    li = proto_tree_add_string(tree, hf_appmsg_payload, tvb, (gint)f->header_len, 0, "");
    proto_item_set_text(li, "Payload: not read (the length is above the maximum of %u)",
                        appmsg_max_length);
    expert_add_info_format(c->pinfo, ti, &ei_appmsg[APPMSG_PROBLEM_TOO_LONG],
                           "Length %u is above the maximum of %u: not waiting for it; "
                           "skipping to the next magic",
                           f->length, appmsg_max_length);
    set_item_text(ti, f->type, f->length, ", length above the maximum");
    add_info(c->pinfo, INFO_TEXT(c->pinfo, "%s: %u B", type_label(c->pinfo, f->type), f->length),
             errors);
    queue_message_tap(c, f, errors, offset, (guint32)f->header_len, 0);
    appmsg_recv_piece(c->pinfo, c->stream, c->dir);
}

/* A message the stream ended inside of, as far as it was seen: in this frame (its bytes from
 * offset in the segment, as the framing core read them: f), or reported where its stream ended
 * (f NULL: its bytes were in earlier frames). Both show the same fields. */
typedef struct {
    gboolean have_header;
    guint32 type, length;
    guint64 seen, of;    /* payload bytes seen of the length; header bytes, without a header */
    guint64 bytes;       /* all its bytes seen, header too */
    guint32 start_frame; /* where its first byte is */
    const char *why;     /* "FIN", "RST", "end of capture", "not reassembled" */
} truncated_msg;

static void
add_truncated(appmsg_ctx *c, int offset, const appmsg_frame *f, const truncated_msg *t)
{
    packet_info *pinfo = c->pinfo;
    const char *what = t->have_header ? "payload" : "header";
    /* Where it started, when not in this frame. */
    const char *from = t->start_frame != pinfo->num
                           ? wmem_strdup_printf(pinfo->pool, ", from frame %u", t->start_frame)
                           : "";
    tvbuff_t *tvb = f ? tvb_new_subset_remaining(c->tvb, offset) : c->tvb;
    guint32 errors = APPMSG_ERR_TRUNCATED;
    proto_item *ti, *pi;
    proto_tree *tree;

    next_message_in_frame(c);
    tree = add_message_item(c, tvb, 0, f ? -1 : 0, &ti);
    if (!f)
        proto_item_set_generated(ti);
    if (f && t->have_header) {
        add_header_fields(c, tree, tvb, 0, f, &errors);
        proto_tree_add_item(tree, hf_appmsg_payload, tvb, (gint)f->header_len, (gint)t->seen,
                            ENC_UTF_8);
    } else if (t->have_header) {
        proto_item_set_generated(proto_tree_add_uint(tree, hf_appmsg_type, tvb, 0, 0, t->type));
        proto_item_set_generated(proto_tree_add_uint(tree, hf_appmsg_length, tvb, 0, 0, t->length));
        pi = proto_tree_add_string(tree, hf_appmsg_payload, tvb, 0, 0, "");
        proto_item_set_text(
            pi, "Payload: not shown here (%" G_GUINT64_FORMAT " bytes seen, from frame %u on)",
            t->seen, t->start_frame);
        proto_item_set_generated(pi);
    }
    if (t->have_header)
        set_item_text(ti, t->type, t->length,
                      TREE_TEXT(ti, pinfo,
                                ", truncated (%s): %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                " payload bytes%s",
                                t->why, t->seen, t->of, from));
    else
        proto_item_set_text(ti,
                            "AppMsg, truncated (%s): %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                            " header bytes%s",
                            t->why, t->seen, t->of, from);
    proto_item_set_generated(
        proto_tree_add_uint(tree, hf_appmsg_truncated_start, tvb, 0, 0, t->start_frame));
    proto_item_set_generated(
        proto_tree_add_uint64(tree, hf_appmsg_truncated_seen, tvb, 0, 0, t->seen));
    expert_add_info_format(
        pinfo, ti, &ei_appmsg[APPMSG_PROBLEM_TRUNCATED],
        "Message truncated (%s): %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " %s bytes%s", t->why,
        t->seen, t->of, what,
        *from ? wmem_strdup_printf(pinfo->pool, ", started in frame %u", t->start_frame) : "");
    if (pinfo->cinfo)
        col_append_sep_fstr(
            pinfo->cinfo, COL_INFO, ", ",
            "%s%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT "%s [truncated, %s%s]",
            t->have_header ? wmem_strdup_printf(pinfo->pool, "%s: ", type_label(pinfo, t->type))
                           : "",
            t->seen, t->of, t->have_header ? " B" : " header bytes", t->why, from);
    const appmsg_tap_info r = {.is_message = TRUE,
                               .type = t->type,
                               .length = t->length,
                               .errors = errors,
                               .bytes = (guint32)MIN(t->bytes, G_MAXUINT32),
                               .header_cut = !t->have_header,
                               .tvb = f ? c->tvb : NULL,
                               .text_offset = f ? (guint32)(offset + (int)f->header_len) : 0,
                               .text_len = f && t->have_header ? (guint32)t->seen : 0};
    queue_tap(c, &r);
    if (f)
        appmsg_recv_piece(pinfo, c->stream, c->dir);
}

/* The part of a message the stream ends inside of, at offset in this frame. */
void
appmsg_show_truncated(appmsg_ctx *c, int offset, const appmsg_frame *f, const char *why)
{
    guint avail = tvb_captured_length_remaining(c->tvb, offset);
    const truncated_msg t = {f->have_header,
                             f->type,
                             f->length,
                             f->have_header ? avail - f->header_len : avail,
                             f->have_header ? f->length : f->header_len,
                             avail,
                             c->pinfo->num,
                             why};

    add_truncated(c, offset, f, &t);
}

void
appmsg_show_tail(appmsg_ctx *c, const appmsg_tail *t)
{
    /* Payload bytes seen of the length; with no whole header, header bytes seen. */
    guint64 header_len = t->need - t->length;
    const truncated_msg shown = {t->have_header,
                                 t->type,
                                 t->length,
                                 t->have_header ? t->seen - header_len : t->seen,
                                 t->have_header ? t->length : t->need,
                                 t->seen,
                                 t->start_frame,
                                 t->end};

    add_truncated(c, 0, NULL, &shown);
}

void
appmsg_show_handoff(void)
{
    json_handle = find_dissector_add_dependency("json", proto_appmsg);
}
