/* fig_html.c - page frame, escaping and SVG charts of the figure pages. */
#include "fig_html.h"

#include <string.h>

void cars_fig_esc(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(s[i], out);
        }
    }
}

void cars_fig_escs(FILE *out, const char *s) { cars_fig_esc(out, s, strlen(s)); }

static const char style[] =
    "body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:60rem;"
    "padding:1rem;line-height:1.5}\n"
    "header,footer{border-bottom:1px solid #595959;margin-bottom:1rem}footer{border-top:1px solid #595959;"
    "border-bottom:0;margin-top:2rem;font-size:.9rem}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #767676;padding:.2rem .5rem;"
    "text-align:right}th[scope=row],td.l{text-align:left}caption{text-align:left;font-weight:bold}\n"
    "svg{max-width:100%;height:auto}.flag{font-weight:bold}code{font-size:.95em}\n";

void cars_fig_begin(FILE *out, const char *title, const char *subtitle)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    cars_fig_escs(out, title);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", style);
    cars_fig_escs(out, title);
    fputs("</h1>\n<p>", out);
    cars_fig_escs(out, subtitle);
    fputs("</p>\n</header>\n<main>\n", out);
}

void cars_fig_end(FILE *out)
{
    fputs("</main>\n<footer>\n<p>Made by carsc from releases and routing output; no script, nothing loaded from elsewhere.</p>\n</footer>\n"
          "</body>\n</html>\n",
          out);
}

static const char *const colour[2] = {"#1f4e79", "#a34700"};

static void label_text(FILE *out, double x, double y, const char *anchor, const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"12\" fill=\"#1a1a1a\">", x, y, anchor);
    cars_fig_escs(out, s);
    fputs("</text>\n", out);
}

static void svg_open(FILE *out, const char *id, const char *title, double w, double h)
{
    fprintf(out, "<svg role=\"img\" aria-labelledby=\"%s-title\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                 "height=\"%.0f\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"%s-title\">",
            id, w, h, w, h, id);
    cars_fig_escs(out, title);
    fputs("</title>\n", out);
}

void cars_fig_bar_chart(FILE *out, const cars_fig_bars *c)
{
    const double left = 110, width = 400, bar = 14, gap = 10;
    size_t ns = c->nseries > 2 ? 2 : c->nseries;
    double group = bar * (double)ns + gap, h = 30 + group * (double)c->n + 10;
    svg_open(out, c->id, c->title, left + width + 70, h);
    for (size_t s = 0; s < ns; s++) { /* legend */
        fprintf(out, "<rect x=\"%.0f\" y=\"4\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", left + 160.0 * (double)s,
                colour[s]);
        label_text(out, left + 160.0 * (double)s + 16, 15, "start", c->series[s]);
    }
    for (size_t i = 0; i < c->n; i++) {
        double y0 = 30 + group * (double)i;
        label_text(out, left - 6, y0 + group / 2 - 1, "end", c->labels[i]);
        for (size_t s = 0; s < ns; s++) {
            double v = c->values[s][i], y = y0 + bar * (double)s;
            fprintf(out, "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\"/>\n", left, y,
                    width * v, bar - 2, colour[s]);
            char pct[32];
            snprintf(pct, sizeof pct, "%.1f%%", 100 * v);
            label_text(out, left + width * v + 4, y + bar - 4, "start", pct);
        }
    }
    fputs("</svg>\n", out);
}

void cars_fig_ci_chart(FILE *out, const cars_fig_ci *c)
{
    const double left = 150, width = 380, row = 22;
    double h = 60 + row * (double)c->n, max = c->max > 0 ? c->max : 1;
    svg_open(out, c->id, c->title, left + width + 30, h);
    double ya = h - 22; /* the axis: 0, the middle and max */
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#595959\"/>\n", left, ya,
            left + width, ya);
    for (int k = 0; k <= 2; k++) {
        char t[32];
        double v = max * k / 2;
        snprintf(t, sizeof t, c->percent ? "%.1f%%" : "%.2f", c->percent ? 100 * v : v);
        label_text(out, left + width * k / 2, h - 6, k == 0 ? "start" : k == 2 ? "end" : "middle", t);
    }
    double xr = left + width * (c->ref / max);
    fprintf(out, "<line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#595959\" stroke-dasharray=\"4 3\"/>\n",
            xr, xr, ya);
    label_text(out, xr, 14, "middle", c->ref_label);
    for (size_t i = 0; i < c->n; i++) {
        double y = 30 + row * (double)i + row / 2;
        label_text(out, left - 6, y + 4, "end", c->labels[i]);
        if (c->value[i] < 0) {
            label_text(out, left + 4, y + 4, "start", "no figure (hidden, or none to compare)");
            continue;
        }
        double lo = c->lo[i] > max ? max : c->lo[i], hi = c->hi[i] > max ? max : c->hi[i];
        double v = c->value[i] > max ? max : c->value[i];
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                left + width * lo / max, y, left + width * hi / max, y, colour[0]);
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", left + width * v / max, y, colour[1]);
    }
    fputs("</svg>\n", out);
}
