/* declog_cmd.c - `carsvm log`: keygen (a key for the input digests), verify
 * (the chain of one or more files) and replay (route the records again with
 * the release each line names, and compare). This file prints. */
#include "declog_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "alloc.h"
#include "cli.h"
#include "date.h"
#include "declog.h"
#include "declog_verify.h"
#include "hex.h"
#include "names.h"
#include "readfile.h"
#include "reader.h"
#include "vm.h"

const char cars_log_help_text[] =
    "      log keygen KEYFILE: write a new random key for the input digests\n"
    "      (64 hex digits, mode 0600; refused if KEYFILE exists).\n"
    "      log verify FILE...: check the chain of a decision log, its files in\n"
    "      the order written (rotated files first, oldest first: FILE.2026* FILE).\n"
    "      Names the first bad line; a torn last line (a crash mid-write) is\n"
    "      ignored. Prints the hash of the last line (the head: keep it elsewhere\n"
    "      to detect a log rewritten from some line on).\n"
    "      log replay --decision-log-key KEY [TRUST] LOG RECORDS RELEASE...: route\n"
    "      each record of RECORDS (JSON Lines) whose digest a line of LOG holds,\n"
    "      with the release the line names (by bundle digest; each release is\n"
    "      opened as of the day of the first line naming it, unless --as-of),\n"
    "      and report every decision that does not reproduce.\n"
    "      Exit: 0 good / every decision reproduced; 4 a bad line / a decision\n"
    "      that did not reproduce or could not be checked; 1 unreadable file.\n";

/* ---- verify --------------------------------------------------------- */

static int log_verify(int n, char **paths)
{
    cars_declog_chk c;
    memset(&c, 0, sizeof c);
    char err[600];
    unsigned long long total = 0;
    for (int i = 0; i < n; i++) {
        cars_declog_file_result res;
        int rc = cars_declog_verify_file(paths[i], &c, &res, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "carsvm: %s\n", err);
            return 1;
        }
        if (rc > 0) {
            printf("%s: bad: %s\n", paths[i], err);
            return 4;
        }
        total += res.lines;
        if (res.torn)
            printf("%s: %llu lines good; a torn last line (%zu bytes, no newline) ignored\n", paths[i], res.lines,
                   res.torn);
        else
            printf("%s: %llu lines good\n", paths[i], res.lines);
    }
    char head[65];
    cars_hex(c.head, sizeof c.head, head);
    printf("chain good: %llu lines in %d file%s%s; head %s\n", total, n, n == 1 ? "" : "s",
           c.continues ? " (continuing an earlier file, not given)" : "", head);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- replay --------------------------------------------------------- */

typedef struct entry {
    unsigned long long no;
    char bundle[65];
    uint8_t input[32];
    char outcome[16];
    char *rules; /* rule ids joined by ',' */
    int64_t day;
} entry;

typedef struct rel {
    cars_release r;
    char bundle[65];
    cars_reader *reader;
    cars_vm *vm;
} rel;

typedef struct rec {
    uint8_t digest[32];
    size_t at, len;
} rec;

typedef struct replay {
    entry *e;
    size_t ne;
    rel *rels;
    int nrels;
    char *records;
    rec *recs;
    size_t nrecs;
    uint8_t key[CARS_DECLOG_KEY_BYTES];
    cars_trust_opts t;
} replay;

static bool hex_decode(const char *s, uint8_t *out, size_t n)
{
    size_t used = 0;
    return strlen(s) == 2 * n && sodium_hex2bin(out, n, s, 2 * n, NULL, &used, NULL) == 0 && used == n;
}

static const char *str_at(yajl_val v, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(v, path, yajl_t_string);
    return s ? s->u.string : NULL;
}

/* An array element's text; "" when it is not a string. */
static const char *elem_str(yajl_val a, size_t i)
{
    yajl_val s = a->u.array.values[i];
    return YAJL_IS_STRING(s) ? s->u.string : "";
}

/* One entry line into e; false if it is not one (headers are skipped). */
static bool parse_entry(char *line, entry *e)
{
    yajl_val v = yajl_tree_parse(line, NULL, 0);
    const char *bundle = v ? str_at(v, "bundle") : NULL, *input = v ? str_at(v, "input") : NULL;
    const char *outcome = v ? str_at(v, "outcome") : NULL, *ts = v ? str_at(v, "ts") : NULL;
    const char *rpath[] = {"rules", NULL};
    yajl_val rules = v ? yajl_tree_get(v, rpath, yajl_t_array) : NULL;
    bool ok = bundle && input && outcome && ts && rules && strlen(bundle) == 64 && strlen(outcome) < 16 &&
              hex_decode(input, e->input, 32) && strlen(ts) >= 10;
    char day[11];
    if (ok) {
        memcpy(e->bundle, bundle, 65);
        snprintf(e->outcome, sizeof e->outcome, "%s", outcome);
        memcpy(day, ts, 10);
        day[10] = '\0';
        char err[200];
        ok = cars_date_option(day, &e->day, err, sizeof err);
    }
    size_t len = 1;
    for (size_t i = 0; ok && i < rules->u.array.len; i++)
        len += strlen(elem_str(rules, i)) + 1;
    if (ok && (e->rules = cars_malloc(len)) != NULL) {
        e->rules[0] = '\0';
        for (size_t i = 0; i < rules->u.array.len; i++) {
            if (i)
                strcat(e->rules, ",");
            strcat(e->rules, elem_str(rules, i));
        }
    }
    yajl_tree_free(v);
    return ok && e->rules;
}

/* Reads every entry of the log. 0, or the exit status. */
static int read_log(replay *rp, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "carsvm: cannot read %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t cap = 0, ecap = 0;
    ssize_t n;
    unsigned long long no = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0 && line[n - 1] == '\n') {
        no++;
        line[n - 1] = '\0';
        if (strstr(line, "\"log\":\"cars decisions\""))
            continue;
        if (rp->ne == ecap) {
            ecap = ecap ? ecap * 2 : 1024;
            entry *e = cars_realloc(rp->e, ecap * sizeof *e);
            if (!e) {
                rc = 1;
                break;
            }
            rp->e = e;
        }
        memset(&rp->e[rp->ne], 0, sizeof *rp->e);
        rp->e[rp->ne].no = no;
        if (!parse_entry(line, &rp->e[rp->ne])) {
            fprintf(stderr, "carsvm: %s: line %llu is not a decision-log entry\n", path, no);
            rc = 4;
        } else {
            rp->ne++;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

/* Opens each release as of the day of the first line naming it. */
static int open_releases(replay *rp, int n, char **paths)
{
    rp->rels = cars_calloc((size_t)n, sizeof *rp->rels);
    if (!rp->rels)
        return 1;
    for (int i = 0; i < n; i++) {
        char err[600];
        size_t len;
        uint8_t *bytes = cars_read_file(paths[i], CARS_FILE_RELEASE, &len, err, sizeof err);
        if (!bytes) {
            fprintf(stderr, "carsvm: %s\n", err);
            return 1;
        }
        char hex[65];
        cars_declog_bundle_hex(bytes, len, hex);
        cars_free(bytes);
        cars_trust_opts t = rp->t;
        t.state = NULL;
        for (size_t k = 0; !t.has_as_of && k < rp->ne; k++)
            if (strcmp(rp->e[k].bundle, hex) == 0) {
                t.as_of = rp->e[k].day;
                t.has_as_of = true;
            }
        rel *r = &rp->rels[rp->nrels];
        int rc = cars_cli_load_release(paths[i], &t, &r->r);
        if (rc != 0)
            return rc;
        rp->nrels++;
        memcpy(r->bundle, hex, sizeof hex);
        r->reader = cars_reader_new(&r->r.prog);
        r->vm = cars_vm_new(&r->r.prog);
        if (!r->reader || !r->vm)
            return 1;
    }
    return 0;
}

static int rec_cmp(const void *a, const void *b)
{
    return memcmp(((const rec *)a)->digest, ((const rec *)b)->digest, 32);
}

/* Reads RECORDS and indexes its lines by keyed digest. */
static int read_records(replay *rp, const char *path)
{
    char err[600];
    size_t len;
    rp->records = (char *)cars_read_file(path, CARS_FILE_TABLE, &len, err, sizeof err);
    if (!rp->records) {
        fprintf(stderr, "carsvm: %s\n", err);
        return 1;
    }
    size_t cap = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(rp->records + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (rp->records + at)) : len - at;
        bool blank = true; /* as route: only spaces, tabs and CRs */
        for (size_t k = 0; k < n && blank; k++)
            blank = strchr(" \t\r", rp->records[at + k]) != NULL && rp->records[at + k] != '\0';
        if (!blank) {
            if (rp->nrecs == cap) {
                cap = cap ? cap * 2 : 1024;
                rec *r = cars_realloc(rp->recs, cap * sizeof *r);
                if (!r)
                    return 1;
                rp->recs = r;
            }
            rec *r = &rp->recs[rp->nrecs++];
            crypto_generichash(r->digest, 32, (const unsigned char *)rp->records + at, n, rp->key, sizeof rp->key);
            r->at = at;
            r->len = n;
        }
        at += n + 1;
    }
    if (rp->nrecs)
        qsort(rp->recs, rp->nrecs, sizeof *rp->recs, rec_cmp);
    return 0;
}

/* Routes the record again; its outcome and rule ids into out (a,b,c). */
static void reroute(rel *r, const char *line, size_t len, char *outcome, size_t olen, cars_buf *rules)
{
    cars_result res;
    char err[200];
    rules->len = 0;
    if (!cars_reader_parse(r->reader, line, len) ||
        cars_vm_route(r->vm, cars_reader_record(r->reader), &res, err, sizeof err) != 0) {
        snprintf(outcome, olen, "ERROR");
        return;
    }
    snprintf(outcome, olen, "%s", cars_outcome_name(res.outcome));
    for (uint32_t k = 0; k < res.nrules; k++) {
        const cars_str *id = &r->r.prog.rules[res.rules[k]].id;
        if (k)
            cars_buf_puts(rules, ",");
        cars_buf_put(rules, id->p, id->len);
    }
}

/* Checks one entry: 0 reproduced, 1 not, 2 could not be checked. */
static int check_entry(replay *rp, const entry *e, cars_buf *rules)
{
    rel *r = NULL;
    for (int i = 0; i < rp->nrels && !r; i++)
        if (strcmp(rp->rels[i].bundle, e->bundle) == 0)
            r = &rp->rels[i];
    if (!r) {
        printf("line %llu: the release with bundle digest %.16s... was not given\n", e->no, e->bundle);
        return 2;
    }
    rec key = {.at = 0};
    memcpy(key.digest, e->input, 32);
    const rec *found = rp->nrecs ? bsearch(&key, rp->recs, rp->nrecs, sizeof *rp->recs, rec_cmp) : NULL;
    if (!found) {
        printf("line %llu: no record in RECORDS has this input digest\n", e->no);
        return 2;
    }
    char outcome[16];
    reroute(r, rp->records + found->at, found->len, outcome, sizeof outcome, rules);
    const char *got = cars_buf_cstr(rules);
    if (strcmp(outcome, e->outcome) == 0 && got && strcmp(got, e->rules) == 0)
        return 0;
    printf("line %llu: logged %s [%s], replayed %s [%s]\n", e->no, e->outcome, e->rules, outcome, got ? got : "");
    return 1;
}

static void replay_free(replay *rp)
{
    for (size_t i = 0; i < rp->ne; i++)
        cars_free(rp->e[i].rules);
    cars_free(rp->e);
    for (int i = 0; i < rp->nrels; i++) {
        cars_reader_free(rp->rels[i].reader);
        cars_vm_free(rp->rels[i].vm);
        cars_release_free(&rp->rels[i].r);
    }
    cars_free(rp->rels);
    cars_free(rp->records);
    cars_free(rp->recs);
    sodium_memzero(rp->key, sizeof rp->key);
}

static int replay_run(replay *rp, const char *log, const char *records, int nrel, char **rels)
{
    int rc = read_log(rp, log);
    if (rc == 0)
        rc = open_releases(rp, nrel, rels);
    if (rc == 0)
        rc = read_records(rp, records);
    if (rc != 0)
        return rc;
    unsigned long long count[3] = {0, 0, 0};
    cars_buf rules = {0};
    for (size_t i = 0; i < rp->ne; i++)
        count[check_entry(rp, &rp->e[i], &rules)]++;
    cars_buf_free(&rules);
    printf("replay: %zu decisions: %llu reproduced, %llu did not reproduce, %llu could not be checked\n", rp->ne,
           count[0], count[1], count[2]);
    if (fflush(stdout) != 0)
        return 1;
    return count[1] || count[2] ? 4 : 0;
}

static int log_replay(int argc, char **argv)
{
    replay rp;
    memset(&rp, 0, sizeof rp);
    rp.t.channel = CARS_CHANNEL_PRODUCTION;
    const char *key = NULL;
    char *pos[256];
    int npos = 0;
    for (int i = 3; i < argc; i++) {
        int took = cars_cli_trust_option(argc, argv, &i, &rp.t);
        if (took < 0)
            return 2;
        if (took > 0)
            continue;
        if ((strcmp(argv[i], "--decision-log-key") == 0 || strcmp(argv[i], "--key") == 0) && i + 1 < argc)
            key = argv[++i];
        else if (argv[i][0] != '-' && npos < 256)
            pos[npos++] = argv[i];
        else {
            fprintf(stderr, "carsvm: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!key || npos < 3) {
        fprintf(stderr, "usage: carsvm log replay --decision-log-key KEY [TRUST] LOG RECORDS RELEASE...\n");
        return 2;
    }
    char err[600];
    if (cars_declog_key_load(key, rp.key, err, sizeof err) != 0) {
        fprintf(stderr, "carsvm: %s\n", err);
        return 1;
    }
    int rc = replay_run(&rp, pos[0], pos[1], npos - 2, pos + 2);
    replay_free(&rp);
    return rc;
}

int cars_cmd_log(int argc, char **argv)
{
    const char *sub = argc >= 3 ? argv[2] : "";
    if (strcmp(sub, "verify") == 0 && argc >= 4)
        return log_verify(argc - 3, argv + 3);
    if (strcmp(sub, "replay") == 0)
        return log_replay(argc, argv);
    if (strcmp(sub, "keygen") == 0 && argc == 4) {
        char err[600];
        if (cars_declog_key_create(argv[3], err, sizeof err) != 0) {
            fprintf(stderr, "carsvm: %s\n", err);
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "usage: carsvm log keygen KEYFILE | verify FILE... | replay --decision-log-key KEY [TRUST] "
                    "LOG RECORDS RELEASE...\n");
    return 2;
}
