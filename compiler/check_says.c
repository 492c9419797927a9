/* check_says.c - a rule's `says` text, what the decision maker reads in the
 * routing line's explanation, must not describe what the rule looks for:
 * whoever learns a profile's attributes can shape an application around
 * them. A warning names each field, definition, enumeration value, country
 * code, number or string that the rule's condition uses (through its
 * definitions and sets) and that the text names as a whole word. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "check_int.h"

enum { SAYS_MAX_WORDS = 64 };

/* The words a condition uses, with what each is ("a field"). */
typedef struct says_words {
    const char *word[SAYS_MAX_WORDS];
    const char *what[SAYS_MAX_WORDS];
    size_t n;
} says_words;

static void add_word(says_words *w, const char *word, const char *what)
{
    if (!word || !word[0] || w->n == SAYS_MAX_WORDS)
        return;
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->word[i], word) == 0)
            return;
    w->word[w->n] = word;
    w->what[w->n++] = what;
}

static void collect(says_words *w, const cars_expr *e, int depth);

static void collect_name(says_words *w, const cars_expr *e, int depth)
{
    switch (e->ref_kind) {
    case CARS_REF_FIELD:
    case CARS_REF_ELEM: {
        const char *path = e->ref.field ? e->ref.field->path : e->name;
        add_word(w, path, "a field");
        const char *dot = path ? strrchr(path, '.') : NULL;
        add_word(w, dot ? dot + 1 : NULL, "a field");
        break;
    }
    case CARS_REF_LET:
        add_word(w, e->ref.let->name, "a definition");
        collect(w, e->ref.let->value, depth + 1);
        break;
    case CARS_REF_SET:
        collect(w, e->ref.set->list, depth + 1);
        break;
    case CARS_REF_MEMBER: add_word(w, e->name, "an enumeration value"); break;
    case CARS_REF_COUNTRY: add_word(w, e->name, "a country code"); break;
    default: break;
    }
}

static void collect(says_words *w, const cars_expr *e, int depth)
{
    if (!e || depth > 64)
        return;
    switch (e->kind) {
    case CARS_E_NAME: collect_name(w, e, depth); return;
    case CARS_E_INT:
    case CARS_E_NUM: add_word(w, e->text, "a number"); return;
    case CARS_E_STR: add_word(w, e->sval, "a string"); return;
    default: break;
    }
    collect(w, e->a, depth + 1);
    collect(w, e->b, depth + 1);
    collect(w, e->c, depth + 1);
    for (size_t i = 0; i < e->nargs; i++)
        collect(w, e->args[i], depth + 1);
}

static bool word_char(char ch) { return isalnum((unsigned char)ch) || ch == '_' || ch == '.'; }

/* Whether `text` holds `word` as a whole word, ignoring ASCII case; an
 * underscore in the word also matches a space ("length_days", "length
 * days"). */
static bool names(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++) {
        if (p > text && word_char(p[-1]))
            continue;
        size_t k = 0;
        while (k < n && p[k] &&
               (tolower((unsigned char)p[k]) == tolower((unsigned char)word[k]) || (word[k] == '_' && p[k] == ' ')))
            k++;
        /* a sentence's full stop after the word still ends it */
        if (k == n && (!word_char(p[n]) || (p[n] == '.' && !word_char(p[n + 1]))))
            return true;
    }
    return false;
}

void cars_ck_says(cars_ck *c, const cars_rule *r)
{
    if (!r->meta.says || !r->when)
        return;
    says_words w = {.n = 0};
    collect(&w, r->when, 0);
    for (size_t i = 0; i < w.n; i++)
        if (names(r->meta.says, w.word[i]))
            cars_warning(c->d, &r->meta.says_span,
                         "say what kind of indicator matched, never its attributes: says \"matched a risk profile\"",
                         "the says text of %s names '%s', %s its condition uses: the decision maker and the "
                         "applicant may read it",
                         r->id, w.word[i], w.what[i]);
}
