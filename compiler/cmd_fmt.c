/* cmd_fmt.c - `carsc fmt [-w|-c] FILE...`: print each file in canonical form
 * (the printer is compiler/fmt.c), rewrite it in place (-w), or say whether
 * it is canonical (-c). A directory stands for its *.cars files
 * (cars_list_sources, compiler/parse.h), with -w or -c only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "atomic.h"
#include "buf.h"
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

/* What fmt does with each file. */
typedef enum fmt_mode { FMT_PRINT, FMT_WRITE, FMT_CHECK, FMT_CHECK_STDIN } fmt_mode;

/* Prints, rewrites or checks one parsed file named `path`; returns an exit
 * status. */
static int fmt_ast(cars_ast *ast, const char *path, fmt_mode mode)
{
    size_t len;
    char *text = cars_fmt_string(ast, 0, &len);
    if (!text) {
        fprintf(stderr, "carsc fmt: out of memory\n");
        return CARS_EXIT_ERRORS;
    }
    int rc = CARS_EXIT_OK;
    const cars_source *src = &ast->files[0];
    bool same = src->len == len && memcmp(src->text, text, len) == 0;
    if (mode == FMT_CHECK || mode == FMT_CHECK_STDIN) {
        if (!same) {
            if (mode == FMT_CHECK_STDIN) /* no file to rewrite */
                fprintf(stderr, "%s: not in canonical form (carsc fmt - prints it)\n", path);
            else
                fprintf(stderr, "%s: not in canonical form (run: carsc fmt -w %s)\n", path, path);
            rc = CARS_EXIT_ERRORS;
        }
    } else if (mode == FMT_WRITE) {
        if (!same && !write_in_place(path, text, len))
            rc = CARS_EXIT_ERRORS;
    } else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "carsc fmt: cannot write standard output\n");
        rc = CARS_EXIT_ERRORS;
    }
    cars_free(text);
    return rc;
}

/* Format one file, or standard input when text is given (read already,
 * named `path` in diagnostics); returns an exit status. */
static int fmt_one(const char *path, const char *text, size_t tlen, fmt_mode mode)
{
    cars_arena a;
    cars_arena_init(&a);
    cars_diags d;
    cars_diags_init(&d);
    int rc = CARS_EXIT_ERRORS;
    cars_ast *ast = text ? cars_parse_text(path, text, tlen, &a, &d) : cars_parse_file(path, &a, &d);
    if (!ast || d.errors) {
        if (!ast && !d.errors)
            cars_error(&d, NULL, NULL, "out of memory");
        cars_report_diags(&d);
    } else {
        rc = fmt_ast(ast, path, mode);
    }
    cars_diags_free(&d);
    cars_arena_free(&a);
    return rc;
}

/* `carsc fmt -`: standard input, at most as large as a rules file may be
 * (vm/readfile.h: 16 MiB), formatted to stdout (or checked, with -c). */
static int fmt_stdin(const char *name, bool check)
{
    enum { LIMIT = 16 << 20 };
    cars_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0 && b.len <= LIMIT)
        cars_buf_put(&b, chunk, n);
    int rc = CARS_EXIT_ERRORS;
    if (ferror(stdin))
        fprintf(stderr, "carsc fmt: cannot read standard input: %s\n", strerror(errno));
    else if (b.len > LIMIT)
        fprintf(stderr, "carsc fmt: standard input is larger than 16 MiB, the most a rules file may be\n");
    else if (b.failed)
        fprintf(stderr, "carsc fmt: out of memory\n");
    else
        rc = fmt_one(name, b.p ? b.p : "", b.len, check ? FMT_CHECK_STDIN : FMT_PRINT);
    cars_buf_free(&b);
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
        if (fmt_one(names[i], NULL, 0, in_place ? FMT_WRITE : FMT_CHECK) != CARS_EXIT_OK)
            result = CARS_EXIT_ERRORS;
    cars_arena_free(&a);
    return result;
}

const char cars_fmt_usage[] =
    "usage: carsc fmt [-w|-c] FILE...\n"
    "       carsc fmt [-c] [--stdin-name PATH] -\n"
    "\n"
    "Print each FILE in canonical form (2-space indent, one item per line,\n"
    "comments kept) to stdout. Includes are not followed.\n"
    "\n"
    "  -w   rewrite each FILE in place instead\n"
    "  -c   print nothing; exit 1 if a FILE is not in canonical form\n"
    "A directory stands for its *.cars files (with -w or -c).\n"
    "\n"
    "  -                  read the text from standard input and print it in\n"
    "                     canonical form to stdout (an editor's format on save)\n"
    "  --stdin-name PATH  the name standard input's diagnostics give (default\n"
    "                     <stdin>); nothing is read from PATH\n";

static int usage_error(const char *why, const char *what)
{
    fprintf(stderr, "carsc fmt: %s%s%s\n(carsc help fmt shows the usage)\n", why, what ? what : "", what ? "'" : "");
    return CARS_EXIT_USAGE;
}

int cars_cmd_fmt(int argc, char **argv)
{
    bool in_place = false, check = false;
    const char *stdin_name = NULL;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        if (strcmp(argv[first], "-w") == 0)
            in_place = true;
        else if (strcmp(argv[first], "-c") == 0)
            check = true;
        else if (strcmp(argv[first], "--stdin-name") == 0 && first + 1 < argc && argv[first + 1][0])
            stdin_name = argv[++first];
        else if (strcmp(argv[first], "--stdin-name") == 0)
            return usage_error("--stdin-name needs the path to name standard input by", NULL);
        else if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        } else
            return usage_error("unknown option '", argv[first]);
    }
    if (first >= argc || (in_place && check)) {
        fprintf(stderr, "usage: carsc fmt [-w|-c] FILE...\n");
        return CARS_EXIT_USAGE;
    }
    bool dash = strcmp(argv[first], "-") == 0;
    if (dash && (first + 1 < argc || in_place))
        return usage_error(in_place ? "-w cannot rewrite standard input: drop -w, or name the file"
                                    : "- (standard input) is read alone, with no other FILE", NULL);
    if (stdin_name && !dash)
        return usage_error("--stdin-name names standard input: give - as the file", NULL);
    if (dash)
        return fmt_stdin(stdin_name ? stdin_name : "<stdin>", check);
    int rc = CARS_EXIT_OK;
    for (int i = first; i < argc; i++) {
        struct stat st;
        int r = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
                    ? fmt_dir(argv[i], in_place, check)
                    : fmt_one(argv[i], NULL, 0, in_place ? FMT_WRITE : check ? FMT_CHECK : FMT_PRINT);
        if (r != CARS_EXIT_OK)
            rc = r;
    }
    return rc;
}
