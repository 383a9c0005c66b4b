/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The physical-to-machine table of an HVM domain: a four-level radix tree
 * of 512 eight-byte entries per level, shaped like EPT, over the gfn space.
 *
 * Leaf entries hold a page's stored type.  Upper-level entries hold the
 * index of the next table and a recalc mark: a global type change marks
 * the root's entries (O(1) in the number of pages, the asynchronous reset)
 * and the marks are pushed down lazily, as Xen's EPT misconfiguration and
 * NPT deferred-change handlers do.  A lookup applies pending marks to the
 * type it returns without rewriting anything; a write, a guest access or
 * the sweep (p2m_finish_type_change) resolves the marks on its path.
 *
 * Invariant: ioreq.entry_count is the number of leaf entries whose stored
 * type is p2m_ioreq_server (the mark does not change a stored type).
 */
#ifndef XEN_P2M_H
#define XEN_P2M_H

#include <xen/lib.h>

/* Xen's internal p2m types that the model uses, with Xen's values. */
typedef enum {
    p2m_ram_rw = 0,
    p2m_invalid = 1,            /* not populated: a hole */
    p2m_ram_logdirty = 2,
    p2m_ram_ro = 3,
    p2m_mmio_dm = 4,
    p2m_ioreq_server = 15,
} p2m_type_t;

#define P2M_NR_TYPES        16
#define p2m_to_mask(t)      (1U << (t))

#define P2M_RAM_TYPES       (p2m_to_mask(p2m_ram_rw) |                 \
                             p2m_to_mask(p2m_ram_logdirty) |           \
                             p2m_to_mask(p2m_ram_ro) |                 \
                             p2m_to_mask(p2m_ioreq_server))
#define P2M_HOLE_TYPES      (p2m_to_mask(p2m_mmio_dm) |                \
                             p2m_to_mask(p2m_invalid))
/* Types that a recalculation may change (Xen's P2M_CHANGEABLE_TYPES). */
#define P2M_CHANGEABLE_TYPES (p2m_to_mask(p2m_ram_rw) |                \
                              p2m_to_mask(p2m_ram_logdirty) |          \
                              p2m_to_mask(p2m_ioreq_server))

#define p2m_is_ram(t)        (!!(p2m_to_mask(t) & P2M_RAM_TYPES))
#define p2m_is_hole(t)       (!!(p2m_to_mask(t) & P2M_HOLE_TYPES))
#define p2m_is_changeable(t) (!!(p2m_to_mask(t) & P2M_CHANGEABLE_TYPES))

#define P2M_LEVELS          4
#define P2M_ORDER           9
#define P2M_ENTRIES         (1U << P2M_ORDER)
#define P2M_GFN_BITS        (P2M_LEVELS * P2M_ORDER)
/* The largest gfn the table can describe. */
#define P2M_MAX_GFN         ((1UL << P2M_GFN_BITS) - 1)

typedef uint64_t p2m_entry_t;

struct p2m_table {
    p2m_entry_t e[P2M_ENTRIES];
};

struct p2m_domain {
    /* tables[0] is the root; upper entries refer to tables by index. */
    struct p2m_table **tables;
    unsigned int nr_tables, max_tables;

    unsigned long max_gfn;          /* capacity: the guest's highest gfn */
    unsigned long max_mapped_pfn;   /* highest gfn ever populated */
    bool populated;                 /* max_mapped_pfn is meaningful */

    /*
     * Whether global log-dirty mode is on: recalculation turns changeable
     * entries into p2m_ram_logdirty rather than p2m_ram_rw.  Set only by
     * the log-dirty code, never inferred from a type change (Xen's
     * inference switched log-dirty off when an ioreq server unmapped,
     * hazard H4).
     */
    bool global_logdirty;

    /*
     * The leaf table last reached, whose path had no pending mark: a
     * retype in chunks or a run of accesses need not walk from the root
     * again.  Marks appear only through a global change, which drops it.
     */
    struct p2m_table *cached_leaf;
    unsigned long cached_tag;       /* gfn >> P2M_ORDER of cached_leaf */
    p2m_entry_t *cached_parent;     /* the level-2 entry referring to it */
    /*
     * Entries [alike_from, alike_to) of cached_leaf all hold alike_entry,
     * set by one retype chunk after chunk (none while alike_to is 0): a
     * chunk that completes the table knows the table is alike.
     */
    unsigned int alike_from, alike_to;
    p2m_entry_t alike_entry;

    struct {
        bool claimed;               /* a server holds HVMMEM_ioreq_server */
        ioservid_t server;
        uint32_t flags;             /* XEN_DMOP_IOREQ_MEM_ACCESS_* */
        unsigned long entry_count;
    } ioreq;
};

int p2m_init(struct p2m_domain *p2m, unsigned long max_gfn);
void p2m_teardown(struct p2m_domain *p2m);

/* Populate [gfn, gfn + nr) as RAM (ram_rw, or logdirty in log-dirty mode). */
int p2m_add_ram(struct p2m_domain *p2m, unsigned long gfn, unsigned long nr);

/* The effective type: pending recalc marks applied, nothing rewritten. */
p2m_type_t p2m_get_type(const struct p2m_domain *p2m, unsigned long gfn);
/* The type as stored in the leaf, ignoring marks (for checks and tests). */
p2m_type_t p2m_get_stored_type(const struct p2m_domain *p2m,
                               unsigned long gfn);

/* Write one entry's type, resolving the marks on its path first. */
int p2m_set_entry(struct p2m_domain *p2m, unsigned long gfn, p2m_type_t nt);
/* Change one entry from ot to nt; -EBUSY if its effective type is not ot. */
int p2m_change_type_one(struct p2m_domain *p2m, unsigned long gfn,
                        p2m_type_t ot, p2m_type_t nt);
/*
 * Change the type of up to nr entries from gfn on to nt, one page at a
 * time in order, stopping at the first page whose effective type is not
 * in ot_mask (-EINVAL).  *done is the number of pages changed either way.
 * Runs of identical entries are changed a leaf table at a time.
 */
int p2m_change_type_span(struct p2m_domain *p2m, unsigned long gfn,
                         unsigned long nr, uint32_t ot_mask, p2m_type_t nt,
                         unsigned long *done);

/*
 * The asynchronous half of a global type change: mark every top-level
 * entry for recalculation.  Cost is independent of the number of pages.
 */
void p2m_change_entry_type_global(struct p2m_domain *p2m, p2m_type_t ot,
                                  p2m_type_t nt);
/*
 * Resolve the marks on the path of one gfn (Xen's p2m->recalc) and return
 * its type, now stored as well as effective.
 */
p2m_type_t p2m_recalc(struct p2m_domain *p2m, unsigned long gfn);
/*
 * The synchronous half: resolve every pending mark covering
 * [first_gfn, first_gfn + max_nr), clipped to max_mapped_pfn.
 */
void p2m_finish_type_change(struct p2m_domain *p2m, unsigned long first_gfn,
                            unsigned long max_nr);

/*
 * The claim of p2m_ioreq_server.  flags != 0 claims for server id:
 * -EBUSY if any server (id too) holds it or entries remain typed.
 * flags == 0 releases: -EINVAL unless id holds it.  No reset is done here.
 */
int p2m_set_ioreq_server(struct p2m_domain *p2m, uint32_t flags,
                         ioservid_t id);
/* The claim holder in *id and its flags, or false if nobody holds it. */
bool p2m_get_ioreq_server(const struct p2m_domain *p2m, ioservid_t *id,
                          uint32_t *flags);

/*
 * Drop the claim of server id, if it holds it, and reset every typed
 * entry at once (asynchronous mark and a complete sweep).
 */
void p2m_ioreq_release_all(struct p2m_domain *p2m, ioservid_t id);

/*
 * The run of gfns from gfn on with the same effective type as gfn: its
 * type in *t, its last gfn as the result (at most last).  Holes are runs
 * of p2m_invalid; absent subtrees are skipped whole.
 */
unsigned long p2m_type_run(const struct p2m_domain *p2m, unsigned long gfn,
                           unsigned long last, p2m_type_t *t);

/* Number of leaf entries whose stored type is t (a full walk). */
unsigned long p2m_count_stored(const struct p2m_domain *p2m, p2m_type_t t);
/* The model's invariant: entry_count matches the stored leaves. */
bool p2m_check_invariants(const struct p2m_domain *p2m);

#endif /* XEN_P2M_H */
