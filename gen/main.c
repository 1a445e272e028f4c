/* main.c — appmsg-gen: the AppMsg traffic generator. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "live.h"
#include "manifest.h"
#include "pcap_sink.h"
#include "pcapng_sink.h"
#include "traffic.h"

static int
report(GError *err)
{
    fprintf(stderr, "appmsg-gen: %s\n", err->message);
    g_error_free(err);
    return GEN_EXIT_USAGE;
}

/* appmsg-gen [OPTION]... -w FILE */
static int
write_capture(int argc, char **argv)
{
    gen_options opt;
    GError *err = NULL;
    packet_sink *sink;
    manifest *mf = NULL;
    gboolean ok;
    int rc = cli_parse(argc, argv, MODE_FILE, &opt);

    if (rc >= 0) {
        cli_options_clear(&opt);
        return rc;
    }
    sink = opt.format == FORMAT_PCAPNG ? pcapng_sink_open(opt.output, &err)
                                       : pcap_sink_open(opt.output, DLT_EN10MB, &err);
    if (!sink) {
        cli_options_clear(&opt);
        return report(err);
    }
    if (opt.manifest_path && !(mf = manifest_open(opt.manifest_path, &err))) {
        sink->discard(sink);
        cli_options_clear(&opt);
        return report(err);
    }

    ok = traffic_run(&opt, sink, mf, &err);

    /* Both outputs appear, or neither. */
    if (ok)
        ok = sink->commit(sink, &err);
    else
        sink->discard(sink);
    if (ok && mf)
        ok = manifest_commit(mf, &err);
    else
        manifest_discard(mf);
    cli_options_clear(&opt);
    return ok ? 0 : report(err);
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "serve") == 0)
        return live_serve(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "send") == 0)
        return live_send(argc - 1, argv + 1);
    return write_capture(argc, argv);
}
