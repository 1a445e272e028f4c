/* capture.h — writing a capture file (and its manifest) from parsed options: the file mode of
 * appmsg-gen and the extcap capture share it. */
#ifndef APPMSG_GEN_CAPTURE_H
#define APPMSG_GEN_CAPTURE_H

#include "cli.h"

/* Returns the exit code: 0, or GEN_EXIT_USAGE after one line on stderr. realtime: frames go out
 * at the pace of their timestamps. */
int capture_write(const gen_options *opt, gboolean realtime);

#endif
