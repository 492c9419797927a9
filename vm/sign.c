/* sign.c - verifying minisign-format Ed25519 signatures over release bytes.
 * Only verification lives here (the operator's side); key generation and
 * signing are in compiler/keys.c. */
#include "sign.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

static const char UNTRUSTED[] = "untrusted comment: ";
static const char TRUSTED[] = "trusted comment: ";

/* Split off the next line (without its '\n' or "\r\n"); false at the end. */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
    if (*p >= end)
        return 0;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    *line = *p;
    *len = (size_t)(stop - *p);
    if (*len && (*line)[*len - 1] == '\r')
        (*len)--;
    *p = nl ? nl + 1 : end;
    return 1;
}

static int decode_b64(const char *s, size_t len, uint8_t *out, size_t want)
{
    /* Only the base64 alphabet: libsodium's decoder maps some other bytes
     * onto alphabet values, which would let altered files verify. */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return 0;
    }
    size_t got = 0;
    if (sodium_base642bin(out, want, s, len, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return 0;
    return got == want;
}

static cars_sig_status fail(char *err, size_t errlen, cars_sig_status st, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return st;
}

cars_sig_status cars_pubkey_parse(const char *text, size_t len, cars_pubkey *out,
                                  char *err, size_t errlen)
{
    const char *p = text, *end = text + len, *line;
    size_t n;
    if (!next_line(&p, end, &line, &n) || n < sizeof UNTRUSTED - 1 ||
        memcmp(line, UNTRUSTED, sizeof UNTRUSTED - 1) != 0)
        return fail(err, errlen, CARS_SIG_MALFORMED,
                    "public key: first line must be an 'untrusted comment:' line");
    uint8_t raw[2 + CARS_KEYID_BYTES + CARS_PK_BYTES];
    if (!next_line(&p, end, &line, &n) || !decode_b64(line, n, raw, sizeof raw))
        return fail(err, errlen, CARS_SIG_MALFORMED,
                    "public key: second line must be the base64 of a 42-byte Ed25519 key");
    if (memcmp(raw, "Ed", 2) != 0)
        return fail(err, errlen, CARS_SIG_MALFORMED, "public key: algorithm is not Ed25519 ('Ed')");
    memcpy(out->keyid, raw + 2, CARS_KEYID_BYTES);
    memcpy(out->pk, raw + 2 + CARS_KEYID_BYTES, CARS_PK_BYTES);
    return CARS_SIG_OK;
}

cars_sig_status cars_signature_parse(const char *text, size_t len, cars_signature *out,
                                     char *err, size_t errlen)
{
    const char *p = text, *end = text + len, *line;
    size_t n;
    memset(out, 0, sizeof *out);
    if (!next_line(&p, end, &line, &n) || n < sizeof UNTRUSTED - 1 ||
        memcmp(line, UNTRUSTED, sizeof UNTRUSTED - 1) != 0)
        return fail(err, errlen, CARS_SIG_MALFORMED,
                    "signature: first line must be an 'untrusted comment:' line");
    uint8_t raw[2 + CARS_KEYID_BYTES + CARS_SIG_BYTES];
    if (!next_line(&p, end, &line, &n) || !decode_b64(line, n, raw, sizeof raw))
        return fail(err, errlen, CARS_SIG_MALFORMED,
                    "signature: second line must be the base64 of a 74-byte signature");
    if (memcmp(raw, "ED", 2) != 0)
        return fail(err, errlen, CARS_SIG_MALFORMED,
                    "signature: algorithm must be prehashed Ed25519 ('ED'); sign with carsc sign "
                    "or minisign 0.10 or later");
    memcpy(out->keyid, raw + 2, CARS_KEYID_BYTES);
    memcpy(out->sig, raw + 2 + CARS_KEYID_BYTES, CARS_SIG_BYTES);
    if (!next_line(&p, end, &line, &n) || n < sizeof TRUSTED - 1 ||
        memcmp(line, TRUSTED, sizeof TRUSTED - 1) != 0)
        return fail(err, errlen, CARS_SIG_MALFORMED,
                    "signature: third line must be a 'trusted comment:' line");
    n -= sizeof TRUSTED - 1;
    if (n > CARS_TRUSTED_MAX)
        return fail(err, errlen, CARS_SIG_MALFORMED, "signature: trusted comment is too long");
    memcpy(out->trusted, line + sizeof TRUSTED - 1, n);
    out->trusted[n] = '\0';
    out->trusted_len = n;
    if (!next_line(&p, end, &line, &n) || !decode_b64(line, n, out->global_sig, CARS_SIG_BYTES))
        return fail(err, errlen, CARS_SIG_MALFORMED,
                    "signature: fourth line must be the base64 of the 64-byte global signature");
    while (next_line(&p, end, &line, &n))
        if (n)
            return fail(err, errlen, CARS_SIG_MALFORMED, "signature: unexpected text after the fourth line");
    return CARS_SIG_OK;
}

cars_sig_status cars_signature_verify(const cars_pubkey *pk, const cars_signature *sig,
                                      const uint8_t *msg, size_t len, char *err, size_t errlen)
{
    if (sodium_init() < 0)
        return fail(err, errlen, CARS_SIG_BAD, "libsodium could not be initialised");
    if (sodium_memcmp(pk->keyid, sig->keyid, CARS_KEYID_BYTES) != 0) {
        char want[17], got[17];
        cars_keyid_hex(pk->keyid, want);
        cars_keyid_hex(sig->keyid, got);
        snprintf(err, errlen, "signed by unknown key %s (trusted key is %s)", got, want);
        return CARS_SIG_UNKNOWN_KEY;
    }
    uint8_t hash[crypto_generichash_BYTES_MAX];
    crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
    if (crypto_sign_verify_detached(sig->sig, hash, sizeof hash, pk->pk) != 0)
        return fail(err, errlen, CARS_SIG_BAD, "bad signature: the release bytes are not the ones that were signed");
    uint8_t global[CARS_SIG_BYTES + CARS_TRUSTED_MAX];
    memcpy(global, sig->sig, CARS_SIG_BYTES);
    memcpy(global + CARS_SIG_BYTES, sig->trusted, sig->trusted_len);
    if (crypto_sign_verify_detached(sig->global_sig, global, CARS_SIG_BYTES + sig->trusted_len, pk->pk) != 0)
        return fail(err, errlen, CARS_SIG_BAD, "bad signature: the trusted comment was altered");
    return CARS_SIG_OK;
}

void cars_keyid_hex(const uint8_t keyid[CARS_KEYID_BYTES], char out[17])
{
    /* minisign prints the key id as a little-endian 64-bit number */
    for (int i = 0; i < CARS_KEYID_BYTES; i++)
        cars_hex_byte(keyid[CARS_KEYID_BYTES - 1 - i], true, out + 2 * i);
    out[16] = '\0';
}
