/* jsonl.c - routing lines and records as JSON Lines (jsonl.h). */
#include "jsonl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "names.h"
#include "route.h"

bool cars_lines_open(cars_lines *l, const char *path, const char *cmd)
{
    memset(l, 0, sizeof *l);
    l->path = path;
    l->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!l->f)
        fprintf(stderr, "carsc %s: cannot read %s: %s\n", cmd, path, strerror(errno));
    return l->f != NULL;
}

int cars_lines_next(cars_lines *l, const char *cmd)
{
    for (;;) {
        ssize_t n = getline(&l->buf, &l->cap, l->f);
        if (n < 0) {
            if (ferror(l->f)) {
                fprintf(stderr, "carsc %s: cannot read %s: %s\n", cmd, l->path, strerror(errno));
                return -1;
            }
            return 0;
        }
        l->no++;
        l->len = (size_t)n;
        if (l->len && l->buf[l->len - 1] == '\n')
            l->buf[--l->len] = '\0';
        if (!cars_blank_line(l->buf, l->len))
            return 1;
    }
}

void cars_lines_close(cars_lines *l)
{
    if (l->f && l->f != stdin)
        fclose(l->f);
    free(l->buf); /* allocated by getline */
    memset(l, 0, sizeof *l);
}

int cars_outcome_parse(const char *name)
{
    for (int o = 0; o <= CARS_OUT_ERROR; o++)
        if (strcmp(cars_outcome_name(o), name) == 0)
            return o;
    return -1;
}

static yajl_val member(yajl_val obj, const char *key, size_t klen)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *k = obj->u.object.keys[i];
        if (strlen(k) == klen && memcmp(k, key, klen) == 0)
            return obj->u.object.values[i];
    }
    return NULL;
}

yajl_val cars_json_path(yajl_val root, const char *path)
{
    yajl_val whole = member(root, path, strlen(path));
    if (whole)
        return whole;
    yajl_val v = root;
    for (const char *p = path; v;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        v = member(v, p, n);
        if (!dot)
            return v;
        p = dot + 1;
    }
    return NULL;
}

void cars_rline_free(cars_rline *r)
{
    yajl_tree_free(r->tree);
    memset(r, 0, sizeof *r);
}

bool cars_rline_parse(cars_rline *r, const char *line, char *err, size_t errlen)
{
    cars_rline_free(r);
    char yerr[200];
    r->tree = yajl_tree_parse(line, yerr, sizeof yerr);
    if (!r->tree) {
        char *nl = strchr(yerr, '\n');
        if (nl)
            *nl = '\0';
        snprintf(err, errlen, "not JSON: %s", yerr);
        return false;
    }
    yajl_val id = member(r->tree, "id", 2), out = member(r->tree, "outcome", 7), rules = member(r->tree, "rules", 5);
    if (!id || !(YAJL_IS_STRING(id) || YAJL_IS_NULL(id)) || !out || !YAJL_IS_STRING(out) || !rules ||
        !YAJL_IS_ARRAY(rules)) {
        snprintf(err, errlen, "not a routing line (it needs \"id\", \"outcome\" and \"rules\")");
        return false;
    }
    r->id = YAJL_GET_STRING(id);
    r->outcome = cars_outcome_parse(out->u.string);
    if (r->outcome < 0) {
        snprintf(err, errlen, "unknown outcome \"%.40s\"", out->u.string);
        return false;
    }
    r->nrules = rules->u.array.len;
    r->rules = rules->u.array.values;
    for (size_t i = 0; i < r->nrules; i++)
        if (!YAJL_IS_STRING(r->rules[i])) {
            snprintf(err, errlen, "a rule that is not a string");
            return false;
        }
    return true;
}
