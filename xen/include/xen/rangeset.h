/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sets of inclusive [s, e] ranges, as an ioreq server uses for the port,
 * MMIO and PCI ranges it emulates.  Adjacent and overlapping ranges are
 * merged, so a set is always a sorted list of disjoint, non-adjacent
 * ranges.  Xen caps each ioreq server set at MAX_NR_IO_RANGES; an addition
 * that would need more gets -ENOMEM, as Xen's rangeset_add_range does.
 */
#ifndef XEN_RANGESET_H
#define XEN_RANGESET_H

#include <xen/lib.h>

#define MAX_NR_IO_RANGES 256

struct range {
    uint64_t s, e;
};

struct rangeset {
    unsigned int nr;
    struct range r[MAX_NR_IO_RANGES];
};

void rangeset_init(struct rangeset *r);
int rangeset_add_range(struct rangeset *r, uint64_t s, uint64_t e);
int rangeset_remove_range(struct rangeset *r, uint64_t s, uint64_t e);
bool rangeset_contains_range(const struct rangeset *r, uint64_t s,
                             uint64_t e);
bool rangeset_overlaps_range(const struct rangeset *r, uint64_t s,
                             uint64_t e);
static inline bool rangeset_is_empty(const struct rangeset *r)
{
    return r->nr == 0;
}

#endif /* XEN_RANGESET_H */
