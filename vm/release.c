/* release.c - channel, validity and rollback checks on a signed release,
 * and recording an accepted release. The state file itself (format, lock,
 * atomic replacement): vm/state.h. */
#include "release.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "alloc.h"
#include "bundle.h"
#include "date.h"
#include "hex.h"
#include "loader.h"
#include "program.h"
#include "readfile.h"
#include "sign.h"
#include "state.h"

const char *cars_channel_name(uint8_t channel)
{
    return channel == CARS_CHANNEL_PRODUCTION ? "production" : channel == CARS_CHANNEL_TEST ? "test" : "unknown";
}

void cars_release_tests_text(const cars_program *p, char *out, size_t outlen)
{
    const cars_ptests *t = &p->tests;
    if (p->version < CARS_BUNDLE_VERSION_TESTS)
        snprintf(out, outlen, "not recorded (format version %u)", p->version);
    else if (!t->run)
        snprintf(out, outlen, "not run (a test-channel build)");
    else
        snprintf(out, outlen, "%" PRIu32 " passed; coverage: %" PRIu32 " of %" PRIu32 " rules, %" PRIu32
                 " of %" PRIu32 " conditions both true and false", t->passed, t->rules_covered, t->rules,
                 t->conds_covered, t->conds);
}

bool cars_channel_parse(const char *s, uint8_t *out)
{
    if (strcmp(s, "production") == 0)
        *out = CARS_CHANNEL_PRODUCTION;
    else if (strcmp(s, "test") == 0)
        *out = CARS_CHANNEL_TEST;
    else
        return false;
    return true;
}

const char *cars_release_status_name(int status)
{
    switch (status) {
    case CARS_REL_OK: return "accepted";
    case CARS_REL_MALFORMED: return "malformed";
    case CARS_REL_UNSIGNED: return "unsigned";
    case CARS_REL_BAD_SIGNATURE: return "bad signature";
    case CARS_REL_UNKNOWN_KEY: return "unknown key";
    case CARS_REL_WRONG_CHANNEL: return "wrong channel";
    case CARS_REL_NOT_YET_VALID: return "not yet valid";
    case CARS_REL_EXPIRED: return "expired";
    case CARS_REL_ROLLED_BACK: return "rolled back";
    case CARS_REL_STATE: return "state file error";
    default: return "unknown";
    }
}

/* The release against the last one accepted here: not older, and not the
 * same sequence with other bytes. */
static int check_sequence(const cars_release_meta *m, const char hex[65], const cars_state *st, char *err,
                          size_t errlen)
{
    int idl = m->release_id_len > 200 ? 200 : (int)m->release_id_len;
    if (!st->present)
        return CARS_REL_OK;
    if (m->sequence < st->sequence) {
        snprintf(err, errlen, "release %.*s has sequence %" PRIu64 ", older than release %s (sequence %"
                 PRIu64 ") already accepted here: refusing a rollback", idl, m->release_id, m->sequence,
                 st->release, st->sequence);
        return CARS_REL_ROLLED_BACK;
    }
    if (m->sequence == st->sequence && strcmp(hex, st->digest) != 0) {
        snprintf(err, errlen, "release %.*s reuses sequence %" PRIu64 " of release %s accepted here, with "
                 "different contents: refusing it", idl, m->release_id, m->sequence, st->release);
        return CARS_REL_ROLLED_BACK;
    }
    return CARS_REL_OK;
}

int cars_release_check(const cars_release_meta *m, const uint8_t digest[32],
                       const cars_release_policy *pol, char *err, size_t errlen)
{
    int idl = m->release_id_len > 200 ? 200 : (int)m->release_id_len;
    if (m->channel != pol->channel) {
        snprintf(err, errlen, "release %.*s is for the %s channel; this operator runs %s releases",
                 idl, m->release_id, cars_channel_name(m->channel), cars_channel_name(pol->channel));
        return CARS_REL_WRONG_CHANNEL;
    }
    char from[11], until[11], today[11];
    cars_date_format(m->valid_from, from);
    cars_date_format(m->valid_until, until);
    cars_date_format(pol->today, today);
    if (pol->today < m->valid_from) {
        snprintf(err, errlen, "release %.*s is not valid until %s (today is %s)", idl, m->release_id, from, today);
        return CARS_REL_NOT_YET_VALID;
    }
    if (pol->today > m->valid_until) {
        snprintf(err, errlen, "release %.*s expired after %s (today is %s)", idl, m->release_id, until, today);
        return CARS_REL_EXPIRED;
    }
    if (!pol->state_path)
        return CARS_REL_OK;
    cars_state st;
    if (cars_state_read(pol->state_path, &st, err, errlen) != 0)
        return CARS_REL_STATE;
    char hex[65];
    cars_hex(digest, 32, hex);
    return check_sequence(m, hex, &st, err, errlen);
}

int cars_release_accept(const cars_release_meta *m, const uint8_t digest[32],
                        const char *state_path, char *err, size_t errlen)
{
    cars_state st;
    if (cars_state_read(state_path, &st, err, errlen) != 0)
        return CARS_REL_STATE;
    char hex[65];
    cars_hex(digest, 32, hex);
    int rc = check_sequence(m, hex, &st, err, errlen);
    if (rc != CARS_REL_OK)
        return rc;
    if (cars_state_write(state_path, &st, m->sequence, m->release_id, m->release_id_len, hex, err, errlen) != 0)
        return CARS_REL_STATE;
    return CARS_REL_OK;
}

static const char COMMENT_PREFIX[] = "cars release ";

void cars_release_comment(const cars_release_meta *m, char *out, size_t outlen)
{
    char from[11], until[11];
    cars_date_format(m->valid_from, from);
    cars_date_format(m->valid_until, until);
    snprintf(out, outlen, "%s%.*s sequence %" PRIu64 " channel %s valid %s to %s", COMMENT_PREFIX,
             (int)(m->release_id_len > 64 ? 64 : m->release_id_len), m->release_id, m->sequence,
             cars_channel_name(m->channel), from, until);
}

bool cars_release_comment_is_carsc(const char *comment, size_t len)
{
    return len >= sizeof COMMENT_PREFIX - 1 && memcmp(comment, COMMENT_PREFIX, sizeof COMMENT_PREFIX - 1) == 0;
}

/* One byte as printed by cars_comment_escape: 1, 2 or 4 characters. */
static size_t escape_byte(unsigned char c, char e[4])
{
    if (c == '\\' || c == '\t') {
        e[0] = '\\';
        e[1] = c == '\t' ? 't' : '\\';
        return 2;
    }
    if (c < 0x20 || c > 0x7e) {
        e[0] = '\\', e[1] = 'x';
        cars_hex_byte(c, false, e + 2);
        return 4;
    }
    e[0] = (char)c;
    return 1;
}

void cars_comment_escape(const char *s, size_t len, char *out, size_t outlen)
{
    if (outlen < 4) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    char e[4];
    size_t total = 0;
    for (size_t i = 0; i < len; i++)
        total += escape_byte((unsigned char)s[i], e);
    size_t o = 0; /* when cut: o <= outlen - 4 throughout, room for "..." and the NUL */
    for (size_t i = 0; i < len; i++) {
        size_t n = escape_byte((unsigned char)s[i], e);
        if (total > outlen - 1 && o + n > outlen - 4) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, e, n);
        o += n;
    }
    out[o] = '\0';
}

int cars_release_check_comment(const cars_release_meta *m, const char *comment, size_t len, char *err,
                               size_t errlen)
{
    char want[200], got[300];
    cars_release_comment(m, want, sizeof want);
    if (!cars_release_comment_is_carsc(comment, len) || (len == strlen(want) && memcmp(comment, want, len) == 0))
        return CARS_REL_OK;
    cars_comment_escape(comment, len, got, sizeof got);
    snprintf(err, errlen, "bad signature: its trusted comment says '%s' but the release is '%s': the signature "
             "was made for another release, or the release is mislabelled", got, want);
    return CARS_REL_BAD_SIGNATURE;
}

/* The explicit unsigned decision (pol->trust): CARS_TRUST_READ_ONLY opens
 * any release; CARS_TRUST_UNSIGNED_TEST only a test-channel one. */
static int unsigned_decision(const uint8_t *bytes, size_t len, const cars_release_policy *pol, char *err,
                             size_t errlen)
{
    cars_release_meta m;
    if (pol->trust == CARS_TRUST_READ_ONLY)
        return CARS_REL_OK;
    if (cars_bundle_peek_release(bytes, len, &m, err, errlen) != 0)
        return CARS_REL_MALFORMED;
    if (m.channel == CARS_CHANNEL_TEST)
        return CARS_REL_OK;
    snprintf(err, errlen, "release %.*s is a %s release: verify it with --trust KEY.pub",
             (int)m.release_id_len, m.release_id, cars_channel_name(m.channel));
    return CARS_REL_UNSIGNED;
}

/* The signature over every byte, then what the release says of itself
 * against its trusted comment and the policy: channel, window, sequence. */
static int signed_checks(const uint8_t *bytes, size_t len, const char *sig_text, size_t sig_len,
                         const cars_pubkey *trust, const cars_release_policy *pol, uint8_t digest[32], char *err,
                         size_t errlen)
{
    char why[512];
    if (!sig_text) {
        snprintf(err, errlen, "unsigned release: no signature file");
        return CARS_REL_UNSIGNED;
    }
    cars_signature sig;
    cars_sig_status st = cars_signature_parse(sig_text, sig_len, &sig, why, sizeof why);
    if (st == CARS_SIG_OK)
        st = cars_signature_verify(trust, &sig, bytes, len, why, sizeof why);
    if (st != CARS_SIG_OK) {
        snprintf(err, errlen, "%s%s", st == CARS_SIG_MALFORMED ? "malformed " : "", why);
        return st == CARS_SIG_MALFORMED ? CARS_REL_MALFORMED
               : st == CARS_SIG_UNKNOWN_KEY ? CARS_REL_UNKNOWN_KEY
                                            : CARS_REL_BAD_SIGNATURE;
    }
    crypto_generichash(digest, 32, bytes, len, NULL, 0);
    cars_release_meta m;
    if (cars_bundle_peek_release(bytes, len, &m, why, sizeof why) != 0) {
        snprintf(err, errlen, "malformed release: %s", why);
        return CARS_REL_MALFORMED;
    }
    int rc = cars_release_check_comment(&m, sig.trusted, sig.trusted_len, err, errlen);
    return rc == CARS_REL_OK ? cars_release_check(&m, digest, pol, err, errlen) : rc;
}

int cars_release_open(const uint8_t *bytes, size_t len, const char *sig_text, size_t sig_len,
                      const cars_pubkey *trust, const cars_release_policy *pol,
                      cars_program *out, uint8_t digest[32], char *err, size_t errlen)
{
    char why[512];
    bool is_signed = pol->trust == CARS_TRUST_SIGNED;
    const char *malformed = is_signed ? "malformed release: " : ""; /* unsigned: the loader's own message */
    memset(out, 0, sizeof *out);
    memset(digest, 0, 32);
    if (cars_bundle_check_header(bytes, len, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s%s", malformed, why);
        return CARS_REL_MALFORMED;
    }
    int rc = is_signed ? signed_checks(bytes, len, sig_text, sig_len, trust, pol, digest, err, errlen)
                       : unsigned_decision(bytes, len, pol, err, errlen);
    if (rc != CARS_REL_OK)
        return rc;
    if (cars_bundle_load(bytes, len, out, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s%s", malformed, why);
        return CARS_REL_MALFORMED;
    }
    return CARS_REL_OK;
}

/* The signature's trusted comment, quoted and escaped, when it is not in
 * carsc's form (so was not compared with the release); "" otherwise. */
static void foreign_comment(const char *sig, size_t slen, char *note, size_t notelen)
{
    cars_signature s;
    char err[300];
    note[0] = '\0';
    if (cars_signature_parse(sig, slen, &s, err, sizeof err) != CARS_SIG_OK ||
        cars_release_comment_is_carsc(s.trusted, s.trusted_len) || notelen < 3)
        return;
    note[0] = '\'';
    cars_comment_escape(s.trusted, s.trusted_len, note + 1, notelen - 2);
    strcat(note, "'");
}

/* Reads and parses the trusted public key. */
static int read_pubkey(const char *path, cars_pubkey *pk, char *err, size_t errlen)
{
    size_t klen;
    char why[600];
    char *key = (char *)cars_read_file(path, CARS_FILE_KEY, &klen, err, errlen);
    if (!key)
        return CARS_REL_FATAL;
    cars_sig_status ks = cars_pubkey_parse(key, klen, pk, why, sizeof why);
    cars_free(key);
    if (ks != CARS_SIG_OK) {
        snprintf(err, errlen, "trusted key %s: %s", path, why);
        return CARS_REL_FATAL;
    }
    return CARS_REL_OK;
}

/* Reads the signature file (`sig_path`, or PATH.minisig): *sig NULL when
 * there is none; *owned is the default name, when made (free it). */
static int read_signature(const char *path, const char *sig_path, char **sig, size_t *slen, char **owned,
                          char *err, size_t errlen)
{
    *sig = NULL;
    *owned = NULL;
    if (!sig_path) {
        size_t n = strlen(path) + sizeof ".minisig";
        if (!(*owned = cars_malloc(n))) {
            snprintf(err, errlen, "out of memory reading the signature of release %s", path);
            return CARS_REL_FATAL;
        }
        snprintf(*owned, n, "%s.minisig", path);
    }
    *sig = (char *)cars_read_file(sig_path ? sig_path : *owned, CARS_FILE_SIGNATURE, slen, err, errlen);
    if (*sig || errno == ENOENT)
        return CARS_REL_OK;
    cars_free(*owned);
    *owned = NULL;
    return CARS_REL_FATAL;
}

/* The key, the signature, then the bytes opened under the policy. */
static int open_signed(const char *path, const char *trust_path, const char *sig_path,
                       const cars_release_policy *pol, cars_release *r, char *err, size_t errlen)
{
    cars_pubkey pk;
    char *sig, *owned, why[700];
    size_t slen = 0;
    int rc = read_pubkey(trust_path, &pk, err, errlen);
    if (rc == CARS_REL_OK)
        rc = read_signature(path, sig_path, &sig, &slen, &owned, err, errlen);
    if (rc != CARS_REL_OK)
        return rc;
    rc = cars_release_open(r->bytes, r->len, sig, slen, &pk, pol, &r->prog, r->digest, why, sizeof why);
    if (rc == CARS_REL_OK)
        foreign_comment(sig, slen, r->foreign_comment, sizeof r->foreign_comment);
    else if (!sig)
        snprintf(err, errlen, "refused %s: unsigned release: no signature file %s", path, sig_path ? sig_path : owned);
    else
        snprintf(err, errlen, "refused %s: %s", path, why);
    cars_free(sig);
    cars_free(owned);
    return rc;
}

int cars_release_load(const char *path, const char *trust_path, const char *sig_path,
                      const cars_release_policy *pol, cars_release *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->bytes = cars_read_file(path, CARS_FILE_RELEASE, &r->len, err, errlen);
    if (!r->bytes)
        return CARS_REL_FATAL;
    int rc;
    if (pol->trust == CARS_TRUST_SIGNED) {
        rc = open_signed(path, trust_path, sig_path, pol, r, err, errlen);
    } else {
        char why[700];
        rc = cars_release_open(r->bytes, r->len, NULL, 0, NULL, pol, &r->prog, r->digest, why, sizeof why);
        if (rc == CARS_REL_MALFORMED)
            snprintf(err, errlen, "invalid release %s: %s", path, why);
        else if (rc != CARS_REL_OK)
            snprintf(err, errlen, "refused %s: %s", path, why);
    }
    if (rc != CARS_REL_OK)
        cars_release_free(r);
    return rc;
}

void cars_release_free(cars_release *r)
{
    cars_program_free(&r->prog);
    cars_free(r->bytes);
    memset(r, 0, sizeof *r);
}
