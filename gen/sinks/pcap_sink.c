/* pcap_sink.c — pcap output through libpcap (pcap_open_dead + pcap_dump).
 *
 * pcap_dump() reports no write errors, so errors are read from the stream at commit. */
#include <errno.h>

#include <pcap/pcap.h>

#include "atomic_file.h"
#include "pcap_sink.h"

#define SNAPLEN 262144

typedef struct {
    packet_sink base;
    atomic_file file;
    pcap_t *pcap;
    pcap_dumper_t *dumper;
} pcap_sink;

static gboolean
pcap_sink_write(packet_sink *self, guint64 ts_usec, const guint8 *frame, guint32 len, GError **err)
{
    pcap_sink *s = (pcap_sink *)self;
    struct pcap_pkthdr hdr;

    (void)err; /* pcap_dump cannot fail here; write errors surface at commit */
    hdr.ts.tv_sec = (time_t)(ts_usec / G_USEC_PER_SEC);
    hdr.ts.tv_usec = (suseconds_t)(ts_usec % G_USEC_PER_SEC);
    hdr.caplen = len;
    hdr.len = len;
    pcap_dump((u_char *)s->dumper, &hdr, frame);
    return TRUE;
}

static gboolean
pcap_sink_flush(packet_sink *self, GError **err)
{
    pcap_sink *s = (pcap_sink *)self;

    errno = 0;
    if (pcap_dump_flush(s->dumper) == 0)
        return TRUE;
    atomic_file_set_error(&s->file, err);
    return FALSE;
}

static void
pcap_sink_free(pcap_sink *s)
{
    pcap_close(s->pcap);
    g_free(s);
}

static void
pcap_sink_discard(packet_sink *self)
{
    pcap_sink *s = (pcap_sink *)self;

    if (s->file.close_fp)
        pcap_dump_close(s->dumper);
    atomic_file_discard(&s->file, TRUE);
    pcap_sink_free(s);
}

static gboolean
pcap_sink_commit(packet_sink *self, GError **err)
{
    pcap_sink *s = (pcap_sink *)self;
    gboolean ok;

    errno = 0;
    ok = pcap_dump_flush(s->dumper) == 0 && !ferror(pcap_dump_file(s->dumper));
    if (!ok) {
        atomic_file_set_error(&s->file, err);
        pcap_sink_discard(self);
        return FALSE;
    }
    /* libpcap's dumper owns the stream it was given: it closes it. */
    if (s->file.close_fp)
        pcap_dump_close(s->dumper);
    ok = atomic_file_commit(&s->file, s->file.close_fp, err);
    pcap_sink_free(s);
    return ok;
}

packet_sink *
pcap_sink_open(const char *path, int linktype, GError **err)
{
    pcap_sink *s = g_new0(pcap_sink, 1);

    if (!atomic_file_open(&s->file, path, err)) {
        g_free(s);
        return NULL;
    }
    s->pcap = pcap_open_dead(linktype, SNAPLEN);
    s->dumper = s->pcap ? pcap_dump_fopen(s->pcap, s->file.fp) : NULL;
    if (!s->dumper) {
        g_set_error(err, APPMSG_GEN_ERROR, 0, "cannot write '%s': %s", path,
                    s->pcap ? pcap_geterr(s->pcap) : "libpcap failed");
        atomic_file_discard(&s->file, FALSE);
        if (s->pcap)
            pcap_close(s->pcap);
        g_free(s);
        return NULL;
    }
    s->base.write = pcap_sink_write;
    s->base.flush = pcap_sink_flush;
    s->base.commit = pcap_sink_commit;
    s->base.discard = pcap_sink_discard;
    return &s->base;
}
