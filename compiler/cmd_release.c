/* cmd_release.c - the release commands of carsc: keygen, sign, inspect.
 * Formats: vm/sign.h (minisign's), docs/releases.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "alloc.h"
#include "atomic.h"
#include "commands.h"
#include "compile.h"
#include "date.h"
#include "keys.h"
#include "loader.h"
#include "release.h"
#include "seal.h"
#include "sign.h"

int cars_cmd_keygen(int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            name = argv[++i];
        else {
            fprintf(stderr, "usage: carsc keygen -o NAME\n");
            return CARS_EXIT_USAGE;
        }
    }
    if (!name) {
        fprintf(stderr, "usage: carsc keygen -o NAME\n");
        return CARS_EXIT_USAGE;
    }
    char err[300];
    if (cars_keygen(name, err, sizeof err) != 0) {
        fprintf(stderr, "carsc keygen: %s\n", err);
        return CARS_EXIT_ERRORS;
    }
    printf("wrote %s.key (secret: mode 0600, keep it private) and %s.pub (give it to operators)\n", name, name);
    return CARS_EXIT_OK;
}

int cars_cmd_audit_keygen(int argc, char **argv)
{
    const char *name = argc == 3 && strcmp(argv[1], "-o") == 0 ? argv[2] : NULL;
    if (!name) {
        fprintf(stderr, "usage: carsc audit-keygen -o NAME\n");
        return CARS_EXIT_USAGE;
    }
    char err[600];
    if (cars_audit_keygen(name, err, sizeof err) != 0) {
        fprintf(stderr, "carsc audit-keygen: %s\n", err);
        return CARS_EXIT_ERRORS;
    }
    cars_audit_pub pub;
    char path[4200], hex[17];
    snprintf(path, sizeof path, "%s.pub", name);
    if (cars_audit_pub_load(path, &pub, err, sizeof err) != 0) {
        fprintf(stderr, "carsc audit-keygen: %s\n", err);
        return CARS_EXIT_ERRORS;
    }
    cars_audit_id_hex(pub.id, hex);
    printf("wrote %s.key (audit secret key %s: mode 0600, keep it private) and %s.pub (the rules team seals "
           "releases to it: carsc build --audit-key %s.pub)\n", name, hex, name, name);
    return CARS_EXIT_OK;
}

/* Loads (and so verifies) a bundle for sign and inspect. */
int cars_cmd_sign(int argc, char **argv)
{
    if (!cars_audit_secret_arg(&argc, argv, "sign"))
        return CARS_EXIT_USAGE;
    const char *key = NULL, *path = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key = argv[++i];
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!key || !path) {
        fprintf(stderr, "usage: carsc sign --key NAME.key FILE.carsb [-o FILE.carsb.minisig]\n");
        return CARS_EXIT_USAGE;
    }
    char err[400];
    cars_seckey sk;
    if (cars_seckey_load(key, &sk, err, sizeof err) != 0) {
        fprintf(stderr, "carsc sign: %s\n", err);
        return CARS_EXIT_ERRORS;
    }
    size_t len;
    cars_program p;
    uint8_t *b = cars_read_release_checked(path, &p, &len, "sign");
    if (!b) {
        sodium_memzero(&sk, sizeof sk);
        return CARS_EXIT_ERRORS;
    }
    char trusted[512]; /* what carsvm compares with the release (cars_release_check_comment) */
    cars_release_meta m = {.release_id = p.release_id.p, .release_id_len = p.release_id.len,
                           .sequence = p.sequence, .valid_from = p.valid_from,
                           .valid_until = p.valid_until, .channel = p.channel};
    cars_release_comment(&m, trusted, sizeof trusted);
    char *text = cars_sign_text(&sk, b, len, trusted, err, sizeof err);
    sodium_memzero(&sk, sizeof sk);
    cars_program_free(&p);
    cars_free(b);
    if (!text) {
        fprintf(stderr, "carsc sign: %s\n", err);
        return CARS_EXIT_ERRORS;
    }
    char *def = NULL;
    if (!out) {
        size_t n = strlen(path) + sizeof ".minisig";
        def = cars_malloc(n);
        if (def)
            snprintf(def, n, "%s.minisig", path);
        out = def;
    }
    cars_atomic_opts o = {.perm = CARS_PERM_UMASK, .mode = 0666};
    int rc = out ? cars_atomic_write_file(out, text, strlen(text), &o, err, sizeof err) : -1;
    if (rc != 0)
        fprintf(stderr, "carsc sign: %s\n", out ? err : "out of memory");
    else
        printf("signed %s: %s\n", path, out);
    cars_free(text);
    cars_free(def);
    return rc == 0 ? CARS_EXIT_OK : CARS_EXIT_ERRORS;
}


/* The signature line of inspect: whether there is one, its key, and (with a
 * trusted key) whether it is good. */
static void inspect_signature(const char *path, const char *trust, const uint8_t *b, size_t len)
{
    size_t n = strlen(path) + sizeof ".minisig", slen, klen;
    char *sp = cars_malloc(n), err[600], keyid[17];
    if (!sp)
        return;
    snprintf(sp, n, "%s.minisig", path);
    char *sig = (char *)cars_read_file(sp, CARS_FILE_SIGNATURE, &slen, err, sizeof err);
    cars_signature s;
    if (!sig && errno == ENOENT) {
        printf("signature    none (%s not found)\n", sp);
    } else if (!sig) {
        printf("signature    unreadable: %s\n", err);
    } else if (cars_signature_parse(sig, slen, &s, err, sizeof err) != CARS_SIG_OK) {
        printf("signature    malformed: %s\n", err);
    } else {
        cars_keyid_hex(s.keyid, keyid);
        char *key = trust ? (char *)cars_read_file(trust, CARS_FILE_KEY, &klen, err, sizeof err) : NULL;
        cars_pubkey pk;
        if (!trust) {
            printf("signature    by key %s (not checked: pass --trust KEY.pub)\n", keyid);
        } else if (!key) {
            printf("signature    by key %s (%s)\n", keyid, err);
        } else if (cars_pubkey_parse(key, klen, &pk, err, sizeof err) != CARS_SIG_OK) {
            printf("signature    by key %s (cannot read trusted key %s)\n", keyid, trust);
        } else {
            cars_sig_status st = cars_signature_verify(&pk, &s, b, len, err, sizeof err);
            cars_release_meta m;
            if (st == CARS_SIG_OK && cars_bundle_peek_release(b, len, &m, err, sizeof err) == 0 &&
                cars_release_check_comment(&m, s.trusted, s.trusted_len, err, sizeof err) != CARS_REL_OK)
                st = CARS_SIG_BAD;
            printf("signature    %s, key %s\n", st == CARS_SIG_OK ? "good" : err, keyid);
        }
        char note[400];
        cars_comment_escape(s.trusted, s.trusted_len, note, sizeof note);
        printf("signed note  %s%s\n", note, cars_release_comment_is_carsc(s.trusted, s.trusted_len) ? ""
                                                : " (not carsc's form: not compared with the release)");
        cars_free(key);
    }
    cars_free(sig);
    cars_free(sp);
}

/* The source line: whether the code is what the carried text compiles to.
 * A sealed release: to which audit keys, and the check only with one's
 * secret key (without it, what cannot be shown and why). False when the
 * check ran and failed. */
static bool inspect_source(const char *path, cars_program *p, const uint8_t *b, size_t len)
{
    char why[500], ids[CARS_SEAL_MAX_RECIPIENTS * 18 + 1];
    if (p->sealed_len) {
        cars_seal_ids(p, ids, sizeof ids);
        printf("sealed       rule text sealed to audit key%s %s\n", strchr(ids, ',') ? "s" : "", ids);
        if (!cars_audit_secret()) {
            printf("source       sealed: not compared with the code (give --audit-key-secret to check it)\n");
            return true;
        }
        if (cars_open_sealed(path, p, "inspect") != 0) {
            printf("source       sealed: the audit key given does not open it (above)\n");
            return false;
        }
    }
    bool matches = cars_release_recompile(b, len, p, why, sizeof why) == 0;
    if (matches)
        printf("source       matches the code: recompiled from its %stext, byte for byte\n",
               p->sealed_len ? "sealed " : "");
    else
        printf("source       DOES NOT MATCH THE CODE IT RUNS: %s\n", why);
    return matches;
}

/* A sealed release: every rule's id, kind and says text, what it still
 * shows without a key (decompile shows an unsealed release's rules). */
static void inspect_rules(const cars_program *p)
{
    for (uint32_t i = 0; p->sealed_len && i < p->nrules; i++) {
        const cars_prule *r = &p->rules[i];
        printf("rule         %-12.*s %-22s says \"%.*s\"\n", (int)r->id.len, r->id.p,
               r->kind < 6 ? cars_rule_kind_name(r->kind) : "?", (int)r->says.len, r->says.p);
    }
}

int cars_cmd_inspect(int argc, char **argv)
{
    if (!cars_audit_secret_arg(&argc, argv, "inspect"))
        return CARS_EXIT_USAGE;
    const char *path = NULL, *trust = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc)
            trust = argv[++i];
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path) {
        fprintf(stderr, "usage: carsc inspect [--trust KEY.pub] FILE.carsb\n");
        return CARS_EXIT_USAGE;
    }
    size_t len;
    cars_program p;
    uint8_t *b = cars_read_bundle(path, &p, &len, "inspect");
    if (!b)
        return CARS_EXIT_ERRORS;
    char from[11], until[11], h[65];
    cars_date_format(p.valid_from, from);
    cars_date_format(p.valid_until, until);
    uint8_t digest[32];
    crypto_generichash(digest, 32, b, len, NULL, 0);
    cars_hex(digest, 32, h);
    printf("release      %.*s\n", (int)p.release_id.len, p.release_id.p);
    printf("sequence     %llu\n", (unsigned long long)p.sequence);
    printf("channel      %s\n", cars_channel_name(p.channel));
    printf("valid        %s to %s\n", from, until);
    printf("ruleset      %.*s\n", (int)p.ruleset_title.len, p.ruleset_title.p);
    printf("compiler     %.*s\n", (int)p.compiler_version.len, p.compiler_version.p);
    printf("bundle       %zu bytes, BLAKE2b-256 %s\n", len, h);
    inspect_signature(path, trust, b, len);
    bool matches = inspect_source(path, &p, b, len);
    unsigned count[6] = {0};
    for (uint32_t i = 0; i < p.nrules; i++)
        if (p.rules[i].kind < 6)
            count[p.rules[i].kind]++;
    printf("rules        %u:", p.nrules);
    const char *sep = " ";
    for (int k = 0; k < 6; k++)
        if (count[k]) {
            printf("%s%u %s", sep, count[k], cars_rule_kind_name((unsigned)k));
            sep = ", ";
        }
    printf("\n");
    inspect_rules(&p);
    printf("thresholds   %u\n", p.nthresholds);
    char tests[200];
    cars_release_tests_text(&p, tests, sizeof tests);
    printf("tests        %s\n", tests);
    for (uint32_t i = 0; i < p.ntables; i++) {
        cars_hex(p.tables[i].digest, 32, h);
        printf("table        %.*s: %u entries, BLAKE2b-256 %s\n", (int)p.tables[i].name.len, p.tables[i].name.p,
               p.tables[i].n, h);
    }
    for (uint32_t i = 0; i < p.ndigests; i++) {
        cars_hex(p.digests[i].digest, 32, h);
        printf("file         %.*s  %s\n", (int)p.digests[i].name.len, p.digests[i].name.p, h);
    }
    cars_program_free(&p);
    cars_free(b);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "carsc inspect: cannot write the output: %s\n", strerror(errno));
        return CARS_EXIT_ERRORS;
    }
    if (!matches) {
        fprintf(stderr, "carsc inspect: %s: its carried rules may not be the ones it runs: do not rely on it\n", path);
        return CARS_EXIT_ERRORS;
    }
    return CARS_EXIT_OK;
}
