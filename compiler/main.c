/* main.c - the carsc command: a table of subcommands, help and version.
 * To add a subcommand, declare `int cars_cmd_NAME(int, char
 * **)` in compiler/commands.h, write it in your own file, and add one line
 * to `commands` below. */
#include <stdio.h>
#include <string.h>

#include "version.h"
#include "commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage; /* the full help: usage line, then details */
} command;

static const command commands[] = {
    {"check", cars_cmd_check, "parse and check a ruleset", cars_check_usage},
    {"fmt", cars_cmd_fmt, "print a .cars file in canonical form", cars_fmt_usage},
    {"build", cars_cmd_build, "compile a ruleset into a release bundle",
     "usage: carsc build PATH -o FILE.carsb [--release-id ID] [--sequence N]\n"
     "                   [--valid-from YYYY-MM-DD --valid-until YYYY-MM-DD]\n"
     "                   [--channel production|test] [--as-of YYYY-MM-DD] [--no-index]\n"
     "                   [--audit-key AUDIT.pub ... | --unsealed]\n"
     "\n"
     "Compile, check and verify the ruleset at PATH into a release. A production\n"
     "release needs --release-id (1 to 64 letters, digits, '-', '_' or '.'),\n"
     "--sequence (1 or more) and the validity window; it is refused if a review\n"
     "has fallen due by --valid-from, and reviews due inside the window are\n"
     "warned of. A production build runs the ruleset's tests first and is\n"
     "refused if it has none or one fails; the number passed and the coverage\n"
     "are signed in the release (carsc inspect). A test-channel build does not\n"
     "run the tests. Without a window the release is for the test channel and\n"
     "valid on any date. Same sources and options, same bytes. --no-index leaves\n"
     "out the stage indexes (the routing is the same). --audit-key (repeatable)\n"
     "seals the rule text to audit keys (carsc audit-keygen); a production\n"
     "release must be sealed, or built --unsealed on purpose for a release only\n"
     "the central team's carsvm serve runs. A sealed release is the same bytes\n"
     "but for its sealed section (docs/releases.md).\n"},
    {"test", cars_cmd_test, "run the tests of a ruleset through the VM", cars_test_usage},
    {"explain", cars_cmd_explain, "why records were routed as they were",
     "usage: carsc explain RULESET|RELEASE [FILE.jsonl...] [--example NAME]... [--format text|json]\n"
     "\n"
     "Route each record (each line of each FILE, - or none for stdin; or each\n"
     "example or test NAME of the ruleset) with the VM's trace on, and print\n"
     "the outcome and deciding rules; every stage in order and whether it\n"
     "decided; for each rule that did not match, the first condition that was\n"
     "false or unknown and the values behind it; a threshold's count against\n"
     "what it needs; and which single rules, had they gone the other way, would\n"
     "have changed the outcome. RELEASE is a .carsb (signed or not) whose bytes\n"
     "are what the text it carries compiles to; a sealed release's text opens\n"
     "with --audit-key-secret FILE. --format json: one object per record\n"
     "(docs/language.md).\n"
     "Exit status: 0 explained, 1 a record was invalid or the ruleset has\n"
     "errors, 2 usage error.\n"},
    {"disasm", cars_cmd_disasm, "print a release bundle's program", "usage: carsc disasm FILE.carsb\n"},
    {"keygen", cars_cmd_keygen, "make a release signing key pair",
     "usage: carsc keygen -o NAME\n"
     "\n"
     "Write NAME.key (the secret key, mode 0600, minisign's unencrypted format)\n"
     "and NAME.pub (the public key operators trust). Refuses to overwrite.\n"},
    {"audit-keygen", cars_cmd_audit_keygen, "make an audit key pair (sealed rule text)",
     "usage: carsc audit-keygen -o NAME\n"
     "\n"
     "Write NAME.key (the audit secret key, X25519, mode 0600) and NAME.pub (the\n"
     "audit public key the rules team seals releases to with\n"
     "`carsc build --audit-key NAME.pub`). Refuses to overwrite. The key id, a short hash of\n"
     "the public key, is in both files and in carsc inspect (docs/releases.md).\n"},
    {"sign", cars_cmd_sign, "sign a release",
     "usage: carsc sign --key NAME.key [--audit-key-secret AUDIT.key] FILE.carsb [-o FILE.carsb.minisig]\n"
     "\n"
     "Sign every byte of a release (Ed25519 over its BLAKE2b-512, minisign's\n"
     "format: `minisign -V -p NAME.pub -m FILE.carsb` verifies it too). Refuses a\n"
     "key file that others can read, a bundle that does not verify, and one whose\n"
     "code is not what its text compiles to (a sealed release: --audit-key-secret).\n"},
    {"decompile", cars_cmd_decompile, "print a release's ruleset as canonical source",
     "usage: carsc decompile [--file NAME] [--audit-key-secret AUDIT.key] FILE.carsb\n"
     "\n"
     "Print the canonical text (as carsc fmt) of every source file the release\n"
     "was compiled from, as signed in the release, then each table by name,\n"
     "entry count and digest. --file NAME prints that one file alone. A sealed\n"
     "release's text opens only with --audit-key-secret (docs/releases.md).\n"},
    {"diff", cars_cmd_diff, "what changed between two releases",
     "usage: carsc diff [--audit-key-secret AUDIT.key] OLD NEW\n"
     "       carsc diff --format json [--audit-key-secret AUDIT.key] OLD NEW\n"
     "\n"
     "OLD and NEW are releases (.carsb) or rulesets (a directory or .cars file).\n"
     "Lists the rules, profiles, thresholds, tables, sets, definitions and the\n"
     "routing that were added, withdrawn or changed (with the lines that\n"
     "changed), and table entry counts. Between two rulesets, the examples and\n"
     "tests added, withdrawn or changed, by name; between two releases, what\n"
     "their tests gave when built (a release carries no tests). --format json:\n"
     "the same as one JSON document (docs/machine-readable.md). A sealed\n"
     "release's text opens only with --audit-key-secret.\n"
     "\n"
     "Exit status: 0 the same, 1 they differ, 2 trouble (usage, a release or\n"
     "ruleset that cannot be read).\n"},
    {"impact", cars_cmd_impact, "what a new release changes, on a corpus", cars_impact_usage},
    {"effectiveness", cars_cmd_effectiveness, "re-routes of non-complex routings, per rule", cars_effectiveness_usage},
    {"equality", cars_cmd_equality, "outcome shares by nationality, sex and age (EIA)", cars_equality_usage},
    {"inspect", cars_cmd_inspect, "show what a release is and contains",
     "usage: carsc inspect [--trust KEY.pub] [--audit-key-secret AUDIT.key] FILE.carsb\n"
     "       carsc inspect --format json [--trust KEY.pub] [--audit-key-secret AUDIT.key] FILE.carsb\n"
     "\n"
     "Release id, sequence, channel, validity, compiler, bundle digest, signer\n"
     "key (and, with --trust, whether the signature is good), rule counts,\n"
     "table sizes and digests, and the digest of every source file. A sealed\n"
     "release: the audit key ids, each rule's id, kind and says text; with\n"
     "--audit-key-secret, whether its code is what its sealed text compiles to. --format json: the same as one JSON document\n"
     "(docs/machine-readable.md).\n"
     "\n"
     "Exit status: 0 shown, 1 the release cannot be read or its carried source\n"
     "does not match its code, 2 usage error.\n"},
    {"lsp", cars_cmd_lsp, "a language server for editors (LSP over stdio)", cars_lsp_usage},
    {"report", cars_cmd_report, "write the auditors' report of a release (HTML, md, json)", cars_report_usage},
};

enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const char exit_codes[] =
    "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.\n";

static const command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: carsc COMMAND [ARGS...]\n"
                 "       carsc help COMMAND | --help | --version\n\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n%s", exit_codes);
}

static int help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return CARS_EXIT_OK;
    }
    const command *c = find(argv[1]);
    if (!c) {
        fprintf(stderr, "carsc: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return CARS_EXIT_USAGE;
    }
    printf("%s\n%s", c->usage, strstr(c->usage, "Exit status:") ? "" : exit_codes);
    return CARS_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CARS_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0)
        return help(argc - 1, argv + 1);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("carsc " CARS_VERSION "\n");
        return CARS_EXIT_OK;
    }
    const command *c = find(cmd);
    if (!c) {
        fprintf(stderr, "carsc: unknown command '%s'\n", cmd);
        usage(stderr);
        return CARS_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s\n%s", c->usage, strstr(c->usage, "Exit status:") ? "" : exit_codes);
            return CARS_EXIT_OK;
        }
    return c->run(argc - 1, argv + 1);
}
