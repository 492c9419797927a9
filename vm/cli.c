/* cli.c - the TRUST options and the release loading every carsvm command
 * shares (see cli.h). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "state.h"

/* Consumes one TRUST option at argv[*i]: 1 taken, 0 not one, -1 bad value. */
int cars_cli_trust_option(int argc, char **argv, int *i, cars_trust_opts *t)
{
    const char *a = argv[*i];
    if (*i + 1 >= argc)
        return 0;
    const char *v = argv[*i + 1];
    if (strcmp(a, "--trust") == 0)
        t->trust = v;
    else if (strcmp(a, "--signature") == 0)
        t->signature = v;
    else if (strcmp(a, "--state") == 0)
        t->state = v;
    else if (strcmp(a, "--channel") == 0) {
        if (!cars_channel_parse(v, &t->channel)) {
            fprintf(stderr, "carsvm: --channel is production or test, not '%s'\n", v);
            return -1;
        }
    } else if (strcmp(a, "--as-of") == 0) {
        char err[300];
        if (!cars_date_option(v, &t->as_of, err, sizeof err)) {
            fprintf(stderr, "carsvm: %s\n", err);
            return -1;
        }
        t->has_as_of = true;
    } else
        return 0;
    (*i)++;
    return 1;
}



/* Opens a release as the TRUST options say (vm/release.h: the one loading
 * path); prints why not. Returns 0, or the exit status of the refusal. */
int cars_cli_load_release(const char *path, const cars_trust_opts *t, cars_release *r)
{
    cars_release_policy pol = {.channel = t->channel, .state_path = t->state};
    pol.today = t->has_as_of ? t->as_of : (int64_t)(time(NULL) / 86400);
    pol.trust = t->trust ? CARS_TRUST_SIGNED : CARS_TRUST_UNSIGNED_TEST; /* unsigned: test releases only */
    char err[1200];
    int rc = cars_release_load(path, t->trust, t->signature, &pol, r, err, sizeof err);
    if (rc != CARS_REL_OK)
        fprintf(stderr, "carsvm: %s\n", err);
    return rc;
}

/* How long route waits for another carsvm to finish with the state file:
 * the lock is held only while the state file is read and replaced. */
enum { STATE_WAIT_SECONDS = 60 };

/* Records an accepted release in the state file, holding its lock while
 * the file is read again, compared and replaced (vm/state.h): of two runs
 * at once, the second waits, then sees what the first recorded. */
int cars_cli_record_release(const char *state, const cars_program *p, const uint8_t digest[32], const char *path)
{
    char err[700];
    int fd;
    bool busy;
    if (cars_state_lock(state, 0, &fd, &busy, err, sizeof err) != 0) {
        if (!busy) {
            fprintf(stderr, "carsvm: %s\n", err);
            return CARS_REL_STATE;
        }
        fprintf(stderr, "carsvm: %s; waiting up to %d seconds\n", err, STATE_WAIT_SECONDS);
        if (cars_state_lock(state, STATE_WAIT_SECONDS * 1000L, &fd, &busy, err, sizeof err) != 0) {
            fprintf(stderr, "carsvm: %s\n", err);
            return CARS_REL_STATE;
        }
    }
    cars_release_meta m = {.release_id = p->release_id.p, .release_id_len = p->release_id.len,
                           .sequence = p->sequence, .valid_from = p->valid_from,
                           .valid_until = p->valid_until, .channel = p->channel};
    int rc = cars_release_accept(&m, digest, state, err, sizeof err);
    cars_state_unlock(fd);
    if (rc == CARS_REL_ROLLED_BACK)
        fprintf(stderr, "carsvm: refused %s: %s\n", path, err);
    else if (rc != CARS_REL_OK)
        fprintf(stderr, "carsvm: %s\n", err);
    return rc;
}


const char cars_cli_log_help[] =
    "DECISION LOG (docs/serve.md):\n"
    "  --decision-log FILE    append one chained JSON line per routing to FILE\n"
    "  --decision-log-key K   the key of the input digests (64 hex digits; make\n"
    "                         one with carsvm log keygen K); required with the log\n"
    "  --log-sync every|second|none   fdatasync after each write (default), at\n"
    "                         most once a second, or never (left to the kernel)\n"
    "  --log-rotate-size N    start a new file when FILE would pass N bytes\n"
    "                         (suffix K, M or G); the chain continues across files\n"
    "  --log-rotate-daily     start a new file when the UTC day changes\n";

/* "4096", "64K", "100M", "1G": bytes, or 0 when not a size. */
static uint64_t parse_size(const char *s)
{
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    uint64_t mult = 1;
    if (end == s || s[0] == '-')
        return 0;
    if (*end == 'K' || *end == 'k')
        mult = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        mult = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mult = 1024ull * 1024 * 1024, end++;
    if (*end != '\0' || n > UINT64_MAX / mult)
        return 0;
    return (uint64_t)n * mult;
}

int cars_cli_log_option(int argc, char **argv, int *i, cars_log_opts *l)
{
    const char *a = argv[*i];
    if (strcmp(a, "--log-rotate-daily") == 0) {
        l->o.rotate_daily = true;
        return 1;
    }
    if (*i + 1 >= argc)
        return 0;
    const char *v = argv[*i + 1];
    if (strcmp(a, "--decision-log") == 0)
        l->path = v;
    else if (strcmp(a, "--decision-log-key") == 0)
        l->key_path = v;
    else if (strcmp(a, "--log-sync") == 0) {
        if (strcmp(v, "every") == 0)
            l->o.sync = CARS_DECLOG_SYNC_EVERY;
        else if (strcmp(v, "second") == 0)
            l->o.sync = CARS_DECLOG_SYNC_SECOND;
        else if (strcmp(v, "none") == 0)
            l->o.sync = CARS_DECLOG_SYNC_NONE;
        else {
            fprintf(stderr, "carsvm: --log-sync is every, second or none, not '%s'\n", v);
            return -1;
        }
    } else if (strcmp(a, "--log-rotate-size") == 0) {
        if ((l->o.rotate_bytes = parse_size(v)) == 0) {
            fprintf(stderr, "carsvm: --log-rotate-size wants a size in bytes (K, M, G), not '%s'\n", v);
            return -1;
        }
    } else
        return 0;
    (*i)++;
    return 1;
}

cars_declog *cars_cli_log_open(const cars_log_opts *o, uint8_t key[CARS_DECLOG_KEY_BYTES])
{
    char err[600];
    if (!o->key_path) {
        fprintf(stderr, "carsvm: --decision-log needs --decision-log-key FILE (carsvm log keygen FILE makes one)\n");
        return NULL;
    }
    if (cars_declog_key_load(o->key_path, key, err, sizeof err) != 0) {
        fprintf(stderr, "carsvm: %s\n", err);
        return NULL;
    }
    size_t torn = 0;
    cars_declog *l = cars_declog_open(o->path, &o->o, &torn, err, sizeof err);
    if (!l)
        fprintf(stderr, "carsvm: %s\n", err);
    else if (torn)
        fprintf(stderr, "carsvm: the decision log %s ended in a torn line (%zu bytes, from a crash): cut off\n",
                o->path, torn);
    return l;
}
