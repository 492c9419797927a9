/* report.h - the auditors' report of a release (carsc report): the model
 * built from the release alone (its metadata, signature, and the canonical
 * text it carries, parsed and checked again), and its writers: a static
 * HTML site (report_html*.c), Markdown (report_md.c) and JSON
 * (report_json.c), all of the same content. Same release, same bytes: the
 * only dates are the release's own. */
#ifndef CARS_REPORT_H
#define CARS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "buf.h"
#include "codegen.h" /* cars_expr_map: for the traces of examples */
#include "program.h"

/* A schema field a rule reads: directly, or through a definition. */
typedef struct cars_report_read {
    const char *path;  /* element fields as LIST.KEY */
    const char *via;   /* NULL: directly; else the first definition through which */
    unsigned protect;  /* the field's CARS_PROT_* */
    bool proxy;        /* a proxy of nationality (the checker's cars_ck_proxy) */
} cars_report_read;

/* Where a review stands on the release's validity window. */
typedef enum cars_review_state {
    CARS_REVIEW_NONE,    /* no review date declared */
    CARS_REVIEW_OK,      /* falls due after the window */
    CARS_REVIEW_DUE,     /* falls due inside the window */
    CARS_REVIEW_OVERDUE, /* fell due on or before its first day */
} cars_review_state;

typedef struct cars_report_review {
    cars_review_state state;
    int64_t reviewed, due; /* days; when state != NONE */
    int months;
} cars_report_review;

/* One rule (or the threshold) with what the report says of it. */
typedef struct cars_report_rule {
    const cars_rule *rule;
    const char *anchor;   /* its id, also its HTML id */
    const char *title;
    const cars_meta *meta; /* rationale, citations, review */
    const char *page;     /* the stage page it is on, e.g. "profiles.html" */
    const char *file;     /* the source file it is in */
    const char *text;     /* its canonical text (a slice of the source) */
    size_t len;
    int outcome;          /* the outcome of its stage (-1: by the threshold) */
    cars_report_read *reads;
    size_t nreads;
    cars_report_review review;
} cars_report_rule;

typedef struct cars_report_table {
    const cars_table *table;  /* its declaration */
    const cars_ptable *ptable; /* in the release: count and digest */
    cars_report_review review;
} cars_report_table;

/* One token of a word-level difference. */
typedef enum cars_diff_op { CARS_DIFF_SAME, CARS_DIFF_DEL, CARS_DIFF_INS } cars_diff_op;
typedef struct cars_diff_tok {
    cars_diff_op op;
    const char *s;
    size_t len;
} cars_diff_tok;

typedef enum cars_change_kind { CARS_CHANGE_ADDED, CARS_CHANGE_WITHDRAWN, CARS_CHANGE_CHANGED } cars_change_kind;
typedef struct cars_report_change {
    cars_change_kind kind;
    const char *id, *title;
    cars_diff_tok *toks; /* CHANGED: the word diff; else the text as one SAME run */
    size_t ntoks;
} cars_report_change;

typedef struct cars_report_tchange {
    const char *name;
    bool before, after; /* present in each */
    uint32_t n_before, n_after;
    bool replaced;      /* same count, other digest */
} cars_report_tchange;

/* An example or test of a ruleset directory, as carsc explain traces it. */
typedef struct cars_report_example {
    const cars_example *ex;
    const char *record;   /* its JSON line */
    size_t record_len;
    const char *trace;    /* carsc explain's text */
    size_t trace_len;
    int outcome;          /* routed (enum cars_outcome_v) */
} cars_report_example;

/* A side of the report: a release (or source tree) opened and checked. */
typedef struct cars_report_src {
    bool is_tree;
    uint8_t *bytes;       /* bundle bytes (cars_malloc), if a release */
    size_t len;
    cars_program prog;    /* loaded, if a release */
    void *compiled;       /* cars_compiled*, if a tree */
    cars_expr_map map;    /* if a tree: where each expression's code lies */
    const cars_program *p;
    cars_ast *ast;        /* the carried text parsed and checked */
} cars_report_src;

typedef enum cars_sig_state {
    CARS_REPORT_SIG_NONE,      /* no signature file */
    CARS_REPORT_SIG_UNCHECKED, /* signed; no --trust */
    CARS_REPORT_SIG_GOOD,      /* signed by the trusted key, every byte */
} cars_sig_state;

typedef struct cars_report {
    cars_arena arena;
    cars_report_src cur, prev;
    bool has_prev;
    const cars_program *p;
    const cars_ast *ast;
    cars_sig_state sig;
    char keyid[17];           /* when signed */
    char sealed_to[300];      /* the audit key ids of a sealed release (compiler/seal.h), or "" */
    char digest[65];          /* BLAKE2b-256 of the bundle, hex ("" for a tree) */
    cars_report_rule *rules;  /* rules in ruleset order, then thresholds */
    size_t nrules;
    cars_report_table *tables;
    size_t ntables;
    cars_report_change *changes;
    size_t nchanges;
    cars_report_tchange *tchanges;
    size_t ntchanges;
    const char *examples_path; /* a ruleset directory: its examples are shown */
    cars_report_example *examples;
    size_t nexamples;
} cars_report;

/* Opens `path` (a release, or a ruleset directory or .cars file) and, if
 * given, `previous`; checks the signature against `trust` when given (a
 * bad one is an error). Returns false with the reason in err. */
bool cars_report_open(cars_report *r, const char *path, const char *previous, const char *trust, char *err,
                      size_t errlen);
void cars_report_free(cars_report *r);

/* Routes every example and test of a ruleset directory with its trace
 * (report_examples.c). False when out of memory or explain fails. */
bool cars_report_examples(cars_report *r, char *err, size_t errlen);

/* The canonical text of a declaration: its lines, first to last. */
const char *cars_report_decl_text(const cars_ast *ast, const cars_span *sp, size_t *len);

/* Changes against the previous release (report_diff.c). */
bool cars_report_changes(cars_report *r);

/* Names for the writers. */
const char *cars_report_kind_title(unsigned kind);    /* "Risk profiles" */
const char *cars_report_stage_page(unsigned kind);    /* "profiles.html" */
const char *cars_report_prot_name(unsigned bit);      /* "nationality" */
/* The citation a protected characteristic needs ("authorisation" or
 * "justification"), and the rule's citation for it (NULL when none). */
const char *cars_report_citation_kind(unsigned bit);
const char *cars_report_citation(const cars_rule *rule, unsigned bit);
/* Whether the release has a validity window (a development build and a
 * source tree are valid on any date). */
bool cars_report_has_window(const cars_report *r);
/* Counts of rules (not thresholds) of `kind`. */
size_t cars_report_count(const cars_report *r, unsigned kind);
/* The protected characteristics a rule reads: the checker's rule->protect. */
unsigned cars_report_protect(const cars_report_rule *rr);

/* Whether a rule belongs on the equality page: it reads nationality, sex
 * or age, or a proxy of nationality, directly or through definitions. */
bool cars_report_equality(const cars_report_rule *rr);

/* Writers: each appends to / writes the whole report. */
bool cars_report_html(const cars_report *r, const char *dir, char *err, size_t errlen);
void cars_report_md(const cars_report *r, cars_buf *b);
void cars_report_json(const cars_report *r, cars_buf *b);

/* Writes `b` to dir/name atomically. */
bool cars_report_write(const char *dir, const char *name, cars_buf *b, char *err, size_t errlen);

#endif
