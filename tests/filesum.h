/* "Byte-identical" checks for tests: FNV-1a over a whole file, plus its
 * size. Include after <cmocka.h>. */
#ifndef WF_TESTS_FILESUM_H
#define WF_TESTS_FILESUM_H

#include <stdint.h>
#include <stdio.h>

typedef struct {
    uint64_t sum;
    long size; /* -1: the file could not be read */
} file_sum;

static inline file_sum sum_file(const char *path)
{
    file_sum s = {1469598103934665603ULL, -1};
    FILE *f = fopen(path, "rb");
    if (!f) return s;
    int c;
    s.size = 0;
    while ((c = fgetc(f)) != EOF) {
        s.sum = (s.sum ^ (unsigned char)c) * 1099511628211ULL;
        s.size++;
    }
    fclose(f);
    return s;
}

static inline void assert_same_file(const char *path, file_sum before)
{
    file_sum now = sum_file(path);
    assert_int_equal(now.size, before.size);
    assert_int_equal(now.sum, before.sum);
}

#endif
