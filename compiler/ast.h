/* ast.h - the abstract syntax tree of a CARS ruleset.
 *
 * The parser builds it in one arena (compiler/arena.h); the checker annotates
 * it (the `ty`, `protect` and `ref` fields); fmt prints it back; codegen
 * compiles it. Every node carries the span it came from, so every diagnostic
 * can point at source.
 */
#ifndef CARS_AST_H
#define CARS_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h" /* vm/: the program's enums and their names (cars_outcome_name) */

/* A source span: file index into cars_ast.files, 1-based line and column of
 * the first character, and of the last character (inclusive). Columns count
 * bytes. */
typedef struct cars_span {
    uint32_t file;
    uint32_t line, col;
    uint32_t end_line, end_col;
} cars_span;

/* One comment, kept for fmt: the text after '#', and where it was. */
typedef struct cars_comment {
    const char *text;
    cars_span span;
    bool trailing; /* on the same line as code before it */
} cars_comment;

/* ---- types ------------------------------------------------------------- */

typedef enum cars_type_kind {
    CARS_T_ERROR = 0, /* already reported: suppress cascades */
    CARS_T_BOOL,
    CARS_T_INTEGER,
    CARS_T_NUMBER,
    CARS_T_STRING,
    CARS_T_DATE,
    CARS_T_DAYS, /* a duration: `n days` */
    CARS_T_COUNTRY,
    CARS_T_ENUM,    /* enum_field says which enumeration */
    CARS_T_LIST,    /* a list of records: list_field */
    CARS_T_SETLIT,  /* an untyped bracket list or named set, before checking */
} cars_type_kind;

struct cars_field;

typedef struct cars_type {
    cars_type_kind kind;
    const struct cars_field *field; /* for ENUM and LIST: the declaring field */
} cars_type;

/* Protected characteristics read, as a bit set. CARS_PROT_NAT_PROXY is an
 * expression's only (never a field's): it compares a proxy of nationality
 * (the passport's issuing country, the country of residence) with
 * particular countries, and needs the same authorisation (check.c). */
enum {
    CARS_PROT_NATIONALITY = 1u << 0,
    CARS_PROT_AGE = 1u << 1,
    CARS_PROT_SEX = 1u << 2,
    CARS_PROT_NAT_PROXY = 1u << 3,
};

/* ---- schema ------------------------------------------------------------ */

typedef struct cars_name_list {
    const char **names;
    cars_span *spans;
    size_t n;
} cars_name_list;

/* What a string field holds, as the schema says (`email`, `phone`,
 * `document`; plain `string` otherwise): a field of a kind is a string in
 * every respect, and a table lookup normalises it by its kind. */
typedef enum cars_strkind { /* as vm/program.h's enum cars_fkind_v */
    CARS_SK_PLAIN = CARS_FK_PLAIN, CARS_SK_EMAIL = CARS_FK_EMAIL, CARS_SK_PHONE = CARS_FK_PHONE,
    CARS_SK_DOCUMENT = CARS_FK_DOCUMENT,
} cars_strkind;

/* The type a string field of kind k is declared with: "string", "email",
 * "phone", "document". The parser reads it, fmt prints it, the checker's
 * messages name it. */
static inline const char *cars_string_kind_keyword(cars_strkind k)
{
    static const char *const kw[] = {
        [CARS_SK_PLAIN] = "string", [CARS_SK_EMAIL] = "email", [CARS_SK_PHONE] = "phone",
        [CARS_SK_DOCUMENT] = "document",
    };
    return (unsigned)k < sizeof kw / sizeof kw[0] ? kw[k] : "string";
}

typedef struct cars_field {
    const char *path;      /* full dotted path, e.g. "applicant.passport.number";
                              inside a list element, just the element key */
    cars_span span;
    cars_type_kind type;   /* BOOL INTEGER NUMBER STRING DATE COUNTRY ENUM LIST */
    cars_strkind kind;     /* STRING: what it holds */
    cars_name_list members; /* ENUM: the members, in declared order */
    bool has_min;
    double min;            /* `min N` */
    bool required;
    bool reference;        /* the reference date */
    unsigned protect;      /* CARS_PROT_* (at most one bit) */
    struct cars_field *elems; /* LIST: element fields */
    size_t nelems;
    const struct cars_field *parent; /* element field: its list field */
    uint32_t index;        /* checker: position among top-level fields / element fields */
    cars_comment *comments; size_t ncomments; /* leading comments */
} cars_field;

/* ---- expressions ------------------------------------------------------- */

typedef enum cars_expr_kind {
    CARS_E_INT,     /* ival */
    CARS_E_NUM,     /* nval; text keeps the source spelling */
    CARS_E_STR,     /* sval (decoded UTF-8), slen */
    CARS_E_DATE,    /* ival: days since 1970-01-01; text keeps the spelling */
    CARS_E_BOOL,    /* ival 0/1 */
    CARS_E_NAME,    /* name: a dotted path or a single name; resolved by the
                       checker into ref_kind/ref */
    CARS_E_CALL,    /* name(args) */
    CARS_E_NOT,     /* a */
    CARS_E_NEG,     /* a */
    CARS_E_AND, CARS_E_OR,                      /* a, b */
    CARS_E_EQ, CARS_E_NE, CARS_E_LT, CARS_E_LE, CARS_E_GT, CARS_E_GE, /* a, b */
    CARS_E_ADD, CARS_E_SUB, CARS_E_MUL,         /* a, b */
    CARS_E_DAYS,    /* a days */
    CARS_E_BETWEEN, /* a between b and c */
    CARS_E_WITHIN,  /* a within last b years */
    CARS_E_IN,      /* a in b; negated for `not in`. b is a CARS_E_LIST or a
                       CARS_E_NAME naming a set or a table */
    CARS_E_TUPLE_IN,/* (args...) in b, b a CARS_E_NAME naming a table */
    CARS_E_LIST,    /* [args...] */
    CARS_E_PRESENT, /* a is present (negated: is absent) */
    CARS_E_QUANT,   /* quant(var in a where b); b may be NULL for count */
} cars_expr_kind;

typedef enum cars_quant { CARS_Q_ANY, CARS_Q_ALL, CARS_Q_NONE, CARS_Q_COUNT } cars_quant;

typedef enum cars_ref_kind {
    CARS_REF_NONE = 0,
    CARS_REF_FIELD,   /* ref.field: a top-level schema field */
    CARS_REF_ELEM,    /* ref.field: an element field of the enclosing quantifier */
    CARS_REF_LET,     /* ref.let */
    CARS_REF_SET,     /* ref.set */
    CARS_REF_TABLE,   /* ref.table */
    CARS_REF_MEMBER,  /* an enumeration member: ival is its index */
    CARS_REF_COUNTRY, /* a country code: ival is its code (see cars_country_code) */
    CARS_REF_VAR,     /* the quantifier variable itself (not allowed alone) */
} cars_ref_kind;

struct cars_let;
struct cars_set;
struct cars_table;

typedef struct cars_expr {
    cars_expr_kind kind;
    cars_span span;
    bool negated;        /* IN: `not in`; PRESENT: `is absent` */
    bool parens;         /* written inside parentheses */
    cars_quant quant;    /* QUANT */
    const char *name;    /* NAME, CALL (function), QUANT (variable) */
    cars_span name_span; /* QUANT: the variable */
    const char *text;    /* NUM, DATE: the source spelling */
    int64_t ival;
    double nval;
    const char *sval; size_t slen;
    struct cars_expr *a, *b, *c;
    struct cars_expr **args; size_t nargs; /* CALL, LIST, TUPLE_IN */
    uint32_t depth;      /* parser: height of this tree (a leaf is 1); never
                            above 200, so recursive walkers are safe */
    /* checker annotations */
    cars_type ty;
    unsigned protect;    /* CARS_PROT_* read by this expression */
    cars_ref_kind ref_kind;
    union {
        const cars_field *field;
        struct cars_let *let;
        struct cars_set *set;
        struct cars_table *table;
    } ref;
} cars_expr;

/* ---- declarations ------------------------------------------------------ */

typedef struct cars_set {
    const char *name; cars_span span;
    cars_expr *list;       /* a CARS_E_LIST */
    bool used;
    cars_comment *comments; size_t ncomments;
} cars_set;

typedef struct cars_let {
    const char *name; cars_span span;
    cars_expr *value;
    bool used, checking, checked; /* checker state (cycle detection) */
    cars_comment *comments; size_t ncomments;
} cars_let;

typedef enum cars_keykind { /* as vm/program.h's enum cars_keykind_v */
    CARS_K_DOCUMENT = CARS_KEY_DOCUMENT, CARS_K_EMAIL = CARS_KEY_EMAIL, CARS_K_PHONE = CARS_KEY_PHONE,
    CARS_K_CONTACT = CARS_KEY_CONTACT, CARS_K_COUNTRY = CARS_KEY_COUNTRY, CARS_K_TEXT = CARS_KEY_TEXT,
} cars_keykind;

/* Metadata shared by tables and rules. */
typedef struct cars_meta {
    const char *rationale; cars_span rationale_span;
    const char *says; cars_span says_span; /* a rule's text for the decision maker (the explanation) */
    bool has_review; int64_t reviewed; /* days since epoch */
    int review_months; cars_span review_span;
    const char *authorisation; cars_span authorisation_span;
    const char *justification; cars_span justification_span;
} cars_meta;

typedef struct cars_table {
    const char *name; const char *title; cars_span span;
    const char *file; cars_span file_span;  /* as written, relative to the ruleset */
    const char **key_names; cars_keykind *key_kinds; cars_span *key_spans; size_t nkeys;
    cars_meta meta;
    bool used;
    cars_comment *comments; size_t ncomments;
} cars_table;

typedef enum cars_rule_kind { /* as vm/program.h's enum cars_rule_kind_v */
    CARS_R_EXCLUSION = CARS_RK_EXCLUSION, CARS_R_SCREEN = CARS_RK_SCREEN, CARS_R_PROFILE = CARS_RK_PROFILE,
    CARS_R_SINGLE_COMPLEX = CARS_RK_SINGLE_COMPLEX, CARS_R_SINGLE_NONCOMPLEX = CARS_RK_SINGLE_NONCOMPLEX,
    CARS_R_MULTIPLE = CARS_RK_MULTIPLE,
} cars_rule_kind;

/* The keyword a rule of kind k is declared with: "exclusion", "screen",
 * "profile", "single" (both kinds of single), "multiple". fmt prints it;
 * the checker names rules by it. (vm/names.h's cars_rule_kind_name names
 * the kinds of a program, the two singles apart.) */
static inline const char *cars_rule_keyword(cars_rule_kind k)
{
    static const char *const kw[] = {
        [CARS_R_EXCLUSION] = "exclusion",  [CARS_R_SCREEN] = "screen",
        [CARS_R_PROFILE] = "profile",      [CARS_R_SINGLE_COMPLEX] = "single",
        [CARS_R_SINGLE_NONCOMPLEX] = "single", [CARS_R_MULTIPLE] = "multiple",
    };
    return (unsigned)k < sizeof kw / sizeof kw[0] ? kw[k] : "rule";
}

typedef struct cars_rule {
    cars_rule_kind kind;
    const char *id; const char *title; cars_span span; cars_span id_span;
    const char *tier; cars_span tier_span;   /* MULTIPLE: "A", "B", ... */
    cars_meta meta;
    cars_expr *when; cars_span when_span;
    unsigned protect;  /* checker: protected characteristics read */
    uint32_t index;    /* codegen: position in the bundle's rule table */
    cars_comment *comments; size_t ncomments;
} cars_rule;

typedef struct cars_threshold {
    const char *id; const char *title; cars_span span;
    int64_t at_least; cars_span at_least_span;       /* `at least N` (0 if absent) */
    const char **tiers; int64_t *tier_min; cars_span *tier_spans; size_t ntiers; /* `at least K in tier X` */
    cars_meta meta;
    cars_comment *comments; size_t ncomments;
} cars_threshold;

/* One line of the routing block. */
typedef enum cars_stage_sel {
    CARS_S_EXCLUSIONS, CARS_S_SCREENS, CARS_S_PROFILES,
    CARS_S_COMPLEX_SINGLES, CARS_S_NONCOMPLEX_SINGLES,
    CARS_S_THRESHOLD, /* threshold ID -> OUTCOME otherwise OUTCOME */
    CARS_S_OTHERWISE, /* otherwise -> OUTCOME */
} cars_stage_sel;

/* What a stage routes: "exclusions", "screens", "profiles", "complex
 * singles", "noncomplex singles" (as a routing block writes them),
 * "multiple PCAs" (a threshold's), "otherwise". */
static inline const char *cars_stage_name(cars_stage_sel s)
{
    static const char *const names[] = {
        [CARS_S_EXCLUSIONS] = "exclusions",           [CARS_S_SCREENS] = "screens",
        [CARS_S_PROFILES] = "profiles",               [CARS_S_COMPLEX_SINGLES] = "complex singles",
        [CARS_S_NONCOMPLEX_SINGLES] = "noncomplex singles", [CARS_S_THRESHOLD] = "multiple PCAs",
        [CARS_S_OTHERWISE] = "otherwise",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

typedef enum cars_outcome { /* as vm/program.h's enum cars_outcome_v: cars_outcome_name names it */
    CARS_O_NCXDR = CARS_OUT_NCXDR, CARS_O_NCXPCA = CARS_OUT_NCXPCA, CARS_O_CXDR = CARS_OUT_CXDR,
    CARS_O_CXPCA = CARS_OUT_CXPCA, CARS_O_NONE = CARS_OUT_NONE, CARS_O_ERROR = CARS_OUT_ERROR,
} cars_outcome;

typedef struct cars_stage {
    cars_stage_sel sel; cars_span span;
    const char *threshold; cars_span threshold_span; /* THRESHOLD */
    cars_outcome outcome;           /* when the stage decides */
    cars_outcome otherwise;         /* THRESHOLD: when it does not */
    bool has_otherwise;             /* THRESHOLD: `otherwise OUTCOME` given;
                                       without it the stage decides only
                                       when the threshold is met */
    cars_comment *comments; size_t ncomments;
} cars_stage;

/* A field assignment in an example or test: `path = value` (value NULL for
 * `absent`). A list value is a CARS_E_LIST of CARS_E_LIST "records" whose
 * args are assignments packed as CARS_E_EQ(name, value). */
typedef struct cars_assign {
    const char *path; cars_span span;
    cars_expr *value; /* NULL: absent */
} cars_assign;

typedef struct cars_example {
    const char *name; cars_span span;
    const char *like; cars_span like_span; /* tests only: the base example */
    cars_assign *assigns; size_t nassigns;
    bool is_test;
    cars_outcome expect; cars_span expect_span;
    bool has_expect;        /* tests: `expect OUTCOME` given */
    bool has_expect_rules;  /* tests: `[RULE, ...]` given (maybe empty) */
    const char **expect_rules; cars_span *expect_rule_spans; size_t nexpect_rules;
    cars_comment *comments; size_t ncomments;
} cars_example;

typedef enum cars_decl_kind {
    CARS_D_SCHEMA, CARS_D_SET, CARS_D_LET, CARS_D_TABLE, CARS_D_RULE,
    CARS_D_THRESHOLD, CARS_D_ROUTING, CARS_D_EXAMPLE, CARS_D_INCLUDE,
} cars_decl_kind;

/* Declarations in source order, for fmt; the typed arrays below are the same
 * objects grouped for the checker and codegen. */
typedef struct cars_decl {
    cars_decl_kind kind;
    uint32_t file;
    void *node; /* cars_field* (schema: first field), cars_set*, ...;
                   ROUTING: cars_stage* (first stage); INCLUDE: cars_expr*
                   (a CARS_E_STR holding the path as written) */
    cars_span span; /* the whole declaration, keyword to closing brace */
    cars_comment *comments; size_t ncomments; /* comments before it */
} cars_decl;

typedef struct cars_source {
    const char *path;       /* as given or found */
    const char *text; size_t len;
} cars_source;

typedef struct cars_ast {
    cars_source *files; size_t nfiles;
    cars_decl *decls; size_t ndecls;
    cars_field *fields; size_t nfields;  /* the schema's top-level fields */
    cars_span schema_span; bool has_schema;
    cars_set **sets; size_t nsets;
    cars_let **lets; size_t nlets;
    cars_table **tables; size_t ntables;
    cars_rule **rules; size_t nrules;      /* in source order = ruleset order */
    cars_threshold **thresholds; size_t nthresholds;
    cars_stage *stages; size_t nstages; cars_span routing_span; bool has_routing;
    cars_example **examples; size_t nexamples; /* examples and tests */
    cars_comment *tail_comments; size_t ntail_comments; /* at end of a file */
    cars_comment *comments; size_t ncomments; /* every comment of every file,
                                                 in source order (fmt) */
    /* checker (check_expr.c): fields, definitions, sets and tables sorted by
       kind and name, the first declared of a name first, for lookups in
       O(log n); NULL before cars_check (lookups then scan the arrays) */
    struct cars_name_ix *name_ix; size_t nname_ix;
} cars_ast;

/* Dates are days since 1970-01-01: see vm/date.h. */

#endif
