/* pcapng_sink.c — pcapng output through wiretap.
 *
 * wiretap writes to a duplicate of the atomic file's descriptor, so the file still appears under
 * its name only when complete. It makes the interface description block itself from the
 * per-file encapsulation. */
#include <errno.h>
#include <unistd.h>

#include <wsutil/wslog.h>

#include "appmsg-wtap-compat.h"
#include "atomic_file.h"
#include "pcapng_sink.h"

#define SNAPLEN 262144

typedef struct {
    packet_sink base;
    atomic_file file;
    wtap_dumper *dumper;
    wtap_rec rec;
} pcapng_sink;

static void
set_wtap_error(const pcapng_sink *s, GError **err, int code, gchar *info)
{
    g_set_error(err, APPMSG_GEN_ERROR, code, "cannot write '%s': %s%s%s", s->file.name,
                wtap_strerror(code), info ? ": " : "", info ? info : "");
    g_free(info);
}

static gboolean
pcapng_sink_write(packet_sink *self, guint64 ts_usec, const guint8 *frame, guint32 len,
                  GError **err)
{
    pcapng_sink *s = (pcapng_sink *)self;
    int code;
    gchar *info = NULL;

    s->rec.ts.secs = (time_t)(ts_usec / G_USEC_PER_SEC);
    s->rec.ts.nsecs = (int)(ts_usec % G_USEC_PER_SEC) * 1000;
    s->rec.rec_header.packet_header.caplen = len;
    s->rec.rec_header.packet_header.len = len;
    if (appmsg_wtap_dump(s->dumper, &s->rec, frame, len, &code, &info))
        return TRUE;
    set_wtap_error(s, err, code, info);
    return FALSE;
}

static gboolean
pcapng_sink_flush(packet_sink *self, GError **err)
{
    pcapng_sink *s = (pcapng_sink *)self;
    int code;

    if (wtap_dump_flush(s->dumper, &code))
        return TRUE;
    set_wtap_error(s, err, code, NULL);
    return FALSE;
}

static gboolean
close_dumper(pcapng_sink *s, GError **err)
{
    int code;
    gchar *info = NULL;
    gboolean ok = wtap_dump_close(s->dumper, NULL, &code, &info);

    s->dumper = NULL;
    if (!ok)
        set_wtap_error(s, err, code, info);
    return ok;
}

static gboolean
pcapng_sink_commit(packet_sink *self, GError **err)
{
    pcapng_sink *s = (pcapng_sink *)self;
    gboolean ok = close_dumper(s, err);

    if (ok)
        ok = atomic_file_commit(&s->file, FALSE, err);
    else
        atomic_file_discard(&s->file, FALSE);
    wtap_rec_cleanup(&s->rec);
    g_free(s);
    return ok;
}

static void
pcapng_sink_discard(packet_sink *self)
{
    pcapng_sink *s = (pcapng_sink *)self;

    close_dumper(s, NULL);
    atomic_file_discard(&s->file, FALSE);
    wtap_rec_cleanup(&s->rec);
    g_free(s);
}

packet_sink *
pcapng_sink_open(const char *path, GError **err)
{
    pcapng_sink *s = g_new0(pcapng_sink, 1);
    wtap_dump_params params;
    int fd, code;
    gchar *info = NULL;

    /* wiretap logs through wslog, which prints everything until told a level. */
    ws_log_set_level(LOG_LEVEL_WARNING);
    wtap_init(FALSE);
    if (!atomic_file_open(&s->file, path, err)) {
        g_free(s);
        return NULL;
    }
    wtap_dump_params_init(&params, NULL);
    params.encap = WTAP_ENCAP_ETHERNET;
    params.snaplen = SNAPLEN;
    params.tsprec = WTAP_TSPREC_USEC;
    fflush(s->file.fp);
    fd = dup(fileno(s->file.fp));
    s->dumper = fd < 0 ? NULL
                       : wtap_dump_fdopen(fd, wtap_pcapng_file_type_subtype(), WTAP_UNCOMPRESSED,
                                          &params, &code, &info);
    if (!s->dumper) {
        if (fd < 0)
            atomic_file_set_error(&s->file, err);
        else {
            close(fd);
            set_wtap_error(s, err, code, info);
        }
        atomic_file_discard(&s->file, FALSE);
        g_free(s);
        return NULL;
    }
    appmsg_wtap_rec_init(&s->rec, SNAPLEN);
    s->rec.rec_type = REC_TYPE_PACKET;
    s->rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
    s->rec.tsprec = WTAP_TSPREC_USEC;
    s->rec.rec_header.packet_header.pkt_encap = WTAP_ENCAP_ETHERNET;
    s->base.write = pcapng_sink_write;
    s->base.flush = pcapng_sink_flush;
    s->base.commit = pcapng_sink_commit;
    s->base.discard = pcapng_sink_discard;
    return &s->base;
}
