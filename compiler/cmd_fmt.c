/* cmd_fmt.c - `carsc fmt [-w|-c] FILE...`: print each file in canonical form
 * (the printer is compiler/fmt.c), rewrite it in place (-w), or say whether
 * it is canonical (-c). A directory stands for its *.cars files
 * (cars_list_sources, compiler/parse.h), with -w or -c only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "atomic.h"
#include "commands.h"
#include "fmt.h"
#include "parse.h"

/* Replaces the file at `path` by `text`, keeping its permissions, through
 * the one atomic writer (vm/atomic.h): a temporary file beside it, renamed
 * over it. */
static bool write_in_place(const char *path, const char *text, size_t len)
{
    char err[512];
    const cars_atomic_opts opts = {.perm = CARS_PERM_KEEP};
    if (cars_atomic_write_file(path, text, len, &opts, err, sizeof err) == 0)
        return true;
    fprintf(stderr, "carsc fmt: %s\n", err);
    return false;
}

/* Format one file; returns an exit status. */
static int fmt_one(const char *path, bool in_place, bool check)
{
    cars_arena a;
    cars_arena_init(&a);
    cars_diags d;
    cars_diags_init(&d);
    int rc = CARS_EXIT_OK;
    cars_ast *ast = cars_parse_file(path, &a, &d);
    if (!ast || d.errors) {
        if (!ast && !d.errors)
            cars_error(&d, NULL, NULL, "out of memory");
        cars_report_diags(&d);
        rc = CARS_EXIT_ERRORS;
        goto done;
    }
    size_t len;
    char *text = cars_fmt_string(ast, 0, &len);
    if (!text) {
        fprintf(stderr, "carsc fmt: out of memory\n");
        rc = CARS_EXIT_ERRORS;
        goto done;
    }
    const cars_source *src = &ast->files[0];
    bool same = src->len == len && memcmp(src->text, text, len) == 0;
    if (check) {
        if (!same) {
            fprintf(stderr, "%s: not in canonical form (run: carsc fmt -w %s)\n", path, path);
            rc = CARS_EXIT_ERRORS;
        }
    } else if (in_place) {
        if (!same && !write_in_place(path, text, len))
            rc = CARS_EXIT_ERRORS;
    } else if (fwrite(text, 1, len, stdout) != len) {
        rc = CARS_EXIT_ERRORS;
    }
    cars_free(text);
done:
    cars_diags_free(&d);
    cars_arena_free(&a);
    return rc;
}

/* Every *.cars file of a directory, in name order (with -w or -c only). */
static int fmt_dir(const char *dir, bool in_place, bool check)
{
    if (!in_place && !check) {
        fprintf(stderr, "carsc fmt: '%s' is a directory: use -w or -c\n", dir);
        return CARS_EXIT_USAGE;
    }
    cars_arena a;
    cars_arena_init(&a);
    char **names;
    size_t n;
    int rc = cars_list_sources(dir, &a, &names, &n);
    if (rc != 0) {
        if (rc < 0)
            fprintf(stderr, "carsc fmt: out of memory\n");
        else
            fprintf(stderr, "carsc fmt: cannot read '%s': %s\n", dir, strerror(rc));
        cars_arena_free(&a);
        return CARS_EXIT_ERRORS;
    }
    int result = CARS_EXIT_OK;
    for (size_t i = 0; i < n; i++)
        if (fmt_one(names[i], in_place, check) != CARS_EXIT_OK)
            result = CARS_EXIT_ERRORS;
    cars_arena_free(&a);
    return result;
}

int cars_cmd_fmt(int argc, char **argv)
{
    bool in_place = false, check = false;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (strcmp(argv[first], "-w") == 0)
            in_place = true;
        else if (strcmp(argv[first], "-c") == 0)
            check = true;
        else if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        } else {
            fprintf(stderr, "carsc fmt: unknown option '%s'\nusage: carsc fmt [-w|-c] FILE...\n",
                    argv[first]);
            return CARS_EXIT_USAGE;
        }
    }
    if (first >= argc || (in_place && check)) {
        fprintf(stderr, "usage: carsc fmt [-w|-c] FILE...\n");
        return CARS_EXIT_USAGE;
    }
    int rc = CARS_EXIT_OK;
    for (int i = first; i < argc; i++) {
        struct stat st;
        int r = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
                    ? fmt_dir(argv[i], in_place, check)
                    : fmt_one(argv[i], in_place, check);
        if (r != CARS_EXIT_OK)
            rc = r;
    }
    return rc;
}
