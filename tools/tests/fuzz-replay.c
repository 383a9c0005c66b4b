/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The main of the fuzz targets' replay builds (see fuzz.h): seeds and
 * files through LLVMFuzzerTestOneInput, without libFuzzer.
 */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t len = 0, cap = 0, n;

    if (!f) {
        perror(path);
        return 1;
    }
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            data = realloc(data, cap);
            if (!data)
                abort();
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
    } while (n);
    fclose(f);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    return 0;
}

static int write_seeds(const char *dir, struct fuzz_input *in)
{
    char path[4096];
    size_t i;
    FILE *f;

    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        perror(dir);
        return 1;
    }
    for (i = 0; (in->len = 0, fuzz_seed(i, in)); i++) {
        snprintf(path, sizeof(path), "%s/seed-%zu", dir, i);
        f = fopen(path, "wb");
        if (!f || fwrite(in->b, 1, in->len, f) != in->len || fclose(f)) {
            perror(path);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct fuzz_input in;
    size_t i;
    int r = 0;

    if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
        return write_seeds(argv[2], &in);
    if (argc > 1) {
        for (i = 1; i < (size_t)argc; i++)
            r |= run_file(argv[i]);
        return r;
    }
    printf("1..1\n");
    for (i = 0; (in.len = 0, fuzz_seed(i, &in)); i++)
        LLVMFuzzerTestOneInput(in.b, in.len);
    printf("ok 1 - %zu seeds through the fuzz target\n", i);
    return 0;
}
