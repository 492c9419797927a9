/* genrules.c - synthetic rulesets for the scale benchmark (bench/run.sh):
 * the reference ruleset (schema, definitions, rules, routing, tables) plus
 * generated risk profiles, and bulk tables of a given size.
 *
 *   genrules --base rulesets/cars-v --profiles N --entries T -o DIR
 *
 * DIR receives copies of the base's schema.cars, definitions.cars,
 * rules.cars (its 3 profiles PRF-001..003 included), routing.cars and
 * tables.cars, then rules_gen.cars with N - 3 generated profiles (so the
 * ruleset has N profiles in all), and tables/false_documents.csv and
 * tables/false_contacts.csv with T entries between them (half each): the
 * base's entries first (so the corpus's planted table hits still hit), then
 * fictional ones. The base's tests.cars is not copied: the generated
 * profiles change the outcome of some of its cases.
 *
 * Generated profiles are varied the way a rules team's are: different
 * purposes, lengths, funding, costs, employment; fictional nationalities
 * (QZA..QZZ, never a real one) with a Ministerial Authorisation; age bands
 * with an objective justification. Deterministic (splitmix64, fixed seed). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t seed = 0x5343414c45ull; /* "SCALE" */

static uint64_t next_u64(void)
{
    uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next_u64() % n);
}

static void die(const char *what, const char *arg)
{
    fprintf(stderr, "genrules: %s %s: %s\n", what, arg, errno ? strerror(errno) : "");
    exit(1);
}

static FILE *create(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot create", path);
    return f;
}

static void copy(const char *base, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", base, name);
    FILE *in = fopen(path, "r");
    if (!in)
        die("cannot read", path);
    FILE *out = create(dir, name);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    if (fclose(out) != 0)
        die("cannot write", name);
}

/* Copies up to `max` data lines of a base CSV (after its header) to out;
 * returns how many. */
static unsigned copy_csv(const char *base, const char *name, FILE *out, unsigned max)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/tables/%s", base, name);
    FILE *in = fopen(path, "r");
    if (!in)
        die("cannot read", path);
    unsigned n = 0;
    int header = 1;
    while (fgets(line, sizeof line, in)) {
        if (header) {
            header = 0;
            continue;
        }
        if (n == max)
            break;
        fputs(line, out);
        n++;
    }
    fclose(in);
    return n;
}

static const char *const purposes[] = {"tourism", "business", "family", "academic", "transit", "marriage",
                                       "paid_engagement", "other"};
static const char *const fundings[] = {"self", "sponsor", "employer"};
static const char *const statuses[] = {"employed", "self_employed", "student", "retired", "unemployed"};

static void qz(char out[4])
{
    out[0] = 'Q';
    out[1] = 'Z';
    out[2] = (char)('A' + pick(26));
    out[3] = '\0';
}

static void profile(FILE *f, unsigned k)
{
    const char *p = purposes[pick(8)], *fu = fundings[pick(3)], *st = statuses[pick(5)];
    unsigned len = 30 + pick(150), a = 18 + pick(40), w = 3 + pick(12), months = 3 + 3 * pick(4);
    unsigned cost = 2000 + 500 * pick(40), years = 2 + pick(8);
    char c1[4], c2[4];
    qz(c1);
    qz(c2);
    fprintf(f, "\n");
    switch (k % 6) {
    case 0:
        fprintf(f, "profile PRF-%05u \"generated: %s visit of %u to %u days funded by %s\" {\n", k, p, len, len + 2, fu);
        fprintf(f, "  rationale \"Generated profile %u: a %s visit of %u to %u days funded by %s.\"\n", k, p, len, len + 2,
                fu);
        fprintf(f, "  reviewed 2026-%02u-01 every %u months\n", 1 + pick(11), months);
        fprintf(f, "  when visit.purpose = %s\n   and visit.length_days between %u and %u\n   and visit.funding = %s\n}\n",
                p, len, len + 2, fu);
        break;
    case 1:
        fprintf(f, "profile PRF-%05u \"generated: nationality %s or %s, aged %u to %u, %s\" {\n", k, c1, c2, a, a + w, p);
        fprintf(f, "  rationale \"Generated profile %u using fictional nationality codes.\"\n", k);
        fprintf(f, "  authorisation MA-2026-%03u\n  justification OJ-2026-%03u\n", 100 + k % 900, 100 + k % 900);
        fprintf(f, "  reviewed 2026-%02u-15 every %u months\n", 1 + pick(11), months);
        fprintf(f, "  when applicant.nationality in [%s, %s]\n   and age between %u and %u\n   and visit.purpose = %s\n}\n",
                c1, c2, a, a + w, p);
        break;
    case 2:
        fprintf(f, "profile PRF-%05u \"generated: %s visit costing %u to %u GBP, %s\" {\n", k, p, cost, cost + 20, st);
        fprintf(f, "  rationale \"Generated profile %u: a %s visit in a narrow cost band by someone %s.\"\n", k, p, st);
        fprintf(f, "  reviewed 2026-%02u-01 every %u months\n", 1 + pick(11), months);
        fprintf(f, "  when visit.purpose = %s\n   and visit.cost_gbp between %u and %u\n   and employment.status = %s\n}\n",
                p, cost, cost + 20, st);
        break;
    case 3:
        fprintf(f, "profile PRF-%05u \"generated: nationality %s, over %u days, no recent travel\" {\n", k, c1, len);
        fprintf(f, "  rationale \"Generated profile %u using a fictional nationality code.\"\n", k);
        fprintf(f, "  authorisation MA-2026-%03u\n", 100 + k % 900);
        fprintf(f, "  reviewed 2026-%02u-01 every %u months\n", 1 + pick(11), months);
        fprintf(f, "  when applicant.nationality = %s\n   and visit.length_days > %u\n"
                   "   and none(t in travel_history where t.year within last %u years)\n}\n", c1, len, years);
        break;
    case 4:
        fprintf(f, "profile PRF-%05u \"generated: %s funding, savings under %u GBP, over %u days\" {\n", k, fu, cost / 20,
                len + 100);
        fprintf(f, "  rationale \"Generated profile %u: a long visit with little savings.\"\n", k);
        fprintf(f, "  reviewed 2026-%02u-01 every %u months\n", 1 + pick(11), months);
        fprintf(f, "  when visit.funding = %s\n   and finances.savings_gbp < %u\n   and visit.length_days > %u\n}\n", fu,
                cost / 20, len + 100);
        break;
    default:
        fprintf(f, "profile PRF-%05u \"generated: aged %u to %u, %s, %s, %u to %u days\" {\n", k, a, a + w, p, st, len,
                len + 5);
        fprintf(f, "  rationale \"Generated profile %u: an age band with a purpose and employment status.\"\n", k);
        fprintf(f, "  justification OJ-2026-%03u\n", 100 + k % 900);
        fprintf(f, "  reviewed 2026-%02u-01 every %u months\n", 1 + pick(11), months);
        fprintf(f, "  when age between %u and %u\n   and visit.purpose = %s\n   and employment.status = %s\n"
                   "   and visit.length_days between %u and %u\n}\n", a, a + w, p, st, len, len + 5);
        break;
    }
}

int main(int argc, char **argv)
{
    const char *base = "rulesets/cars-v", *dir = NULL;
    unsigned long nprof = 10, entries = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--base") == 0)
            base = argv[i + 1];
        else if (strcmp(argv[i], "--profiles") == 0)
            nprof = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--entries") == 0)
            entries = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-o") == 0)
            dir = argv[i + 1];
        else
            dir = NULL, i = argc;
    }
    if (!dir || nprof < 3 || entries < 2 || argc % 2 == 0) {
        fputs("usage: genrules --base DIR --profiles N(>=3) --entries T -o OUTDIR\n", stderr);
        return 2;
    }
    char tdir[4096];
    snprintf(tdir, sizeof tdir, "%s/tables", dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        die("cannot create", dir);
    if (mkdir(tdir, 0777) != 0 && errno != EEXIST)
        die("cannot create", tdir);
    errno = 0;
    static const char *const copied[] = {"schema.cars", "definitions.cars", "rules.cars", "routing.cars", "tables.cars"};
    for (size_t k = 0; k < sizeof copied / sizeof *copied; k++)
        copy(base, dir, copied[k]);

    FILE *f = create(dir, "rules_gen.cars");
    fprintf(f, "# rules_gen.cars - %lu generated risk profiles (bench/scale/genrules.c)\n", nprof - 3);
    for (unsigned long k = 0; k < nprof - 3; k++)
        profile(f, (unsigned)(k + 100));
    if (fclose(f) != 0)
        die("cannot write", "rules_gen.cars");

    unsigned long ndocs = entries / 2, ncontacts = entries - entries / 2;
    f = create(tdir, "false_documents.csv");
    fputs("issuing_country,number\n", f);
    unsigned long n = copy_csv(base, "false_documents.csv", f, (unsigned)ndocs);
    for (unsigned long k = n; k < ndocs; k++) {
        char c[4];
        qz(c);
        /* distinct by construction: the counter is part of the number */
        fprintf(f, "%s,%c%c%08lu\n", c, 'A' + pick(26), 'A' + pick(26), k);
    }
    if (fclose(f) != 0)
        die("cannot write", "false_documents.csv");
    f = create(tdir, "false_contacts.csv");
    fputs("value\n", f);
    n = copy_csv(base, "false_contacts.csv", f, (unsigned)ncontacts);
    static const char *const domains[] = {"example.com", "example.org", "example.net"};
    for (unsigned long k = n; k < ncontacts; k++) {
        if (k % 2)
            fprintf(f, "gen.contact%lu.%u@%s\n", k, pick(1000), domains[pick(3)]);
        else
            fprintf(f, "+99 %04lu %06lu\n", k / 1000000, k % 1000000); /* +99: no such country code */
    }
    if (fclose(f) != 0)
        die("cannot write", "false_contacts.csv");
    return 0;
}
