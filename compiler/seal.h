/* seal.h - sealed rule text (bundle format version 5, docs/releases.md):
 * `carsc build --audit-key AUDIT.pub` seals what describes the rules (the
 * canonical source text, and the titles of rules, thresholds and tables)
 * to one or more audit keys, X25519 key pairs made by `carsc audit-keygen`.
 * A random text key encrypts the texts (crypto_secretbox: XSalsa20-Poly1305)
 * and is sealed to each audit key (crypto_box_seal); the release's
 * signature covers the sealed bytes like every other. carsvm never opens
 * them: the explanation uses each rule's `says` text, which is not sealed.
 * carsc opens them with an audit secret key (--audit-key-secret). */
#ifndef CARS_SEAL_H
#define CARS_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "bundle.h"
#include "program.h"

typedef struct cars_audit_pub {
    uint8_t pk[32];
    uint8_t id[CARS_SEAL_KEYID]; /* the first 8 bytes of BLAKE2b-256 of pk */
} cars_audit_pub;

typedef struct cars_audit_sec {
    uint8_t pk[32], sk[32];
    uint8_t id[CARS_SEAL_KEYID];
} cars_audit_sec;

/* A key id as 16 lower-case hex digits. */
void cars_audit_id_hex(const uint8_t id[CARS_SEAL_KEYID], char out[17]);
/* Writes NAME.key (mode 0600, never over an existing file) and NAME.pub.
 * 0, or -1 with a message in err. */
int cars_audit_keygen(const char *name, char *err, size_t errlen);
/* Reads an audit public key file. 0, or -1 with a message. */
int cars_audit_pub_load(const char *path, cars_audit_pub *out, char *err, size_t errlen);
/* Reads an audit secret key file; refuses one that group or others can
 * read, or whose halves do not belong together. 0, or -1 with a message. */
int cars_audit_sec_load(const char *path, cars_audit_sec *out, char *err, size_t errlen);

/* Seals p's titles and source text to the keys: sets p->sealed (in `a`).
 * *plain receives the sealed texts in the clear (in `a`), for
 * cars_seal_fill. False with a message (out of memory, a key given twice,
 * more than CARS_SEAL_MAX_RECIPIENTS). */
bool cars_seal_program(cars_program *p, const cars_audit_pub *keys, size_t nkeys, cars_arena *a,
                       const uint8_t **plain, size_t *plain_len, char *err, size_t errlen);
/* Puts sealed texts in the clear (cars_seal_program's *plain, or what
 * cars_seal_open found) back into a loaded program: its titles and source
 * text then point into `plain`. False when they do not fit the program. */
bool cars_seal_fill(cars_program *p, const uint8_t *plain, size_t len);
/* Opens a sealed program's texts with the audit secret key at `path`: on
 * success they point into *store (cars_malloc; free it after the program).
 * -1 with a message saying what is wrong and what to do. */
int cars_seal_open(cars_program *p, const char *path, uint8_t **store, char *err, size_t errlen);
/* "1a2b3c4d5e6f7a8b, 9c0d..." : the audit keys a sealed program is sealed to. */
void cars_seal_ids(const cars_program *p, char *out, size_t outlen);

#endif
