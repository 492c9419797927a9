/* cli.h - what carsvm's commands share on the command line: the TRUST
 * options, opening a release as they say (vm/release.h), and recording an
 * accepted release in the state file. These print their messages to
 * standard error, prefixed "carsvm: ". */
#ifndef CARS_CLI_H
#define CARS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "declog.h"
#include "release.h"

/* How the operator opens releases (the TRUST options). */
typedef struct cars_trust_opts {
    const char *trust, *signature, *state;
    uint8_t channel;
    bool has_as_of;
    int64_t as_of;
} cars_trust_opts;

/* Consumes one TRUST option at argv[*i]: 1 taken, 0 not one, -1 bad value. */
int cars_cli_trust_option(int argc, char **argv, int *i, cars_trust_opts *t);
/* Opens a release as the TRUST options say; prints why not. Returns 0, or
 * the exit status of the refusal. */
int cars_cli_load_release(const char *path, const cars_trust_opts *t, cars_release *r);
/* Records an accepted release in the state file under its lock (a second
 * carsvm waits up to 60 s). Returns 0, or the exit status (printed). */
int cars_cli_record_release(const char *state, const cars_program *p, const uint8_t digest[32], const char *path);

/* The decision-log options of route and serve. */
typedef struct cars_log_opts {
    const char *path, *key_path;
    cars_declog_opts o;
} cars_log_opts;

/* Consumes one decision-log option at argv[*i]: 1 taken, 0 not one, -1
 * bad value (printed). */
int cars_cli_log_option(int argc, char **argv, int *i, cars_log_opts *l);
/* Loads the key and opens the log (o->path set); prints why not. Returns
 * the log, or NULL. */
cars_declog *cars_cli_log_open(const cars_log_opts *o, uint8_t key[CARS_DECLOG_KEY_BYTES]);

/* The help text of those options. */
extern const char cars_cli_log_help[];

#endif
