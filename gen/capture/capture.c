/* capture.c — sinks, traffic, then commit both outputs or neither. */
#include <pcap/pcap.h>
#include <stdio.h>

#include "capture.h"
#include "manifest.h"
#include "pcap_sink.h"
#include "pcapng_sink.h"
#include "realtime_sink.h"
#include "traffic.h"

static int
report(GError *err)
{
    fprintf(stderr, "appmsg-gen: %s\n", err->message);
    g_error_free(err);
    return GEN_EXIT_USAGE;
}

int
capture_write(const gen_options *opt, gboolean realtime)
{
    GError *err = NULL;
    packet_sink *sink;
    manifest *mf = NULL;
    gboolean ok;

    sink = opt->format == FORMAT_PCAPNG ? pcapng_sink_open(opt->output, &err)
                                        : pcap_sink_open(opt->output, DLT_EN10MB, &err);
    if (!sink)
        return report(err);
    if (realtime)
        sink = realtime_sink_wrap(sink);
    if (opt->manifest_path && !(mf = manifest_open(opt->manifest_path, &err))) {
        sink->discard(sink);
        return report(err);
    }

    ok = traffic_run(opt, sink, mf, &err);

    /* Both outputs appear, or neither. */
    if (ok)
        ok = sink->commit(sink, &err);
    else
        sink->discard(sink);
    if (ok && mf)
        ok = manifest_commit(mf, &err);
    else
        manifest_discard(mf);
    return ok ? 0 : report(err);
}
