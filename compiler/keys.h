/* keys.h - release signing keys and signatures (minisign formats; see
 * vm/sign.h). The secret key file is minisign's, unencrypted ("-W"). */
#ifndef CARS_KEYS_H
#define CARS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "sign.h"

typedef struct cars_seckey {
    uint8_t keyid[CARS_KEYID_BYTES];
    uint8_t sk[64];
} cars_seckey;

/* Write NAME.key (mode 0600, refusing to overwrite) and NAME.pub.
 * Returns 0, or -1 with a message in err. */
int cars_keygen(const char *name, char *err, size_t errlen);
/* Load a secret key file; refuses one that group or others can read. */
int cars_seckey_load(const char *path, cars_seckey *out, char *err, size_t errlen);
/* The text of a secret key file (signing or audit), refused when its group
 * or others may read it ("WHAT PATH can be read by others (mode 0644); run:
 * chmod 600 PATH"); NULL with a message. The caller wipes (sodium_memzero)
 * and frees the *n bytes. */
char *cars_read_secret_key(const char *path, const char *what, size_t *n, char *err, size_t errlen);
/* The signature file text for msg (NUL-terminated, caller frees with
 * cars_free), with the given trusted comment (one line). */
char *cars_sign_text(const cars_seckey *sk, const uint8_t *msg, size_t len,
                     const char *trusted, char *err, size_t errlen);

#endif
