/* A growable byte buffer, always NUL-terminated. */
#ifndef WF_CORE_BUF_H
#define WF_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/status.h"

typedef struct {
    char *p;    /* NULL until the first write */
    size_t len; /* bytes, not counting the NUL */
    size_t cap;
    int failed; /* an allocation failed: contents are truncated */
} wf_buf;

#define WF_BUF_INIT {NULL, 0, 0, 0}

wf_status wf_buf_reserve(wf_buf *b, size_t extra);
wf_status wf_buf_add(wf_buf *b, const void *data, size_t n);
wf_status wf_buf_puts(wf_buf *b, const char *s);
wf_status wf_buf_putc(wf_buf *b, char c);
wf_status wf_buf_printf(wf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
wf_status wf_buf_vprintf(wf_buf *b, const char *fmt, va_list ap);
const char *wf_buf_str(const wf_buf *b); /* "" when empty */
void wf_buf_clear(wf_buf *b);            /* keeps the allocation */
char *wf_buf_take(wf_buf *b);            /* caller frees; buffer reset */
void wf_buf_free(wf_buf *b);

#endif
