/* gentables.c - deterministic generator of the reference ruleset's bulk data
 * tables: rulesets/cars-v/tables/false_documents.csv and false_contacts.csv.
 *
 * Every entry is fictional: passport numbers are random, emails are at the
 * reserved example.com / example.org / example.net domains, and telephone
 * numbers are in Ofcom's ranges reserved for drama (020 7946 0xxx,
 * 0161 496 0xxx, 0113 496 0xxx, 07700 900xxx). Entries are written the varied
 * ways people type them (case, spaces, hyphens, brackets), because the
 * ruleset normalises both sides before comparing. A fixed seed makes the
 * output the same on every machine: the CSV files are committed.
 *
 *   gentables DIR      writes DIR/false_documents.csv and DIR/false_contacts.csv
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED 0x43415253u /* "CARS" */
#define NDOCS 1200
#define NEMAILS 600
#define NPHONES 600

/* splitmix64: small, fast, and the same everywhere. Never rand(). */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(next_u64(s) % n);
}

/* A tiny set of normalised keys, to keep every entry distinct. */
#define SEEN_CAP 8192
typedef struct seen {
    char *keys[SEEN_CAP];
    size_t n;
} seen;

static int seen_add(seen *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->keys[i], key) == 0) return 0;
    if (t->n == SEEN_CAP) return 0;
    size_t len = strlen(key) + 1;
    char *copy = malloc(len);
    if (!copy) { perror("gentables"); exit(1); }
    memcpy(copy, key, len);
    t->keys[t->n++] = copy;
    return 1;
}

static void seen_free(seen *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->keys[i]);
    t->n = 0;
}

/* The normalisation carsvm applies (vm/normalise.h), as far as these
 * entries need it: every entry written here is ASCII, with no blank but the
 * space (none at either end) and no dash but '-', so on them the rules of
 * every bundle format version agree with these few lines. A contact entry
 * is an email if it holds '@' (lower-cased), else a phone number.
 *
 * Document numbers: spaces and hyphens dropped, upper-cased. */
static void norm_document(const char *in, char *out)
{
    for (; *in; in++) {
        if (*in == ' ' || *in == '-') continue;
        *out++ = (*in >= 'a' && *in <= 'z') ? (char)(*in - 32) : *in;
    }
    *out = 0;
}

/* Telephone numbers: digits only, a leading + kept. */
static void norm_phone(const char *in, char *out)
{
    const char *p = in;
    while (*p == ' ') p++;
    if (*p == '+') *out++ = '+';
    for (; *p; p++)
        if (*p >= '0' && *p <= '9') *out++ = *p;
    *out = 0;
}

static void lower(const char *in, char *out)
{
    for (; *in; in++) *out++ = (*in >= 'A' && *in <= 'Z') ? (char)(*in + 32) : *in;
    *out = 0;
}

static const char *const countries[] = {
    "QZA", "QZB", "FRA", "DEU", "ESP", "ITA", "POL", "ROU", "NGA", "GHA",
    "KEN", "IND", "PAK", "BGD", "CHN", "VNM", "PHL", "BRA", "COL", "MEX",
    "USA", "CAN", "TUR", "EGY", "MAR", "UKR", "RUS", "IRN", "IRQ", "ZAF",
};
#define NCOUNTRIES (sizeof countries / sizeof countries[0])

/* Writes one passport number, spelled one of several ways. */
static void spell_document(uint64_t *s, char *out)
{
    char raw[16];
    unsigned form = pick(s, 3), n = 0;
    if (form == 0) {           /* two letters, seven digits */
        raw[n++] = (char)('A' + pick(s, 26));
        raw[n++] = (char)('A' + pick(s, 26));
        for (int i = 0; i < 7; i++) raw[n++] = (char)('0' + pick(s, 10));
    } else if (form == 1) {    /* nine digits */
        for (int i = 0; i < 9; i++) raw[n++] = (char)('0' + pick(s, 10));
    } else {                   /* nine letters and digits */
        for (int i = 0; i < 9; i++) {
            unsigned c = pick(s, 36);
            raw[n++] = (char)(c < 10 ? '0' + c : 'A' + c - 10);
        }
    }
    raw[n] = 0;
    unsigned style = pick(s, 6), o = 0;
    for (unsigned i = 0; i < n; i++) {
        char c = raw[i];
        if (style == 1 || (style == 4 && pick(s, 2))) /* lower or mixed case */
            c = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        if (i > 0 && style == 2 && i % 3 == 0) out[o++] = ' ';
        if (i > 0 && style == 3 && i % 4 == 0) out[o++] = '-';
        if (i > 0 && style == 5 && (i == 2 || i == 5)) out[o++] = pick(s, 2) ? ' ' : '-';
        out[o++] = c;
    }
    out[o] = 0;
}

static const char *const given[] = {
    "amelia", "oliver", "noah", "isla", "ava", "leo", "mia", "arjun", "chen",
    "fatima", "kwame", "sofia", "mateo", "yuki", "olga", "ines", "pavel", "zara",
    "omar", "lena", "tariq", "grace", "ivan", "priya", "diego", "hana",
};
static const char *const family[] = {
    "smith", "jones", "okafor", "mensah", "kowalski", "garcia", "rossi",
    "nguyen", "haddad", "novak", "sato", "silva", "popescu", "ahmed", "kim",
    "muller", "dubois", "ivanova", "mbeki", "lopez", "patel", "cohen",
};
static const char *const domains[] = {
    "example.com", "example.org", "example.net", "mail.example.com",
    "post.example.org", "travel.example.net",
};

static void spell_email(uint64_t *s, char *out)
{
    char base[96];
    const char *g = given[pick(s, sizeof given / sizeof given[0])];
    const char *f = family[pick(s, sizeof family / sizeof family[0])];
    const char *d = domains[pick(s, sizeof domains / sizeof domains[0])];
    static const char *const seps[] = { ".", "_", "-", "" };
    snprintf(base, sizeof base, "%s%s%s%u@%s", g, seps[pick(s, 4)], f, pick(s, 1000), d);
    unsigned style = pick(s, 4);
    size_t o = 0;
    for (size_t i = 0; base[i]; i++) {
        char c = base[i];
        int up = style == 1 ? 1
               : style == 2 ? (i == 0 || base[i - 1] == '.' || base[i - 1] == '@')
               : style == 3 ? (int)pick(s, 2) : 0;
        if (up && c >= 'a' && c <= 'z') c = (char)(c - 32);
        out[o++] = c;
    }
    out[o] = 0;
}

/* A telephone number in a drama range, in national or international form. */
static void spell_phone(uint64_t *s, char *out)
{
    unsigned range = pick(s, 4), last = pick(s, 1000), intl = pick(s, 3) == 0;
    unsigned style = pick(s, 4);
    /* area code (national, without the leading 0), then local part */
    static const char *const area[] = { "20", "161", "113", "7700" };
    static const char *const local[] = { "7946 0", "496 0", "496 0", "900" };
    const char *a = area[range];
    char loc[16];
    snprintf(loc, sizeof loc, "%s%03u", local[range], last);
    char joined[32];
    switch (style) {
    case 0: snprintf(joined, sizeof joined, "%s %s", a, loc); break;
    case 1: { /* hyphens instead of spaces */
        snprintf(joined, sizeof joined, "%s-%s", a, loc);
        for (char *p = joined; *p; p++) if (*p == ' ') *p = '-';
        break; }
    case 2: { /* no separators */
        size_t o = 0;
        for (const char *p = a; *p; p++) joined[o++] = *p;
        for (const char *p = loc; *p; p++) if (*p != ' ') joined[o++] = *p;
        joined[o] = 0;
        break; }
    default: snprintf(joined, sizeof joined, "%s %s", a, loc); break;
    }
    if (intl) sprintf(out, "+44 %s", joined);
    else if (style == 3) sprintf(out, "(0%s) %s", a, loc);
    else sprintf(out, "0%s", joined);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); exit(1); }
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gentables DIR\n");
        return 2;
    }
    uint64_t s = SEED;
    seen t = { .n = 0 };
    char buf[128], key[160];

    /* Fixed entries first: the ruleset's tests (tests.cars) rely on them. */
    static const char *const fixed_docs[][2] = {
        { "FRA", "AB12345" },      /* matched by "ab 12-345" */
        { "QZA", "qz 00-1234" },   /* matched by "QZ001234" */
        { "DEU", "C01X-00T4-7" },  /* matched by "c01x00t47" */
    };
    /* Near misses the tests rely on NOT being in the tables. */
    static const char *const reserved_docs[] = {
        "DEU,AB12345", "FRA,AB12346", "DEU,C01X00T48", "FRA,XY9876543", "QZA,QZ7654321",
    };
    for (size_t i = 0; i < sizeof reserved_docs / sizeof reserved_docs[0]; i++)
        seen_add(&t, reserved_docs[i]);
    FILE *f = open_out(argv[1], "false_documents.csv");
    fprintf(f, "issuing_country,number\n");
    for (size_t i = 0; i < sizeof fixed_docs / sizeof fixed_docs[0]; i++) {
        norm_document(fixed_docs[i][1], buf);
        snprintf(key, sizeof key, "%s,%s", fixed_docs[i][0], buf);
        seen_add(&t, key);
        fprintf(f, "%s,%s\n", fixed_docs[i][0], fixed_docs[i][1]);
    }
    for (int n = 0; n < NDOCS;) {
        const char *c = countries[pick(&s, NCOUNTRIES)];
        char num[32], nk[32];
        spell_document(&s, num);
        norm_document(num, nk);
        snprintf(key, sizeof key, "%s,%s", c, nk);
        if (!seen_add(&t, key)) continue;
        fprintf(f, "%s,%s\n", c, num);
        n++;
    }
    fclose(f);
    seen_free(&t);

    static const char *const fixed_contacts[] = {
        "fraud.contact@example.com",   /* matched by " Fraud.Contact@Example.COM " */
        "Sponsor.Desk@Example.ORG",    /* matched by "sponsor.desk@example.org" */
        "+44 20 7946 0000",            /* matched by "+44 20 7946-0000", not "+44 (0)20 7946-0000" */
        "020 7946 0001",               /* matched by "(020) 7946-0001" */
        "07700 900123",                /* matched by "07700-900-123" */
    };
    static const char *const reserved_contacts[] = {
        "02079460000", "+4402079460000", "fraud.contact@example.net", "+49301234567",
        "juergen@example.net",
    };
    for (size_t i = 0; i < sizeof reserved_contacts / sizeof reserved_contacts[0]; i++)
        seen_add(&t, reserved_contacts[i]);
    f = open_out(argv[1], "false_contacts.csv");
    fprintf(f, "value\n");
    for (size_t i = 0; i < sizeof fixed_contacts / sizeof fixed_contacts[0]; i++) {
        if (strchr(fixed_contacts[i], '@')) lower(fixed_contacts[i], key);
        else norm_phone(fixed_contacts[i], key);
        seen_add(&t, key);
        fprintf(f, "%s\n", fixed_contacts[i]);
    }
    for (int n = 0; n < NEMAILS + NPHONES;) {
        int email = n < NEMAILS;
        if (email) { spell_email(&s, buf); lower(buf, key); }
        else { spell_phone(&s, buf); norm_phone(buf, key); }
        if (!seen_add(&t, key)) continue;
        fprintf(f, "%s\n", buf);
        n++;
    }
    fclose(f);
    seen_free(&t);
    return 0;
}
