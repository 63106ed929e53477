/* A bump allocator: many small allocations, one free. */
#ifndef WF_CORE_ARENA_H
#define WF_CORE_ARENA_H

#include <stddef.h>

typedef struct wf_arena wf_arena;

wf_arena *wf_arena_new(void);
void wf_arena_free(wf_arena **a);
void *wf_arena_alloc(wf_arena *a, size_t n); /* zeroed, 16-aligned; NULL on OOM */
char *wf_arena_strdup(wf_arena *a, const char *s); /* NULL in, NULL out */
char *wf_arena_strndup(wf_arena *a, const char *s, size_t n);

#endif
