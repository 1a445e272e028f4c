/* packet-appmsg.c — dissector for the AppMsg magic-number protocol.
 *
 * A message is a 12-byte header (magic, type, length; big-endian) and a JSON payload, back to
 * back on a TCP stream; an optional 16-byte layout adds a CRC-32 of the payload. The wire format
 * lives in core/appmsg_wire.h, the reading of what TCP delivers in core/appmsg_reader.c, the
 * connection's rules in core/appmsg_conn.c; the contract is docs/protocol.md.
 *
 * Framing is our own loop over the segment rather than tcp_dissect_pdus, which cannot
 * resynchronise: after bad magic or a hostile length we skip to the next magic and go on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-tcp.h>

#include "appmsg-keys.h"
#include "appmsg-compat.h"
#include "appmsg_frame.h"
#include "appmsg_json.h"
#include "appmsg_mistakes.h"
#include "appmsg_reader.h"
#include "appmsg_utf8.h"
#include "appmsg_wire.h"
#include "appmsg-conv.h"
#include "appmsg-follow.h"
#include "appmsg-heur.h"
#include "appmsg-json-tree.h"
#include "appmsg-recv.h"
#include "appmsg-srt.h"
#include "appmsg-stats.h"
#include "appmsg-stream.h"
#include "appmsg-types.h"
#include "packet-appmsg.h"

static int proto_appmsg = -1;

static int hf_appmsg_magic = -1;
static int hf_appmsg_type = -1;
static int hf_appmsg_length = -1;
static int hf_appmsg_checksum = -1;
static int hf_appmsg_checksum_status = -1;
static int hf_appmsg_payload = -1;
static int hf_appmsg_response_in = -1;
static int hf_appmsg_response_to = -1;
static int hf_appmsg_time = -1;
static int hf_appmsg_skipped = -1;
static int hf_appmsg_truncated_start = -1;
static int hf_appmsg_truncated_seen = -1;
static int hf_appmsg_from_client = -1;

static gint ett_appmsg = -1;

/* One expert info per problem, registered from core/appmsg_kinds.h's list. */
#define EI_UNREGISTERED(...) EI_INIT,
static expert_field ei_appmsg[APPMSG_N_PROBLEMS] = {APPMSG_PROBLEMS(EI_UNREGISTERED)};
#undef EI_UNREGISTERED

static dissector_handle_t appmsg_handle;
static dissector_handle_t json_handle;

/* Stream ends (see dissect_appmsg_tails): TCP's tap, read back by the postdissector
 * (fetch_tapped_data) for the packet at hand. */
static int tcp_tap_id = -1;
static dissector_handle_t tails_handle;
static gboolean tails_registered, tcp_tap_listening, tcp_tap_refused;

/* Preferences. */
static appmsg_bool appmsg_desegment = TRUE;
static appmsg_bool appmsg_checked = FALSE;
static guint appmsg_max_length = APPMSG_DEFAULT_MAX_LENGTH;
static appmsg_bool appmsg_payload_as_json = TRUE;
static appmsg_bool appmsg_json_dissector = FALSE;

/* The framing preferences of the moment (the dissector's and the heuristic's). */
static appmsg_frame_opts
framing_opts(void)
{
    const appmsg_frame_opts opts = {appmsg_checked, appmsg_max_length};
    return opts;
}

/* A capture without AppMsg never pays for a postdissector or a tap. The postdissector, which
 * completes each frame's messages (appmsg-recv.h) and shows stream ends, is registered with the
 * first AppMsg data; it runs for that packet too, and stays for the session (Wireshark cannot
 * remove one). TCP's tap is read only from the first message that waits for more bytes on; its
 * listener goes with the file, and acts from the next packet on, which is all it is needed for. */
static void
watch_frames(void)
{
    if (!tails_registered) {
        register_postdissector(tails_handle);
        tails_registered = TRUE;
    }
}

static void
watch_stream_ends(void)
{
    watch_frames();
    if (!tcp_tap_listening && !tcp_tap_refused) {
        /* A listener that only makes TCP's tap data readable in the postdissector: a
         * dissector's helper, which asks Wireshark for neither a tree nor columns. */
        GString *error = register_tap_listener("tcp", &tcp_tap_id, NULL, TL_IS_DISSECTOR_HELPER,
                                               NULL, NULL, NULL, NULL);
        if (error) {
            ws_warning("appmsg: no TCP tap (%s): streams cut by a bare FIN or RST go unreported",
                       error->str);
            g_string_free(error, TRUE);
            tcp_tap_refused = TRUE;
        } else {
            tcp_tap_listening = TRUE;
        }
    }
}

static void
stop_watching_stream_ends(void)
{
    if (tcp_tap_listening)
        remove_tap_listener(&tcp_tap_id);
    tcp_tap_listening = FALSE;
}

/* What one call of the dissector works on. */
typedef struct {
    tvbuff_t *tvb;
    packet_info *pinfo;
    proto_tree *tree;
    appmsg_stream *stream;
    appmsg_dir dir;
    guint *count; /* messages of this frame so far: see next_message_in_frame() */
    guint32 seq;  /* TCP sequence number of the tvb's first byte */
    /* First pass: where the message at offset 0 began, when it completes one that waited. */
    guint32 carried_start_frame;
} appmsg_ctx;

/* ---- Columns -----------------------------------------------------------------------------------
 */

/* Counts the messages already dissected in this frame: the first one replaces TCP's Info text,
 * the others are appended in stream order, and the count tells a frame's messages apart for the
 * per-message records. Packet scope, because TCP may call us twice for one frame (reassembled
 * message, then the rest of the segment). */
static guint *
frame_message_count(packet_info *pinfo)
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
    proto_item *magic = proto_tree_add_item(tree, hf_appmsg_magic, tvb, offset + APPMSG_OFF_MAGIC,
                                            4, ENC_BIG_ENDIAN);

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
 * would check it again, byte by byte); *text is that NUL-terminated copy, or NULL. Returns the
 * APPMSG_ERR_* found. */
static guint32
add_payload(appmsg_ctx *c, proto_tree *tree, tvbuff_t *tvb, int offset, const appmsg_frame *f,
            const guint8 *payload, proto_item **item, const char **text)
{
    appmsg_json_error why;
    const int length = (int)f->length;
    guint32 problem = appmsg_payload_check(payload, f->length, &why);

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

/* The payload's JSON (at offset, text checked): our own member list, or Wireshark's JSON
 * dissector when preferred. */
static void
add_json(appmsg_ctx *c, proto_tree *tree, int offset, guint32 length, proto_item *payload_item,
         const char *text)
{
    if (!appmsg_json_dissector) {
        if (appmsg_json_tree_wanted(tree))
            appmsg_json_tree_add(payload_item, c->tvb, offset, c->pinfo, text);
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
static void
dissect_message(appmsg_ctx *c, int offset, const appmsg_frame *f)
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

    header_items h = add_header_fields(c, tree, c->tvb, offset, f, &errors);
    if (appmsg_checked)
        errors |= check_checksum(c, tree, c->tvb, offset, f, crc);
    /* Always present, even when empty, so that field occurrences line up across messages. */
    errors |= add_payload(c, tree, c->tvb, payload_offset, f, payload, &payload_item, &text);
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
        add_json(c, tree, payload_offset, f->length, payload_item, text);
}

/* Bytes that do not start with the magic, up to the next magic (or the end of the data): an
 * AppMsg item of their own, so that the filter "appmsg" finds the frame, without type, length or
 * payload. What they are depends on what came before in their direction (appmsg_skip): a new
 * search for the magic, the previous segment's search going on, the payload of an oversize
 * message; or a sender's mistake: JSON sent without a header, the rest of a payload whose length
 * counted characters. */
static void
dissect_skipped(appmsg_ctx *c, int offset, guint len)
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
static void
dissect_too_long(appmsg_ctx *c, int offset, const appmsg_frame *f)
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
static void
dissect_truncated(appmsg_ctx *c, int offset, const appmsg_frame *f, const char *why)
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

/* ---- The stream --------------------------------------------------------------------------------
 */

static int
dissect_appmsg(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const struct tcpinfo *tcpinfo = data;
    const appmsg_frame_opts opts = framing_opts();
    guint len = tvb_captured_length(tvb);
    const guint8 *buf = tvb_get_ptr(tvb, 0, (gint)len);
    /* A segment that carries FIN or RST ends its direction: nothing more will come. */
    gboolean stream_ends = tcpinfo && (tcpinfo->flags & (TH_FIN | TH_RST));
    appmsg_ctx c = {
        tvb, pinfo, tree, appmsg_stream_get(pinfo), APPMSG_C2S, frame_message_count(pinfo), 0, 0};
    guint offset = 0;

    if (len == 0)
        return 0;
    c.dir = appmsg_stream_direction(c.stream, pinfo);
    /* Reassembled bytes begin with the message that waited: it began in an earlier frame. */
    appmsg_tail waited;
    if (!pinfo->fd->visited && tcpinfo && tcpinfo->is_reassembled &&
        appmsg_stream_pending(c.stream, c.dir, &waited)) {
        c.carried_start_frame = waited.start_frame;
    }
    c.seq = tcpinfo ? tcpinfo->seq : 0;
    /* Whatever waited for more data is complete now or is handled below. */
    appmsg_stream_set_pending(c.stream, pinfo, c.dir, NULL);
    watch_frames();

    while (offset < len) {
        appmsg_read r =
            appmsg_read_next(buf, len, offset, tcpinfo && tcpinfo->is_reassembled,
                             appmsg_desegment && pinfo->can_desegment && !stream_ends, &opts);

        /* A magic ends any search for one; after an oversize header, what follows up to the
         * next magic is its payload. */
        if (r.kind != APPMSG_READ_SKIPPED)
            appmsg_stream_framed(c.stream, pinfo, c.dir, r.kind == APPMSG_READ_TOO_LONG);
        switch (r.kind) {
        case APPMSG_READ_MESSAGE:
            dissect_message(&c, (int)offset, &r.f);
            break;
        case APPMSG_READ_SKIPPED:
            dissect_skipped(&c, (int)offset, (guint)r.len);
            break;
        case APPMSG_READ_TOO_LONG:
            dissect_too_long(&c, (int)offset, &r.f);
            break;
        case APPMSG_READ_WAIT: {
            gboolean carried = offset == 0 && c.carried_start_frame;
            appmsg_tail pending = {carried ? c.carried_start_frame : pinfo->num,
                                   pinfo->num,
                                   r.len,
                                   r.whole,
                                   r.f.have_header,
                                   r.f.type,
                                   r.f.length,
                                   NULL,
                                   (guint8)c.dir};
            pinfo->desegment_offset = (int)offset;
            pinfo->desegment_len = r.more ? r.more : DESEGMENT_ONE_MORE_SEGMENT;
            appmsg_stream_set_pending(c.stream, pinfo, c.dir, &pending);
            if (tcpinfo && !tcpinfo->is_reassembled)
                appmsg_stream_log_segment(c.stream, pinfo, c.dir, tcpinfo->seq, tcpinfo->nxtseq);
            appmsg_recv_piece(pinfo, c.stream, c.dir);
            watch_stream_ends();
            return (int)len;
        }
        case APPMSG_READ_TRUNCATED:
            dissect_truncated(&c, (int)offset, &r.f,
                              stream_ends ? (tcpinfo->flags & TH_RST ? "RST" : "FIN")
                                          : "not reassembled");
            break;
        }
        offset += (guint)r.len;
    }
    return (int)len;
}

/* The packet's TCP header as TCP tapped it: the innermost one, if TCP is tunnelled in TCP. */
static const struct tcpheader *
tapped_tcp_header(void)
{
    const struct tcpheader *found = NULL, *next;

    for (int i = 0; (next = fetch_tapped_data(tcp_tap_id, i)) != NULL; i++)
        found = next;
    return found;
}

/* Messages a stream ended inside of: TCP calls no subdissector for a bare FIN or RST, nor at
 * the end of the capture. On the first pass it reports TCP packets to the stream
 * state and shows what a FIN or RST ended at once; on later passes it also shows messages cut by
 * the end of the capture, in the connection's last frame.
 *
 * The flags come from TCP's tap, not from tcp.flags in the tree: a postdissector that wants
 * fields makes Wireshark build a tree for every packet of every capture, AppMsg or not. */
static void
dissect_tails(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const appmsg_tail *const *tails = NULL;
    const struct tcpheader *tcph = tapped_tcp_header();
    guint n = pinfo->fd->visited ? appmsg_stream_tails_in_frame(pinfo, tcph, &tails)
                                 : appmsg_stream_observe_tcp(pinfo, tcph, &tails);

    for (guint i = 0; i < n; i++) {
        const appmsg_tail *t = tails[i];
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
        appmsg_ctx c = {tvb, pinfo, tree, NULL, (appmsg_dir)t->dir, frame_message_count(pinfo),
                        0,   0};

        add_truncated(&c, 0, NULL, &shown);
    }
}

/* Postdissector: stream ends, then the counts of the frame's messages, which only the whole
 * frame decides. */
static int
dissect_appmsg_post(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (pinfo->ptype != PT_TCP)
        return 0;
    if (appmsg_stream_following(pinfo))
        dissect_tails(tvb, pinfo, tree);
    appmsg_recv_finish_frame(pinfo);
    return 0;
}

/* ---- Registration ------------------------------------------------------------------------------
 */

void
proto_register_appmsg(void)
{
    static hf_register_info hf[] = {
        {&hf_appmsg_magic,
         {"Magic", "appmsg.magic", FT_UINT32, BASE_HEX, NULL, 0x0,
          "Marks the start of every message (0x12345678)", HFILL}},
        {&hf_appmsg_type,
         {"Type", "appmsg.type", FT_UINT32, BASE_DEC | BASE_SPECIAL_VALS,
          VALS(appmsg_no_type_names), 0x0,
          "Message type identifier (with its name from the type table; filters take the name)",
          HFILL}},
        {&hf_appmsg_length,
         {"Length", "appmsg.length", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Payload bytes after the header", HFILL}},
        {&hf_appmsg_checksum,
         {"Checksum", "appmsg.checksum", FT_UINT32, BASE_HEX, NULL, 0x0,
          "CRC-32 of the payload (checked layout)", HFILL}},
        {&hf_appmsg_checksum_status,
         {"Checksum Status", "appmsg.checksum.status", FT_UINT8, BASE_NONE,
          VALS(proto_checksum_vals), 0x0, NULL, HFILL}},
        {&hf_appmsg_payload,
         {"Payload", "appmsg.payload", FT_STRING, BASE_NONE, NULL, 0x0,
          "Payload text (one JSON value)", HFILL}},
        {&hf_appmsg_response_in,
         {"Echo in", "appmsg.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0,
          "The frame that completes the echo of this client message", HFILL}},
        {&hf_appmsg_response_to,
         {"Echo of", "appmsg.response_to", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
          "The frame that completed the request this server message echoes", HFILL}},
        {&hf_appmsg_time,
         {"Time since request", "appmsg.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
          "Time between the request and its echo", HFILL}},
        {&hf_appmsg_skipped,
         {"Skipped bytes", "appmsg.skipped", FT_BYTES, BASE_NONE, NULL, 0x0,
          "Bytes skipped while looking for the next magic", HFILL}},
        {&hf_appmsg_truncated_start,
         {"Truncated message starts in", "appmsg.truncated.start", FT_FRAMENUM, BASE_NONE, NULL,
          0x0, "Frame holding the first bytes of a message the stream ended inside of", HFILL}},
        {&hf_appmsg_truncated_seen,
         {"Bytes seen", "appmsg.truncated.seen", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Payload bytes of the truncated message that were seen (header bytes, when the header"
          " itself was cut)",
          HFILL}},
        {&hf_appmsg_from_client,
         {"From client", "appmsg.from_client", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Sent by the client (the side that sent the SYN; else the side not on the AppMsg port)",
          HFILL}},
    };
    static gint *ett[] = {&ett_appmsg};
#define EI_ROW(id, expert, group, severity, summary, ...)                                          \
    {&ei_appmsg[APPMSG_PROBLEM_##id], {expert, PI_##group, PI_##severity, summary, EXPFILL}},
    static ei_register_info ei[] = {APPMSG_PROBLEMS(EI_ROW)};
#undef EI_ROW
    module_t *appmsg_module;
    expert_module_t *expert_appmsg;

    proto_appmsg =
        proto_register_protocol("AppMsg Magic-Number Application Protocol", "AppMsg", "appmsg");
    proto_register_field_array(proto_appmsg, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    appmsg_json_tree_register(proto_appmsg);
    expert_appmsg = expert_register_protocol(proto_appmsg);
    expert_register_field_array(expert_appmsg, ei, array_length(ei));

    appmsg_handle = register_dissector("appmsg", dissect_appmsg, proto_appmsg);

    appmsg_module = prefs_register_protocol(proto_appmsg, NULL);
    prefs_register_bool_preference(
        appmsg_module, "desegment", "Reassemble messages spanning multiple TCP segments",
        "Whether the AppMsg dissector should reassemble messages spanning multiple TCP segments."
        " To use this option, you must also enable \"Allow subdissectors to reassemble TCP"
        " streams\" in the TCP protocol settings.",
        &appmsg_desegment);
    prefs_register_bool_preference(
        appmsg_module, "checked", "Checked layout (16-byte header with CRC-32)",
        "Read a CRC-32 of the payload after the length field (the checked layout of"
        " AppMsg protocol). Nothing on the wire says which layout a connection uses.",
        &appmsg_checked);
    prefs_register_uint_preference(
        appmsg_module, "max_length", "Maximum payload length",
        "A header whose length is above this is reported and skipped, not waited for", 10,
        &appmsg_max_length);
    prefs_register_bool_preference(
        appmsg_module, "payload_as_json", "Dissect the payload as JSON",
        "Show the members of each valid JSON payload under it (appmsg.json.member,"
        " appmsg.json.element).",
        &appmsg_payload_as_json);
    prefs_register_bool_preference(
        appmsg_module, "json_dissector", "Use Wireshark's JSON dissector for the payload",
        "Hand each valid payload to Wireshark's JSON dissector (json.* fields) instead of our"
        " member list. About twice as slow in all.",
        &appmsg_json_dissector);
    appmsg_types_register(appmsg_module);
    appmsg_types_attach(hf_appmsg_type);
    appmsg_stats_register();
    appmsg_follow_register(proto_appmsg);
    appmsg_srt_register(proto_appmsg);
    appmsg_conv_register(proto_appmsg);
    appmsg_recv_register(proto_appmsg);
}

void
proto_reg_handoff_appmsg(void)
{
    json_handle = find_dissector_add_dependency("json", proto_appmsg);
    /* Registers the "TCP port(s)" preference and the Decode As entry. */
    dissector_add_uint_range_with_preference("tcp.port", G_STRINGIFY(APPMSG_DEFAULT_PORT),
                                             appmsg_handle);
    appmsg_heur_register(proto_appmsg, appmsg_handle, dissect_appmsg, framing_opts);
    appmsg_stream_register(proto_appmsg);

    tcp_tap_id = find_tap_id("tcp");
    tails_handle = create_dissector_handle(dissect_appmsg_post, proto_appmsg);
    register_cleanup_routine(stop_watching_stream_ends);
}
