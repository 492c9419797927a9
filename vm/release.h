/* release.h - whether an operator may run a release: the checks after the
 * signature and before the verifier. In order: channel, validity window,
 * and sequence not older than the last release this operator accepted
 * (kept in a state file: vm/state.h). */
#ifndef CARS_RELEASE_H
#define CARS_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader.h" /* cars_release_meta, the channels, cars_release_id_valid */

/* Release refusals; also carsvm's exit codes for them (docs/releases.md). */
enum cars_release_status {
    CARS_REL_OK = 0,
    CARS_REL_FATAL = 1,          /* a file cannot be read, or memory ran out (not a refusal) */
    CARS_REL_MALFORMED = 10,     /* not a well-formed bundle or signature file */
    CARS_REL_UNSIGNED = 11,      /* no signature file */
    CARS_REL_BAD_SIGNATURE = 12, /* the bytes are not the ones that were signed */
    CARS_REL_UNKNOWN_KEY = 13,   /* signed by a key the operator does not trust */
    CARS_REL_WRONG_CHANNEL = 14, /* a test release where production is required, or the reverse */
    CARS_REL_NOT_YET_VALID = 15, /* today is before valid-from */
    CARS_REL_EXPIRED = 16,       /* today is after valid-until */
    CARS_REL_ROLLED_BACK = 17,   /* older than the last release accepted here */
    CARS_REL_STATE = 18,         /* the state file cannot be read or written */
};


/* Whether a signature is checked: an explicit decision, never a default
 * that skips a step. */
typedef enum cars_trust_mode {
    CARS_TRUST_SIGNED = 0,     /* the signature over every byte, by the trusted key, then channel, window and
                                * sequence */
    CARS_TRUST_UNSIGNED_TEST,  /* no signature: only a test-channel release opens (a development build; no
                                * window or sequence is checked) */
    CARS_TRUST_READ_ONLY,      /* no signature, any channel: to read a release (carsc inspect, sign, decompile,
                                * diff), never to route with it */
} cars_trust_mode;

typedef struct cars_release_policy {
    uint8_t channel;        /* the channel this operator runs */
    int64_t today;          /* days since 1970-01-01 */
    const char *state_path; /* NULL: no rollback state kept */
    cars_trust_mode trust;
} cars_release_policy;


const char *cars_channel_name(uint8_t channel);
/* Parses "production" or "test"; false otherwise. */
bool cars_channel_parse(const char *s, uint8_t *out);
/* What a release's tests gave when it was built, in words (carsc inspect,
 * carsc diff, carsvm verify): "118 passed; coverage: 20 of 20 rules, 28 of
 * 28 conditions both true and false", or why there is nothing: "not run (a
 * test-channel build)", "not recorded (format version 3)". */
void cars_release_tests_text(const cars_program *p, char *out, size_t outlen);
const char *cars_release_status_name(int status);

/* Channel, validity window, then sequence against the state file. `digest`
 * (BLAKE2b-256 of the bundle) lets the same release be run again while a
 * different release under a used sequence number is refused. */
int cars_release_check(const cars_release_meta *m, const uint8_t digest[32],
                       const cars_release_policy *pol, char *err, size_t errlen);
/* Records the release as accepted. The caller holds the state file's lock
 * (cars_state_lock, vm/state.h) from before this call until after it: the
 * state file is read again under the lock and the release refused
 * (CARS_REL_ROLLED_BACK) if another carsvm has meanwhile accepted a newer
 * one; otherwise the file is replaced atomically (vm/state.h). */
int cars_release_accept(const cars_release_meta *m, const uint8_t digest[32],
                        const char *state_path, char *err, size_t errlen);

/* The trusted comment `carsc sign` writes into a release's signature:
 * "cars release ID sequence N channel C valid FROM to UNTIL". */
void cars_release_comment(const cars_release_meta *m, char *out, size_t outlen);
/* Whether a trusted comment is in carsc's form (it starts "cars release ").
 * Such a comment must equal cars_release_comment of the release it signs;
 * any other (minisign's default, say) is not compared. */
bool cars_release_comment_is_carsc(const char *comment, size_t len);
/* CARS_REL_OK, or CARS_REL_BAD_SIGNATURE with a message when the comment is
 * in carsc's form and does not describe this release: the signature was
 * made with another release's label, or the release was mislabelled. */
int cars_release_check_comment(const cars_release_meta *m, const char *comment, size_t len, char *err,
                               size_t errlen);
/* A comment made printable on one line: bytes outside ' '..'~' as \t or
 * \xHH, a backslash as \\; cut with "..." to fit `out`. */
void cars_comment_escape(const char *s, size_t len, char *out, size_t outlen);

struct cars_program;
struct cars_pubkey;

/* Opens a release's bytes as an operator must, in this order: size, magic
 * and format version; the signature over every byte (`sig_text` NULL:
 * unsigned) and its trusted comment (cars_release_check_comment), or the
 * explicit unsigned decision of pol->trust (`trust` is then not used);
 * channel, validity window and sequence (the policy); then the section
 * table, decoding and the verifier. Returns CARS_REL_OK with *out loaded
 * (pointing into `bytes`, which must be 8-byte aligned), or the refusal
 * with a message (unsigned: a malformed release's message is the loader's
 * own). `digest` receives the BLAKE2b-256 of the bytes (zero, unsigned). */
int cars_release_open(const uint8_t *bytes, size_t len, const char *sig_text, size_t sig_len,
                      const struct cars_pubkey *trust, const cars_release_policy *pol,
                      struct cars_program *out, uint8_t digest[32], char *err, size_t errlen);

/* A release file opened: its bytes, the program loaded from them, their
 * digest, and the signature's trusted comment when it is not in carsc's
 * form (so was not compared with the release): quoted and escaped, or "". */
typedef struct cars_release {
    uint8_t *bytes;
    size_t len;
    cars_program prog;
    uint8_t digest[32];
    char foreign_comment[300];
} cars_release;

/* The one way a release file is opened, by carsvm and carsc alike: reads the
 * release at `path`, then (pol->trust CARS_TRUST_SIGNED) the public key at
 * `trust_path` and the signature (`sig_path`, or PATH.minisig), and opens
 * it with cars_release_open. Returns CARS_REL_OK; CARS_REL_FATAL when a file
 * cannot be read (or memory runs out); or the refusal. `err` holds the
 * whole message: "cannot read release r.carsb: ...", "refused r.carsb:
 * expired ...", "invalid release r.carsb: bundle truncated ...". */
int cars_release_load(const char *path, const char *trust_path, const char *sig_path,
                      const cars_release_policy *pol, cars_release *r, char *err, size_t errlen);
/* Frees what cars_release_load allocated and zeroes *r. */
void cars_release_free(cars_release *r);

#endif
