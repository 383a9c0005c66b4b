/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rangesets as a sorted array with binary search.  Xen keeps a linked list;
 * the semantics (inclusive ranges, merging, the cap, the errors) are Xen's,
 * the lookup is O(log n) instead of O(n).
 */
#include <string.h>

#include <xen/rangeset.h>

void rangeset_init(struct rangeset *r)
{
    r->nr = 0;
}

/* Index of the first range whose end is >= x (r->nr if none). */
static unsigned int first_ending_at_or_after(const struct rangeset *r,
                                             uint64_t x)
{
    unsigned int lo = 0, hi = r->nr;

    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;

        if (r->r[mid].e < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int rangeset_add_range(struct rangeset *r, uint64_t s, uint64_t e)
{
    unsigned int i, j;

    if (s > e)
        return -EINVAL;

    /*
     * Ranges that overlap [s, e] or touch it (end at s - 1, start at
     * e + 1) are merged into it.  Start at the first range ending at or
     * after s - 1 (s itself when s == 0, which cannot be touched below).
     */
    i = first_ending_at_or_after(r, s ? s - 1 : 0);
    j = i;
    while (j < r->nr && (e == UINT64_MAX || r->r[j].s <= e + 1)) {
        s = MIN(s, r->r[j].s);
        e = MAX(e, r->r[j].e);
        j++;
    }

    if (j == i) {
        /* Nothing to merge with: a new node is needed. */
        if (r->nr == MAX_NR_IO_RANGES)
            return -ENOMEM;
        memmove(&r->r[i + 1], &r->r[i], (r->nr - i) * sizeof(r->r[0]));
        r->nr++;
    } else if (j > i + 1) {
        memmove(&r->r[i + 1], &r->r[j], (r->nr - j) * sizeof(r->r[0]));
        r->nr -= j - i - 1;
    }
    r->r[i].s = s;
    r->r[i].e = e;
    return 0;
}

int rangeset_remove_range(struct rangeset *r, uint64_t s, uint64_t e)
{
    unsigned int i;

    if (s > e)
        return -EINVAL;

    i = first_ending_at_or_after(r, s);
    while (i < r->nr && r->r[i].s <= e) {
        struct range *x = &r->r[i];

        if (x->s < s && x->e > e) {
            /* Removing the middle splits the node in two. */
            if (r->nr == MAX_NR_IO_RANGES)
                return -ENOMEM;
            memmove(&r->r[i + 1], &r->r[i], (r->nr - i) * sizeof(r->r[0]));
            r->nr++;
            r->r[i].e = s - 1;
            r->r[i + 1].s = e + 1;
            return 0;
        }
        if (x->s < s) {
            x->e = s - 1;
            i++;
        } else if (x->e > e) {
            x->s = e + 1;
            i++;
        } else {
            memmove(&r->r[i], &r->r[i + 1],
                    (r->nr - i - 1) * sizeof(r->r[0]));
            r->nr--;
        }
    }
    return 0;
}

bool rangeset_contains_range(const struct rangeset *r, uint64_t s,
                             uint64_t e)
{
    unsigned int i = first_ending_at_or_after(r, s);

    return s <= e && i < r->nr && r->r[i].s <= s && r->r[i].e >= e;
}

bool rangeset_overlaps_range(const struct rangeset *r, uint64_t s,
                             uint64_t e)
{
    unsigned int i = first_ending_at_or_after(r, s);

    return s <= e && i < r->nr && r->r[i].s <= e;
}
