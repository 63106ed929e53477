#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

struct chunk {
    struct chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

struct wf_arena {
    struct chunk *head;
};

wf_arena *wf_arena_new(void)
{
    return calloc(1, sizeof(wf_arena));
}

void wf_arena_free(wf_arena **ap)
{
    if (!ap || !*ap) return;
    struct chunk *c = (*ap)->head;
    while (c) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    free(*ap);
    *ap = NULL;
}

void *wf_arena_alloc(wf_arena *a, size_t n)
{
    if (n > (size_t)-1 / 2) return NULL; /* rounding or the chunk header would wrap */
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    struct chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->cap = cap;
        c->used = 0;
        if (a->head && n > 65536) { /* big block: keep the current chunk for small ones */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *wf_arena_strndup(wf_arena *a, const char *s, size_t n)
{
    if (!s) return NULL;
    char *p = wf_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *wf_arena_strdup(wf_arena *a, const char *s)
{
    return s ? wf_arena_strndup(a, s, strlen(s)) : NULL;
}
