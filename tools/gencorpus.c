/* gencorpus.c - deterministic generator of application records (JSON Lines,
 * application-records.md) for the demo, the golden end-to-end test and
 * benchmarks.
 *
 *   gencorpus --count N --seed S [--invalid-share P] [--tables DIR] [-o FILE]
 *
 * Writes N non-blank lines (plus a few blank ones, which the router ignores).
 * The mix: mostly realistic standard visitors, some of every other route;
 * names in many scripts with every JSON escape; fields in varied order, null
 * for some optional fields, unknown extra fields; a few records with
 * hundreds of trips; records on every boundary of the reference guidance
 * (each labelled by an unknown field "_case" that the router ignores); table
 * hits re-spelled the way applicants type them, and near misses; and a share
 * P (default 0.02) of invalid lines of every kind the contract names.
 *
 * --tables DIR reads false_documents.csv and false_contacts.csv: table hits
 * and near misses are made from them, and ordinary records are kept off
 * them. Without it there are no deliberate hits, and nothing stops an
 * ordinary 07700 900xxx number from hitting the table by chance.
 *
 * Each record draws from its own splitmix64 stream derived from (seed,
 * index), so the same count and seed always give the same bytes, and a
 * record does not depend on the ones before it. rand() is never used.
 * All personal data is fictional: example.* email domains, Ofcom drama
 * telephone ranges and NANP 555-01xx numbers, invented passport numbers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "gencorpus_json.h"
#include "gencorpus_tables.h"

/* ---- vocabulary ------------------------------------------------------------- */

typedef struct name { const char *given, *family; } name;

static const name names[] = {
    /* Latin, with diacritics */
    { "José María", "García Pérez" }, { "Zoë", "Brontë-Smith" }, { "Łukasz", "Wiśniewski" },
    { "Şükrü", "Yılmaz" }, { "Thị Hương", "Nguyễn" }, { "Björk", "Guðmundsdóttir" },
    { "François", "Lefèvre" }, { "Ngozi", "Okonkwo-Ìbẹ́" }, { "Søren", "Kierkegård" },
    { "Ana", "Popescu" }, { "Kwame", "Mensah" }, { "Mary-Jane", "O'Brien" },
    { "Siobhán", "Ní Bhriain" }, { "Dvořák", "Antonín" }, { "Chloé", "Dupont" },
    { "Juan", "de la Cruz" }, { "Amara", "Diallo" }, { "Aroha", "Ngāti" },
    /* Greek */
    { "Γιώργος", "Παπαδόπουλος" }, { "Ελένη", "Οικονόμου" },
    /* Cyrillic */
    { "Ольга", "Иванова" }, { "Дмитрий", "Соколов" }, { "Олена", "Шевченко" },
    /* Arabic */
    { "محمد", "عبد الله" }, { "فاطمة", "الزهراء" },
    /* Devanagari */
    { "प्रिया", "शर्मा" }, { "अर्जुन", "वर्मा" },
    /* CJK, Hangul */
    { "小明", "王" }, { "太郎", "山田" }, { "민준", "김" }, { "美玲", "陳" },
    /* Hebrew, Thai, Amharic */
    { "נועה", "כהן" }, { "สมชาย", "ใจดี" }, { "አበበ", "በቀለ" },
    /* emoji and awkward text */
    { "Sunny 🌞", "Day" }, { "Rocket 🚀 Ray", "Star⭐" }, { "Jo \"JJ\"", "Back\\Slash" },
    { "Line\nBreak", "Tab\tName" }, { "A", "B" },
};

static const char *const handles[] = {
    "amelia", "oliver", "noah", "isla", "ava", "leo", "mia", "arjun", "chen", "fatima",
    "kwame", "sofia", "mateo", "yuki", "olga", "ines", "pavel", "zara", "omar", "lena",
    "tariq", "grace", "ivan", "priya", "diego", "hana", "eleni", "dmitri", "ngozi", "soren",
};

static const char *const real_countries[] = {
    "USA", "CAN", "AUS", "NZL", "JPN", "IRL", "FRA", "DEU", "ESP", "ITA", "PRT", "NLD",
    "BEL", "POL", "ROU", "BGR", "GRC", "TUR", "UKR", "RUS", "GEO", "ARM", "AZE", "KAZ",
    "UZB", "IND", "PAK", "BGD", "LKA", "NPL", "CHN", "HKG", "TWN", "KOR", "VNM", "THA",
    "PHL", "IDN", "MYS", "SGP", "NGA", "GHA", "KEN", "ETH", "ZAF", "EGY", "MAR", "TUN",
    "DZA", "SAU", "ARE", "QAT", "KWT", "JOR", "LBN", "ISR", "IRN", "IRQ", "AFG", "BRA",
    "ARG", "COL", "PER", "CHL", "MEX", "JAM", "TTO", "NOR", "SWE", "ISL",
};

static const char *const allies[] = { "USA", "CAN", "AUS", "NZL", "JPN", "IRL" };

static const char *const routes_considered[] = {
    "standard_visitor", "marriage_visitor", "permitted_paid_engagement", "transit_visitor",
};
static const char *const routes_not_rated[] = {
    "overseas_domestic_worker", "direct_airside_transit", "joining_ship",
    "exempt_vignette", "commonwealth_ot",
};

/* ---- generator state ------------------------------------------------------------ */

typedef struct gen {
    pool p;
    tables t;
    int have_tables;
    uint64_t seed;
} gen;

/* A record under construction. */
typedef struct rec {
    J *root;
    long received;
    const char *nationality;
} rec;

static void set(gen *g, rec *x, const char *path, J *v)
{
    jset(&g->p, x->root, path, v);
}

static const char *pick_country(rng *r)
{
    if (rchance(r, 0.03)) return rbelow(r, 2) ? "QZA" : "QZB";
    return PICK(r, real_countries);
}

/* A passport number not in the table of false documents. */
static void fresh_passport(gen *g, rng *r, const char *country, char *out, size_t cap)
{
    do {
        char raw[16];
        unsigned n = 0;
        unsigned form = rbelow(r, 3);
        if (form == 0) {
            raw[n++] = (char)('A' + rbelow(r, 26));
            raw[n++] = (char)('A' + rbelow(r, 26));
            for (int i = 0; i < 7; i++) raw[n++] = (char)('0' + rbelow(r, 10));
        } else {
            for (int i = 0; i < 9; i++) {
                unsigned c = form == 1 ? rbelow(r, 10) : rbelow(r, 36);
                raw[n++] = (char)(c < 10 ? '0' + c : 'A' + c - 10);
            }
        }
        raw[n] = 0;
        if (rchance(r, 0.8)) snprintf(out, cap, "%s", raw);
        else respell_document(r, raw, out, cap);
    } while (g->have_tables && doc_listed(&g->t, country, out));
}

/* An email at an example domain, not in the table of false contacts. */
static void fresh_email(gen *g, rng *r, char *out, size_t cap)
{
    static const char *const dom[] = { "example.com", "example.org", "example.net" };
    do {
        snprintf(out, cap, "%s.%s%u@%s", PICK(r, handles), PICK(r, handles),
                 rbelow(r, 100000), PICK(r, dom));
        if (rchance(r, 0.15)) {
            char tmp[128];
            respell_email(r, out, tmp, sizeof tmp);
            snprintf(out, cap, "%s", tmp);
        }
    } while (g->have_tables && contact_listed(&g->t, AS_EMAIL, out));
}

/* A telephone number in a fictional range, not in the table. */
static void fresh_phone(gen *g, rng *r, char *out, size_t cap)
{
    static const char *const nat[] = { "0117 496 0", "0121 496 0", "0131 496 0", "0141 496 0",
                                       "0151 496 0", "0191 498 0", "029 2018 0", "07700 900" };
    do {
        unsigned k = rbelow(r, 10), last = rbelow(r, 1000);
        if (k == 9) {
            snprintf(out, cap, rbelow(r, 2) ? "+1 (202) 555-01%02u" : "+1 202 555 01%02u",
                     last % 100);
        } else {
            const char *pre = nat[k % COUNT(nat)];
            char norm[32];
            snprintf(norm, sizeof norm, "%s%03u", pre, last);
            if (rchance(r, 0.3)) { /* international form */
                char digits[32] = { 0 };
                size_t d = 0;
                for (const char *s = norm + 1; *s; s++) if (*s != ' ') digits[d++] = *s;
                digits[d] = 0;
                char plus[40];
                snprintf(plus, sizeof plus, "+44%s", digits);
                respell_phone(r, plus, out, cap);
            } else if (rchance(r, 0.5)) {
                snprintf(out, cap, "%s", norm);
            } else {
                char digits[32] = { 0 };
                size_t d = 0;
                for (const char *s = norm; *s; s++) if (*s != ' ') digits[d++] = *s;
                digits[d] = 0;
                respell_phone(r, digits, out, cap);
            }
        }
    } while (g->have_tables && contact_listed(&g->t, AS_PHONE, out));
}

static J *trip(gen *g, rng *r, const char *country, int year, int complied)
{
    J *t = jnew(&g->p, J_OBJ);
    jset(&g->p, t, "country", jstr(&g->p, country ? country : PICK(r, real_countries)));
    jset(&g->p, t, "year", jint(&g->p, year));
    jset(&g->p, t, "complied", jbool(&g->p, complied));
    if (rchance(r, 0.02)) jset(&g->p, t, "purpose_note", jstr(&g->p, "holiday"));
    return t;
}

static J *ukvisit(gen *g, int year, int complied)
{
    J *t = jnew(&g->p, J_OBJ);
    jset(&g->p, t, "year", jint(&g->p, year));
    jset(&g->p, t, "complied", jbool(&g->p, complied));
    return t;
}

static J *refusal(gen *g, int year)
{
    J *t = jnew(&g->p, J_OBJ);
    jset(&g->p, t, "year", jint(&g->p, year));
    return t;
}

/* The required fields, all neutral: aged 76 to 84 (outside M-B6), tourism,
 * every yes/no answer no. */
static void base_required(gen *g, rng *r, rec *x, unsigned long index)
{
    char t[64];
    snprintf(t, sizeof t, "GWF%09lu", (unsigned long)((g->seed % 1000) * 1000000 + index) % 1000000000ul);
    set(g, x, "id", jstr(&g->p, t));
    x->received = cars_date_make(2026, 1, 1) + rrange(r, 0, 323); /* to 2026-11-20 */
    set(g, x, "received", jdate(&g->p, x->received));
    set(g, x, "route", jstr(&g->p, "standard_visitor"));
    const name *nm = &names[rbelow(r, COUNT(names))];
    set(g, x, "applicant.given_names", jstr(&g->p, nm->given));
    set(g, x, "applicant.family_name", jstr(&g->p, nm->family));
    set(g, x, "applicant.date_of_birth", jdate(&g->p, birthday_for(x->received, rrange(r, 77, 85)) + rrange(r, 1, 300)));
    set(g, x, "applicant.sex", jstr(&g->p, rbelow(r, 50) == 0 ? "X" : rbelow(r, 2) ? "F" : "M"));
    x->nationality = PICK(r, real_countries);
    set(g, x, "applicant.nationality", jstr(&g->p, x->nationality));
    fresh_passport(g, r, x->nationality, t, sizeof t);
    set(g, x, "applicant.passport.number", jstr(&g->p, t));
    set(g, x, "applicant.passport.issuing_country", jstr(&g->p, x->nationality));
    set(g, x, "visit.purpose", jstr(&g->p, "tourism"));
    static const char *const no[] = {
        "uk_history.overstayed", "uk_history.removed_or_deported", "uk_history.breached_conditions",
        "criminality.convictions", "criminality.pending_charges", "criminality.cautions",
        "criminality.terrorism_or_extremism", "criminality.war_crimes",
    };
    for (size_t i = 0; i < COUNT(no); i++) set(g, x, no[i], jbool(&g->p, 0));
}

/* ---- realistic records ------------------------------------------------------------ */

static const char *weighted(rng *r, const char *const *items, const int *w, size_t n)
{
    int total = 0;
    for (size_t i = 0; i < n; i++) total += w[i];
    int k = (int)rbelow(r, (unsigned)total);
    for (size_t i = 0; i < n; i++) {
        if (k < w[i]) return items[i];
        k -= w[i];
    }
    return items[n - 1];
}

/* Either omit an optional field or (sometimes) write it as null. */
static void absent(gen *g, rng *r, rec *x, const char *path)
{
    if (rchance(r, 0.25)) set(g, x, path, jraw(&g->p, "null"));
}

/* Route and purpose, mostly standard visitors; returns the purpose. */
static const char *real_route(gen *g, rng *r, rec *x)
{
    const char *route;
    unsigned k = rbelow(r, 1000);
    if (k < 860) route = "standard_visitor";
    else if (k < 970) route = routes_considered[1 + (k - 860) % 3];
    else route = routes_not_rated[(k - 970) % 5];
    set(g, x, "route", jstr(&g->p, route));
    static const char *const purposes[] = { "tourism", "business", "family", "medical", "academic",
                                            "transit", "marriage", "paid_engagement", "other" };
    static const int pw[] = { 45, 20, 18, 2, 5, 3, 2, 2, 3 };
    const char *purpose = weighted(r, purposes, pw, COUNT(purposes));
    if (!strcmp(route, "marriage_visitor")) purpose = "marriage";
    if (!strcmp(route, "permitted_paid_engagement")) purpose = "paid_engagement";
    if (!strcmp(route, "transit_visitor")) purpose = "transit";
    set(g, x, "visit.purpose", jstr(&g->p, purpose));
    return purpose;
}

static void real_applicant(gen *g, rng *r, rec *x)
{
    char t[128];
    int age = rbelow(r, 10) == 0 ? rrange(r, 16, 24) : rbelow(r, 8) == 0 ? rrange(r, 66, 88) : rrange(r, 25, 65);
    set(g, x, "applicant.date_of_birth",
        jdate(&g->p, birthday_for(x->received, age) - rrange(r, 0, 364)));
    x->nationality = pick_country(r);
    set(g, x, "applicant.nationality", jstr(&g->p, x->nationality));
    const char *issuing = rchance(r, 0.97) ? x->nationality : pick_country(r);
    fresh_passport(g, r, issuing, t, sizeof t);
    set(g, x, "applicant.passport.number", jstr(&g->p, t));
    set(g, x, "applicant.passport.issuing_country", jstr(&g->p, issuing));
    if (rchance(r, 0.7)) set(g, x, "applicant.country_of_residence", jstr(&g->p, rchance(r, 0.85) ? x->nationality : PICK(r, real_countries)));
    else absent(g, r, x, "applicant.country_of_residence");
}

/* The visit, its cost and sponsor, and the applicant's contact details. */
static void real_visit(gen *g, rng *r, rec *x)
{
    char t[128] = { 0 };
    long arrival = x->received + rrange(r, 7, 150);
    int length = rbelow(r, 20) == 0 ? rrange(r, 91, 180) : rbelow(r, 4) == 0 ? rrange(r, 31, 90) : rrange(r, 1, 30);
    if (rchance(r, 0.9)) set(g, x, "visit.arrival_date", jdate(&g->p, arrival));
    else absent(g, r, x, "visit.arrival_date");
    if (rchance(r, 0.92)) set(g, x, "visit.length_days", jint(&g->p, length));
    else absent(g, r, x, "visit.length_days");
    if (rchance(r, 0.9)) {
        long expiry = rbelow(r, 40) == 0 ? arrival + rrange(r, 0, length) : arrival + length + rrange(r, 30, 3650);
        set(g, x, "applicant.passport.expiry_date", jdate(&g->p, expiry));
    } else absent(g, r, x, "applicant.passport.expiry_date");
    static const char *const funding[] = { "self", "sponsor", "employer" };
    static const int fw[] = { 70, 20, 10 };
    const char *fund = weighted(r, funding, fw, 3);
    if (rchance(r, 0.9)) set(g, x, "visit.funding", jstr(&g->p, fund));
    else absent(g, r, x, "visit.funding");
    long cost = (long)rrange(r, 200, 9000) * 100 + (rbelow(r, 3) ? 0 : rrange(r, 1, 99));
    if (rchance(r, 0.85)) set(g, x, "visit.cost_gbp", jmoney(&g->p, cost));
    else absent(g, r, x, "visit.cost_gbp");
    if (!strcmp(fund, "sponsor") || rchance(r, 0.05)) {
        const name *sn = &names[rbelow(r, COUNT(names))];
        snprintf(t, sizeof t, "%s %s", sn->given, sn->family);
        set(g, x, "visit.sponsor.name", jstr(&g->p, t));
        if (rchance(r, 0.8)) { fresh_email(g, r, t, sizeof t); set(g, x, "visit.sponsor.email", jstr(&g->p, t)); }
        if (rchance(r, 0.7)) { fresh_phone(g, r, t, sizeof t); set(g, x, "visit.sponsor.phone", jstr(&g->p, t)); }
    }

    /* contact */
    if (rchance(r, 0.9)) { fresh_email(g, r, t, sizeof t); set(g, x, "contact.email", jstr(&g->p, t)); }
    else absent(g, r, x, "contact.email");
    if (rchance(r, 0.8)) { fresh_phone(g, r, t, sizeof t); set(g, x, "contact.phone", jstr(&g->p, t)); }
    else absent(g, r, x, "contact.phone");
}

static void real_money(gen *g, rng *r, rec *x)
{
    static const char *const statuses[] = { "employed", "self_employed", "student", "retired", "unemployed" };
    static const int sw[] = { 55, 15, 12, 12, 6 };
    if (rchance(r, 0.9)) {
        const char *st = weighted(r, statuses, sw, 5);
        set(g, x, "employment.status", jstr(&g->p, st));
        if (!strcmp(st, "employed") || !strcmp(st, "self_employed")) {
            int tenths = rrange(r, 0, 250);
            if (rbelow(r, 3)) set(g, x, "employment.years_in_role", jint(&g->p, tenths / 10));
            else set(g, x, "employment.years_in_role", jraw(&g->p, "%d.%d", tenths / 10, tenths % 10));
            long income = (long)rrange(r, 300, 9000) * 100 + (rbelow(r, 2) ? 0 : rrange(r, 1, 99));
            set(g, x, "employment.monthly_income_gbp",
                rbelow(r, 50) == 0 && income % 100 == 0 ? jraw(&g->p, "%ld.0e0", income / 100) : jmoney(&g->p, income));
        } else if (rchance(r, 0.3)) {
            set(g, x, "employment.monthly_income_gbp", jmoney(&g->p, (long)rrange(r, 0, 2500) * 100));
        }
    }
    if (rchance(r, 0.85)) set(g, x, "finances.savings_gbp", jmoney(&g->p, (long)rrange(r, 0, 60000) * 100 + (rbelow(r, 2) ? 0 : rrange(r, 1, 99))));
    else absent(g, r, x, "finances.savings_gbp");
    if (rchance(r, 0.85)) set(g, x, "finances.owns_property", jbool(&g->p, rchance(r, 0.45)));
    else absent(g, r, x, "finances.owns_property");
    if (rchance(r, 0.85)) set(g, x, "family.partner_at_home", jbool(&g->p, rchance(r, 0.5)));
    else absent(g, r, x, "family.partner_at_home");
    if (rchance(r, 0.8)) set(g, x, "family.dependants_at_home", jint(&g->p, rbelow(r, 3) ? 0 : rrange(r, 1, 5)));
    else absent(g, r, x, "family.dependants_at_home");
}

/* Travel and UK histories, and the yes/no answers. */
static void real_history(gen *g, rng *r, rec *x, const char *purpose)
{
    int ry = (int)cars_date_year(x->received);
    if (rchance(r, 0.75)) {
        J *th = jnew(&g->p, J_ARR);
        int n = rbelow(r, 50) == 0 ? rrange(r, 100, 300) : rrange(r, 0, 6);
        for (int i = 0; i < n; i++) {
            const char *c = rchance(r, 0.3) ? PICK(r, allies) : NULL;
            jappend(th, trip(g, r, c, ry - rrange(r, 0, 15), rchance(r, 0.96)));
        }
        set(g, x, "travel_history", th);
    } else absent(g, r, x, "travel_history");
    if (rchance(r, 0.6)) {
        J *v = jnew(&g->p, J_ARR);
        int n = rbelow(r, 3) ? rrange(r, 0, 2) : rrange(r, 2, 8);
        for (int i = 0; i < n; i++) jappend(v, ukvisit(g, ry - rrange(r, 0, 14), rchance(r, 0.95)));
        set(g, x, "uk_history.visits", v);
    } else absent(g, r, x, "uk_history.visits");
    if (rchance(r, 0.7)) {
        J *v = jnew(&g->p, J_ARR);
        if (rbelow(r, 12) == 0)
            for (int i = rrange(r, 1, 2); i > 0; i--) jappend(v, refusal(g, ry - rrange(r, 0, 20)));
        set(g, x, "uk_history.refusals", v);
    } else absent(g, r, x, "uk_history.refusals");
    set(g, x, "uk_history.overstayed", jbool(&g->p, rchance(r, 0.012)));
    set(g, x, "uk_history.removed_or_deported", jbool(&g->p, rchance(r, 0.005)));
    set(g, x, "uk_history.breached_conditions", jbool(&g->p, rchance(r, 0.01)));
    set(g, x, "criminality.convictions", jbool(&g->p, rchance(r, 0.015)));
    set(g, x, "criminality.pending_charges", jbool(&g->p, rchance(r, 0.004)));
    set(g, x, "criminality.cautions", jbool(&g->p, rchance(r, 0.01)));
    set(g, x, "criminality.terrorism_or_extremism", jbool(&g->p, rchance(r, 0.001)));
    set(g, x, "criminality.war_crimes", jbool(&g->p, rchance(r, 0.0005)));
    if (rchance(r, 0.6)) set(g, x, "medical_treatment_planned", jbool(&g->p, rchance(r, 0.03) || !strcmp(purpose, "medical")));
    else absent(g, r, x, "medical_treatment_planned");
}

/* Unknown fields, added by exporters over time: the router ignores them. */
static void real_extras(gen *g, rng *r, rec *x)
{
    if (rchance(r, 0.2)) set(g, x, "exporter_version", jstr(&g->p, "3.2.1"));
    if (rchance(r, 0.1)) set(g, x, "applicant.preferred_name", jstr(&g->p, PICK(r, handles)));
    if (rchance(r, 0.05)) {
        J *m = jnew(&g->p, J_OBJ);
        jset(&g->p, m, "batch", jint(&g->p, rrange(r, 1, 999)));
        jset(&g->p, m, "tags", jraw(&g->p, "[\"web\", 1, null, {\"a\": []}]"));
        set(g, x, "_meta", m);
    }
    if (rchance(r, 0.05)) set(g, x, "caseworker_notes", jstr(&g->p, "Called applicant 3×; \"no answer\" — see C:\\notes\\2026/11"));
}

static void realistic(gen *g, rng *r, rec *x, unsigned long index)
{
    base_required(g, r, x, index);
    const char *purpose = real_route(g, r, x);
    real_applicant(g, r, x);
    real_visit(g, r, x);
    real_money(g, r, x);
    real_history(g, r, x, purpose);
    real_extras(g, r, x);
}

/* ---- boundary records -------------------------------------------------------------- */

/* Ages on and around birthdays (cases 0 to 13). */
static const char *boundary_age(gen *g, rec *x, long rc, unsigned which)
{
    pool *p = &g->p;
    const char *c = "";
    switch (which) {
    case 0: c = "age-25-on-birthday"; set(g, x, "applicant.date_of_birth", jdate(p, birthday_for(rc, 25))); break;
    case 1: c = "age-24-day-before-25th-birthday"; set(g, x, "applicant.date_of_birth", jdate(p, birthday_for(rc, 25) + 1)); break;
    case 2: c = "age-70-day-before-71st-birthday"; set(g, x, "applicant.date_of_birth", jdate(p, birthday_for(rc, 71) + 1)); break;
    case 3: c = "age-71-on-birthday"; set(g, x, "applicant.date_of_birth", jdate(p, birthday_for(rc, 71))); break;
    case 4: case 5: case 6: case 7: {
        /* PRF-002 ages 18 and 29 around birthdays */
        static const int age[] = { 18, 18, 30, 30 };
        static const char *const label[] = { "prf002-age-18-on-birthday", "prf002-age-17-day-before",
                                             "prf002-age-30-on-birthday", "prf002-age-29-day-before-30th" };
        c = label[which - 4];
        set(g, x, "applicant.nationality", jstr(p, which % 2 ? "QZB" : "QZA"));
        set(g, x, "applicant.date_of_birth", jdate(p, birthday_for(rc, age[which - 4]) + (which == 5 || which == 7)));
        set(g, x, "travel_history", jnew(p, J_ARR));
        break;
    }
    case 8: case 9: case 10: case 11: {
        /* born 29 February: birthday on 1 March in non-leap years */
        static const char *const label[] = { "feb29-age-17-on-feb28-nonleap", "feb29-age-18-on-mar1-nonleap",
                                             "feb29-age-24-on-feb28-nonleap", "feb29-age-25-on-mar1-nonleap" };
        c = label[which - 8];
        int prf = which < 10;
        long rec_day = prf ? cars_date_make(2026, which == 8 ? 2 : 3, which == 8 ? 28 : 1)
                           : cars_date_make(2025, which == 10 ? 2 : 3, which == 10 ? 28 : 1);
        set(g, x, "received", jdate(p, rec_day));
        set(g, x, "applicant.date_of_birth", jdate(p, cars_date_make(prf ? 2008 : 2000, 2, 29)));
        if (prf) {
            set(g, x, "applicant.nationality", jstr(p, "QZA"));
            set(g, x, "travel_history", jnew(p, J_ARR));
        }
        break;
    }
    case 12: case 13:
        c = which == 12 ? "leap-received-feb29-age-28-dob-feb29" : "leap-received-feb28-age-27-dob-feb29";
        set(g, x, "received", jstr(p, which == 12 ? "2028-02-29" : "2028-02-28"));
        set(g, x, "applicant.date_of_birth", jstr(p, "2000-02-29"));
        break;
    default:
        c = "";
        break;
    }
    return c;
}

/* Histories: refusals, travel, UK visits (cases 14 to 19, 30, 31, 34 to 37). */
static const char *boundary_history(gen *g, rng *r, rec *x, long rc, unsigned which)
{
    pool *p = &g->p;
    const char *c = "";
    J *a;
    switch (which) {
    case 14: case 15:
        c = which == 14 ? "refusal-exactly-10-years" : "refusal-11-years";
        a = jnew(p, J_ARR);
        jappend(a, refusal(g, 2026 - (which == 14 ? 10 : 11)));
        set(g, x, "uk_history.refusals", a);
        break;
    case 16: case 17:
        c = which == 16 ? "m-a1-travel-exactly-5-years" : "m-a1-travel-6-years";
        a = jnew(p, J_ARR);
        jappend(a, trip(g, r, PICK(r, allies), 2026 - (which == 16 ? 5 : 6), 1));
        set(g, x, "travel_history", a);
        break;
    case 18: case 19:
        c = which == 18 ? "prf002-travel-exactly-5-years" : "prf002-travel-6-years";
        set(g, x, "applicant.nationality", jstr(p, "QZA"));
        set(g, x, "applicant.date_of_birth", jdate(p, birthday_for(rc, 22)));
        a = jnew(p, J_ARR);
        jappend(a, trip(g, r, "FRA", 2026 - (which == 18 ? 5 : 6), 1));
        set(g, x, "travel_history", a);
        break;
    case 30: case 31:
        c = which == 30 ? "threshold-3-none-in-tier-a" : "threshold-3-one-in-tier-a";
        set(g, x, "employment.monthly_income_gbp", jint(p, 2500));
        set(g, x, "finances.owns_property", jbool(p, 1));
        if (which == 30) set(g, x, "family.dependants_at_home", jint(p, 2));
        else { a = jnew(p, J_ARR); jappend(a, ukvisit(g, 2012, 1)); set(g, x, "uk_history.visits", a); }
        break;
    case 34:
        c = "sncx1-refusals-absent";
        a = jnew(p, J_ARR);
        jappend(a, ukvisit(g, 2022, 1)); jappend(a, ukvisit(g, 2025, 1));
        set(g, x, "uk_history.visits", a);
        if (rbelow(r, 2)) set(g, x, "uk_history.refusals", jraw(p, "null"));
        break;
    case 35:
        c = "sncx1-match";
        a = jnew(p, J_ARR);
        jappend(a, ukvisit(g, 2021, 1)); jappend(a, ukvisit(g, 2025, 1)); jappend(a, ukvisit(g, 2003, 1));
        set(g, x, "uk_history.visits", a);
        set(g, x, "uk_history.refusals", jnew(p, J_ARR));
        break;
    case 36:
        c = "complex-and-noncomplex-complex-wins";
        a = jnew(p, J_ARR);
        jappend(a, ukvisit(g, 2021, 1)); jappend(a, ukvisit(g, 2025, 1));
        set(g, x, "uk_history.visits", a);
        set(g, x, "uk_history.refusals", jnew(p, J_ARR));
        set(g, x, "criminality.cautions", jbool(p, 1));
        break;
    case 37:
        c = "prf002-travel-history-absent";
        set(g, x, "applicant.nationality", jstr(p, "QZB"));
        set(g, x, "applicant.date_of_birth", jdate(p, birthday_for(rc, 20)));
        if (rbelow(r, 2)) set(g, x, "travel_history", jraw(p, "null"));
        break;
    default:
        c = "";
        break;
    }
    return c;
}

/* Amounts and lengths (cases 20 to 29, 32, 33). */
static const char *boundary_amount(gen *g, rec *x, unsigned which)
{
    pool *p = &g->p;
    const char *c = "";
    switch (which) {
    case 20: case 21:
        c = which == 20 ? "years-in-role-1.99" : "years-in-role-2";
        set(g, x, "employment.status", jstr(p, "employed"));
        set(g, x, "employment.years_in_role", jraw(p, which == 20 ? "1.99" : "2"));
        break;
    case 22: case 23:
        c = which == 22 ? "income-1499.99" : "income-1500";
        set(g, x, "employment.monthly_income_gbp", jraw(p, which == 22 ? "1499.99" : "1500"));
        break;
    case 24: case 25:
        c = which == 24 ? "length-30" : "length-31";
        set(g, x, "visit.length_days", jint(p, which == 24 ? 30 : 31));
        break;
    case 26: case 27:
        c = which == 26 ? "prf001-length-90" : "prf001-length-91";
        set(g, x, "visit.purpose", jstr(p, "business"));
        set(g, x, "visit.funding", jstr(p, "sponsor"));
        set(g, x, "visit.length_days", jint(p, which == 26 ? 90 : 91));
        break;
    case 28: case 29:
        c = which == 28 ? "prf003-expiry-on-last-day" : "prf003-expiry-day-before-last-day";
        set(g, x, "visit.arrival_date", jstr(p, "2027-01-15"));
        set(g, x, "visit.length_days", jint(p, 45));
        set(g, x, "applicant.passport.expiry_date", jdate(p, cars_date_make(2027, 1, 15) + 45 - (which == 29)));
        break;
    case 32: case 33:
        c = which == 32 ? "savings-exactly-3x-cost" : "savings-below-3x-cost";
        set(g, x, "visit.cost_gbp", jraw(p, "1250.25"));
        set(g, x, "finances.savings_gbp", jraw(p, which == 32 ? "3750.75" : "3750.74"));
        break;
    default:
        c = "";
        break;
    }
    return c;
}

/* Several profiles, routes not rated, an unanswered question, all absent
 * (cases 38 and after). */
static const char *boundary_other(gen *g, rng *r, rec *x, unsigned which)
{
    pool *p = &g->p;
    const char *c = "";
    switch (which) {
    case 38:
        c = "several-profiles-prf001-prf003";
        set(g, x, "visit.purpose", jstr(p, "business"));
        set(g, x, "visit.funding", jstr(p, "sponsor"));
        set(g, x, "visit.arrival_date", jstr(p, "2027-02-01"));
        set(g, x, "visit.length_days", jint(p, 120));
        set(g, x, "applicant.passport.expiry_date", jstr(p, "2027-04-30"));
        break;
    case 39: case 40: case 41: case 42: case 43:
        c = "scope-not-rated";
        set(g, x, "route", jstr(p, routes_not_rated[which - 39]));
        set(g, x, "criminality.convictions", jbool(p, rbelow(r, 2)));
        break;
    case 44:
        c = "medical-purpose-treatment-unanswered";
        set(g, x, "visit.purpose", jstr(p, "medical"));
        break;
    default:
        c = "all-absent";
        break;
    }
    return c;
}

/* Each boundary case starts from the neutral required fields and sets what
 * the case is about; `_case` names it for whoever reads the output. */
static void boundary(gen *g, rng *r, rec *x, unsigned long index, unsigned which)
{
    base_required(g, r, x, index);
    pool *p = &g->p;
    long rc = cars_date_make(2026, 11, 20);
    x->received = rc;
    set(g, x, "received", jdate(p, rc));
    const char *c;
    if (which < 14)
        c = boundary_age(g, x, rc, which);
    else if (which < 20 || which == 30 || which == 31 || (which >= 34 && which <= 37))
        c = boundary_history(g, r, x, rc, which);
    else if (which < 34)
        c = boundary_amount(g, x, which);
    else
        c = boundary_other(g, r, x, which);
    set(g, x, "_case", jstr(p, c));
}
#define NBOUNDARY 46

/* ---- table hits and near misses ------------------------------------------------------ */

static void table_case(gen *g, rng *r, rec *x, unsigned long index)
{
    realistic(g, r, x, index);
    /* keep the route rated so the table decides */
    set(g, x, "route", jstr(&g->p, "standard_visitor"));
    char t[128];
    unsigned k = rbelow(r, 8);
    const char *c = "";
    if (k <= 1 && g->t.ndocs) {
        size_t i = rbelow(r, (unsigned)g->t.ndocs);
        respell_document(r, g->t.doc_number[i], t, sizeof t);
        set(g, x, "applicant.passport.issuing_country", jstr(&g->p, g->t.doc_country[i]));
        set(g, x, "applicant.passport.number", jstr(&g->p, t));
        c = "table-hit-document";
    } else if (k <= 4 && g->t.ncontacts) {
        size_t i = rbelow(r, (unsigned)g->t.ncontacts);
        const char *v = g->t.contacts[i];
        if (strchr(v, '@')) respell_email(r, v, t, sizeof t);
        else respell_phone(r, v, t, sizeof t);
        static const char *const where[] = { "contact.email", "contact.phone", "visit.sponsor.email", "visit.sponsor.phone" };
        const char *path = where[(strchr(v, '@') ? 0 : 1) + 2 * rbelow(r, 2)];
        set(g, x, path, jstr(&g->p, t));
        c = "table-hit-contact";
    } else if (k == 5 && g->t.ndocs) {
        /* near miss: one character changed, or another issuing country */
        size_t i = rbelow(r, (unsigned)g->t.ndocs);
        char n[32];
        snprintf(n, sizeof n, "%s", g->t.doc_number[i]);
        const char *cty = g->t.doc_country[i];
        do {
            size_t pos = rbelow(r, (unsigned)strlen(n));
            n[pos] = n[pos] >= '0' && n[pos] <= '8' ? (char)(n[pos] + 1) : '0';
        } while (doc_listed(&g->t, cty, n));
        respell_document(r, n, t, sizeof t);
        set(g, x, "applicant.passport.issuing_country", jstr(&g->p, cty));
        set(g, x, "applicant.passport.number", jstr(&g->p, t));
        c = "near-miss-document";
    } else if (k == 6 && g->t.ncontacts) {
        /* near miss: "+44 (0)..." spelling of a listed international number */
        for (int tries = 0; tries < 200; tries++) {
            const char *v = g->t.contacts[rbelow(r, (unsigned)g->t.ncontacts)];
            if (strncmp(v, "+44", 3) != 0) continue;
            snprintf(t, sizeof t, "+44 (0)%s", v + 3);
            if (contact_listed(&g->t, AS_PHONE, t)) continue;
            set(g, x, "contact.phone", jstr(&g->p, t));
            c = "near-miss-phone-plus44-0";
            break;
        }
    } else if (g->t.ncontacts) {
        /* near miss: a listed email at another domain */
        for (int tries = 0; tries < 200; tries++) {
            const char *v = g->t.contacts[rbelow(r, (unsigned)g->t.ncontacts)];
            const char *at = strchr(v, '@');
            if (!at) continue;
            snprintf(t, sizeof t, "%.*s@example.invalid", (int)(at - v), v);
            if (contact_listed(&g->t, AS_EMAIL, t)) continue;
            set(g, x, "contact.email", jstr(&g->p, t));
            c = "near-miss-email";
            break;
        }
    }
    set(g, x, "_case", jstr(&g->p, c));
}

/* ---- invalid lines --------------------------------------------------------------------- */

static const char *const required_paths[] = {
    "id", "received", "route", "applicant.given_names", "applicant.family_name",
    "applicant.date_of_birth", "applicant.sex", "applicant.nationality",
    "applicant.passport.number", "applicant.passport.issuing_country", "visit.purpose",
    "uk_history.overstayed", "uk_history.removed_or_deported", "uk_history.breached_conditions",
    "criminality.convictions", "criminality.pending_charges", "criminality.cautions",
    "criminality.terrorism_or_extremism", "criminality.war_crimes",
};

/* Kinds 0 and 1 of invalid(): a line that is not a JSON object (not JSON,
 * a record cut short, or another JSON value). */
static void invalid_text(rng *r, rec *x, unsigned kind, cars_buf *out, const jstyle *st)
{
    switch (kind) {
    case 0: { /* not JSON */
        static const char *const junk[] = {
            "this is not json", "{id: \"GWF000000001\", received: 2026-11-20}",
            "{\"id\": \"GWF1\",}", "{\"id\": \"GWF2\" \"route\": \"standard_visitor\"}",
            "{\"id\": 'GWF3'}", "\xEF\xBB\xBF{\"id\": \"bom\"", "{\"id\": \"GWF4\", \"received\": 2026-11-20}",
            "{\"id\": \"GWF5\"}}", "{\"id\": \"unterminated", "{\"id\": \"bad escape \\x41\"}",
            "{\"id\": \"GWF6\", \"n\": 01}", "{\"id\": \"GWF7\", \"n\": NaN}",
        };
        if (rbelow(r, 2)) { bstr(out, PICK(r, junk)); return; }
        cars_buf tmp = { 0 };
        write_json(&tmp, x->root, st, r);
        bput(out, tmp.p, tmp.len / 2 + 1); /* truncated mid-record */
        cars_buf_free(&tmp);
        return;
    }
    default: { /* not an object */
        static const char *const notobj[] = {
            "[]", "[{\"id\": \"GWF000000002\"}]", "\"GWF000000003\"", "42", "-1.5e3", "true", "null",
        };
        bstr(out, PICK(r, notobj));
        return;
    }
    }
}

/* Kinds 2 to 9 of invalid(): a record with one field wrong. */
static void invalid_field(gen *g, rng *r, rec *x, unsigned kind)
{
    pool *p = &g->p;
    switch (kind) {
    case 2: /* a required field missing */
        jdel(x->root, PICK(r, required_paths));
        break;
    case 3: /* a required field null */
        set(g, x, PICK(r, required_paths), jraw(p, "null"));
        break;
    case 4: { /* wrong type */
        static const char *const wrong[][2] = {
            { "visit.length_days", "\"30\"" }, { "received", "20261120" }, { "criminality.convictions", "\"no\"" },
            { "travel_history", "{}" }, { "applicant.sex", "1" }, { "id", "12345" },
            { "uk_history.visits", "[{\"year\": \"2020\", \"complied\": true}]" },
            { "travel_history", "[{\"country\": \"USA\", \"year\": 2020, \"complied\": \"yes\"}]" },
            { "finances.owns_property", "0" }, { "visit.cost_gbp", "\"1,000\"" },
            { "visit.length_days", "30.5" }, { "family.dependants_at_home", "true" },
            { "applicant", "\"Jane Doe\"" }, { "uk_history.refusals", "[2019]" },
        };
        unsigned i = rbelow(r, COUNT(wrong));
        set(g, x, wrong[i][0], jraw(p, "%s", wrong[i][1]));
        break;
    }
    case 5: { /* outside the enumeration (or not a country code) */
        static const char *const bad[][2] = {
            { "route", "tourist_visa" }, { "route", "Standard_Visitor" }, { "applicant.sex", "female" },
            { "visit.purpose", "holiday" }, { "visit.funding", "parents" }, { "employment.status", "contractor" },
            { "applicant.nationality", "fr" }, { "applicant.nationality", "FRANCE" },
            { "applicant.passport.issuing_country", "GB" }, { "applicant.sex", "" },
        };
        unsigned i = rbelow(r, COUNT(bad));
        set(g, x, bad[i][0], jstr(p, bad[i][1]));
        break;
    }
    case 6: { /* impossible or malformed date */
        static const char *const dates[] = { "2026-02-30", "2025-02-29", "2026-13-01", "2026-04-31",
                                             "2026-11-5", "20-11-2026", "2026/11/20", "2026-00-10" };
        static const char *const where[] = { "received", "applicant.date_of_birth", "visit.arrival_date",
                                             "applicant.passport.expiry_date" };
        set(g, x, PICK(r, where), jstr(p, PICK(r, dates)));
        break;
    }
    case 7: { /* below its minimum */
        static const char *const neg[][2] = {
            { "visit.length_days", "-5" }, { "visit.cost_gbp", "-0.01" }, { "family.dependants_at_home", "-1" },
            { "finances.savings_gbp", "-100" }, { "employment.years_in_role", "-0.5" },
            { "employment.monthly_income_gbp", "-1500" },
        };
        unsigned i = rbelow(r, COUNT(neg));
        set(g, x, neg[i][0], jraw(p, "%s", neg[i][1]));
        break;
    }
    case 8: { /* a lone surrogate escape */
        static const char *const lone[] = { "\"Ana\\ud83d\"", "\"\\udc00abc\"", "\"x\\uD800\\u0041\"", "\"\\ud83d\\ud83d\"" };
        static const char *const where[] = { "applicant.given_names", "applicant.family_name", "id", "visit.sponsor.name" };
        set(g, x, PICK(r, where), jraw(p, "%s", PICK(r, lone)));
        break;
    }
    default: { /* invalid list element */
        J *a = jnew(p, J_ARR);
        jappend(a, trip(g, r, "USA", 2024, 1));
        J *t = jnew(p, J_OBJ);
        jset(p, t, "country", jstr(p, rbelow(r, 2) ? "usa" : "US"));
        jset(p, t, "year", jint(p, 2023));
        jset(p, t, "complied", jbool(p, 1));
        jappend(a, t);
        set(g, x, "travel_history", a);
        break;
    }
    }
}

/* Writes one invalid line into `out` (without the newline). */
static void invalid(gen *g, rng *r, rec *x, unsigned long index, cars_buf *out, const jstyle *st)
{
    unsigned kind = rbelow(r, 10);
    realistic(g, r, x, index);
    if (kind < 2) {
        invalid_text(r, x, kind, out, st);
        return;
    }
    invalid_field(g, r, x, kind);
    write_json(out, x->root, st, r);
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: gencorpus --count N --seed S [--invalid-share P] [--tables DIR] [-o FILE]\n"
                    "  P is a fraction (0.02) or a percentage (2%%); default 0.02\n");
    exit(2);
}

static unsigned long long parse_ull(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-') usage();
    return v;
}

int main(int argc, char **argv)
{
    unsigned long long count = 0, seed = 0;
    int have_count = 0, have_seed = 0;
    double share = 0.02;
    const char *tables_dir = NULL, *out_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) { count = parse_ull(argv[++i]); have_count = 1; }
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) { seed = parse_ull(argv[++i]); have_seed = 1; }
        else if (!strcmp(argv[i], "--invalid-share") && i + 1 < argc) {
            char *end;
            share = strtod(argv[++i], &end);
            if (*end == '%' && !end[1]) share /= 100;
            else if (*end) usage();
            if (share < 0 || share > 1) usage();
        } else if (!strcmp(argv[i], "--tables") && i + 1 < argc) tables_dir = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out_path = argv[++i];
        else usage();
    }
    if (!have_count || !have_seed) usage();

    gen g;
    memset(&g, 0, sizeof g);
    g.seed = seed;
    if (tables_dir) {
        load_tables(&g.t, tables_dir);
        g.have_tables = 1;
    }
    FILE *out = out_path ? fopen(out_path, "wb") : stdout;
    if (!out) { perror(out_path); return 1; }

    cars_buf line = { 0 };
    int status = 0;
    for (unsigned long long i = 0; i < count && !status; i++) {
        rng r = { seed * 0x9E3779B97F4A7C15ull ^ (i + 1) * 0xD1B54A32D192ED03ull };
        rnext(&r);
        pool_reset(&g.p);
        rec x = { jnew(&g.p, J_OBJ), 0, NULL };
        jstyle st = { rchance(&r, 0.3), rchance(&r, 0.1), rchance(&r, 0.1), rchance(&r, 0.05) };
        line.len = 0;
        if (rchance(&r, 0.004)) bstr(&line, "\n"); /* a blank line before this record */
        if (rchance(&r, share)) {
            invalid(&g, &r, &x, (unsigned long)i, &line, &st);
        } else {
            double u = (double)(rnext(&r) >> 11) * (1.0 / 9007199254740992.0);
            if (u < 0.06) boundary(&g, &r, &x, (unsigned long)i, rbelow(&r, NBOUNDARY));
            else if (u < 0.09 && g.have_tables) table_case(&g, &r, &x, (unsigned long)i);
            else realistic(&g, &r, &x, (unsigned long)i);
            write_json(&line, x.root, &st, &r);
        }
        bstr(&line, "\n");
        if (fwrite(line.p, 1, line.len, out) != line.len) { perror("gencorpus"); status = 1; }
    }
    cars_buf_free(&line);
    pool_free(&g.p);
    if (g.have_tables) {
        free_tables(&g.t);
    }
    /* After a write error, still close the file; report only the first error. */
    if ((out != stdout ? fclose(out) != 0 : fflush(out) != 0) && !status) { perror("gencorpus"); status = 1; }
    return status;
}
