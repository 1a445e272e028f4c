/* Unit test: output appears whole under its name, or not at all. */
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "atomic_file.h"

static guint
count_entries(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    guint n = 0;

    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    return n;
}

static void
test_commit_and_discard(void)
{
    char *dir = g_dir_make_tmp("atomic-XXXXXX", NULL);
    char *path = g_build_filename(dir, "out.pcap", NULL), *text = NULL;
    atomic_file af;

    g_assert_true(atomic_file_open(&af, path, NULL));
    fputs("hello", af.fp);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS)); /* not before commit */
    g_assert_true(atomic_file_commit(&af, FALSE, NULL));
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "hello");
    g_assert_cmpuint(count_entries(dir), ==, 1);

    g_assert_true(atomic_file_open(&af, path, NULL));
    fputs("half", af.fp);
    atomic_file_discard(&af, FALSE);
    g_free(text);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "hello"); /* the old file is untouched */
    g_assert_cmpuint(count_entries(dir), ==, 1);

    g_unlink(path);
    g_rmdir(dir);
    g_free(text);
    g_free(path);
    g_free(dir);
}

static void
test_errors_name_the_file(void)
{
    GError *err = NULL;
    atomic_file af;

    g_assert_false(atomic_file_open(&af, "/nonexistent-dir/out.pcap", &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent-dir/out.pcap"));
    g_clear_error(&err);

    /* A device is written in place; a full one fails at commit, naming the cause. */
    g_assert_true(atomic_file_open(&af, "/dev/full", NULL));
    fputs("x", af.fp);
    g_assert_false(atomic_file_commit(&af, FALSE, &err));
    g_assert_nonnull(strstr(err->message, "/dev/full"));
    g_assert_nonnull(strstr(err->message, g_strerror(ENOSPC)));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/atomic-file/commit-and-discard", test_commit_and_discard);
    g_test_add_func("/atomic-file/errors-name-the-file", test_errors_name_the_file);
    return g_test_run();
}
