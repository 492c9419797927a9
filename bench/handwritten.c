/* handwritten.c - the reference guidance (shared/spec/reference-guidance.md)
 * coded directly in C against the same record reader as carsvm, with no VM:
 * the limit for this reader in `make bench`.
 *
 *   handwritten RELEASE.carsb [INPUT|-] [-o OUTPUT]
 *
 * The release is the reference bundle (rulesets/cars-v): it provides the
 * schema for cars_reader, the bulk tables (hashes under its table key) and
 * the rule ids and titles for the output. Everything else is plain C: the
 * conditions of every rule are written out below on the reader's slots.
 * Output goes through the same vm/output.c as `carsvm route`, so the two
 * outputs are byte-identical on any corpus (invalid records included), and
 * the difference in time between the two is the VM alone. One thread, with
 * the input loop of vm/route.c (bench/lines.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "lines.h"
#include "loader.h"
#include "normalise.h"
#include "output.h"
#include "program.h"
#include "reader.h"
#include "vm.h"

enum { R_SCOPE1, R_BDTDOC, R_BDTCONTACT, R_PRF1, R_PRF2, R_PRF3, R_SCX1, R_SCX2, R_SCX3, R_SCX4, R_SNCX1,
       R_MA1, R_MA2, R_MA3, R_MB1, R_MB2, R_MB3, R_MB4, R_MB5, R_MB6, R__N };
static const char *const rule_ids[R__N] = {"SCOPE-1", "BDT-DOC", "BDT-CONTACT", "PRF-001", "PRF-002", "PRF-003",
                                           "S-CX-1",  "S-CX-2",  "S-CX-3",      "S-CX-4",  "S-NCX-1", "M-A1",
                                           "M-A2",    "M-A3",    "M-B1",        "M-B2",    "M-B3",    "M-B4",
                                           "M-B5",    "M-B6"};

typedef struct hw {
    const cars_program *p;
    cars_reader *reader;
    cars_buf out;
    FILE *fout;
    unsigned long long records, invalid;
    /* top-level field indexes */
    uint32_t route, received, dob, nationality, pp_number, pp_country, pp_expiry, email, phone, purpose, arrival,
        length, funding, cost, sp_email, sp_phone, emp_status, years_in_role, income, savings, owns_property,
        partner, dependants, travel, visits, refusals, overstayed, removed, breached, convictions, pending,
        cautions, terrorism, war_crimes, medical;
    /* element slots */
    uint32_t t_country, t_year, t_complied, v_year, v_complied, r_year;
    /* enumeration members */
    uint32_t not_rated; /* bit mask of route members */
    int64_t business, tourism, medical_purpose, sponsor, employed, self_employed;
    int64_t qza, qzb, allies[6];
    uint32_t rule[R__N];
    const cars_ptable *docs, *contacts;
    char scratch[4096];
} hw;

static void die(const char *msg, const char *what)
{
    fprintf(stderr, "handwritten: %s%s%s\n", msg, what ? ": " : "", what ? what : "");
    exit(1);
}

static bool str_is(cars_str s, const char *c)
{
    return s.len == strlen(c) && memcmp(s.p, c, s.len) == 0;
}

static uint32_t field(const cars_program *p, const char *path)
{
    for (uint32_t f = 0; f < p->nfields; f++)
        if (str_is(p->fields[f].path, path)) {
            if (!(p->fields[f].flags & CARS_FF_READ))
                die("the release does not keep field", path);
            return f;
        }
    die("no such field in the release", path);
    return 0;
}

static uint32_t elem(const cars_program *p, uint32_t list, const char *key)
{
    const cars_pfield *l = &p->fields[list];
    for (uint32_t k = 0; k < l->elems_n; k++)
        if (str_is(p->elem_fields[l->elems_first + k].path, key))
            return k;
    die("no such element field", key);
    return 0;
}

static int64_t member(const cars_program *p, uint32_t f, const char *name)
{
    const cars_pfield *fd = &p->fields[f];
    for (uint32_t m = 0; m < fd->members_n; m++)
        if (str_is(p->members[fd->members_first + m], name))
            return m;
    die("no such member", name);
    return 0;
}

static const cars_ptable *table(const cars_program *p, const char *name)
{
    for (uint32_t t = 0; t < p->ntables; t++)
        if (str_is(p->tables[t].name, name))
            return &p->tables[t];
    die("no such table", name);
    return NULL;
}

static void setup(hw *h, const cars_program *p)
{
    h->p = p;
    h->route = field(p, "route");
    h->received = field(p, "received");
    h->dob = field(p, "applicant.date_of_birth");
    h->nationality = field(p, "applicant.nationality");
    h->pp_number = field(p, "applicant.passport.number");
    h->pp_country = field(p, "applicant.passport.issuing_country");
    h->pp_expiry = field(p, "applicant.passport.expiry_date");
    h->email = field(p, "contact.email");
    h->phone = field(p, "contact.phone");
    h->purpose = field(p, "visit.purpose");
    h->arrival = field(p, "visit.arrival_date");
    h->length = field(p, "visit.length_days");
    h->funding = field(p, "visit.funding");
    h->cost = field(p, "visit.cost_gbp");
    h->sp_email = field(p, "visit.sponsor.email");
    h->sp_phone = field(p, "visit.sponsor.phone");
    h->emp_status = field(p, "employment.status");
    h->years_in_role = field(p, "employment.years_in_role");
    h->income = field(p, "employment.monthly_income_gbp");
    h->savings = field(p, "finances.savings_gbp");
    h->owns_property = field(p, "finances.owns_property");
    h->partner = field(p, "family.partner_at_home");
    h->dependants = field(p, "family.dependants_at_home");
    h->travel = field(p, "travel_history");
    h->visits = field(p, "uk_history.visits");
    h->refusals = field(p, "uk_history.refusals");
    h->overstayed = field(p, "uk_history.overstayed");
    h->removed = field(p, "uk_history.removed_or_deported");
    h->breached = field(p, "uk_history.breached_conditions");
    h->convictions = field(p, "criminality.convictions");
    h->pending = field(p, "criminality.pending_charges");
    h->cautions = field(p, "criminality.cautions");
    h->terrorism = field(p, "criminality.terrorism_or_extremism");
    h->war_crimes = field(p, "criminality.war_crimes");
    h->medical = field(p, "medical_treatment_planned");
    h->t_country = elem(p, h->travel, "country");
    h->t_year = elem(p, h->travel, "year");
    h->t_complied = elem(p, h->travel, "complied");
    h->v_year = elem(p, h->visits, "year");
    h->v_complied = elem(p, h->visits, "complied");
    h->r_year = elem(p, h->refusals, "year");
    static const char *const not_rated[] = {"overseas_domestic_worker", "direct_airside_transit", "joining_ship",
                                            "exempt_vignette", "commonwealth_ot"};
    for (size_t k = 0; k < sizeof not_rated / sizeof *not_rated; k++)
        h->not_rated |= 1u << member(p, h->route, not_rated[k]);
    h->business = member(p, h->purpose, "business");
    h->tourism = member(p, h->purpose, "tourism");
    h->medical_purpose = member(p, h->purpose, "medical");
    h->sponsor = member(p, h->funding, "sponsor");
    h->employed = member(p, h->emp_status, "employed");
    h->self_employed = member(p, h->emp_status, "self_employed");
    h->qza = cars_country_code("QZA");
    h->qzb = cars_country_code("QZB");
    static const char allies[6][4] = {"USA", "CAN", "AUS", "NZL", "JPN", "IRL"};
    for (int k = 0; k < 6; k++)
        h->allies[k] = cars_country_code(allies[k]);
    for (int r = 0; r < R__N; r++) {
        uint32_t k = 0;
        while (k < p->nrules && !str_is(p->rules[k].id, rule_ids[r]))
            k++;
        if (k == p->nrules)
            die("no such rule in the release", rule_ids[r]);
        if (r > 0 && k <= h->rule[r - 1])
            die("rules are not in guidance order in the release", rule_ids[r]);
        h->rule[r] = k;
    }
    h->docs = table(p, "false_documents");
    h->contacts = table(p, "false_contacts");
}

static bool in_table(const cars_ptable *t, uint64_t key)
{
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->hashes[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->n && t->hashes[lo] == key;
}

/* A STRING field's value in a one-column contact table (false if absent),
 * normalised as carsvm does: by the release's format version, and from
 * version 3 by the field's kind (email or phone). */
static bool contact_listed(hw *h, const cars_record *rec, uint32_t f)
{
    if (!rec->v[f].known || rec->s[f].len > sizeof h->scratch)
        return false;
    int kind = cars_field_key_kind(h->p, h->contacts->key_kinds[0], f);
    size_t n = cars_normalise(h->p->version, kind, rec->s[f].p, rec->s[f].len, h->scratch);
    return in_table(h->contacts, cars_table_hash_bytes(h->p->table_key, h->scratch, n));
}

static bool doc_listed(hw *h, const cars_record *rec)
{
    int64_t c = rec->v[h->pp_country].i;
    const cars_str *num = &rec->s[h->pp_number];
    if (num->len + 4 > sizeof h->scratch)
        return false;
    h->scratch[0] = (char)('A' + c / 676 % 26);
    h->scratch[1] = (char)('A' + c / 26 % 26);
    h->scratch[2] = (char)('A' + c % 26);
    h->scratch[3] = 0x1F;
    size_t n = 4 + cars_normalise(h->p->version, CARS_KEY_DOCUMENT, num->p, num->len, h->scratch + 4);
    return in_table(h->docs, cars_table_hash_bytes(h->p->table_key, h->scratch, n));
}

#define KNOWN(f) (v[h->f].known)
#define TRUE(f) (v[h->f].known && v[h->f].i)

/* The guidance, stage by stage. rules[] receives rule indexes ascending. */
static void route(hw *h, const cars_record *rec, cars_result *res, uint32_t *rules)
{
    const cars_value *v = rec->v;
    uint32_t n = 0;
    res->threshold = UINT32_MAX;
    res->threshold_met = false;
    res->rules = rules;

    /* Stage 0: scope */
    if ((h->not_rated >> v[h->route].i) & 1u) {
        rules[n++] = h->rule[R_SCOPE1];
        res->outcome = CARS_OUT_NONE;
        res->nrules = n;
        return;
    }
    /* Stage 1: bulk data tables */
    if (doc_listed(h, rec))
        rules[n++] = h->rule[R_BDTDOC];
    if (contact_listed(h, rec, h->email) || contact_listed(h, rec, h->phone) || contact_listed(h, rec, h->sp_email) ||
        contact_listed(h, rec, h->sp_phone))
        rules[n++] = h->rule[R_BDTCONTACT];
    if (n) {
        res->outcome = CARS_OUT_CXDR;
        res->nrules = n;
        return;
    }
    /* Stage 2: profiles */
    int y, m, d;
    cars_date_split(v[h->received].i, &y, &m, &d);
    int64_t age = cars_years_between(v[h->dob].i, v[h->received].i);
    int64_t purpose = v[h->purpose].i;
    const cars_list *travel = &rec->lists[h->travel], *visits = &rec->lists[h->visits],
                    *refusals = &rec->lists[h->refusals];
    if (purpose == h->business && KNOWN(length) && v[h->length].i > 90 && KNOWN(funding) &&
        v[h->funding].i == h->sponsor)
        rules[n++] = h->rule[R_PRF1];
    if ((v[h->nationality].i == h->qza || v[h->nationality].i == h->qzb) && age >= 18 && age <= 29 &&
        purpose == h->tourism && KNOWN(travel)) {
        bool none = true;
        for (uint32_t k = 0; k < travel->n && none; k++)
            if (travel->elems[(size_t)k * travel->stride + h->t_year].i >= y - 5)
                none = false;
        if (none)
            rules[n++] = h->rule[R_PRF2];
    }
    if (KNOWN(arrival) && KNOWN(length) && KNOWN(pp_expiry) &&
        v[h->arrival].i + v[h->length].i > v[h->pp_expiry].i)
        rules[n++] = h->rule[R_PRF3];
    if (n) {
        res->outcome = CARS_OUT_CXDR;
        res->nrules = n;
        return;
    }
    /* Stage 3: single PCAs, complex first */
    if (v[h->convictions].i || v[h->pending].i || v[h->cautions].i || v[h->terrorism].i || v[h->war_crimes].i)
        rules[n++] = h->rule[R_SCX1];
    if (v[h->overstayed].i || v[h->removed].i || v[h->breached].i)
        rules[n++] = h->rule[R_SCX2];
    if (KNOWN(refusals))
        for (uint32_t k = 0; k < refusals->n; k++)
            if (refusals->elems[(size_t)k * refusals->stride + h->r_year].i >= y - 10) {
                rules[n++] = h->rule[R_SCX3];
                break;
            }
    if (TRUE(medical) || purpose == h->medical_purpose)
        rules[n++] = h->rule[R_SCX4];
    if (n) {
        res->outcome = CARS_OUT_CXDR;
        res->nrules = n;
        return;
    }
    if (KNOWN(visits) && KNOWN(refusals) && refusals->n == 0) {
        uint32_t recent = 0;
        bool all = true;
        for (uint32_t k = 0; k < visits->n; k++) {
            const cars_value *e = visits->elems + (size_t)k * visits->stride;
            recent += e[h->v_year].i >= y - 5;
            all = all && e[h->v_complied].i;
        }
        if (recent >= 2 && all) {
            rules[n++] = h->rule[R_SNCX1];
            res->outcome = CARS_OUT_NCXDR;
            res->nrules = n;
            return;
        }
    }
    /* Stage 4: multiple PCAs */
    uint32_t tier_a = 0;
    if (KNOWN(travel))
        for (uint32_t k = 0; k < travel->n; k++) {
            const cars_value *e = travel->elems + (size_t)k * travel->stride;
            int64_t c = e[h->t_country].i;
            if (e[h->t_complied].i && e[h->t_year].i >= y - 5 &&
                (c == h->allies[0] || c == h->allies[1] || c == h->allies[2] || c == h->allies[3] ||
                 c == h->allies[4] || c == h->allies[5])) {
                rules[n++] = h->rule[R_MA1];
                tier_a++;
                break;
            }
        }
    if (KNOWN(visits))
        for (uint32_t k = 0; k < visits->n; k++)
            if (visits->elems[(size_t)k * visits->stride + h->v_complied].i) {
                rules[n++] = h->rule[R_MA2];
                tier_a++;
                break;
            }
    if (KNOWN(emp_status) && (v[h->emp_status].i == h->employed || v[h->emp_status].i == h->self_employed) &&
        KNOWN(years_in_role) && v[h->years_in_role].f >= 2) {
        rules[n++] = h->rule[R_MA3];
        tier_a++;
    }
    if (KNOWN(income) && v[h->income].f >= 1500)
        rules[n++] = h->rule[R_MB1];
    if (KNOWN(savings) && KNOWN(cost) && v[h->savings].f >= v[h->cost].f * 3)
        rules[n++] = h->rule[R_MB2];
    if (TRUE(owns_property))
        rules[n++] = h->rule[R_MB3];
    if (TRUE(partner) || (KNOWN(dependants) && v[h->dependants].i >= 1))
        rules[n++] = h->rule[R_MB4];
    if (KNOWN(length) && v[h->length].i <= 30)
        rules[n++] = h->rule[R_MB5];
    if (age >= 25 && age <= 70)
        rules[n++] = h->rule[R_MB6];
    res->threshold = 0;
    res->threshold_met = n >= 3 && tier_a >= 1;
    res->outcome = res->threshold_met ? CARS_OUT_NCXPCA : CARS_OUT_CXPCA;
    res->nrules = n;
}

static void on_line(void *ctx, const char *s, size_t len, unsigned long long no)
{
    hw *h = ctx;
    h->records++;
    if (!cars_reader_parse_padded(h->reader, s, len)) {
        const cars_record *rec = cars_reader_record(h->reader);
        cars_output_error(&h->out, h->p, rec->has_id ? &rec->id : NULL, cars_reader_error(h->reader), no);
        h->invalid++;
        return;
    }
    const cars_record *rec = cars_reader_record(h->reader);
    uint32_t rules[R__N];
    cars_result res;
    route(h, rec, &res, rules);
    cars_output_result(&h->out, h->p, rec->has_id ? &rec->id : NULL, &res);
}

static int on_flush(void *ctx)
{
    hw *h = ctx;
    if (h->out.failed)
        die("out of memory", NULL);
    if (h->out.len && fwrite(h->out.p, 1, h->out.len, h->fout) != h->out.len)
        die("cannot write the output", NULL);
    h->out.len = 0;
    return 0;
}

int main(int argc, char **argv)
{
    const char *release = NULL, *input = NULL, *output = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            output = argv[++i];
        else if (!release)
            release = argv[i];
        else if (!input)
            input = argv[i];
        else
            die("usage: handwritten RELEASE.carsb [INPUT|-] [-o OUTPUT]", NULL);
    }
    if (!release)
        die("usage: handwritten RELEASE.carsb [INPUT|-] [-o OUTPUT]", NULL);
    size_t blen;
    unsigned char *bytes = bench_read_file(release, &blen);
    if (!bytes)
        die("cannot read the release", release);
    cars_program p;
    char err[600];
    if (cars_bundle_load(bytes, blen, &p, err, sizeof err) != 0)
        die("invalid release", err);
    static hw h;
    setup(&h, &p);
    h.reader = cars_reader_new(&p);
    if (!h.reader)
        die("out of memory", NULL);
    FILE *in = stdin;
    if (input && strcmp(input, "-") != 0 && !(in = fopen(input, "rb")))
        die("cannot open", input);
    h.fout = stdout;
    if (output && !(h.fout = fopen(output, "wb")))
        die("cannot create", output);
    if (bench_each_line(in, on_line, on_flush, &h) != 0)
        return 1;
    if (fflush(h.fout) != 0 || (h.fout != stdout && fclose(h.fout) != 0))
        die("cannot write the output", NULL);
    fprintf(stderr, "handwritten: %llu records, %llu invalid\n", h.records, h.invalid);
    cars_reader_free(h.reader);
    cars_buf_free(&h.out);
    cars_program_free(&p);
    free(bytes);
    return 0;
}
