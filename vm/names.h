/* names.h - the names of a program's enumerations (vm/program.h), each
 * table once: outcomes, rule kinds, table key kinds, string field kinds,
 * field types, block kinds. Every function returns "?" for a value out of
 * range, so any byte of a bundle can be named. */
#ifndef CARS_NAMES_H
#define CARS_NAMES_H

#include "program.h"

/* "NCXDR", "NCXPCA", "CXDR", "CXPCA", "NONE", "ERROR" (enum cars_outcome_v).
 * Inline: every routed record names its outcome. */
static inline const char *cars_outcome_name(int outcome)
{
    static const char *const names[] = {
        [CARS_OUT_NCXDR] = "NCXDR", [CARS_OUT_NCXPCA] = "NCXPCA", [CARS_OUT_CXDR] = "CXDR",
        [CARS_OUT_CXPCA] = "CXPCA", [CARS_OUT_NONE] = "NONE",     [CARS_OUT_ERROR] = "ERROR",
    };
    return outcome >= 0 && outcome <= CARS_OUT_ERROR ? names[outcome] : "?";
}
/* "exclusion", "screen", "profile", "complex single", "noncomplex single",
 * "multiple" (enum cars_rule_kind_v). */
const char *cars_rule_kind_name(unsigned kind);
/* "document", "email", "phone", "contact", "country", "text" (enum cars_keykind_v). */
const char *cars_key_kind_name(unsigned kind);
/* "plain", "email", "phone", "document" (enum cars_fkind_v). */
const char *cars_field_kind_name(unsigned kind);
/* "bool", "integer", ... "list" (enum cars_ftype). */
const char *cars_field_type_name(unsigned type);
/* "MAIN", "RULE", "ELEM" (enum cars_block_kind). */
const char *cars_block_kind_name(unsigned kind);

#endif
