/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The baseline of the lookup benchmarks: a rangeset as Xen's
 * common/rangeset.c kept it before the p2m_ioreq_server design, a sorted
 * linked list of inclusive [s, e] ranges, one xmalloc'ed node each,
 * searched linearly from the head (find_range).  This is the structure the
 * earlier write-protected-RAM design tracked pages in (peers.md A2).
 *
 * Singly linked here (Xen's list_head is doubly linked, 32-byte nodes):
 * a lookup never follows prev, so the smaller node only helps the
 * baseline.
 */
#ifndef BENCH_RANGESET_LIST_H
#define BENCH_RANGESET_LIST_H

#include <stdbool.h>
#include <stdint.h>

struct list_range {
    struct list_range *next;
    uint64_t s, e;
};

struct list_rangeset {
    struct list_range *head, *tail;
    unsigned long nr;
};

void list_rangeset_init(struct list_rangeset *r);
void list_rangeset_destroy(struct list_rangeset *r);

/*
 * Add [s, e] above every range already in the set (the benchmarks build
 * their sets in ascending order; a general insertion would walk the list
 * for each node, O(n^2) for a million of them).  A range touching the
 * last one is merged into it, as Xen merges.  -EINVAL if [s, e] is
 * reversed or not above the set, -ENOMEM without memory.
 */
int list_rangeset_append(struct list_rangeset *r, uint64_t s, uint64_t e);

/* Xen's rangeset_contains_range: find_range(s), then compare its end. */
bool list_rangeset_contains_range(const struct list_rangeset *r,
                                  uint64_t s, uint64_t e);

#endif /* BENCH_RANGESET_LIST_H */
