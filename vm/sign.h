/* sign.h - release signatures: Ed25519 in minisign's file formats, so a
 * stock `minisign -V` verifies a cars release too.
 *
 *   NAME.pub     untrusted comment line, then base64("Ed" || keyid[8] || pk[32])
 *   FILE.minisig untrusted comment line,
 *                base64("ED" || keyid[8] || Ed25519(BLAKE2b-512(file))),
 *                "trusted comment: " text,
 *                base64(Ed25519(signature[64] || trusted comment text))
 * Only the prehashed "ED" algorithm is accepted. */
#ifndef CARS_SIGN_H
#define CARS_SIGN_H

#include <stddef.h>
#include <stdint.h>

enum {
    CARS_KEYID_BYTES = 8,
    CARS_PK_BYTES = 32,
    CARS_SIG_BYTES = 64,
    CARS_TRUSTED_MAX = 1024,
};

typedef struct cars_pubkey {
    uint8_t keyid[CARS_KEYID_BYTES];
    uint8_t pk[CARS_PK_BYTES];
} cars_pubkey;

typedef struct cars_signature {
    uint8_t keyid[CARS_KEYID_BYTES];
    uint8_t sig[CARS_SIG_BYTES];
    char trusted[CARS_TRUSTED_MAX + 1]; /* NUL-terminated */
    size_t trusted_len;
    uint8_t global_sig[CARS_SIG_BYTES];
} cars_signature;

typedef enum cars_sig_status {
    CARS_SIG_OK = 0,
    CARS_SIG_MALFORMED,   /* the key or signature file is not in the format */
    CARS_SIG_UNKNOWN_KEY, /* signed by a key other than the trusted one */
    CARS_SIG_BAD,         /* the signature does not match the bytes */
} cars_sig_status;

/* Parse a public key file's text. */
cars_sig_status cars_pubkey_parse(const char *text, size_t len, cars_pubkey *out,
                                  char *err, size_t errlen);
/* Parse a signature file's text. */
cars_sig_status cars_signature_parse(const char *text, size_t len, cars_signature *out,
                                     char *err, size_t errlen);
/* Verify `msg` (every byte of the bundle) against a parsed signature. */
cars_sig_status cars_signature_verify(const cars_pubkey *pk, const cars_signature *sig,
                                      const uint8_t *msg, size_t len, char *err, size_t errlen);
/* Key id as 16 upper-case hex digits (minisign's spelling) + NUL. */
void cars_keyid_hex(const uint8_t keyid[CARS_KEYID_BYTES], char out[17]);

#endif
