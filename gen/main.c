/* main.c — appmsg-gen: the AppMsg traffic generator. */
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "extcap.h"
#include "live.h"

int
main(int argc, char **argv)
{
    gen_options opt;
    int rc;

    if (argc > 1 && strcmp(argv[1], "serve") == 0)
        return live_serve(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "send") == 0)
        return live_send(argc - 1, argv + 1);
    if (extcap_called(argc, argv))
        return extcap_main(argc, argv);
    if ((rc = cli_parse(argc, argv, MODE_FILE, &opt)) < 0)
        rc = capture_write(&opt, FALSE);
    cli_options_clear(&opt);
    return rc;
}
