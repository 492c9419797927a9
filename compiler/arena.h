/* arena.h - one arena per compilation: every AST node, string and checker
 * table lives here and is freed at once. Allocation failure is sticky:
 * cars_arena_failed() says whether any allocation failed. */
#ifndef CARS_ARENA_H
#define CARS_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cars_arena_chunk cars_arena_chunk;
typedef struct cars_arena {
    cars_arena_chunk *head;
    bool failed;
} cars_arena;

void cars_arena_init(cars_arena *a);
void cars_arena_free(cars_arena *a);
/* Zeroed, 16-byte aligned; NULL (and failed set) when out of memory. */
void *cars_arena_alloc(cars_arena *a, size_t n);
char *cars_arena_strndup(cars_arena *a, const char *s, size_t n);
char *cars_arena_strdup(cars_arena *a, const char *s);
/* Grow an array held in the arena: returns a copy with room for `want`
 * elements (old contents kept), or NULL. */
void *cars_arena_grow(cars_arena *a, void *old, size_t old_n, size_t want, size_t elem);
bool cars_arena_failed(const cars_arena *a);

#endif
