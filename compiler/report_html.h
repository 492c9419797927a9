/* report_html.h - shared pieces of the HTML writer of carsc report
 * (report_html.c: escaping, the page frame, the front page, the style
 * sheet; report_html_pages.c: the stage, equality, tables and changes
 * pages). Not a public interface. */
#ifndef CARS_REPORT_HTML_H
#define CARS_REPORT_HTML_H

#include <stddef.h>

#include "buf.h"
#include "report.h"

/* Appends s with &, <, >, " and ' escaped (text and attribute values alike)
 * and control characters but tab and newline dropped. */
void cars_html_esc(cars_buf *b, const char *s, size_t n);
void cars_html_cesc(cars_buf *b, const char *s);
/* Appends a date "YYYY-MM-DD". */
void cars_html_date(cars_buf *b, int64_t days);
/* A page up to the opening of <main>: doctype, lang, title, style sheet,
 * skip link, banner and navigation (`file` marked as the current page). */
void cars_html_begin(const cars_report *r, cars_buf *b, const char *file, const char *title);
/* Closes <main> and the page. */
void cars_html_end(const cars_report *r, cars_buf *b);
/* "OVERDUE" or "due inside the validity window" as marked text (never
 * colour alone), or nothing. */
void cars_html_review_mark(cars_buf *b, const cars_report_review *v);

/* The pages of report_html_pages.c; each returns the page in `b`. */
void cars_html_stage_page(const cars_report *r, cars_buf *b, const char *file);
void cars_html_equality_page(const cars_report *r, cars_buf *b);
void cars_html_tables_page(const cars_report *r, cars_buf *b);
void cars_html_changes_page(const cars_report *r, cars_buf *b);
void cars_html_tests_page(const cars_report *r, cars_buf *b);

#endif
