/* seal.c - audit keys and sealed rule text (seal.h, docs/releases.md). */
#include "seal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "atomic.h"
#include "keys.h"
#include "readfile.h"

/* Key files: one comment line, then base64 of "CA" + public key (32), or
 * of "CS" + secret key (32) + public key (32). */
enum { PUB_RAW = 2 + 32, SEC_RAW = 2 + 32 + 32 };

void cars_audit_id_hex(const uint8_t id[CARS_SEAL_KEYID], char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < CARS_SEAL_KEYID; i++) {
        out[2 * i] = hex[id[i] >> 4];
        out[2 * i + 1] = hex[id[i] & 15];
    }
    out[16] = '\0';
}

static void key_id(const uint8_t pk[32], uint8_t id[CARS_SEAL_KEYID])
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
    memcpy(id, h, CARS_SEAL_KEYID);
}

static int write_new_file(const char *path, unsigned mode, const char *text, char *err, size_t errlen)
{
    cars_atomic_opts o = {.what = "key file", .perm = CARS_PERM_EXACT, .mode = mode, .no_replace = true};
    return cars_atomic_write_file(path, text, strlen(text), &o, err, errlen);
}

/* "NAME.ext" in buf; false when it does not fit. */
static bool key_path(char *buf, size_t n, const char *name, const char *ext, char *err, size_t errlen)
{
    if ((size_t)snprintf(buf, n, "%s.%s", name, ext) < n)
        return true;
    snprintf(err, errlen, "key name %s is too long", name);
    return false;
}

int cars_audit_keygen(const char *name, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    uint8_t raw[SEC_RAW], praw[PUB_RAW], id[CARS_SEAL_KEYID];
    memcpy(raw, "CS", 2);
    crypto_box_keypair(raw + 34, raw + 2);
    memcpy(praw, "CA", 2);
    memcpy(praw + 2, raw + 34, 32);
    key_id(praw + 2, id);
    char hex[17], b64[sodium_base64_ENCODED_LEN(SEC_RAW, sodium_base64_VARIANT_ORIGINAL)];
    char pb64[sodium_base64_ENCODED_LEN(PUB_RAW, sodium_base64_VARIANT_ORIGINAL)];
    cars_audit_id_hex(id, hex);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(pb64, sizeof pb64, praw, sizeof praw, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(raw, sizeof raw);
    char text[300], ptext[200], kpath[4096], ppath[4096];
    snprintf(text, sizeof text, "untrusted comment: cars audit secret key %s (unencrypted: keep it private)\n%s\n",
             hex, b64);
    sodium_memzero(b64, sizeof b64);
    snprintf(ptext, sizeof ptext, "untrusted comment: cars audit public key %s\n%s\n", hex, pb64);
    int rc = -1;
    if (key_path(kpath, sizeof kpath, name, "key", err, errlen) &&
        key_path(ppath, sizeof ppath, name, "pub", err, errlen) &&
        write_new_file(kpath, 0600, text, err, errlen) == 0) {
        if (write_new_file(ppath, 0644, ptext, err, errlen) == 0)
            rc = 0;
        else
            unlink(kpath);
    }
    sodium_memzero(text, sizeof text);
    return rc;
}

/* The base64 line of a key file into raw[want]; false if it is not one. */
static bool key_body(const char *text, const char *comment, uint8_t *raw, size_t want, const char *magic)
{
    size_t got = 0, clen = strlen(comment);
    const char *nl = strchr(text, '\n');
    return nl && strncmp(text, comment, clen) == 0 &&
           sodium_base642bin(raw, want, nl + 1, strcspn(nl + 1, "\r\n"), NULL, &got, NULL,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           got == want && memcmp(raw, magic, 2) == 0;
}

int cars_audit_pub_load(const char *path, cars_audit_pub *out, char *err, size_t errlen)
{
    size_t n;
    char *text = (char *)cars_read_file(path, CARS_FILE_KEY, &n, err, errlen);
    if (!text)
        return -1;
    uint8_t raw[PUB_RAW];
    bool ok = key_body(text, "untrusted comment: cars audit public key ", raw, sizeof raw, "CA");
    cars_free(text);
    if (!ok) {
        snprintf(err, errlen, "audit key %s is not a cars audit public key (make one with: carsc audit-keygen -o NAME)",
                 path);
        return -1;
    }
    memcpy(out->pk, raw + 2, 32);
    key_id(out->pk, out->id);
    return 0;
}

int cars_audit_sec_load(const char *path, cars_audit_sec *out, char *err, size_t errlen)
{
    size_t n;
    char *text = cars_read_secret_key(path, "audit secret key", &n, err, errlen);
    if (!text)
        return -1;
    uint8_t raw[SEC_RAW], check[32];
    bool ok = key_body(text, "untrusted comment: cars audit secret key ", raw, sizeof raw, "CS");
    sodium_memzero(text, n);
    cars_free(text);
    if (!ok) {
        snprintf(err, errlen, "%s is not a cars audit secret key (the .key file carsc audit-keygen wrote)", path);
        sodium_memzero(raw, sizeof raw);
        return -1;
    }
    crypto_scalarmult_base(check, raw + 2);
    if (sodium_memcmp(check, raw + 34, 32) != 0) {
        snprintf(err, errlen, "audit secret key %s is damaged: its secret and public halves do not match", path);
        sodium_memzero(raw, sizeof raw);
        return -1;
    }
    memcpy(out->sk, raw + 2, 32);
    memcpy(out->pk, raw + 34, 32);
    key_id(out->pk, out->id);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

/* ---- the sealed texts ----------------------------------------------------- */

/* The texts, in order: rule titles, threshold titles, table titles, source
 * texts; each a u32 length then its bytes. */
static size_t plain_size(const cars_program *p)
{
    size_t n = 0;
    for (uint32_t i = 0; i < p->nrules; i++)
        n += 4 + p->rules[i].title.len;
    for (uint32_t i = 0; i < p->nthresholds; i++)
        n += 4 + p->thresholds[i].title.len;
    for (uint32_t i = 0; i < p->ntables; i++)
        n += 4 + p->tables[i].title.len;
    for (uint32_t i = 0; i < p->nsource_text; i++)
        n += 4 + p->source_text[i].len;
    return n;
}

static uint8_t *put_text(uint8_t *at, cars_str s)
{
    cars_wr32(at, s.len);
    if (s.len)
        memcpy(at + 4, s.p, s.len);
    return at + 4 + s.len;
}

static void plain_write(const cars_program *p, uint8_t *at)
{
    for (uint32_t i = 0; i < p->nrules; i++)
        at = put_text(at, p->rules[i].title);
    for (uint32_t i = 0; i < p->nthresholds; i++)
        at = put_text(at, p->thresholds[i].title);
    for (uint32_t i = 0; i < p->ntables; i++)
        at = put_text(at, p->tables[i].title);
    for (uint32_t i = 0; i < p->nsource_text; i++)
        at = put_text(at, p->source_text[i]);
}

static bool take_text(const uint8_t **at, const uint8_t *end, cars_str *s)
{
    if (end - *at < 4)
        return false;
    uint32_t n = cars_rd32(*at);
    if ((size_t)(end - *at - 4) < n)
        return false;
    *s = (cars_str){(const char *)*at + 4, n};
    *at += 4 + (size_t)n;
    return true;
}

bool cars_seal_fill(cars_program *p, const uint8_t *plain, size_t len)
{
    const uint8_t *at = plain, *end = plain + len;
    bool ok = true;
    for (uint32_t i = 0; ok && i < p->nrules; i++)
        ok = take_text(&at, end, &p->rules[i].title);
    for (uint32_t i = 0; ok && i < p->nthresholds; i++)
        ok = take_text(&at, end, &p->thresholds[i].title);
    for (uint32_t i = 0; ok && i < p->ntables; i++)
        ok = take_text(&at, end, &p->tables[i].title);
    for (uint32_t i = 0; ok && i < p->nsource_text; i++)
        ok = take_text(&at, end, &p->source_text[i]);
    return ok && at == end;
}

static bool keys_distinct(const cars_audit_pub *keys, size_t nkeys, char *err, size_t errlen)
{
    for (size_t i = 0; i < nkeys; i++)
        for (size_t j = 0; j < i; j++)
            if (memcmp(keys[i].pk, keys[j].pk, 32) == 0) {
                char hex[17];
                cars_audit_id_hex(keys[i].id, hex);
                snprintf(err, errlen, "audit key %s is given twice: give each --audit-key once", hex);
                return false;
            }
    return true;
}

bool cars_seal_program(cars_program *p, const cars_audit_pub *keys, size_t nkeys, cars_arena *a,
                       const uint8_t **plain, size_t *plain_len, char *err, size_t errlen)
{
    if (nkeys < 1 || nkeys > CARS_SEAL_MAX_RECIPIENTS) {
        snprintf(err, errlen, "a release is sealed to 1 to %d audit keys, not %zu", CARS_SEAL_MAX_RECIPIENTS, nkeys);
        return false;
    }
    if (!keys_distinct(keys, nkeys, err, errlen))
        return false;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return false;
    }
    size_t plen = plain_size(p), head = 8 + nkeys * CARS_SEAL_RECIPIENT;
    size_t total = head + CARS_SEAL_NONCE + CARS_SEAL_TAG + plen;
    uint8_t *text = cars_arena_alloc(a, plen ? plen : 1), *s = cars_arena_alloc(a, total);
    if (!text || !s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    plain_write(p, text);
    memset(s, 0, total);
    cars_wr32(s, (uint32_t)nkeys);
    uint8_t key[crypto_secretbox_KEYBYTES];
    crypto_secretbox_keygen(key);
    for (size_t i = 0; i < nkeys; i++) {
        uint8_t *q = s + 8 + i * CARS_SEAL_RECIPIENT;
        memcpy(q, keys[i].id, CARS_SEAL_KEYID);
        crypto_box_seal(q + CARS_SEAL_KEYID, key, sizeof key, keys[i].pk);
    }
    randombytes_buf(s + head, CARS_SEAL_NONCE);
    crypto_secretbox_easy(s + head + CARS_SEAL_NONCE, text, plen, s + head, key);
    sodium_memzero(key, sizeof key);
    p->sealed = s;
    p->sealed_len = total;
    *plain = text;
    *plain_len = plen;
    return true;
}

void cars_seal_ids(const cars_program *p, char *out, size_t outlen)
{
    uint32_t n = p->sealed_len >= 8 ? cars_rd32(p->sealed) : 0; /* the loader checked the frame */
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < n && used < outlen; i++) {
        char hex[17];
        cars_audit_id_hex(p->sealed + 8 + (size_t)i * CARS_SEAL_RECIPIENT, hex);
        int w = snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", hex);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* The text key sealed to `k`: 0, or -1 with a message. */
static int open_key(const cars_program *p, const cars_audit_sec *k, const char *path, uint8_t key[32], char *err,
                    size_t errlen)
{
    uint32_t n = cars_rd32(p->sealed);
    char ids[CARS_SEAL_MAX_RECIPIENTS * 18 + 1], hex[17];
    cars_audit_id_hex(k->id, hex);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *q = p->sealed + 8 + (size_t)i * CARS_SEAL_RECIPIENT;
        if (memcmp(q, k->id, CARS_SEAL_KEYID) != 0)
            continue;
        if (crypto_box_seal_open(key, q + CARS_SEAL_KEYID, CARS_SEAL_BOXED, k->pk, k->sk) == 0)
            return 0;
        snprintf(err, errlen, "the text key sealed to audit key %s does not open with %s: the release's sealed "
                 "section is damaged; ask the rules team for the release again", hex, path);
        return -1;
    }
    cars_seal_ids(p, ids, sizeof ids);
    snprintf(err, errlen, "the release is not sealed to audit key %s (%s) but to %s: give the secret key of one of "
             "those", hex, path, ids);
    return -1;
}

int cars_seal_open(cars_program *p, const char *path, uint8_t **store, char *err, size_t errlen)
{
    *store = NULL;
    cars_audit_sec k;
    uint8_t key[32];
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    if (cars_audit_sec_load(path, &k, err, errlen) != 0)
        return -1;
    int rc = open_key(p, &k, path, key, err, errlen);
    sodium_memzero(&k, sizeof k);
    if (rc != 0)
        return -1;
    size_t head = 8 + (size_t)cars_rd32(p->sealed) * CARS_SEAL_RECIPIENT;
    size_t clen = p->sealed_len - head - CARS_SEAL_NONCE, plen = clen - CARS_SEAL_TAG;
    uint8_t *plain = cars_malloc(plen ? plen : 1);
    if (!plain) {
        sodium_memzero(key, sizeof key);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = crypto_secretbox_open_easy(plain, p->sealed + head + CARS_SEAL_NONCE, clen, p->sealed + head, key);
    sodium_memzero(key, sizeof key);
    if (rc != 0 || !cars_seal_fill(p, plain, plen)) {
        snprintf(err, errlen, "the sealed rule text %s: the release is damaged or truncated; ask the rules team "
                 "for the release again", rc != 0 ? "fails its authentication (Poly1305)" : "does not fit the release");
        cars_free(plain);
        return -1;
    }
    *store = plain;
    return 0;
}
