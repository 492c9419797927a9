/* keys.c - generating keys and signing releases (minisign formats). */
#include "keys.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "atomic.h"
#include "readfile.h"

/* "Ed" kdf "\0\0" chk "B2" salt[32] opslimit[8] memlimit[8] keyid[8] sk[64] chk[32] */
enum { SK_RAW = 2 + 2 + 2 + 32 + 8 + 8 + CARS_KEYID_BYTES + 64 + 32 };
enum { SK_KEYID = 54, SK_SK = SK_KEYID + CARS_KEYID_BYTES, SK_CHK = SK_SK + 64 };

static void seckey_chk(const uint8_t keyid[8], const uint8_t sk[64], uint8_t chk[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"Ed", 2);
    crypto_generichash_update(&st, keyid, CARS_KEYID_BYTES);
    crypto_generichash_update(&st, sk, 64);
    crypto_generichash_final(&st, chk, 32);
}

/* A key file that must not exist yet, with exactly `mode` (vm/atomic.h). */
static int write_new_file(const char *path, unsigned mode, const char *text, char *err, size_t errlen)
{
    cars_atomic_opts o = {.what = "key file", .perm = CARS_PERM_EXACT, .mode = mode, .no_replace = true};
    return cars_atomic_write_file(path, text, strlen(text), &o, err, errlen);
}

int cars_keygen(const char *name, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    uint8_t pk[32], raw[SK_RAW] = {0};
    memcpy(raw, "Ed\0\0B2", 6);
    randombytes_buf(raw + 6, 32); /* salt: unused without a KDF, as minisign -W */
    randombytes_buf(raw + SK_KEYID, CARS_KEYID_BYTES);
    crypto_sign_keypair(pk, raw + SK_SK);
    seckey_chk(raw + SK_KEYID, raw + SK_SK, raw + SK_CHK);

    uint8_t praw[2 + CARS_KEYID_BYTES + 32];
    memcpy(praw, "Ed", 2);
    memcpy(praw + 2, raw + SK_KEYID, CARS_KEYID_BYTES);
    memcpy(praw + 2 + CARS_KEYID_BYTES, pk, 32);

    char keyhex[17], b64[sodium_base64_ENCODED_LEN(SK_RAW, sodium_base64_VARIANT_ORIGINAL)];
    cars_keyid_hex(raw + SK_KEYID, keyhex);
    sodium_bin2base64(b64, sizeof b64, raw, SK_RAW, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(raw, sizeof raw);
    char text[512];
    snprintf(text, sizeof text, "untrusted comment: cars secret key %s (unencrypted: keep it private)\n%s\n",
             keyhex, b64);
    sodium_memzero(b64, sizeof b64);

    char pb64[sodium_base64_ENCODED_LEN(sizeof praw, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(pb64, sizeof pb64, praw, sizeof praw, sodium_base64_VARIANT_ORIGINAL);
    char ptext[256];
    snprintf(ptext, sizeof ptext, "untrusted comment: minisign public key %s\n%s\n", keyhex, pb64);

    size_t nlen = strlen(name);
    char *kpath = cars_malloc(nlen + 5), *ppath = cars_malloc(nlen + 5);
    int rc = -1;
    if (!kpath || !ppath) {
        snprintf(err, errlen, "out of memory");
    } else {
        snprintf(kpath, nlen + 5, "%s.key", name);
        snprintf(ppath, nlen + 5, "%s.pub", name);
        if (write_new_file(kpath, 0600, text, err, errlen) == 0) {
            if (write_new_file(ppath, 0644, ptext, err, errlen) == 0)
                rc = 0;
            else
                unlink(kpath);
        }
    }
    sodium_memzero(text, sizeof text);
    cars_free(kpath);
    cars_free(ppath);
    return rc;
}

/* The text of a secret key file (NUL-terminated) to its key id and key. */
static int parse_seckey(const char *path, const char *text, cars_seckey *out, char *err, size_t errlen)
{
    char *nl = strchr(text, '\n');
    uint8_t raw[SK_RAW];
    size_t got = 0;
    if (!nl || strncmp(text, "untrusted comment: ", 19) != 0 ||
        sodium_base642bin(raw, sizeof raw, nl + 1, strcspn(nl + 1, "\r\n"), NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != SK_RAW || memcmp(raw, "Ed", 2) != 0 || memcmp(raw + 4, "B2", 2) != 0) {
        snprintf(err, errlen, "key %s: not a minisign Ed25519 secret key", path);
        sodium_memzero(raw, sizeof raw);
        return -1;
    }
    if (memcmp(raw + 2, "\0\0", 2) != 0) {
        snprintf(err, errlen, "key %s is password-protected; cars needs an unencrypted key "
                 "(minisign -C -W to remove the password)", path);
        sodium_memzero(raw, sizeof raw);
        return -1;
    }
    uint8_t chk[32];
    seckey_chk(raw + SK_KEYID, raw + SK_SK, chk);
    if (sodium_memcmp(chk, raw + SK_CHK, 32) != 0) {
        snprintf(err, errlen, "key %s is damaged (checksum mismatch)", path);
        sodium_memzero(raw, sizeof raw);
        return -1;
    }
    memcpy(out->keyid, raw + SK_KEYID, CARS_KEYID_BYTES);
    memcpy(out->sk, raw + SK_SK, 64);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

char *cars_read_secret_key(const char *path, const char *what, size_t *n, char *err, size_t errlen)
{
    unsigned mode = 0;
    char *text = (char *)cars_read_file_mode(path, CARS_FILE_KEY, n, &mode, err, errlen);
    if (text && (mode & (S_IRWXG | S_IRWXO))) {
        snprintf(err, errlen, "%s %s can be read by others (mode %04o); run: chmod 600 %s", what, path,
                 mode & 07777, path);
        sodium_memzero(text, *n);
        cars_free(text);
        return NULL;
    }
    return text;
}

int cars_seckey_load(const char *path, cars_seckey *out, char *err, size_t errlen)
{
    size_t n;
    char *text = cars_read_secret_key(path, "key", &n, err, errlen);
    if (!text)
        return -1;
    int rc = parse_seckey(path, text, out, err, errlen);
    sodium_memzero(text, n);
    cars_free(text);
    return rc;
}

char *cars_sign_text(const cars_seckey *sk, const uint8_t *msg, size_t len,
                     const char *trusted, char *err, size_t errlen)
{
    size_t tlen = strlen(trusted);
    if (tlen > CARS_TRUSTED_MAX || strchr(trusted, '\n')) {
        snprintf(err, errlen, "trusted comment must be one line of at most %d bytes", CARS_TRUSTED_MAX);
        return NULL;
    }
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return NULL;
    }
    uint8_t hash[crypto_generichash_BYTES_MAX];
    crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
    uint8_t raw[2 + CARS_KEYID_BYTES + CARS_SIG_BYTES];
    memcpy(raw, "ED", 2);
    memcpy(raw + 2, sk->keyid, CARS_KEYID_BYTES);
    crypto_sign_detached(raw + 2 + CARS_KEYID_BYTES, NULL, hash, sizeof hash, sk->sk);
    uint8_t global_msg[CARS_SIG_BYTES + CARS_TRUSTED_MAX], global[CARS_SIG_BYTES];
    memcpy(global_msg, raw + 2 + CARS_KEYID_BYTES, CARS_SIG_BYTES);
    memcpy(global_msg + CARS_SIG_BYTES, trusted, tlen);
    crypto_sign_detached(global, NULL, global_msg, CARS_SIG_BYTES + tlen, sk->sk);

    char b1[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL)];
    char b2[sodium_base64_ENCODED_LEN(CARS_SIG_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b1, sizeof b1, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(b2, sizeof b2, global, sizeof global, sodium_base64_VARIANT_ORIGINAL);
    char keyhex[17];
    cars_keyid_hex(sk->keyid, keyhex);
    size_t cap = 128 + sizeof b1 + tlen + sizeof b2;
    char *out = cars_malloc(cap);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(out, cap, "untrusted comment: signature from cars secret key %s\n%s\ntrusted comment: %s\n%s\n",
             keyhex, b1, trusted, b2);
    return out;
}
