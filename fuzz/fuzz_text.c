/* libFuzzer target: wf_text_escape and the width functions.
 * Properties: the escaped text is "safe" (no C0/C1 control, no bidi control,
 * valid UTF-8), escaping safe text changes nothing, and wf_text_fit never
 * exceeds the columns it was given nor splits a code point. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* s is valid UTF-8 when `valid` is set: then the fitted prefix must end on
 * a code-point boundary. */
static void check_fit(const char *s, int valid)
{
    size_t n = strlen(s);
    for (size_t cols = 0; cols < 12; cols++) {
        size_t used = 0;
        size_t k = wf_text_fit(s, cols, &used);
        if (k > n || used > cols) abort();
        if (valid && k < n && ((unsigned char)s[k] & 0xc0) == 0x80) abort();
    }
    (void)wf_text_width(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wf_buf out = WF_BUF_INIT;
    wf_text_escape_n(&out, (const char *)data, size);
    if (out.failed) goto done;
    const char *e = wf_buf_str(&out);
    if (!wf_text_is_safe(e)) abort();
    for (size_t i = 0; i < out.len; i++) {
        unsigned char c = (unsigned char)e[i];
        if (c == 0x1b || c == 0x7f || c < 0x20) abort();
    }
    check_fit(e, 1);

    /* Safe input comes out unchanged. */
    char *s = malloc(size + 1);
    if (!s) goto done;
    memcpy(s, data, size);
    s[size] = '\0';
    if (strlen(s) == size && wf_text_is_safe(s)) {
        wf_buf again = WF_BUF_INIT;
        wf_text_escape(&again, s);
        if (!again.failed && strcmp(wf_buf_str(&again), s) != 0) abort();
        wf_buf_free(&again);
    }
    check_fit(s, 0);
    free(s);
done:
    wf_buf_free(&out);
    return 0;
}
