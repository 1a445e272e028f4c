/* atomic_file.c — temporary file + rename. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "atomic_file.h"
#include "packet_sink.h"

static void
set_errno_error(GError **err, const char *what, const char *name)
{
    int code = errno;
    g_set_error(err, APPMSG_GEN_ERROR, code, "%s '%s': %s", what, name,
                code ? g_strerror(code) : "write error");
}

void
atomic_file_set_error(const atomic_file *af, GError **err)
{
    set_errno_error(err, "cannot write", af->name);
}

static void
release(atomic_file *af)
{
    g_clear_pointer(&af->name, g_free);
    g_clear_pointer(&af->tmp_path, g_free);
    af->fp = NULL;
}

/* A temporary file beside path, with the mode a plain fopen would give. */
static gboolean
open_temporary(atomic_file *af, const char *path, GError **err)
{
    char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
    mode_t mask;
    int fd;

    af->tmp_path = g_strdup_printf("%s/.%s.tmp.XXXXXX", dir, base);
    g_free(dir);
    g_free(base);
    if ((fd = g_mkstemp(af->tmp_path)) < 0) {
        set_errno_error(err, "cannot write", path);
        return FALSE;
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(af->fp = fdopen(fd, "wb"))) {
        set_errno_error(err, "cannot write", path);
        close(fd);
        g_unlink(af->tmp_path);
        return FALSE;
    }
    return TRUE;
}

#define WRITE_BUFFER (1 << 20) /* large writes: one system call per MiB, not per frame */

static gboolean atomic_file_open_stream(atomic_file *af, const char *path, GError **err);

static gboolean
written_in_place(const char *path, struct stat *st)
{
    if (g_lstat(path, st) != 0)
        memset(st, 0, sizeof *st);
    return atomic_file_in_place(path);
}

gboolean
atomic_file_in_place(const char *path)
{
    struct stat target;

    if (g_str_has_prefix(path, "/dev/") || g_str_has_prefix(path, "/proc/"))
        return TRUE;
    return g_stat(path, &target) == 0 && !S_ISREG(target.st_mode);
}

gboolean
atomic_file_open(atomic_file *af, const char *path, GError **err)
{
    if (!atomic_file_open_stream(af, path, err))
        return FALSE;
    setvbuf(af->fp, NULL, _IOFBF, WRITE_BUFFER);
    return TRUE;
}

static gboolean
atomic_file_open_stream(atomic_file *af, const char *path, GError **err)
{
    struct stat st;
    char *resolved;
    gboolean ok;

    memset(af, 0, sizeof *af);
    errno = 0;
    if (strcmp(path, "-") == 0) {
        af->name = g_strdup("standard output");
        af->fp = stdout;
        return TRUE;
    }
    af->name = g_strdup(path);
    af->close_fp = TRUE;
    if (written_in_place(path, &st)) {
        ok = (af->fp = fopen(path, "wb")) != NULL;
        if (!ok)
            set_errno_error(err, "cannot write", path);
    } else if (S_ISLNK(st.st_mode) && (resolved = realpath(path, NULL))) {
        /* A link to a regular file: the file it names is replaced, the link stays. */
        g_free(af->name);
        af->name = resolved;
        ok = open_temporary(af, resolved, err);
    } else {
        ok = open_temporary(af, path, err);
    }
    if (!ok)
        release(af);
    return ok;
}

gboolean
atomic_file_commit(atomic_file *af, gboolean stream_closed, GError **err)
{
    gboolean ok = TRUE;

    errno = 0;
    if (!stream_closed) {
        ok = fflush(af->fp) == 0 && !ferror(af->fp);
        if (af->close_fp && fclose(af->fp) != 0)
            ok = FALSE;
    }
    if (!ok)
        atomic_file_set_error(af, err);
    else if (af->tmp_path && g_rename(af->tmp_path, af->name) != 0) {
        set_errno_error(err, "cannot create", af->name);
        ok = FALSE;
    }
    if (!ok && af->tmp_path)
        g_unlink(af->tmp_path);
    release(af);
    return ok;
}

void
atomic_file_discard(atomic_file *af, gboolean stream_closed)
{
    if (!stream_closed && af->close_fp)
        fclose(af->fp);
    if (af->tmp_path)
        g_unlink(af->tmp_path);
    release(af);
}
