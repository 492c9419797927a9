/* serve_metrics.c - the counters of `carsvm serve` (relaxed atomics: each
 * is exact, the set is not a snapshot) and GET /metrics in the Prometheus
 * text exposition format (docs/serve.md, "Metrics"). */
#include "serve.h"

#include <stdarg.h>
#include <stdio.h>

#include "json.h"
#include "names.h"

static const int codes[] = {200, 400, 404, 405, 413, 431, 500, 503};
enum { NCODES = sizeof codes / sizeof codes[0] };
static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};
enum { NBOUNDS = sizeof bounds / sizeof bounds[0] };
static const char *const err_names[CARS_SRV_NERR] = {
    "bad_request", "not_found", "method_not_allowed", "body_too_large", "too_many_records",
    "too_many_connections", "header_timeout", "body_timeout", "decision_log", "internal", "stopping",
    "head_too_large"};

static atomic_ullong requests[NCODES + 1]; /* the last: any other status */
static atomic_ullong errors[CARS_SRV_NERR];
static atomic_ullong outcomes[CARS_OUT_ERROR + 1];
static atomic_ullong buckets[NBOUNDS + 1]; /* the last: above every bound */
static atomic_ullong latency_us;           /* the sum, in microseconds */
static atomic_ullong swaps, refusals;

void cars_srv_count_request(int status)
{
    int i = 0;
    while (i < NCODES && codes[i] != status)
        i++;
    atomic_fetch_add_explicit(&requests[i], 1, memory_order_relaxed);
}

void cars_srv_count_error(enum cars_srv_err e)
{
    atomic_fetch_add_explicit(&errors[e], 1, memory_order_relaxed);
}

void cars_srv_count_outcome(uint8_t outcome)
{
    if (outcome <= CARS_OUT_ERROR)
        atomic_fetch_add_explicit(&outcomes[outcome], 1, memory_order_relaxed);
}

void cars_srv_count_latency(double seconds)
{
    int i = 0;
    while (i < NBOUNDS && seconds > bounds[i])
        i++;
    atomic_fetch_add_explicit(&buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_us, (unsigned long long)(seconds * 1e6), memory_order_relaxed);
}

void cars_srv_count_swap(bool accepted)
{
    atomic_fetch_add_explicit(accepted ? &swaps : &refusals, 1, memory_order_relaxed);
}

static void line(cars_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(cars_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        cars_buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static unsigned long long get(atomic_ullong *c) { return atomic_load_explicit(c, memory_order_relaxed); }

static void requests_and_errors(cars_buf *b)
{
    line(b, "# HELP cars_http_requests_total HTTP requests answered, by status code.\n"
            "# TYPE cars_http_requests_total counter\n");
    for (int i = 0; i < NCODES; i++)
        line(b, "cars_http_requests_total{code=\"%d\"} %llu\n", codes[i], get(&requests[i]));
    line(b, "cars_http_requests_total{code=\"other\"} %llu\n", get(&requests[NCODES]));
    line(b, "# HELP cars_http_errors_total Requests refused, by reason.\n# TYPE cars_http_errors_total counter\n");
    for (int i = 0; i < CARS_SRV_NERR; i++)
        line(b, "cars_http_errors_total{reason=\"%s\"} %llu\n", err_names[i], get(&errors[i]));
    line(b, "# HELP cars_routings_total Records routed, by outcome (ERROR: invalid records).\n"
            "# TYPE cars_routings_total counter\n");
    for (int i = 0; i <= CARS_OUT_ERROR; i++)
        line(b, "cars_routings_total{outcome=\"%s\"} %llu\n", cars_outcome_name(i), get(&outcomes[i]));
}

static void latency(cars_buf *b)
{
    line(b, "# HELP cars_request_duration_seconds Time from a request's headers to its response (POST /v1/route).\n"
            "# TYPE cars_request_duration_seconds histogram\n");
    unsigned long long sum = 0;
    for (int i = 0; i < NBOUNDS; i++) {
        sum += get(&buckets[i]);
        line(b, "cars_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bounds[i], sum);
    }
    sum += get(&buckets[NBOUNDS]);
    line(b, "cars_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", sum);
    line(b, "cars_request_duration_seconds_sum %.6f\n", (double)get(&latency_us) / 1e6);
    line(b, "cars_request_duration_seconds_count %llu\n", sum);
}

void cars_srv_metrics(cars_buf *b, const cars_srv_release *s, struct cars_declog *log)
{
    requests_and_errors(b);
    latency(b);
    line(b, "# HELP cars_release_info The release being served (value 1).\n# TYPE cars_release_info gauge\n");
    cars_buf_puts(b, "cars_release_info{release=");
    cars_json_string(b, s->r.prog.release_id.p, s->r.prog.release_id.len); /* escapes as Prometheus wants */
    line(b, ",sequence=\"%llu\",bundle=\"%s\"} 1\n", (unsigned long long)s->r.prog.sequence, s->logsrc.bundle_hex);
    line(b, "# HELP cars_release_swaps_total New releases accepted while serving.\n"
            "# TYPE cars_release_swaps_total counter\ncars_release_swaps_total %llu\n", get(&swaps));
    line(b, "# HELP cars_release_refusals_total New releases refused while serving (the old one kept).\n"
            "# TYPE cars_release_refusals_total counter\ncars_release_refusals_total %llu\n", get(&refusals));
    if (log) {
        unsigned long long lines, failures;
        char head[65];
        cars_declog_stats(log, &lines, &failures, head);
        line(b, "# HELP cars_decision_log_lines_total Decision-log lines written.\n"
                "# TYPE cars_decision_log_lines_total counter\ncars_decision_log_lines_total %llu\n", lines);
        line(b, "# HELP cars_decision_log_failures_total Decision-log writes that failed (requests answered 503).\n"
                "# TYPE cars_decision_log_failures_total counter\ncars_decision_log_failures_total %llu\n",
             failures);
    }
}
