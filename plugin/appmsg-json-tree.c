/* appmsg-json-tree.c — the payload's JSON members from the tokens of its check
 * (core/appmsg_json.h); see appmsg-json-tree.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include <wsutil/utf8_entities.h>
#include <wsutil/wsjson.h> /* json_decode_string_inplace */

#include "appmsg-fields.h"
#include "appmsg-json-tree.h"

static gint ett_appmsg_json = -1;

typedef struct {
    tvbuff_t *tvb;
    int offset; /* of the payload in tvb: token positions are relative to it */
    packet_info *pinfo;
    const char *text;
    const appmsg_json_token *tok;
    int ntok;
} json_walk;

/* The bytes of a token with a string's quotes, for item ranges and the shown JSON. */
static int
raw_start(const appmsg_json_token *t)
{
    return (int)t->start - (t->type == APPMSG_JSON_STRING);
}

static int
raw_end(const appmsg_json_token *t)
{
    return (int)t->end + (t->type == APPMSG_JSON_STRING);
}

/* Copies a token's text to dst (len + 1 bytes), unescaping a string that has escapes. A string
 * wsutil will not unescape (it refuses \u0000) stays as written. */
static size_t
copy_token(char *dst, const char *text, const appmsg_json_token *t)
{
    size_t len = t->end - t->start;

    memcpy(dst, text + t->start, len);
    dst[len] = '\0';
    if (t->type != APPMSG_JSON_STRING || !memchr(dst, '\\', len))
        return len;
    if (json_decode_string_inplace(dst))
        return strlen(dst);
    memcpy(dst, text + t->start, len);
    dst[len] = '\0';
    return len;
}

static int add_children(json_walk *w, proto_tree *tree, int i);

/* How much of text fits in room bytes without cutting a UTF-8 sequence. */
static size_t
fit_utf8(const char *text, size_t len, size_t room)
{
    if (len <= room)
        return len;
    while (room > 0 && ((guchar)text[room] & 0xC0) == 0x80)
        room--;
    return room;
}

/* "name: value" into label (ITEM_LABEL_LENGTH bytes), cut to fit. Put together by hand: one
 * printf per member cost more than the member's item itself. */
static const char *
join_label(gchar *label, const char *name, size_t nlen, const char *value, size_t vlen)
{
    const size_t room = ITEM_LABEL_LENGTH - 1;

    nlen = fit_utf8(name, nlen, room);
    memcpy(label, name, nlen);
    if (nlen + 2 <= room) {
        memcpy(label + nlen, ": ", 2);
        nlen += 2;
        vlen = fit_utf8(value, vlen, room - nlen);
        memcpy(label + nlen, value, vlen);
        nlen += vlen;
    }
    label[nlen] = '\0';
    return label;
}

/* A scalar's item: the field's value, and the JSON as written for the text. */
static proto_item *
add_scalar(json_walk *w, proto_tree *tree, int hf, int start, int len, const char *field,
           const char *name, size_t nlen, const appmsg_json_token *v)
{
    gchar label[ITEM_LABEL_LENGTH];

    if (!PTREE_DATA(tree)->visible)
        return proto_tree_add_string(tree, hf, w->tvb, start, len, field);
    join_label(label, name, nlen, w->text + raw_start(v), (size_t)(raw_end(v) - raw_start(v)));
    return proto_tree_add_string_format(tree, hf, w->tvb, start, len, field, "%s", label);
}

/* One member (key given) or array element (key NULL, index given) whose value is token i;
 * returns the token after the value. */
static int
add_value(json_walk *w, proto_tree *tree, int i, const appmsg_json_token *key, int index)
{
    const appmsg_json_token *v = &w->tok[i];
    const gboolean container = v->type == APPMSG_JSON_OBJECT || v->type == APPMSG_JSON_ARRAY;
    const char *shape = v->type == APPMSG_JSON_OBJECT ? "{" UTF8_HORIZONTAL_ELLIPSIS "}"
                                                      : "[" UTF8_HORIZONTAL_ELLIPSIS "]";
    const int from = key ? raw_start(key) : raw_start(v), len = raw_end(v) - from;
    const int start = w->offset + from;
    proto_item *ti;

    if (key) {
        /* "key:value" as the field (json.member_with_value's form, unescaped); shown as
         * written in the payload, escapes and all: key: <JSON value>. */
        char *field =
            wmem_alloc(w->pinfo->pool, (size_t)(key->end - key->start + v->end - v->start) + 2);
        size_t klen = copy_token(field, w->text, key);

        if (container) {
            ti = proto_tree_add_string_format(tree, hf_appmsg_json_member, w->tvb, start, len,
                                              field, "%.*s: %s", (int)(key->end - key->start),
                                              w->text + key->start, shape);
        } else {
            field[klen] = ':';
            copy_token(field + klen + 1, w->text, v);
            ti = add_scalar(w, tree, hf_appmsg_json_member, start, len, field, w->text + key->start,
                            (size_t)(key->end - key->start), v);
        }
    } else if (container) {
        /* No field: an element's value is its members. */
        return add_children(w,
                            proto_tree_add_subtree_format(tree, w->tvb, start, len, ett_appmsg_json,
                                                          NULL, "[%d]: %s", index, shape),
                            i);
    } else {
        char *field = wmem_alloc(w->pinfo->pool, (size_t)(v->end - v->start) + 1);
        gchar name[16];

        copy_token(field, w->text, v);
        /* The "[i]" name only for a shown tree: add_scalar makes no text otherwise. */
        ti = add_scalar(
            w, tree, hf_appmsg_json_element, start, len, field, name,
            PTREE_DATA(tree)->visible ? (size_t)g_snprintf(name, sizeof name, "[%d]", index) : 0,
            v);
    }
    if (!container)
        return i + 1;
    return add_children(w, proto_item_add_subtree(ti, ett_appmsg_json), i);
}

/* The members or elements of the container at token i; returns the token after it. */
static int
add_children(json_walk *w, proto_tree *tree, int i)
{
    const appmsg_json_token *c = &w->tok[i++];

    for (int k = 0; k < (int)c->size && i < w->ntok; k++) {
        const appmsg_json_token *key = NULL;

        if (c->type == APPMSG_JSON_OBJECT)
            key = &w->tok[i++];
        if (i >= w->ntok)
            break;
        i = add_value(w, tree, i, key, k);
    }
    return i;
}

gboolean
appmsg_json_tree_wanted(proto_tree *tree)
{
    return tree &&
           (PTREE_DATA(tree)->visible || proto_field_is_referenced(tree, hf_appmsg_json_member) ||
            proto_field_is_referenced(tree, hf_appmsg_json_element));
}

void
appmsg_json_tree_add(proto_item *payload_item, tvbuff_t *tvb, int offset, packet_info *pinfo,
                     const char *text, guint32 length, const appmsg_json_tokens *tokens)
{
    json_walk w = {tvb, offset, pinfo, text, tokens->tok, (int)tokens->count};
    proto_tree *tree;

    if (!payload_item)
        return;
    if (tokens->count > APPMSG_JSON_TREE_MAX_TOKENS) {
        tree = proto_item_add_subtree(payload_item, ett_appmsg_json);
        proto_tree_add_subtree_format(tree, tvb, offset, (int)length, ett_appmsg_json, NULL,
                                      APPMSG_JSON_TREE_TOO_MANY, (int)tokens->count,
                                      APPMSG_JSON_TREE_MAX_TOKENS);
        return;
    }
    if (tokens->count > tokens->cap) { /* more than the caller had room for: check again */
        appmsg_json_tokens all = {wmem_alloc_array(pinfo->pool, appmsg_json_token, tokens->count),
                                  tokens->count, 0};
        appmsg_json_error unused;

        appmsg_payload_check_tokens((const guint8 *)text, length, &unused, &all);
        w.tok = all.tok;
        w.ntok = (int)MIN(all.count, all.cap);
    }
    /* Scalars show whole in the payload item. */
    if (w.ntok <= 0 || (w.tok[0].type != APPMSG_JSON_OBJECT && w.tok[0].type != APPMSG_JSON_ARRAY))
        return;
    tree = proto_item_add_subtree(payload_item, ett_appmsg_json);
    add_children(&w, tree, 0);
}

void
appmsg_json_tree_register(void)
{
    static gint *ett[] = {&ett_appmsg_json};

    proto_register_subtree_array(ett, array_length(ett)); /* its fields: appmsg-fields.h */
}
