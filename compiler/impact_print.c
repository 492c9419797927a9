/* impact_print.c - carsc impact's figures as text, JSON and an HTML page
 * (impact.h). Every number comes from the cars_impact; shares are of all
 * records of the corpus. */
#include "impact.h"

#include <string.h>

#include "buf.h"
#include "fig_html.h"
#include "json.h"
#include "names.h"

#define NCELLS (CARS_NOUTCOMES * CARS_NOUTCOMES)

static double share(uint64_t k, uint64_t n) { return n ? (double)k / (double)n : 0; }

static uint64_t row_total(const cars_impact *im, int a)
{
    uint64_t n = 0;
    for (int b = 0; b < CARS_NOUTCOMES; b++)
        n += im->matrix[a][b];
    return n;
}

static uint64_t col_total(const cars_impact *im, int b)
{
    uint64_t n = 0;
    for (int a = 0; a < CARS_NOUTCOMES; a++)
        n += im->matrix[a][b];
    return n;
}

/* A string for text output: control characters shown as '?'. */
static void put_plain(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i], out);
}

static void put_json(FILE *out, const char *s, size_t n)
{
    cars_buf b = {0};
    cars_json_string(&b, s, n);
    if (b.p)
        fwrite(b.p, 1, b.len, out);
    cars_buf_free(&b);
}

static void release_name(FILE *out, const cars_program *p, const char *path, int fmt)
{
    if (fmt == 0) {
        put_plain(out, p->release_id.p, p->release_id.len);
        fprintf(out, " (%s)", path);
    } else if (fmt == 1) {
        fputs("{\"release\":", out);
        put_json(out, p->release_id.p, p->release_id.len);
        fputs(",\"path\":", out);
        put_json(out, path, strlen(path));
        fputc('}', out);
    } else {
        cars_fig_esc(out, p->release_id.p, p->release_id.len);
    }
}

static void example_text(FILE *out, const cars_impact_example *e)
{
    if (e->has_id) {
        put_plain(out, e->id, strlen(e->id));
        fprintf(out, "%s (line %llu)", e->cut ? "..." : "", (unsigned long long)e->line);
    } else {
        fprintf(out, "no id (line %llu)", (unsigned long long)e->line);
    }
}

static void matrix_text(const cars_impact *im, FILE *out)
{
    fputs("\nOutcome transitions (rows: old outcome; columns: new outcome; records):\n", out);
    fprintf(out, "%-10s", "old \\ new");
    for (int b = 0; b < CARS_NOUTCOMES; b++)
        fprintf(out, " %8s", cars_outcome_name(b));
    fprintf(out, " %8s\n", "total");
    for (int a = 0; a < CARS_NOUTCOMES; a++) {
        fprintf(out, "%-10s", cars_outcome_name(a));
        for (int b = 0; b < CARS_NOUTCOMES; b++)
            fprintf(out, " %8llu", (unsigned long long)im->matrix[a][b]);
        fprintf(out, " %8llu\n", (unsigned long long)row_total(im, a));
    }
    fprintf(out, "%-10s", "total");
    for (int b = 0; b < CARS_NOUTCOMES; b++)
        fprintf(out, " %8llu", (unsigned long long)col_total(im, b));
    fprintf(out, " %8llu\n", (unsigned long long)im->records);
    fputs("\nOutcome shares:\n", out);
    fprintf(out, "  %-8s %8s %8s %8s\n", "outcome", "old", "new", "change");
    for (int o = 0; o < CARS_NOUTCOMES; o++) {
        double so = share(row_total(im, o), im->records), sn = share(col_total(im, o), im->records);
        fprintf(out, "  %-8s %7.1f%% %7.1f%% %+7.1f points\n", cars_outcome_name(o), 100 * so, 100 * sn,
                100 * (sn - so));
    }
}

/* The rules of a cell whose firing differs: gained (new lists them) or lost. */
static void causes_text(const cars_impact *im, unsigned cell, bool gained, FILE *out)
{
    const uint64_t *v = (gained ? im->gained : im->lost) + (size_t)cell * im->ng;
    bool any = false;
    for (uint32_t g = 0; g < im->ng; g++) {
        if (!v[g])
            continue;
        fputs(any ? ", " : gained ? "    rules now listed: " : "    rules no longer listed: ", out);
        put_plain(out, im->gid[g]->p, im->gid[g]->len);
        fprintf(out, " (%llu)", (unsigned long long)v[g]);
        any = true;
    }
    if (any)
        fputc('\n', out);
}

static void transitions_text(const cars_impact *im, FILE *out)
{
    fputs("\nTransitions:\n", out);
    if (cars_impact_changed(im) == 0)
        fputs("  none: every record has the same outcome under both releases\n", out);
    for (unsigned cell = 0; cell < NCELLS; cell++) {
        int a = (int)cell / CARS_NOUTCOMES, b = (int)cell % CARS_NOUTCOMES;
        uint64_t n = im->matrix[a][b];
        if (a == b || n == 0)
            continue;
        fprintf(out, "  %s -> %s: %llu record%s (%.1f%%)\n", cars_outcome_name(a), cars_outcome_name(b),
                (unsigned long long)n, n == 1 ? "" : "s", 100 * share(n, im->records));
        causes_text(im, cell, true, out);
        causes_text(im, cell, false, out);
        fputs("    first records: ", out);
        for (uint32_t i = 0; i < im->nex[cell]; i++) {
            fputs(i ? ", " : "", out);
            example_text(out, &im->ex[cell][i]);
        }
        fputc('\n', out);
    }
    for (int o = 0; o < CARS_NOUTCOMES; o++)
        if (im->rules_changed[o])
            fprintf(out, "  %s, same outcome with other rules: %llu record%s\n", cars_outcome_name(o),
                    (unsigned long long)im->rules_changed[o], im->rules_changed[o] == 1 ? "" : "s");
}

static void count_or_dash(FILE *out, int64_t idx, uint64_t n)
{
    if (idx < 0)
        fprintf(out, " %8s", "-");
    else
        fprintf(out, " %8llu", (unsigned long long)n);
}

static void rules_text(const cars_impact *im, FILE *out)
{
    size_t w = 4;
    for (uint32_t g = 0; g < im->ng; g++)
        w = im->gid[g]->len > w ? im->gid[g]->len : w;
    fputs("\nRule firings (records whose routing line lists the rule; - : not in that release):\n", out);
    fprintf(out, "  %-*s %8s %8s %8s\n", (int)w, "rule", "old", "new", "change");
    for (uint32_t g = 0; g < im->ng; g++) {
        fputs("  ", out);
        put_plain(out, im->gid[g]->p, im->gid[g]->len);
        fprintf(out, "%*s", (int)(w - im->gid[g]->len), "");
        count_or_dash(out, im->g_old[g], im->fired_old[g]);
        count_or_dash(out, im->g_new[g], im->fired_new[g]);
        fprintf(out, " %+8lld\n", (long long)im->fired_new[g] - (long long)im->fired_old[g]);
    }
}

void cars_impact_text(const cars_impact *im, const cars_impact_names *nm, FILE *out)
{
    fputs("Impact of release ", out);
    release_name(out, im->new_, nm->new_path, 0);
    fputs(" over ", out);
    release_name(out, im->old, nm->old_path, 0);
    fprintf(out, "\ncorpus: %s\nrecords: %llu (blank lines skipped: %llu)\n", nm->corpus,
            (unsigned long long)im->records, (unsigned long long)im->blank);
    uint64_t ch = cars_impact_changed(im);
    fprintf(out, "outcome changed: %llu (%.1f%%)\n", (unsigned long long)ch, 100 * share(ch, im->records));
    matrix_text(im, out);
    transitions_text(im, out);
    rules_text(im, out);
}

/* ---- JSON ---------------------------------------------------------------- */

static void causes_json(const cars_impact *im, unsigned cell, FILE *out)
{
    const uint64_t *gv = im->gained + (size_t)cell * im->ng, *lv = im->lost + (size_t)cell * im->ng;
    bool any = false;
    fputs(",\"rules\":[", out);
    for (uint32_t g = 0; g < im->ng; g++) {
        if (!gv[g] && !lv[g])
            continue;
        fputs(any ? ",{\"id\":" : "{\"id\":", out);
        put_json(out, im->gid[g]->p, im->gid[g]->len);
        fprintf(out, ",\"now_listed\":%llu,\"no_longer_listed\":%llu}", (unsigned long long)gv[g],
                (unsigned long long)lv[g]);
        any = true;
    }
    fputc(']', out);
}

static void transitions_json(const cars_impact *im, FILE *out)
{
    bool first = true;
    fputs(",\"transitions\":[", out);
    for (unsigned cell = 0; cell < NCELLS; cell++) {
        int a = (int)cell / CARS_NOUTCOMES, b = (int)cell % CARS_NOUTCOMES;
        if (a == b || im->matrix[a][b] == 0)
            continue;
        fprintf(out, "%s{\"from\":\"%s\",\"to\":\"%s\",\"records\":%llu,\"share\":%.6f", first ? "" : ",",
                cars_outcome_name(a), cars_outcome_name(b), (unsigned long long)im->matrix[a][b],
                share(im->matrix[a][b], im->records));
        causes_json(im, cell, out);
        fputs(",\"first\":[", out);
        for (uint32_t i = 0; i < im->nex[cell]; i++) {
            const cars_impact_example *e = &im->ex[cell][i];
            fputs(i ? ",{\"id\":" : "{\"id\":", out);
            if (e->has_id)
                put_json(out, e->id, strlen(e->id));
            else
                fputs("null", out);
            fprintf(out, ",\"line\":%llu%s}", (unsigned long long)e->line, e->cut ? ",\"cut\":true" : "");
        }
        fputs("]}", out);
        first = false;
    }
    fputc(']', out);
}

void cars_impact_json(const cars_impact *im, const cars_impact_names *nm, FILE *out)
{
    fputs("{\"old\":", out);
    release_name(out, im->old, nm->old_path, 1);
    fputs(",\"new\":", out);
    release_name(out, im->new_, nm->new_path, 1);
    fputs(",\"corpus\":", out);
    put_json(out, nm->corpus, strlen(nm->corpus));
    fprintf(out, ",\"records\":%llu,\"blank\":%llu,\"changed\":%llu,\"outcomes\":[",
            (unsigned long long)im->records, (unsigned long long)im->blank,
            (unsigned long long)cars_impact_changed(im));
    for (int o = 0; o < CARS_NOUTCOMES; o++)
        fprintf(out, "%s\"%s\"", o ? "," : "", cars_outcome_name(o));
    fputs("],\"matrix\":[", out);
    for (int a = 0; a < CARS_NOUTCOMES; a++) {
        fputs(a ? ",[" : "[", out);
        for (int b = 0; b < CARS_NOUTCOMES; b++)
            fprintf(out, "%s%llu", b ? "," : "", (unsigned long long)im->matrix[a][b]);
        fputc(']', out);
    }
    fputs("],\"same_outcome_other_rules\":{", out);
    for (int o = 0; o < CARS_NOUTCOMES; o++)
        fprintf(out, "%s\"%s\":%llu", o ? "," : "", cars_outcome_name(o), (unsigned long long)im->rules_changed[o]);
    fputc('}', out);
    transitions_json(im, out);
    fputs(",\"rules\":[", out);
    for (uint32_t g = 0; g < im->ng; g++) {
        fputs(g ? ",{\"id\":" : "{\"id\":", out);
        put_json(out, im->gid[g]->p, im->gid[g]->len);
        fputs(",\"old\":", out);
        im->g_old[g] < 0 ? (void)fputs("null", out) : (void)fprintf(out, "%llu", (unsigned long long)im->fired_old[g]);
        fputs(",\"new\":", out);
        im->g_new[g] < 0 ? (void)fputs("null", out) : (void)fprintf(out, "%llu", (unsigned long long)im->fired_new[g]);
        fputc('}', out);
    }
    fputs("]}\n", out);
}
