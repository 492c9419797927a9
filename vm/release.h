/* release.h - whether an operator may run a release: the checks after the
 * signature and before the verifier. In order: channel, validity window,
 * and sequence not older than the last release this operator accepted
 * (kept in a state file: vm/state.h). */
#ifndef CARS_RELEASE_H
#define CARS_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Release refusals; also carsvm's exit codes for them (docs/releases.md). */
enum cars_release_status {
    CARS_REL_OK = 0,
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

enum cars_channel { CARS_CHANNEL_PRODUCTION = 0, CARS_CHANNEL_TEST = 1 };

/* What a release says of itself (its signed `release` section). */
typedef struct cars_release_meta {
    const char *release_id; size_t release_id_len;
    uint64_t sequence;
    int64_t valid_from, valid_until; /* days since 1970-01-01, inclusive */
    uint8_t channel;
} cars_release_meta;

typedef struct cars_release_policy {
    uint8_t channel;        /* the channel this operator runs */
    int64_t today;          /* days since 1970-01-01 */
    const char *state_path; /* NULL: no rollback state kept */
} cars_release_policy;

/* Parses a release sequence: decimal digits only (no sign, no blank, at
 * least one), at most UINT64_MAX; false otherwise, never a wrapped value. */
bool cars_sequence_parse(const char *s, size_t len, uint64_t *out);
/* A release id as carsc writes it: 1 to 64 of [A-Za-z0-9._-]. The loader
 * refuses any other, so no id can forge a line in the state file, a log or
 * the routing output. */
bool cars_release_id_valid(const char *id, size_t len);

const char *cars_channel_name(uint8_t channel);
/* Parses "production" or "test"; false otherwise. */
bool cars_channel_parse(const char *s, uint8_t *out);
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

/* Opens a release as an operator must, in this order: size, magic and
 * format version; the signature over every byte (`sig_text` NULL: unsigned)
 * and its trusted comment (cars_release_check_comment); channel, validity
 * window and sequence (vm/release.h policy); then the
 * section table, decoding and the verifier. Returns CARS_REL_OK with *out
 * loaded (pointing into `bytes`, which must be 8-byte aligned), or the
 * refusal with a message. `digest` receives the BLAKE2b-256 of the bytes. */
int cars_release_open(const uint8_t *bytes, size_t len, const char *sig_text, size_t sig_len,
                      const struct cars_pubkey *trust, const cars_release_policy *pol,
                      struct cars_program *out, uint8_t digest[32], char *err, size_t errlen);

#endif
