/* atomic_file.h — an output file that appears under its name only once it is complete.
 *
 * Data goes to a temporary file beside the target; commit renames it into place, discard
 * deletes it, so an error or an interrupted run never leaves a half-written file behind.
 * "-" means standard output, and an existing path that is not a regular file (a fifo, a device)
 * is written in place: neither can be renamed over. */
#ifndef APPMSG_GEN_ATOMIC_FILE_H
#define APPMSG_GEN_ATOMIC_FILE_H

#include <stdio.h>

#include <glib.h>

typedef struct {
    char *name;     /* the path, or "standard output": for messages and the final rename */
    char *tmp_path; /* where data goes until commit; NULL when written in place */
    FILE *fp;
    gboolean close_fp; /* fp is ours to close (everything but standard output) */
} atomic_file;

gboolean atomic_file_open(atomic_file *af, const char *path, GError **err);
/* Flushes, checks for write errors, closes the stream unless the caller already has (a library
 * that owns the FILE, such as libpcap's dumper), and renames the file into place. */
gboolean atomic_file_commit(atomic_file *af, gboolean stream_closed, GError **err);
/* Closes (unless already closed) and deletes the temporary file. */
void atomic_file_discard(atomic_file *af, gboolean stream_closed);
/* TRUE for what is written in place: an existing fifo or device, and anything in /dev or /proc
 * (/dev/stdout links to /proc/self/fd/1, which may be a regular file: renaming over it would
 * replace the system's link with a file). Nothing should be created beside such a path. */
gboolean atomic_file_in_place(const char *path);
/* Sets *err to "cannot write NAME: <errno text>". */
void atomic_file_set_error(const atomic_file *af, GError **err);

#endif
