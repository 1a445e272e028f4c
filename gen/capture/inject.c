/* inject.c — encoding messages, with the errors a test capture asks for. */
#include <string.h>

#include "appmsg_frame.h"
#include "appmsg_utf8.h"
#include "appmsg_wire.h"
#include "inject.h"

#define BAD_MAGIC 0xbadc0ffeu

void
inject_plan_init(inject_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    for (int k = 0; k < INJ_KIND_COUNT; k++)
        plan->at[k] = g_array_new(FALSE, FALSE, sizeof(guint64));
}

void
inject_plan_clear(inject_plan *plan)
{
    for (int k = 0; k < INJ_KIND_COUNT; k++)
        g_array_free(plan->at[k], TRUE);
}

gboolean
inject_plan_add(inject_plan *plan, const char *spec)
{
    const char *at = strchr(spec, '@');
    guint64 index;

    if (!at || !g_ascii_string_to_unsigned(at + 1, 10, 0, G_MAXUINT64, &index, NULL))
        return FALSE;
    for (int k = 0; k < INJ_KIND_COUNT; k++) {
        if (strlen(appmsg_injection_table[k].name) == (gsize)(at - spec) &&
            strncmp(spec, appmsg_injection_table[k].name, (gsize)(at - spec)) == 0) {
            g_array_append_val(plan->at[k], index);
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
inject_plan_beyond(const inject_plan *plan, guint64 count, const char **kind, guint64 *index)
{
    for (int k = 0; k < INJ_KIND_COUNT; k++) {
        for (guint i = 0; i < plan->at[k]->len; i++) {
            if (g_array_index(plan->at[k], guint64, i) >= count) {
                *kind = appmsg_injection_table[k].name;
                *index = g_array_index(plan->at[k], guint64, i);
                return TRUE;
            }
        }
    }
    return FALSE;
}

const char *
inject_kind_names(void)
{
    static GString *joined; /* made once, from the names the parser accepts */

    if (!joined) {
        joined = g_string_new(NULL);
        for (int k = 0; k < INJ_KIND_COUNT; k++)
            g_string_append_printf(joined, "%s%s", k ? ", " : "", appmsg_injection_table[k].name);
    }
    return joined->str;
}

/* The help's lines stay within this many columns: a longer description goes on below. */
#define HELP_COLUMNS 94

void
inject_kinds_help(GString *out, int indent)
{
    int width = 0;

    for (int k = 0; k < INJ_KIND_COUNT; k++)
        width = MAX(width, (int)strlen(appmsg_injection_table[k].name));
    for (int k = 0; k < INJ_KIND_COUNT; k++) {
        g_auto(GStrv) words = g_strsplit(appmsg_injection_table[k].description, " ", -1);
        const int column = indent + width + 2;
        int at = column - 1;

        g_string_append_printf(out, "%*s%-*s ", indent, "", width, appmsg_injection_table[k].name);
        for (char **w = words; *w; w++) {
            if (at + 1 + (int)strlen(*w) > HELP_COLUMNS && at > column) {
                g_string_append_printf(out, "\n%*s", column - 1, "");
                at = column - 1;
            }
            g_string_append_printf(out, " %s", *w);
            at += 1 + (int)strlen(*w);
        }
        g_string_append_c(out, '\n');
    }
}

void
inject_list_kinds(FILE *out)
{
    for (int k = 0; k < INJ_KIND_COUNT; k++) {
        const appmsg_injection_info *inj = &appmsg_injection_table[k];
        fprintf(out, "%-20s %-35s %s\n", inj->name, appmsg_problem_table[inj->problem].expert,
                inj->description);
    }
}

const char *
inject_error_name(guint32 kinds, appmsg_manifest_place place)
{
    for (int k = 0; k < INJ_KIND_COUNT; k++)
        if ((kinds & (1u << k)) && appmsg_injection_table[k].manifest_place == place)
            return appmsg_injection_table[k].manifest_name;
    return NULL;
}

static guint32
kinds_at(const inject_plan *plan, guint64 index)
{
    guint32 kinds = 0;

    for (int k = 0; k < INJ_KIND_COUNT; k++)
        for (guint i = 0; i < plan->at[k]->len; i++)
            if (g_array_index(plan->at[k], guint64, i) == index)
                kinds |= 1u << k;
    return kinds;
}

void
encoded_message_init(encoded_message *e)
{
    memset(e, 0, sizeof *e);
    e->wire = g_byte_array_new();
    e->payload = g_byte_array_new();
    e->echo_payload = g_byte_array_new();
    e->echo_wire = g_byte_array_new();
}

void
encoded_message_clear(encoded_message *e)
{
    g_byte_array_free(e->wire, TRUE);
    g_byte_array_free(e->payload, TRUE);
    g_byte_array_free(e->echo_payload, TRUE);
    g_byte_array_free(e->echo_wire, TRUE);
}

/* A different byte that keeps the payload's text and JSON valid: the first ASCII letter
 * becomes another letter. */
static void
change_one_letter(GByteArray *payload)
{
    for (guint i = 0; i < payload->len; i++) {
        guint8 *b = &payload->data[i];
        if (g_ascii_isalpha(*b)) {
            *b = *b == 'x' ? 'y' : 'x';
            return;
        }
    }
    if (payload->len > 0 && g_ascii_isdigit(payload->data[0]))
        payload->data[0] = payload->data[0] == '1' ? '2' : '1';
}

/* A payload with at least one character of two UTF-8 bytes, so that counting characters gives
 * less than its bytes: the first letter inside a JSON string becomes 'é', or a bare string or
 * number becomes one. */
static void
ensure_non_ascii(GByteArray *payload)
{
    static const guint8 e_acute[2] = {0xc3, 0xa9};
    gboolean in_string = FALSE;

    for (guint i = 0; i < payload->len; i++)
        if (payload->data[i] >= 0x80)
            return;
    for (guint i = 0; i < payload->len; i++) {
        guint8 b = payload->data[i];
        if (b == '"')
            in_string = !in_string;
        else if (in_string && g_ascii_isalpha(b)) {
            g_byte_array_set_size(payload, payload->len + 1);
            memmove(payload->data + i + 2, payload->data + i + 1, payload->len - i - 2);
            memcpy(payload->data + i, e_acute, 2);
            return;
        }
    }
    g_byte_array_set_size(payload, 0);
    g_byte_array_append(payload, (const guint8 *)"\"\xc3\xa9\"", 4);
}

void
inject_encode(const inject_plan *plan, const scenario_message *msg, encoded_message *e)
{
    guint32 k = kinds_at(plan, msg->index);
    gsize hdr = appmsg_header_len(plan->checked);
    guint8 *h;

    e->kinds = k;
    g_byte_array_set_size(e->payload, 0);
    g_byte_array_append(e->payload, msg->payload, msg->length);
    if ((k & (1u << INJ_BAD_UTF8)) && e->payload->len >= 2) {
        e->payload->data[e->payload->len / 2] = 0xc3;     /* a lead byte ... */
        e->payload->data[e->payload->len / 2 + 1] = 0x28; /* ... without its continuation */
    }
    if ((k & (1u << INJ_BAD_JSON)) && e->payload->len >= 1)
        e->payload->data[e->payload->len - 1] = ' ';
    if (k & (1u << INJ_LENGTH_IN_CHARS))
        ensure_non_ascii(e->payload);

    e->type = msg->type;
    e->length = (k & (1u << INJ_OVERSIZE))             ? INJECT_OVERSIZE
                : (k & (1u << INJ_LENGTH_WITH_HEADER)) ? (guint32)(hdr + e->payload->len)
                : (k & (1u << INJ_LENGTH_IN_CHARS))
                    ? appmsg_utf8_chars(e->payload->data, e->payload->len)
                    : e->payload->len;

    g_byte_array_set_size(e->wire, 0);
    if (k & (1u << INJ_GARBAGE)) {
        static const char garbage[INJECT_GARBAGE_LEN + 1] = "<garbage-bytes!!>";
        g_byte_array_append(e->wire, (const guint8 *)garbage, INJECT_GARBAGE_LEN);
    }
    e->msg_start = e->wire->len;
    g_byte_array_set_size(e->wire, (guint)(e->msg_start + hdr));
    h = e->wire->data + e->msg_start;
    if (plan->checked) {
        guint32 crc = appmsg_payload_crc32(e->payload->data, e->payload->len);
        appmsg_put_checked_header(h, e->type, e->length,
                                  (k & (1u << INJ_BAD_CHECKSUM)) ? ~crc : crc);
    } else {
        appmsg_put_header(h, e->type, e->length);
    }
    if (k & (1u << INJ_BAD_MAGIC))
        appmsg_put_u32(h + APPMSG_OFF_MAGIC, BAD_MAGIC);
    /* Every field the other way round; or all but the magic. */
    for (gsize off = (k & (1u << INJ_LE_HEADER))   ? 0
                     : (k & (1u << INJ_LE_LENGTH)) ? 4
                                                   : hdr;
         off < hdr; off += 4)
        appmsg_put_u32_le(h + off, appmsg_get_u32(h + off));
    if (k & (1u << INJ_NO_HEADER))
        g_byte_array_set_size(e->wire, (guint)e->msg_start);
    g_byte_array_append(e->wire, e->payload->data, e->payload->len);

    /* Cut: the header's first half when there is no payload, else half the payload is missing. */
    e->sent = (k & (1u << INJ_CUT))
                  ? e->msg_start + (e->payload->len ? hdr + e->payload->len / 2 : hdr / 2)
                  : e->wire->len;

    e->echo_type = (k & (1u << INJ_ECHO_TYPE)) ? e->type + 1 : e->type;
    g_byte_array_set_size(e->echo_payload, 0);
    g_byte_array_append(e->echo_payload, e->payload->data, e->payload->len);
    if (k & (1u << INJ_ECHO_PAYLOAD))
        change_one_letter(e->echo_payload);

    /* An altered echo: the wire's bytes, with the echo's type and payload (which comes last). */
    g_byte_array_set_size(e->echo_wire, 0);
    if (!(k & ((1u << INJ_ECHO_TYPE) | (1u << INJ_ECHO_PAYLOAD))))
        return;
    g_byte_array_append(e->echo_wire, e->wire->data, e->wire->len);
    if (!(k & (1u << INJ_NO_HEADER)))
        appmsg_put_u32(e->echo_wire->data + e->msg_start + APPMSG_OFF_TYPE, e->echo_type);
    memcpy(e->echo_wire->data + e->wire->len - e->echo_payload->len, e->echo_payload->data,
           e->echo_payload->len);
}
