/* manifest.c — JSON Lines through wsutil's json_dumper. */
#include <wsutil/json_dumper.h>

#include "atomic_file.h"
#include "inject.h"
#include "manifest.h"

struct manifest {
    atomic_file file;
    GString *text; /* payload as a NUL-terminated string for the dumper */
};

manifest *
manifest_open(const char *path, GError **err)
{
    manifest *m = g_new0(manifest, 1);

    if (!atomic_file_open(&m->file, path, err)) {
        g_free(m);
        return NULL;
    }
    m->text = g_string_sized_new(256);
    return m;
}

void
manifest_add(manifest *m, const manifest_entry *e)
{
    json_dumper d = {.output_file = m->file.fp};

    json_dumper_begin_object(&d);
    json_dumper_set_member_name(&d, "conn");
    json_dumper_value_anyf(&d, "%u", e->conn);
    json_dumper_set_member_name(&d, "dir");
    json_dumper_value_string(&d, e->dir == TCP_C2S ? "c2s" : "s2c");
    json_dumper_set_member_name(&d, "index");
    json_dumper_value_anyf(&d, "%" G_GUINT64_FORMAT, e->index);
    json_dumper_set_member_name(&d, "type");
    json_dumper_value_anyf(&d, "%u", e->type);
    json_dumper_set_member_name(&d, "length");
    json_dumper_value_anyf(&d, "%u", e->length);
    /* Text when it is text; bytes that are not UTF-8 (or hold a NUL) in base64. */
    if (g_utf8_validate((const char *)e->payload, e->payload_len, NULL)) {
        g_string_truncate(m->text, 0);
        g_string_append_len(m->text, (const char *)e->payload, e->payload_len);
        json_dumper_set_member_name(&d, "payload");
        json_dumper_value_string(&d, m->text->str);
    } else {
        json_dumper_set_member_name(&d, "payload_base64");
        json_dumper_begin_base64(&d);
        json_dumper_write_base64(&d, e->payload, e->payload_len);
        json_dumper_end_base64(&d);
    }
    if (e->error) {
        json_dumper_set_member_name(&d, "error");
        json_dumper_value_string(&d, e->error);
    }
    if (e->garbage_before) {
        json_dumper_set_member_name(&d, "garbage_before");
        json_dumper_value_anyf(&d, "%u", e->garbage_before);
    }
    if (e->sent >= 0) {
        json_dumper_set_member_name(&d, "sent");
        json_dumper_value_anyf(&d, "%" G_GINT64_FORMAT, e->sent);
    }
    json_dumper_end_object(&d);
    json_dumper_finish(&d);
}

static void
manifest_free(manifest *m)
{
    g_string_free(m->text, TRUE);
    g_free(m);
}

gboolean
manifest_commit(manifest *m, GError **err)
{
    gboolean ok = atomic_file_commit(&m->file, FALSE, err);
    manifest_free(m);
    return ok;
}

void
manifest_discard(manifest *m)
{
    if (!m)
        return;
    atomic_file_discard(&m->file, FALSE);
    manifest_free(m);
}

void
manifest_add_message(manifest *mf, guint conn, gboolean echo, guint64 index,
                     const encoded_message *e)
{
    gboolean cut = (e->kinds & (1u << INJ_CUT)) != 0;
    manifest_entry m = {.conn = conn,
                        .dir = TCP_C2S,
                        .index = index,
                        .type = e->type,
                        .length = e->length,
                        .payload = e->payload->data,
                        .payload_len = e->payload->len,
                        .error = inject_error_name(e->kinds, APPMSG_MANIFEST_REQUEST),
                        .garbage_before = (guint32)e->msg_start,
                        .sent = cut ? (gint64)(e->sent - e->msg_start) : -1};

    manifest_add(mf, &m);
    if (!echo)
        return;
    m.dir = TCP_S2C;
    m.type = e->echo_type;
    m.payload = e->echo_payload->data;
    /* The echo carries the request's bytes, and its error, unless the echo itself differs. */
    const char *echo_error = inject_error_name(e->kinds, APPMSG_MANIFEST_ECHO);
    if (echo_error)
        m.error = echo_error;
    manifest_add(mf, &m);
}
