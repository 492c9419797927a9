/* report_html.c - carsc report's static site: escaping, the page frame
 * (landmarks, skip link, navigation), the front page with the routing
 * diagram (inline SVG with a text equivalent), the style sheet, and
 * writing every page into the output directory. Plain HTML and CSS, no
 * script, no network: it reads the same from file:// as from a server.
 * Everything taken from the release is escaped. */
#include "report_html.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "hex.h"
#include "release.h"

/* ---- escaping and small pieces ---------------------------------------- */

void cars_html_esc(cars_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; s && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;"
                          : c == '\'' ? "&#39;" : (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ? "" : NULL;
        if (!rep)
            continue;
        cars_buf_put(b, s + start, i - start);
        cars_buf_puts(b, rep);
        start = i + 1;
    }
    if (s)
        cars_buf_put(b, s + start, n - start);
}

void cars_html_cesc(cars_buf *b, const char *s)
{
    cars_html_esc(b, s, s ? strlen(s) : 0);
}

void cars_html_date(cars_buf *b, int64_t days)
{
    char s[11];
    cars_date_format(days, s);
    cars_buf_puts(b, s);
}

void cars_html_review_mark(cars_buf *b, const cars_report_review *v)
{
    if (v->state == CARS_REVIEW_OVERDUE)
        cars_buf_puts(b, " <strong class=\"overdue\">OVERDUE</strong>");
    else if (v->state == CARS_REVIEW_DUE)
        cars_buf_puts(b, " <strong class=\"due\">due inside the validity window</strong>");
}

/* ---- the frame ---------------------------------------------------------- */

static void nav_link(cars_buf *b, const char *file, const char *label, const char *current)
{
    cars_buf_puts(b, "<li><a href=\"");
    cars_buf_puts(b, file);
    cars_buf_puts(b, strcmp(file, current) == 0 ? "\" aria-current=\"page\">" : "\">");
    cars_buf_puts(b, label);
    cars_buf_puts(b, "</a></li>");
}

void cars_html_begin(const cars_report *r, cars_buf *b, const char *file, const char *title)
{
    const cars_str *name = r->cur.is_tree ? &r->p->ruleset_title : &r->p->release_id;
    cars_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    cars_buf_puts(b, title);
    cars_buf_puts(b, r->cur.is_tree ? " - source tree " : " - release ");
    cars_html_esc(b, name->p, name->len);
    cars_buf_puts(b, "</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n"
                     "<a class=\"skip\" href=\"#main\">Skip to main content</a>\n<header>\n<p class=\"brand\">");
    cars_buf_puts(b, r->cur.is_tree ? "Routing rules report: source tree " : "Routing rules report: release ");
    cars_html_esc(b, name->p, name->len);
    cars_buf_puts(b, "</p>\n<nav aria-label=\"Report\"><ul>");
    nav_link(b, "index.html", "Overview", file);
    nav_link(b, "scope.html", "Scope", file);
    nav_link(b, "screens.html", "Tables stage", file);
    nav_link(b, "profiles.html", "Profiles", file);
    nav_link(b, "singles.html", "Single PCAs", file);
    nav_link(b, "multiple.html", "Multiple PCAs", file);
    nav_link(b, "equality.html", "Equality", file);
    nav_link(b, "tables.html", "Tables", file);
    if (r->has_prev)
        nav_link(b, "changes.html", "Changes", file);
    if (r->cur.is_tree)
        nav_link(b, "tests.html", "Tests", file);
    cars_buf_puts(b, "</ul></nav>\n</header>\n<main id=\"main\">\n<h1>");
    cars_buf_puts(b, title);
    cars_buf_puts(b, "</h1>\n");
}

void cars_html_end(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "</main>\n<footer>\n<p>Made by carsc report from ");
    if (r->cur.is_tree) {
        cars_buf_puts(b, "a source tree, not a release.");
    } else {
        cars_buf_puts(b, "the release with BLAKE2b-256 <code>");
        cars_buf_puts(b, r->digest);
        cars_buf_puts(b, "</code>.");
    }
    cars_buf_puts(b, " Routing never decides a visa: a decision maker always does.</p>\n</footer>\n"
                     "</body>\n</html>\n");
}

/* ---- the front page ----------------------------------------------------- */

static void row(cars_buf *b, const char *th, const char *td, size_t n)
{
    cars_buf_puts(b, "<tr><th scope=\"row\">");
    cars_buf_puts(b, th);
    cars_buf_puts(b, "</th><td>");
    cars_html_esc(b, td, n);
    cars_buf_puts(b, "</td></tr>\n");
}

static void identity(const cars_report *r, cars_buf *b)
{
    const cars_program *p = r->p;
    static const char *const sig[] = {"none: no signature file beside the release",
                                      "present, NOT checked (no --trust key was given)",
                                      "checked: good, by the trusted key, over every byte"};
    char s[64];
    cars_buf_puts(b, "<h2 id=\"identity\">The release</h2>\n<table>\n<caption>What the release says of "
                     "itself, signed with its rules</caption>\n<tbody>\n");
    if (r->cur.is_tree)
        row(b, "Source tree", "not a release: a ruleset's source files", 39);
    else
        row(b, "Release id", p->release_id.p, p->release_id.len);
    row(b, "Ruleset", p->ruleset_title.p, p->ruleset_title.len);
    snprintf(s, sizeof s, "%llu", (unsigned long long)p->sequence);
    row(b, "Sequence", s, strlen(s));
    row(b, "Channel", cars_channel_name(p->channel), strlen(cars_channel_name(p->channel)));
    char from[11], until[11];
    cars_date_format(p->valid_from, from);
    cars_date_format(p->valid_until, until);
    snprintf(s, sizeof s, "%s to %s (inclusive)", from, until);
    if (!cars_report_has_window(r))
        snprintf(s, sizeof s, "on any date (no validity window)");
    row(b, "Valid", s, strlen(s));
    row(b, "Signature", sig[r->sig], strlen(sig[r->sig]));
    if (r->sig != CARS_REPORT_SIG_NONE)
        row(b, "Signer key id", r->keyid, strlen(r->keyid));
    if (r->sealed_to[0])
        row(b, "Rule text sealed to audit keys", r->sealed_to, strlen(r->sealed_to));
    row(b, "Compiler", p->compiler_version.p, p->compiler_version.len);
    if (!r->cur.is_tree) {
        char tests[200];
        cars_release_tests_text(p, tests, sizeof tests);
        row(b, "Tests", tests, strlen(tests));
        row(b, "Bundle BLAKE2b-256", r->digest, strlen(r->digest));
    }
    for (uint32_t i = 0; i < p->ndigests; i++) {
        char h[65], th[400];
        cars_hex(p->digests[i].digest, 32, h);
        cars_buf_puts(b, "<tr><th scope=\"row\">File <code>");
        cars_html_esc(b, p->digests[i].name.p, p->digests[i].name.len);
        snprintf(th, sizeof th, "</code></th><td>BLAKE2b-256 <code>%s</code></td></tr>\n", h);
        cars_buf_puts(b, th);
    }
    cars_buf_puts(b, "</tbody>\n</table>\n");
}

static void attention_item(cars_buf *b, const cars_report_review *v, const char *what, const char *href,
                           const char *name)
{
    cars_buf_puts(b, "<li>");
    cars_html_review_mark(b, v);
    cars_buf_puts(b, ": ");
    cars_buf_puts(b, what);
    cars_buf_puts(b, " <a href=\"");
    cars_buf_puts(b, href);
    cars_html_cesc(b, name);
    cars_buf_puts(b, "\">");
    cars_html_cesc(b, name);
    cars_buf_puts(b, "</a>, review due ");
    cars_html_date(b, v->due);
    cars_buf_puts(b, "</li>\n");
}

static void attention(const cars_report *r, cars_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nrules; i++)
        n += r->rules[i].review.state >= CARS_REVIEW_DUE;
    for (size_t i = 0; i < r->ntables; i++)
        n += r->tables[i].review.state >= CARS_REVIEW_DUE;
    if (!n) {
        cars_buf_puts(b, "<p>No review is overdue or falls due inside the validity window.</p>\n");
        return;
    }
    cars_buf_puts(b, "<section class=\"warning\" aria-labelledby=\"reviews\">\n<h2 id=\"reviews\">Warning: "
                     "reviews overdue or falling due inside the validity window</h2>\n<ul>\n");
    for (size_t i = 0; i < r->nrules; i++) {
        const cars_report_rule *rr = &r->rules[i];
        if (rr->review.state < CARS_REVIEW_DUE)
            continue;
        char href[64];
        snprintf(href, sizeof href, "%s#", rr->page);
        attention_item(b, &rr->review, rr->rule ? "rule" : "threshold", href, rr->anchor);
    }
    for (size_t i = 0; i < r->ntables; i++)
        if (r->tables[i].review.state >= CARS_REVIEW_DUE)
            attention_item(b, &r->tables[i].review, "table", "tables.html#table-", r->tables[i].table->name);
    cars_buf_puts(b, "</ul>\n</section>\n");
}

/* A rule count as "1 rule" / "3 rules". */
static void count_text(char *s, size_t n, size_t count)
{
    snprintf(s, n, "%zu rule%s", count, count == 1 ? "" : "s");
}

static void counts(const cars_report *r, cars_buf *b)
{
    cars_buf_puts(b, "<h2 id=\"counts\">Rules by stage and outcome</h2>\n<table>\n<thead><tr><th scope=\"col\">"
                     "Stage</th><th scope=\"col\">Rules</th><th scope=\"col\">Outcome when a rule matches</th>"
                     "</tr></thead>\n<tbody>\n");
    for (unsigned k = 0; k < 6; k++) {
        char s[200];
        int out = -1;
        for (size_t i = 0; i < r->nrules; i++)
            if (r->rules[i].rule && r->rules[i].rule->kind == k)
                out = r->rules[i].outcome;
        snprintf(s, sizeof s, "<tr><td><a href=\"%s\">%s</a></td><td>%zu</td><td>%s</td></tr>\n",
                 cars_report_stage_page(k), cars_report_kind_title(k), cars_report_count(r, k),
                 k == CARS_R_MULTIPLE ? "by the threshold" : out >= 0 ? cars_outcome_name(out) : "-");
        cars_buf_puts(b, s);
    }
    cars_buf_puts(b, "</tbody>\n</table>\n");
}

/* One stage of the routing order: its label, count and outcome text. */
typedef struct stage_line {
    const char *label, *page;
    char count[64], outcome[160];
} stage_line;

static void stage_line_of(const cars_report *r, const cars_stage *s, stage_line *l)
{
    static const int kinds[] = {0, 1, 2, 3, 4, 5, -1};
    int k = kinds[s->sel];
    l->label = k >= 0 ? cars_report_kind_title((unsigned)k) : "Otherwise";
    l->page = k >= 0 ? cars_report_stage_page((unsigned)k) : NULL;
    if (k >= 0)
        count_text(l->count, sizeof l->count, cars_report_count(r, (unsigned)k));
    else
        l->count[0] = '\0';
    if (s->sel == CARS_S_THRESHOLD)
        snprintf(l->outcome, sizeof l->outcome, "threshold %s met: %s%s%s", s->threshold,
                 cars_outcome_name((int)s->outcome), s->has_otherwise ? "; otherwise " : "",
                 s->has_otherwise ? cars_outcome_name((int)s->otherwise) : "");
    else
        snprintf(l->outcome, sizeof l->outcome, "%s%s", s->sel == CARS_S_OTHERWISE ? "" : "a match: ",
                 cars_outcome_name((int)s->outcome));
}

static void svg_box(cars_buf *b, size_t i, const stage_line *l, bool last)
{
    char s[800];
    int y = 10 + (int)i * 70;
    snprintf(s, sizeof s,
             "<rect x=\"10\" y=\"%d\" width=\"330\" height=\"48\" rx=\"6\" class=\"stage\"/>"
             "<text x=\"24\" y=\"%d\" class=\"label\">%zu. %s</text><text x=\"24\" y=\"%d\">%s</text>"
             "<line x1=\"340\" y1=\"%d\" x2=\"380\" y2=\"%d\" class=\"arrow\"/>"
             "<rect x=\"380\" y=\"%d\" width=\"370\" height=\"48\" rx=\"6\" class=\"outcome\"/><text x=\"394\" y=\"%d\">",
             y, y + 20, i + 1, l->label, y + 38, l->count, y + 24, y + 24, y, y + 29);
    cars_buf_puts(b, s);
    cars_html_cesc(b, l->outcome);
    cars_buf_puts(b, "</text>\n");
    snprintf(s, sizeof s, "<line x1=\"175\" y1=\"%d\" x2=\"175\" y2=\"%d\" class=\"arrow\"/>\n", y + 48, y + 70);
    if (!last)
        cars_buf_puts(b, s);
}

static void diagram(const cars_report *r, cars_buf *b)
{
    const cars_ast *ast = r->ast;
    stage_line l;
    char s[300];
    cars_buf_puts(b, "<h2 id=\"routing\">The routing order</h2>\n<p>Each application goes through the stages "
                     "in this order. The first stage in which a rule matches decides the outcome, and every rule "
                     "that matched in that stage is listed with it.</p>\n<figure>\n");
    snprintf(s, sizeof s, "<svg role=\"img\" aria-labelledby=\"routing-svg-title\" viewBox=\"0 0 760 %zu\" "
                          "width=\"760\" height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\">\n",
             ast->nstages * 70 + 10, ast->nstages * 70 + 10);
    cars_buf_puts(b, s);
    cars_buf_puts(b, "<title id=\"routing-svg-title\">Routing order diagram: the stages from top to bottom, "
                     "each with its rule count and the outcome it gives; the list below says the same</title>\n");
    for (size_t i = 0; i < ast->nstages; i++) {
        stage_line_of(r, &ast->stages[i], &l);
        svg_box(b, i, &l, i + 1 == ast->nstages);
    }
    cars_buf_puts(b, "</svg>\n<figcaption>The routing order in words:<ol>\n");
    for (size_t i = 0; i < ast->nstages; i++) {
        stage_line_of(r, &ast->stages[i], &l);
        cars_buf_puts(b, "<li>");
        if (l.page) {
            snprintf(s, sizeof s, "<a href=\"%s\">%s</a> (%s): ", l.page, l.label, l.count);
            cars_buf_puts(b, s);
        } else {
            cars_buf_puts(b, "Otherwise: ");
        }
        cars_html_cesc(b, l.outcome);
        cars_buf_puts(b, "</li>\n");
    }
    cars_buf_puts(b, "</ol>The bulk data tables are listed on the <a href=\"tables.html\">tables page</a>.</figcaption>\n"
                     "</figure>\n");
}

static void front_page(const cars_report *r, cars_buf *b)
{
    cars_html_begin(r, b, "index.html", "Overview");
    if (r->cur.is_tree)
        cars_buf_puts(b, "<p>This report is made from a ruleset's source files, not from a release.</p>\n");
    else
        cars_buf_puts(b, "<p>This report is made from the release alone: the rules shown are the text it carries, "
                         "and carsc checked that this text compiles to exactly the code the release runs.</p>\n");
    attention(r, b);
    identity(r, b);
    counts(r, b);
    diagram(r, b);
    cars_html_end(r, b);
}

/* ---- the style sheet ---------------------------------------------------- */

static const char style_css[] =
    "/* carsc report: plain CSS, no web fonts, AA contrast */\n"
    "body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0}\n"
    "header{background:#0b2e59;color:#fff;padding:.5rem 1rem}\n"
    "header .brand{margin:0;font-weight:bold}\n"
    "nav ul{list-style:none;margin:.25rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}\n"
    "nav a{color:#fff}\nnav a[aria-current=page]{font-weight:bold;text-decoration-thickness:3px}\n"
    "main{max-width:60rem;margin:0 auto;padding:1rem}\n"
    "footer{border-top:1px solid #767676;padding:.5rem 1rem;font-size:.9rem}\n"
    "a{color:#0b4fa8}\na:focus{outline:3px solid #b35900;outline-offset:2px}\n"
    ".skip{position:absolute;left:-999px;top:0;background:#fff;color:#0b4fa8;padding:.5rem}\n"
    ".skip:focus{left:.5rem}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}\n"
    "th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left;vertical-align:top}\n"
    "caption{text-align:left;font-weight:bold;padding:.25rem 0}\n"
    "code,pre{font-family:ui-monospace,monospace;overflow-wrap:anywhere}\n"
    "pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.75rem;overflow-x:auto;white-space:pre-wrap}\n"
    ".kw{color:#7b2c93;font-weight:bold}\n.str{color:#0b6623}\n.num{color:#1f4e9c}\n.cmt{color:#57606a;font-style:italic}\n"
    ".overdue{color:#b00020}\n.due{color:#7a4600}\n"
    ".warning{border:3px solid #b00020;padding:0 1rem;margin:1rem 0}\n"
    "section.rule{border-top:2px solid #0b2e59;margin-top:2rem}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}\ndt{font-weight:bold}\ndd{margin:0}\n"
    "del{background:#ffebe9;color:#82071e}\nins{background:#dafbe1;color:#044f1e}\n"
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\n"
    "figure{margin:1rem 0}\nsvg{max-width:100%;height:auto}\n"
    "svg text{font:14px system-ui,sans-serif;fill:#1a1a1a}\nsvg .label{font-weight:bold}\n"
    "svg .stage{fill:#e8f0fe;stroke:#0b4fa8}\nsvg .outcome{fill:#fff;stroke:#767676}\n"
    "svg .arrow{stroke:#1a1a1a;stroke-width:2}\n";

/* ---- writing the site --------------------------------------------------- */

typedef void (*page_fn)(const cars_report *, cars_buf *, const char *);

static void eq_page(const cars_report *r, cars_buf *b, const char *f)
{
    (void)f;
    cars_html_equality_page(r, b);
}

static void tb_page(const cars_report *r, cars_buf *b, const char *f)
{
    (void)f;
    cars_html_tables_page(r, b);
}

static void ch_page(const cars_report *r, cars_buf *b, const char *f)
{
    (void)f;
    cars_html_changes_page(r, b);
}

static void ts_page(const cars_report *r, cars_buf *b, const char *f)
{
    (void)f;
    cars_html_tests_page(r, b);
}

static void fr_page(const cars_report *r, cars_buf *b, const char *f)
{
    (void)f;
    front_page(r, b);
}

bool cars_report_html(const cars_report *r, const char *dir, char *err, size_t errlen)
{
    static const struct {
        const char *file;
        page_fn fn;
    } pages[] = {
        {"index.html", fr_page},      {"scope.html", cars_html_stage_page},    {"screens.html", cars_html_stage_page},
        {"profiles.html", cars_html_stage_page}, {"singles.html", cars_html_stage_page},
        {"multiple.html", cars_html_stage_page}, {"equality.html", eq_page}, {"tables.html", tb_page},
        {"changes.html", ch_page},    {"tests.html", ts_page},
    };
    cars_buf css = {0};
    cars_buf_puts(&css, style_css);
    bool ok = cars_report_write(dir, "style.css", &css, err, errlen);
    cars_buf_free(&css);
    for (size_t i = 0; ok && i < sizeof pages / sizeof pages[0]; i++) {
        if ((strcmp(pages[i].file, "changes.html") == 0 && !r->has_prev) ||
            (strcmp(pages[i].file, "tests.html") == 0 && !r->cur.is_tree))
            continue;
        cars_buf b = {0};
        pages[i].fn(r, &b, pages[i].file);
        ok = cars_report_write(dir, pages[i].file, &b, err, errlen);
        cars_buf_free(&b);
    }
    return ok;
}
