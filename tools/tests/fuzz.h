/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * What the fuzz targets (fuzz-*.c across the tree) share: the entry point
 * libFuzzer calls, a check that aborts, so that libFuzzer and the replay
 * builds both report it as a crash, and a builder of binary inputs, for
 * seeds and for the inputs a target feeds itself.
 *
 * A target built with -DFUZZ_REPLAY_MAIN and linked with fuzz-replay.c is
 * an ordinary program instead (the test suite runs it, so that the target
 * keeps compiling and its checks keep holding on its seeds):
 *   PROGRAM                     its built-in seeds, printing TAP
 *   PROGRAM FILE...             each file as one input (a crash to replay)
 *   PROGRAM --write-seeds DIR   the seeds as files: a corpus to start from
 * Its seeds come from fuzz_seed, which each target defines.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                     \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                   \
            abort();                                                    \
        }                                                               \
    } while (0)

#define FUZZ_INPUT_MAX  8192

struct fuzz_input {
    uint8_t b[FUZZ_INPUT_MAX];
    size_t len;
};

static inline void fuzz_put(struct fuzz_input *in, const void *p,
                            size_t len)
{
    CHECK(in->len + len <= sizeof(in->b));
    if (len)
        memcpy(in->b + in->len, p, len);
    in->len += len;
}

static inline void fuzz_put_u8(struct fuzz_input *in, uint8_t v)
{
    fuzz_put(in, &v, 1);
}

/* Little endian, as the targets read them. */
static inline void fuzz_put_u16(struct fuzz_input *in, uint16_t v)
{
    fuzz_put_u8(in, v & 0xff);
    fuzz_put_u8(in, v >> 8);
}

static inline void fuzz_put_u32(struct fuzz_input *in, uint32_t v)
{
    fuzz_put_u16(in, v & 0xffff);
    fuzz_put_u16(in, v >> 16);
}

/* Reading an input: past its end, every byte reads as 0. */
struct fuzz_reader {
    const uint8_t *p;
    size_t left;
};

static inline uint8_t fuzz_take_u8(struct fuzz_reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static inline uint16_t fuzz_take_u16(struct fuzz_reader *r)
{
    uint16_t lo = fuzz_take_u8(r);

    return lo | (uint16_t)fuzz_take_u8(r) << 8;
}

static inline uint32_t fuzz_take_u32(struct fuzz_reader *r)
{
    uint32_t lo = fuzz_take_u16(r);

    return lo | (uint32_t)fuzz_take_u16(r) << 16;
}

static inline void fuzz_take(struct fuzz_reader *r, void *buf, size_t len)
{
    size_t n = len < r->left ? len : r->left;

    if (n)
        memcpy(buf, r->p, n);
    memset((uint8_t *)buf + n, 0, len - n);
    r->p += n;
    r->left -= n;
}

/*
 * The hypervisor model's preemption check (struct hypervisor's
 * preempt_check, opaque a struct fuzz_preempt), answering from a pattern
 * the input chose: bit i of it for the i-th check, round and round.
 */
struct fuzz_preempt {
    uint32_t pattern;
    unsigned int calls;
};

static inline bool fuzz_preempt_check(void *opaque)
{
    struct fuzz_preempt *p = opaque;

    return p->pattern >> (p->calls++ % 32) & 1;
}

/* Seed i into the empty in; false when there is no seed i. */
bool fuzz_seed(size_t i, struct fuzz_input *in);

/* For seeds kept as strings: seed i of a table of n. */
static inline bool fuzz_seed_string(const char *const *table, size_t n,
                                    size_t i, struct fuzz_input *in)
{
    if (i >= n)
        return false;
    fuzz_put(in, table[i], strlen(table[i]));
    return true;
}

/* For seeds built by functions: seed i of a table of n. */
typedef void fuzz_seed_fn(struct fuzz_input *in);

static inline bool fuzz_seed_built(fuzz_seed_fn *const *table, size_t n,
                                   size_t i, struct fuzz_input *in)
{
    if (i >= n)
        return false;
    table[i](in);
    return true;
}

#endif /* TESTS_FUZZ_H */
