#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wf_status wf_buf_reserve(wf_buf *b, size_t extra)
{
    if (b->failed) return WF_E_NOMEM;
    if (extra > (size_t)-1 - b->len - 1) { /* len + extra + 1 would wrap */
        b->failed = 1;
        return WF_E_NOMEM;
    }
    if (b->len + extra + 1 <= b->cap) return WF_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return WF_E_NOMEM;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return WF_E_NOMEM;
    }
    b->p = p;
    b->cap = cap;
    return WF_OK;
}

wf_status wf_buf_add(wf_buf *b, const void *data, size_t n)
{
    if (wf_buf_reserve(b, n) != WF_OK) return WF_E_NOMEM;
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
    return WF_OK;
}

wf_status wf_buf_puts(wf_buf *b, const char *s)
{
    return wf_buf_add(b, s ? s : "", s ? strlen(s) : 0);
}

wf_status wf_buf_putc(wf_buf *b, char c)
{
    return wf_buf_add(b, &c, 1);
}

wf_status wf_buf_vprintf(wf_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return WF_E_SOFTWARE;
    if (wf_buf_reserve(b, (size_t)n) != WF_OK) return WF_E_NOMEM;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return WF_OK;
}

wf_status wf_buf_printf(wf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wf_status st = wf_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

const char *wf_buf_str(const wf_buf *b)
{
    return b->p ? b->p : "";
}

void wf_buf_clear(wf_buf *b)
{
    b->len = 0;
    if (b->p) b->p[0] = 0;
}

char *wf_buf_take(wf_buf *b)
{
    char *p = b->p;
    if (!p) p = calloc(1, 1);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return p;
}

void wf_buf_free(wf_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
