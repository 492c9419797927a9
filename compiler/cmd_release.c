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
#include "bundle.h"
#include "commands.h"
#include "compile.h"
#include "date.h"
#include "jsonw.h"
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


/* What inspect finds of a release's signature. */
typedef enum sig_state {
    SIG_NONE, SIG_UNREADABLE, SIG_MALFORMED, SIG_UNCHECKED, SIG_KEY_UNREADABLE, SIG_KEY_BAD, SIG_GOOD, SIG_BAD
} sig_state;

static const char *const sig_state_names[] = {"none", "unreadable", "malformed", "unchecked",
                                               "trusted_key_unreadable", "trusted_key_bad", "good", "bad"};

typedef struct sig_info {
    sig_state state;
    char path[600];   /* the .minisig looked for */
    char detail[600]; /* why: the error, or the verification's word */
    char keyid[17];
    char note[400];   /* the signed note, escaped (SIG_UNCHECKED and after) */
    bool note_carsc;
} sig_info;

/* Reads and, with a trusted key, checks the signature beside the release. */
static void read_signature(const char *path, const char *trust, const uint8_t *b, size_t len, sig_info *si)
{
    size_t slen, klen;
    char err[600];
    memset(si, 0, sizeof *si);
    snprintf(si->path, sizeof si->path, "%s.minisig", path);
    char *sig = (char *)cars_read_file(si->path, CARS_FILE_SIGNATURE, &slen, err, sizeof err);
    cars_signature s;
    si->state = !sig && errno == ENOENT ? SIG_NONE : SIG_UNREADABLE;
    snprintf(si->detail, sizeof si->detail, "%s", sig ? "" : err);
    if (!sig)
        return;
    if (cars_signature_parse(sig, slen, &s, si->detail, sizeof si->detail) != CARS_SIG_OK) {
        si->state = SIG_MALFORMED;
        cars_free(sig);
        return;
    }
    cars_keyid_hex(s.keyid, si->keyid);
    char *key = trust ? (char *)cars_read_file(trust, CARS_FILE_KEY, &klen, err, sizeof err) : NULL;
    cars_pubkey pk;
    si->state = SIG_UNCHECKED;
    if (trust && !key) {
        si->state = SIG_KEY_UNREADABLE;
        snprintf(si->detail, sizeof si->detail, "%s", err);
    } else if (trust && cars_pubkey_parse(key, klen, &pk, err, sizeof err) != CARS_SIG_OK) {
        si->state = SIG_KEY_BAD;
        snprintf(si->detail, sizeof si->detail, "cannot read trusted key %s", trust);
    } else if (trust) {
        cars_sig_status st = cars_signature_verify(&pk, &s, b, len, si->detail, sizeof si->detail);
        cars_release_meta m;
        if (st == CARS_SIG_OK && cars_bundle_peek_release(b, len, &m, si->detail, sizeof si->detail) == 0 &&
            cars_release_check_comment(&m, s.trusted, s.trusted_len, si->detail, sizeof si->detail) != CARS_REL_OK)
            st = CARS_SIG_BAD;
        si->state = st == CARS_SIG_OK ? SIG_GOOD : SIG_BAD;
        if (st == CARS_SIG_OK)
            snprintf(si->detail, sizeof si->detail, "good");
    }
    cars_comment_escape(s.trusted, s.trusted_len, si->note, sizeof si->note);
    si->note_carsc = cars_release_comment_is_carsc(s.trusted, s.trusted_len);
    cars_free(key);
    cars_free(sig);
}

/* The signature lines of inspect's text. */
static void print_signature(const sig_info *si)
{
    switch (si->state) {
    case SIG_NONE: printf("signature    none (%s not found)\n", si->path); return;
    case SIG_UNREADABLE: printf("signature    unreadable: %s\n", si->detail); return;
    case SIG_MALFORMED: printf("signature    malformed: %s\n", si->detail); return;
    case SIG_UNCHECKED: printf("signature    by key %s (not checked: pass --trust KEY.pub)\n", si->keyid); break;
    case SIG_KEY_UNREADABLE:
    case SIG_KEY_BAD: printf("signature    by key %s (%s)\n", si->keyid, si->detail); break;
    case SIG_GOOD:
    case SIG_BAD: printf("signature    %s, key %s\n", si->detail, si->keyid); break;
    }
    printf("signed note  %s%s\n", si->note, si->note_carsc ? "" : " (not carsc's form: not compared with the release)");
}

/* What inspect shows of a release, for its text and its JSON. */
typedef struct inspect_info {
    const cars_program *p;
    size_t len;
    char from[11], until[11], digest[65];
    sig_info sig;
    bool matches;
    char why[500]; /* when it does not match */
    unsigned count[6]; /* rules by kind */
    /* A sealed release: to which audit keys, and whether the check ran */
    enum { SEAL_NONE, SEAL_UNCHECKED, SEAL_NOT_OPENED, SEAL_OPENED } seal;
    char ids[CARS_SEAL_MAX_RECIPIENTS * 18 + 1];
} inspect_info;

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

/* Whether the code is what the carried text compiles to. A sealed release:
 * to which audit keys, and the check only with one's secret key (without
 * it, not checked: matches stays true, seal says why). */
static void inspect_source(const char *path, cars_program *p, const uint8_t *b, inspect_info *in)
{
    in->matches = true;
    if (p->sealed_len) {
        cars_seal_ids(p, in->ids, sizeof in->ids);
        if (!cars_audit_secret()) {
            in->seal = SEAL_UNCHECKED;
            return;
        }
        if (cars_open_sealed(path, p, "inspect") != 0) {
            in->seal = SEAL_NOT_OPENED;
            in->matches = false;
            snprintf(in->why, sizeof in->why, "the audit key given does not open its sealed text");
            return;
        }
        in->seal = SEAL_OPENED;
    }
    in->matches = cars_release_recompile(b, in->len, p, in->why, sizeof in->why) == 0;
}

static void print_inspect(const inspect_info *in)
{
    const cars_program *p = in->p;
    char h[65];
    printf("release      %.*s\n", (int)p->release_id.len, p->release_id.p);
    printf("sequence     %llu\n", (unsigned long long)p->sequence);
    printf("channel      %s\n", cars_channel_name(p->channel));
    printf("valid        %s to %s\n", in->from, in->until);
    printf("ruleset      %.*s\n", (int)p->ruleset_title.len, p->ruleset_title.p);
    printf("compiler     %.*s\n", (int)p->compiler_version.len, p->compiler_version.p);
    printf("bundle       %zu bytes, BLAKE2b-256 %s\n", in->len, in->digest);
    print_signature(&in->sig);
    if (in->seal != SEAL_NONE)
        printf("sealed       rule text sealed to audit key%s %s\n", strchr(in->ids, ',') ? "s" : "", in->ids);
    if (in->seal == SEAL_UNCHECKED)
        printf("source       sealed: not compared with the code (give --audit-key-secret to check it)\n");
    else if (in->seal == SEAL_NOT_OPENED)
        printf("source       sealed: the audit key given does not open it (above)\n");
    else if (in->matches)
        printf("source       matches the code: recompiled from its %stext, byte for byte\n",
               in->seal == SEAL_OPENED ? "sealed " : "");
    else
        printf("source       DOES NOT MATCH THE CODE IT RUNS: %s\n", in->why);
    printf("rules        %u:", p->nrules);
    const char *sep = " ";
    for (int k = 0; k < 6; k++)
        if (in->count[k]) {
            printf("%s%u %s", sep, in->count[k], cars_rule_kind_name((unsigned)k));
            sep = ", ";
        }
    printf("\n");
    inspect_rules(p);
    printf("thresholds   %u\n", p->nthresholds);
    char tests[200];
    cars_release_tests_text(p, tests, sizeof tests);
    printf("tests        %s\n", tests);
    for (uint32_t i = 0; i < p->ntables; i++) {
        cars_hex(p->tables[i].digest, 32, h);
        printf("table        %.*s: %u entries, BLAKE2b-256 %s\n", (int)p->tables[i].name.len, p->tables[i].name.p,
               p->tables[i].n, h);
    }
    for (uint32_t i = 0; i < p->ndigests; i++) {
        cars_hex(p->digests[i].digest, 32, h);
        printf("file         %.*s  %s\n", (int)p->digests[i].name.len, p->digests[i].name.p, h);
    }
}

static void json_signature(cars_jw *w, const sig_info *si)
{
    cars_jw_object(w, "signature");
    cars_jw_str(w, "state", sig_state_names[si->state]);
    cars_jw_str(w, "file", si->path);
    cars_jw_str(w, "key", si->state >= SIG_UNCHECKED ? si->keyid : NULL);
    cars_jw_str(w, "detail", si->state == SIG_NONE || si->state == SIG_UNCHECKED ? NULL : si->detail);
    cars_jw_str(w, "note", si->state >= SIG_UNCHECKED ? si->note : NULL);
    if (si->state >= SIG_UNCHECKED)
        cars_jw_bool(w, "note_is_carsc", si->note_carsc);
    else
        cars_jw_null(w, "note_is_carsc");
    cars_jw_end(w);
}

static void json_tests(cars_jw *w, const cars_program *p)
{
    cars_jw_object(w, "tests");
    bool recorded = p->version >= CARS_BUNDLE_VERSION_TESTS;
    cars_jw_bool(w, "recorded", recorded);
    cars_jw_bool(w, "run", recorded && p->tests.run);
    if (recorded && p->tests.run) {
        cars_jw_uint(w, "passed", p->tests.passed);
        cars_jw_uint(w, "rules_covered", p->tests.rules_covered);
        cars_jw_uint(w, "rules", p->tests.rules);
        cars_jw_uint(w, "conditions_covered", p->tests.conds_covered);
        cars_jw_uint(w, "conditions", p->tests.conds);
    }
    cars_jw_end(w);
}

/* inspect --format json (docs/schemas/inspect.json). */
/* "sealed": null, or the audit key ids and whether the text was opened
 * and checked (false: no --audit-key-secret, or it did not open). */
static void json_seal(cars_jw *w, const inspect_info *in)
{
    if (in->seal == SEAL_NONE) {
        cars_jw_null(w, "sealed");
        return;
    }
    cars_jw_object(w, "sealed");
    cars_jw_array(w, "audit_keys");
    for (const char *k = in->ids; *k;) {
        size_t n = strcspn(k, ", ");
        cars_jw_strn(w, NULL, k, n);
        k += n;
        k += strspn(k, ", ");
    }
    cars_jw_end(w);
    cars_jw_bool(w, "opened", in->seal == SEAL_OPENED);
    cars_jw_array(w, "rules");
    for (uint32_t i = 0; i < in->p->nrules; i++) {
        const cars_prule *r = &in->p->rules[i];
        cars_jw_object(w, NULL);
        cars_jw_strn(w, "id", r->id.p, r->id.len);
        cars_jw_str(w, "kind", r->kind < 6 ? cars_rule_kind_name(r->kind) : "?");
        cars_jw_strn(w, "says", r->says.p, r->says.len);
        cars_jw_end(w);
    }
    cars_jw_end(w);
    cars_jw_end(w);
}

static bool json_inspect(const inspect_info *in)
{
    const cars_program *p = in->p;
    char h[65];
    cars_jw w = {0};
    cars_jw_object(&w, NULL);
    cars_jw_str(&w, "command", "inspect");
    cars_jw_strn(&w, "release", p->release_id.p, p->release_id.len);
    cars_jw_uint(&w, "sequence", p->sequence);
    cars_jw_str(&w, "channel", cars_channel_name(p->channel));
    cars_jw_str(&w, "valid_from", in->from);
    cars_jw_str(&w, "valid_until", in->until);
    cars_jw_strn(&w, "ruleset", p->ruleset_title.p, p->ruleset_title.len);
    cars_jw_strn(&w, "compiler", p->compiler_version.p, p->compiler_version.len);
    cars_jw_uint(&w, "bytes", in->len);
    cars_jw_str(&w, "blake2b_256", in->digest);
    json_signature(&w, &in->sig);
    json_seal(&w, in);
    if (in->seal == SEAL_UNCHECKED) /* sealed and no key: not compared */
        cars_jw_null(&w, "source_matches");
    else
        cars_jw_bool(&w, "source_matches", in->matches);
    cars_jw_str(&w, "source_mismatch", in->matches ? NULL : in->why);
    cars_jw_object(&w, "rules");
    cars_jw_uint(&w, "total", p->nrules);
    cars_jw_object(&w, "by_kind"); /* every kind, by the name the text gives it */
    for (unsigned k = 0; k < 6; k++)
        cars_jw_uint(&w, cars_rule_kind_name(k), in->count[k]);
    cars_jw_end(&w);
    cars_jw_end(&w);
    cars_jw_uint(&w, "thresholds", p->nthresholds);
    json_tests(&w, p);
    cars_jw_array(&w, "tables");
    for (uint32_t i = 0; i < p->ntables; i++) {
        cars_hex(p->tables[i].digest, 32, h);
        cars_jw_object(&w, NULL);
        cars_jw_strn(&w, "name", p->tables[i].name.p, p->tables[i].name.len);
        cars_jw_uint(&w, "entries", p->tables[i].n);
        cars_jw_str(&w, "blake2b_256", h);
        cars_jw_end(&w);
    }
    cars_jw_end(&w);
    cars_jw_array(&w, "files");
    for (uint32_t i = 0; i < p->ndigests; i++) {
        cars_hex(p->digests[i].digest, 32, h);
        cars_jw_object(&w, NULL);
        cars_jw_strn(&w, "name", p->digests[i].name.p, p->digests[i].name.len);
        cars_jw_str(&w, "blake2b_256", h);
        cars_jw_end(&w);
    }
    cars_jw_end(&w);
    cars_jw_end(&w);
    return cars_jw_finish(&w, stdout);
}

int cars_cmd_inspect(int argc, char **argv)
{
    if (!cars_audit_secret_arg(&argc, argv, "inspect"))
        return CARS_EXIT_USAGE;
    const char *path = NULL, *trust = NULL;
    bool json = false, bad = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc)
            trust = argv[++i];
        else if (cars_format_option("inspect", argc, argv, &i, &json, &bad))
            i = bad ? argc : i;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path || bad) {
        fprintf(stderr, "usage: carsc inspect [--format json] [--trust KEY.pub] [--audit-key-secret AUDIT.key] FILE.carsb\n");
        return CARS_EXIT_USAGE;
    }
    inspect_info in;
    memset(&in, 0, sizeof in);
    cars_program p;
    uint8_t *b = cars_read_bundle(path, &p, &in.len, "inspect");
    if (!b)
        return CARS_EXIT_ERRORS;
    in.p = &p;
    cars_date_format(p.valid_from, in.from);
    cars_date_format(p.valid_until, in.until);
    uint8_t digest[32];
    crypto_generichash(digest, 32, b, in.len, NULL, 0);
    cars_hex(digest, 32, in.digest);
    read_signature(path, trust, b, in.len, &in.sig);
    inspect_source(path, &p, b, &in);
    for (uint32_t i = 0; i < p.nrules; i++)
        if (p.rules[i].kind < 6)
            in.count[p.rules[i].kind]++;
    bool written = true;
    if (json)
        written = json_inspect(&in);
    else
        print_inspect(&in);
    cars_program_free(&p);
    cars_free(b);
    if (!written || fflush(stdout) != 0) {
        fprintf(stderr, "carsc inspect: cannot write the output: %s\n", written ? strerror(errno) : "out of memory");
        return CARS_EXIT_ERRORS;
    }
    if (!in.matches) {
        fprintf(stderr, "carsc inspect: %s: its carried rules may not be the ones it runs: do not rely on it\n", path);
        return CARS_EXIT_ERRORS;
    }
    return CARS_EXIT_OK;
}
