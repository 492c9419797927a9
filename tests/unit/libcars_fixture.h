/* libcars_fixture.h - the releases and records the libcars tests share
 * (test_libcars_load.c, test_libcars_route.c), made in a temporary
 * directory by the compiler library, as carsc build, keygen and sign
 * would make them:
 *   r.carsb          rulesets/cars-v, production, 2026-W48, sequence 48,
 *                    valid 2026-11-23 to 2026-11-29, signed with k
 *   unsigned.carsb   the same bytes, no signature file
 *   tampered.carsb   one byte changed, r.carsb's signature
 *   other.carsb      r.carsb signed with another key (k2)
 *   seq47/seq49.carsb  the release cases' tiny ruleset, production,
 *                    sequences 47 and 49, signed with k (rollback)
 *   test.carsb       the tiny ruleset, test channel, unsigned
 *   k.pub, k2.pub    the public keys
 * and a corpus of records for cars-v: each outcome, invalid records, blank
 * lines, with the bytes `carsvm route` gives for it (cars_route_stream, the
 * routing loop carsvm route runs). */
#ifndef CARS_LIBCARS_FIXTURE_H
#define CARS_LIBCARS_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "compile.h"
#include "date.h"
#include "keys.h"
#include "readfile.h"
#include "release.h"
#include "route.h"
#include "state.h"

typedef struct lib_fixture {
    char dir[64];
    char *records; /* the corpus: lines of JSON, with blank and invalid ones */
    size_t len;
    char *expected; /* what carsvm route writes for it */
    size_t explen;
} lib_fixture;

/* dir/name into out[256]. */
static inline const char *fx_path(const lib_fixture *f, const char *name, char out[256])
{
    snprintf(out, 256, "%s/%s", f->dir, name);
    return out;
}

static inline bool fx_write(const lib_fixture *f, const char *name, const void *p, size_t n)
{
    char path[256];
    FILE *fp = fopen(fx_path(f, name, path), "wb");
    if (!fp)
        return false;
    bool ok = fwrite(p, 1, n, fp) == n;
    return fclose(fp) == 0 && ok;
}

/* Compiles `ruleset` as release `name` (and signs it with sk into
 * NAME.minisig when sk is not NULL). */
static inline bool fx_release(const lib_fixture *f, const char *ruleset, const char *name, uint64_t seq,
                              uint8_t channel, const cars_seckey *sk)
{
    cars_check_options opt = {0};
    cars_release_opts rel = {.release_id = "2026-W48", .sequence = seq, .channel = channel};
    if (channel == CARS_CHANNEL_PRODUCTION) {
        cars_date_parse("2026-11-23", 10, &rel.valid_from);
        cars_date_parse("2026-11-29", 10, &rel.valid_until);
        opt.has_as_of = true;
        opt.as_of = rel.valid_from;
    }
    cars_compiled c;
    bool ok = cars_compile_release(ruleset, &opt, &rel, &c) && fx_write(f, name, c.bytes, c.len);
    if (ok && sk) {
        char err[300], signame[128];
        char *sig = cars_sign_text(sk, c.bytes, c.len, "t", err, sizeof err);
        snprintf(signame, sizeof signame, "%s.minisig", name);
        ok = sig && fx_write(f, signame, sig, strlen(sig));
        cars_free(sig);
    }
    if (!ok)
        fprintf(stderr, "libcars fixture: cannot make %s from %s: %s\n", name, ruleset, c.error);
    cars_compiled_free(&c);
    return ok;
}

static inline bool fx_copy(const lib_fixture *f, const char *from, const char *to, long flip_at)
{
    char path[256], err[300];
    size_t n;
    uint8_t *bytes = cars_read_file(fx_path(f, from, path), CARS_FILE_RELEASE, &n, err, sizeof err);
    if (!bytes)
        return false;
    if (flip_at >= 0 && (size_t)flip_at < n)
        bytes[flip_at] ^= 0x20;
    bool ok = fx_write(f, to, bytes, n);
    cars_free(bytes);
    return ok;
}

/* The corpus: every record of tests/cases/explain/each-outcome (one per
 * outcome), invalid and blank lines, `times` times over. */
static inline bool fx_corpus(lib_fixture *f, int times)
{
    char err[300];
    size_t n;
    uint8_t *base = cars_read_file("tests/cases/explain/each-outcome/records.jsonl", CARS_FILE_RULES, &n, err,
                                   sizeof err);
    if (!base)
        return false;
    static const char extra[] = "\n  \t\r\n{\"id\":\"BAD-1\",\"received\":\"yesterday\"}\nnot json\n"
                                "{\"id\":\"DUP\",\"id\":\"DUP\"}\n\f\n{\"id\":\"\\u00e9t\\u00e9\"}\n";
    size_t each = n + sizeof extra - 1;
    f->records = malloc(each * (size_t)times + 1);
    if (!f->records) {
        cars_free(base);
        return false;
    }
    for (int i = 0; i < times; i++) {
        memcpy(f->records + each * (size_t)i, base, n);
        memcpy(f->records + each * (size_t)i + n, extra, sizeof extra - 1);
    }
    f->len = each * (size_t)times;
    f->records[f->len] = '\0';
    cars_free(base);
    return true;
}

/* What carsvm route writes for the corpus with r.carsb (one thread). */
static inline bool fx_expected(lib_fixture *f)
{
    char path[256], key[256], err[1200];
    cars_release_policy pol = {.channel = CARS_CHANNEL_PRODUCTION, .trust = CARS_TRUST_SIGNED};
    cars_date_parse("2026-11-25", 10, &pol.today);
    cars_release r;
    if (cars_release_load(fx_path(f, "r.carsb", path), fx_path(f, "k.pub", key), NULL, &pol, &r, err,
                          sizeof err) != CARS_REL_OK) {
        fprintf(stderr, "libcars fixture: %s\n", err);
        return false;
    }
    FILE *in = fmemopen(f->records, f->len, "rb");
    FILE *out = open_memstream(&f->expected, &f->explen);
    bool ok = in && out && cars_route_stream(&r.prog, in, out, 1, NULL, err, sizeof err) == 3;
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    cars_release_free(&r);
    return ok;
}

static inline void fx_free(lib_fixture *f)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (f->dir[0] && system(cmd) != 0)
        fprintf(stderr, "libcars fixture: cannot remove %s\n", f->dir);
    free(f->records);
    free(f->expected);
    free(f);
}

/* The fixture, or NULL (with a message) when a step fails. */
static inline lib_fixture *fx_new(int times)
{
    lib_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    snprintf(f->dir, sizeof f->dir, "/tmp/cars-libcars-XXXXXX");
    if (!mkdtemp(f->dir)) {
        f->dir[0] = '\0';
        fx_free(f);
        return NULL;
    }
    char path[256], err[300] = "";
    cars_seckey sk, sk2;
    bool ok = cars_keygen(fx_path(f, "k", path), err, sizeof err) == 0 &&
              cars_keygen(fx_path(f, "k2", path), err, sizeof err) == 0 &&
              cars_seckey_load(fx_path(f, "k.key", path), &sk, err, sizeof err) == 0 &&
              cars_seckey_load(fx_path(f, "k2.key", path), &sk2, err, sizeof err) == 0;
    ok = ok && fx_release(f, "rulesets/cars-v", "r.carsb", 48, CARS_CHANNEL_PRODUCTION, &sk) &&
         fx_release(f, "rulesets/cars-v", "other.carsb", 48, CARS_CHANNEL_PRODUCTION, &sk2) &&
         fx_release(f, "tests/cases/release/tiny", "seq47.carsb", 47, CARS_CHANNEL_PRODUCTION, &sk) &&
         fx_release(f, "tests/cases/release/tiny", "seq49.carsb", 49, CARS_CHANNEL_PRODUCTION, &sk) &&
         fx_release(f, "tests/cases/release/tiny", "test.carsb", 1, CARS_CHANNEL_TEST, NULL);
    ok = ok && fx_copy(f, "r.carsb", "unsigned.carsb", -1) && fx_copy(f, "r.carsb", "tampered.carsb", 300) &&
         fx_copy(f, "r.carsb.minisig", "tampered.carsb.minisig", -1);
    ok = ok && fx_corpus(f, times) && fx_expected(f);
    if (!ok) {
        fprintf(stderr, "libcars fixture: setup failed %s\n", err);
        fx_free(f);
        return NULL;
    }
    return f;
}

#endif
