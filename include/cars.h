/* cars.h - libcars, the routing core of carsvm as a library: load and
 * verify a CARS release exactly as `carsvm route` does, then route
 * application records (one JSON object each) into decisions, and get the
 * very routing line `carsvm route` would print for each.
 *
 * Two handles, in the manner of zstd's dictionary and context:
 *
 *   cars_router  a loaded, verified release. Read-only once loaded: any
 *                number of threads may route with one router at the same
 *                time. Free it after every context made from it.
 *   cars_ctx     one thread's working memory (record reader, interpreter,
 *                line buffers). Made once, reused for every record: after
 *                its buffers have grown to the longest record seen, routing
 *                allocates nothing. Use a context from one thread at a time.
 *
 * Results go into memory the caller owns (cars_decision and a byte buffer);
 * nothing is ever cut to fit: a buffer that is too small is an error code
 * with the size needed.
 *
 * The library keeps no mutable global state, installs no signal handlers
 * and prints nothing; messages are returned as text. Every function is
 * safe to call from any thread on different objects.
 *
 * Link with `pkg-config --cflags --libs cars` (shared) or
 * `pkg-config --static --cflags --libs cars` (static). Guide and example:
 * docs/libcars.md, docs/examples/route_one.c. */
#ifndef CARS_H
#define CARS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The public functions: exported from the shared library, everything else
 * in it is hidden. */
#if defined(CARS_BUILDING_LIBRARY) && defined(__GNUC__)
#define CARS_API __attribute__((visibility("default")))
#else
#define CARS_API
#endif

/* ---- version ------------------------------------------------------------
 * The version of this header; cars_version_number() and
 * cars_version_string() give the library's, which may be newer: the shared
 * library's major version (its soname, libcars.so.1) changes only when the
 * interface changes incompatibly. */
#define CARS_VERSION_MAJOR 1
#define CARS_VERSION_MINOR 0
#define CARS_VERSION_PATCH 0
#define CARS_VERSION_NUMBER (CARS_VERSION_MAJOR * 10000 + CARS_VERSION_MINOR * 100 + CARS_VERSION_PATCH)
#define CARS_VERSION_STRING "1.0.0"

/* MAJOR * 10000 + MINOR * 100 + PATCH of the library linked: 10000 for 1.0.0. */
CARS_API unsigned cars_version_number(void);
/* "1.0.0": the version of cars (carsc, carsvm) this library is part of.
 * A static string. */
CARS_API const char *cars_version_string(void);

/* ---- status codes ---------------------------------------------------------
 * Every function that can fail returns one of these. The release refusals
 * (1, 10 to 18) have the numbers of carsvm's exit codes for the same
 * refusal (docs/releases.md), so a program may exit with them as carsvm
 * does. */
typedef enum cars_status {
    CARS_OK = 0,                  /* done; from cars_route: a valid record routed */
    CARS_E_FATAL = 1,             /* a file cannot be read, or memory ran out while loading */
    CARS_BLANK = 2,               /* cars_route: a blank line (only spaces, tabs, CRs): no record,
                                   * no routing line; carsvm prints nothing for it */
    CARS_INVALID = 3,             /* cars_route: an invalid record, routed as outcome ERROR with its
                                   * reason (as carsvm, whose exit code 3 says some were) */
    CARS_E_MALFORMED = 10,        /* not a well-formed release or signature file */
    CARS_E_UNSIGNED = 11,         /* no signature file */
    CARS_E_BAD_SIGNATURE = 12,    /* the bytes are not the ones that were signed */
    CARS_E_UNKNOWN_KEY = 13,      /* signed by a key the caller does not trust */
    CARS_E_WRONG_CHANNEL = 14,    /* a test release where production is required, or the reverse */
    CARS_E_NOT_YET_VALID = 15,    /* the as-of date is before the release's valid-from */
    CARS_E_EXPIRED = 16,          /* the as-of date is after its valid-until */
    CARS_E_ROLLED_BACK = 17,      /* older than the last release accepted with the same state file */
    CARS_E_STATE = 18,            /* the state file cannot be read or written, is damaged, or stays locked */
    CARS_E_ARGUMENT = 20,         /* a NULL handle or pointer, or an option out of range */
    CARS_E_BUFFER_TOO_SMALL = 21, /* cars_route: the caller's buffer is smaller than
                                   * cars_decision.needed; nothing was written to it */
    CARS_E_NOMEM = 22,            /* memory ran out (making a context, or growing one for a longer
                                   * record than any before) */
    CARS_E_INTERNAL = 23          /* a fault in the library: a release the verifier should have refused */
} cars_status;

/* The name of a status ("CARS_E_EXPIRED"), "CARS_UNKNOWN_STATUS" for a
 * number that is none. A static string. */
CARS_API const char *cars_status_name(int status);
/* One sentence on what a status means ("the release has expired"). The
 * message of a particular failure, with file names and dates, is the
 * `err` text of the call that failed. A static string. */
CARS_API const char *cars_status_text(int status);

/* ---- loading a release ------------------------------------------------- */

/* How the signature is checked: an explicit decision, as carsvm's --trust.
 * Zero (the value of a zeroed cars_load_options) requires a signature. */
typedef enum cars_trust_policy {
    CARS_REQUIRE_SIGNATURE = 0,   /* as carsvm --trust KEY: the signature over every byte by
                                   * trust_key (and its trusted comment), then channel, validity
                                   * window and sequence (state) */
    CARS_ALLOW_UNSIGNED_TEST = 1  /* as carsvm without --trust: no signature is checked, and only
                                   * a test-channel release opens (a development build); no window
                                   * or sequence is checked */
} cars_trust_policy;

/* The options of cars_router_load: carsvm's TRUST options. Zero
 * everything, then set what you need: the defaults are carsvm's. */
typedef struct cars_load_options {
    cars_trust_policy trust;
    const char *trust_key;   /* CARS_REQUIRE_SIGNATURE: the minisign public key file (carsvm
                              * --trust); required */
    const char *signature;   /* the signature file; NULL: RELEASE.minisig (carsvm --signature) */
    const char *channel;     /* "production" or "test", the channel this operator runs;
                              * NULL: production (carsvm --channel) */
    const char *as_of;       /* "YYYY-MM-DD", the date of the validity window; NULL: today, UTC
                              * (carsvm --as-of) */
    const char *state;       /* CARS_REQUIRE_SIGNATURE: a state file; the release is refused if
                              * older than the last one accepted with it, else recorded in it as
                              * `carsvm route --state` does (under a lock on STATE.lock);
                              * NULL: no rollback check (carsvm without --state) */
    long state_wait_ms;      /* how long to wait while another process holds the state file's
                              * lock; 0: do not wait (carsvm waits 60000) */
} cars_load_options;

/* A loaded, verified release. Opaque. */
typedef struct cars_router cars_router;

/* The size of an `err` buffer that holds any message of this library. */
#define CARS_ERR_SIZE 1200

/* Reads the release file at `release_path` and opens it as `carsvm route`
 * would with the same options: size, magic and format version; the
 * signature and its trusted comment (or the explicit unsigned decision);
 * channel, validity window and sequence; the section table, decoding and
 * the verifier; then (with `state`) records it as accepted.
 *
 * On CARS_OK, *out is a new router; free it with cars_router_free. On
 * failure, *out is NULL and `err` (`errlen` bytes, CARS_ERR_SIZE always
 * enough; NULL when errlen is 0) holds carsvm's message without its
 * "carsvm: " prefix, such as "refused r.carsb: expired on 2026-11-29 (as
 * of 2026-12-01)". Returns CARS_E_FATAL (unreadable file, memory), a
 * refusal (CARS_E_MALFORMED .. CARS_E_STATE) or CARS_E_ARGUMENT (NULL
 * release_path, opts or out; an unknown trust policy or channel; a bad
 * as_of date; no trust_key where one is required; a negative wait).
 *
 * Thread safety: loads may run at the same time in different threads
 * (two loads with the same state file serialise on its lock). */
CARS_API int cars_router_load(const char *release_path, const cars_load_options *opts, cars_router **out,
                              char *err, size_t errlen);

/* Frees a router and the release bytes it holds. Every cars_ctx made from
 * it must have been freed first. NULL is ignored. */
CARS_API void cars_router_free(cars_router *router);

/* What was loaded: the release id ("2026-W48"), its sequence number, its
 * channel ("production" or "test"), its validity window ("YYYY-MM-DD",
 * inclusive) and the number of its rules. Strings are NUL-terminated and
 * owned by the router (valid until cars_router_free). */
typedef struct cars_release_info {
    const char *release_id;
    uint64_t sequence;
    const char *channel;
    char valid_from[11], valid_until[11];
    uint32_t rules;
} cars_release_info;

/* Fills *info. CARS_OK, or CARS_E_ARGUMENT for a NULL pointer. */
CARS_API int cars_router_info(const cars_router *router, cars_release_info *info);

/* ---- routing -------------------------------------------------------------- */

/* One thread's routing context. Opaque. */
typedef struct cars_ctx cars_ctx;

/* Makes a context for routing with `router` (which must outlive it).
 * CARS_OK with *out set, CARS_E_NOMEM, or CARS_E_ARGUMENT. */
CARS_API int cars_ctx_new(const cars_router *router, cars_ctx **out);
/* Frees a context. NULL is ignored. */
CARS_API void cars_ctx_free(cars_ctx *ctx);

/* The decision for one record, as carsvm's routing line states it. */
typedef enum cars_route_outcome {
    CARS_OUTCOME_NCXDR = 0,  /* "NCXDR", non-complex (README.md, docs/language.md) */
    CARS_OUTCOME_NCXPCA = 1, /* "NCXPCA", non-complex */
    CARS_OUTCOME_CXDR = 2,   /* "CXDR", complex */
    CARS_OUTCOME_CXPCA = 3,  /* "CXPCA", complex */
    CARS_OUTCOME_NONE = 4,   /* "NONE", no complexity rating */
    CARS_OUTCOME_ERROR = 5   /* "ERROR", an invalid record */
} cars_route_outcome;

/* What cars_route fills in. Every pointer points into the caller's buffer
 * given to that call (never into the context), so a decision stays valid
 * while that buffer does, whatever is routed next. Strings are
 * NUL-terminated; lengths do not count the NUL. */
typedef struct cars_decision {
    cars_route_outcome outcome;
    const char *outcome_name;   /* "NCXDR" .. "ERROR" (a static string) */
    const char *id;             /* the record's "id" as read (unescaped); NULL when it has none
                                 * or it could not be read (the line then says "id":null) */
    size_t id_len;
    size_t nrules;              /* the rules that decided, in the routing line's order */
    const char *const *rules;   /* nrules rule ids ("CX-EXCL-01") */
    const char *explanation;    /* the plain-English sentence (not JSON-escaped) */
    size_t explanation_len;
    const char *error;          /* CARS_INVALID: why the record is invalid, else "" */
    size_t error_len;
    const char *line;           /* the exact routing line `carsvm route` prints for this record,
                                 * JSON, ending in '\n' */
    size_t line_len;
    size_t needed;              /* the buffer size this decision needs; set on CARS_OK,
                                 * CARS_INVALID and CARS_E_BUFFER_TOO_SMALL */
} cars_decision;

/* Routes one record: `record` holds `len` bytes, one JSON object, without
 * its newline (it need not be NUL-terminated); `line_no` is its line
 * number in the input (1-based), which carsvm states in an ERROR line.
 * A record longer than 16 MiB is invalid ("line longer than 16777216
 * bytes"), as in carsvm; a blank line is CARS_BLANK whatever its length.
 *
 * Writes the decision into *d, its text into `buf` (`bufsize` bytes, any
 * alignment), and returns:
 *   CARS_OK       a valid record routed (outcome NCXDR .. NONE)
 *   CARS_INVALID  an invalid record, routed as ERROR: `error` says why
 *   CARS_BLANK    a blank line: no record; *d is zeroed
 *   CARS_E_BUFFER_TOO_SMALL  bufsize < d->needed: only d->needed is set and
 *                 nothing is written to buf; route again with a buffer of
 *                 at least d->needed bytes (the same record gives the same
 *                 decision). A few kilobytes suit most records; the routing
 *                 line grows with the id and the number of rules that decided
 *   CARS_E_NOMEM  the context could not grow for a longer record than any
 *                 before (the context stays usable)
 *   CARS_E_INTERNAL  a release the verifier should have refused
 *   CARS_E_ARGUMENT  a NULL ctx or d, record NULL with len > 0, buf NULL
 *                 with bufsize > 0
 * On an error *d is zeroed but for `needed`.
 *
 * Allocates nothing once the context has seen a record at least as long
 * and a decision at least as large. Thread safety: one context per thread;
 * contexts of one router may route at the same time. */
CARS_API int cars_route(cars_ctx *ctx, const char *record, size_t len, uint64_t line_no, cars_decision *d,
                        void *buf, size_t bufsize);

/* The message of the last error cars_route returned on this context
 * (CARS_E_INTERNAL: what the interpreter found; CARS_E_NOMEM: "out of
 * memory"), "" after a call that succeeded. Owned by the context, valid
 * until its next cars_route. */
CARS_API const char *cars_ctx_last_error(const cars_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
