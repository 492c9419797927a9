/* names.c - the name tables of vm/names.h, indexed by the enumerations of
 * vm/program.h (designated initialisers: a renumbering cannot misname). */
#include "names.h"

#define NAME_OF(table, v) ((v) < sizeof(table) / sizeof(table)[0] && (table)[v] ? (table)[v] : "?")

const char *cars_rule_kind_name(unsigned kind)
{
    static const char *const names[] = {
        [CARS_RK_EXCLUSION] = "exclusion",
        [CARS_RK_SCREEN] = "screen",
        [CARS_RK_PROFILE] = "profile",
        [CARS_RK_SINGLE_COMPLEX] = "complex single",
        [CARS_RK_SINGLE_NONCOMPLEX] = "noncomplex single",
        [CARS_RK_MULTIPLE] = "multiple",
    };
    return NAME_OF(names, kind);
}

const char *cars_key_kind_name(unsigned kind)
{
    static const char *const names[] = {
        [CARS_KEY_DOCUMENT] = "document", [CARS_KEY_EMAIL] = "email",     [CARS_KEY_PHONE] = "phone",
        [CARS_KEY_CONTACT] = "contact",   [CARS_KEY_COUNTRY] = "country", [CARS_KEY_TEXT] = "text",
    };
    return NAME_OF(names, kind);
}

const char *cars_field_kind_name(unsigned kind)
{
    static const char *const names[] = {
        [CARS_FK_PLAIN] = "plain", [CARS_FK_EMAIL] = "email", [CARS_FK_PHONE] = "phone",
        [CARS_FK_DOCUMENT] = "document",
    };
    return NAME_OF(names, kind);
}

const char *cars_field_type_name(unsigned type)
{
    static const char *const names[] = {
        [CARS_FT_BOOL] = "bool", [CARS_FT_INTEGER] = "integer", [CARS_FT_NUMBER] = "number",
        [CARS_FT_STRING] = "string", [CARS_FT_DATE] = "date", [CARS_FT_COUNTRY] = "country",
        [CARS_FT_ENUM] = "enum", [CARS_FT_LIST] = "list",
    };
    return NAME_OF(names, type);
}

const char *cars_block_kind_name(unsigned kind)
{
    static const char *const names[] = {[CARS_BK_MAIN] = "MAIN", [CARS_BK_RULE] = "RULE", [CARS_BK_ELEM] = "ELEM"};
    return NAME_OF(names, kind);
}
