/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The p2m table (see p2m.h for its shape and invariant).
 *
 * Entry encoding, our own (Xen's EPT/NPT bits do not matter to the model):
 *   leaf:  bit 0 present, bits 1-5 the stored p2m_type_t; 0 is a hole.
 *   upper: bit 0 present, bit 1 recalc mark, bits 32-63 the index of the
 *          next-level table in p2m->tables; on level 2, bit 2 says that
 *          every entry of the leaf table is the same (clear when unsure),
 *          so that reading types is one step per alike leaf table, as a
 *          superpage is in Xen.
 */
#include <stdlib.h>
#include <string.h>

#include <xen/p2m.h>

#define P2M_PRESENT         ((p2m_entry_t)1 << 0)
#define P2M_RECALC          ((p2m_entry_t)1 << 1)
#define P2M_UNIFORM         ((p2m_entry_t)1 << 2)
#define P2M_TYPE_SHIFT      1
#define P2M_TYPE_MASK       ((p2m_entry_t)0x1f << P2M_TYPE_SHIFT)
#define P2M_TABLE_SHIFT     32

static inline p2m_entry_t leaf_entry(p2m_type_t t)
{
    return t == p2m_invalid
           ? 0 : P2M_PRESENT | ((p2m_entry_t)t << P2M_TYPE_SHIFT);
}

static inline p2m_type_t leaf_type(p2m_entry_t e)
{
    return (e & P2M_PRESENT)
           ? (p2m_type_t)((e & P2M_TYPE_MASK) >> P2M_TYPE_SHIFT)
           : p2m_invalid;
}

static inline unsigned int table_index(p2m_entry_t e)
{
    return (unsigned int)(e >> P2M_TABLE_SHIFT);
}

/* Index into the table at level (4 = root, 1 = leaf table) for gfn. */
static inline unsigned int level_index(unsigned long gfn, unsigned int level)
{
    return (gfn >> ((level - 1) * P2M_ORDER)) & (P2M_ENTRIES - 1);
}

/*
 * What a changeable type becomes when its entry is recalculated: a type
 * claimed by a server stays; everything else reverts to plain RAM, in its
 * log-dirty form while global log-dirty is on (Xen's
 * p2m_recalc_type_range).
 */
static p2m_type_t recalc_type(const struct p2m_domain *p2m, p2m_type_t t)
{
    if (!p2m_is_changeable(t))
        return t;
    if (t == p2m_ioreq_server && p2m->ioreq.claimed)
        return t;
    return p2m->global_logdirty ? p2m_ram_logdirty : p2m_ram_rw;
}

/*
 * Every change of a single leaf goes through here, so the count stays
 * exact.  pe is in the cached leaf table, just reached by leaf_table.
 */
static inline void write_leaf(struct p2m_domain *p2m, p2m_entry_t *pe,
                              p2m_type_t nt)
{
    p2m_type_t ot = leaf_type(*pe);
    p2m_entry_t ne = leaf_entry(nt);

    ASSERT(p2m->cached_leaf && pe >= p2m->cached_leaf->e &&
           pe < p2m->cached_leaf->e + P2M_ENTRIES);
    if (ot == p2m_ioreq_server) {
        ASSERT(p2m->ioreq.entry_count > 0);
        p2m->ioreq.entry_count--;
    }
    if (nt == p2m_ioreq_server)
        p2m->ioreq.entry_count++;
    if (ne != *pe)
        *p2m->cached_parent &= ~P2M_UNIFORM;
    p2m->alike_to = 0;
    *pe = ne;
}

static void note_mapped(struct p2m_domain *p2m, unsigned long last_gfn)
{
    if (!p2m->populated || last_gfn > p2m->max_mapped_pfn) {
        p2m->max_mapped_pfn = last_gfn;
        p2m->populated = true;
    }
}

static int alloc_table(struct p2m_domain *p2m, unsigned int *index)
{
    struct p2m_table *t;

    if (p2m->nr_tables == p2m->max_tables) {
        unsigned int max = p2m->max_tables ? p2m->max_tables * 2 : 64;
        struct p2m_table **tables = realloc(p2m->tables,
                                            max * sizeof(*tables));

        if (!tables)
            return -ENOMEM;
        p2m->tables = tables;
        p2m->max_tables = max;
    }
    t = aligned_alloc(sizeof(*t), sizeof(*t));
    if (!t)
        return -ENOMEM;
    memset(t, 0, sizeof(*t));
    *index = p2m->nr_tables;
    p2m->tables[p2m->nr_tables++] = t;
    return 0;
}

int p2m_init(struct p2m_domain *p2m, unsigned long max_gfn)
{
    unsigned int root;

    memset(p2m, 0, sizeof(*p2m));
    if (max_gfn > P2M_MAX_GFN)
        return -EINVAL;
    p2m->max_gfn = max_gfn;
    return alloc_table(p2m, &root);
}

void p2m_teardown(struct p2m_domain *p2m)
{
    unsigned int i;

    for (i = 0; i < p2m->nr_tables; i++)
        free(p2m->tables[i]);
    free(p2m->tables);
    memset(p2m, 0, sizeof(*p2m));
}

static void mark_table(struct p2m_table *t)
{
    unsigned int i;

    for (i = 0; i < P2M_ENTRIES; i++)
        if (t->e[i] & P2M_PRESENT)
            t->e[i] |= P2M_RECALC;
}

/* Whether e[0..n) all equal v (vectorises). */
static bool all_alike(const p2m_entry_t *e, unsigned long n, p2m_entry_t v)
{
    p2m_entry_t diff = 0;
    unsigned long k;

    for (k = 0; k < n; k++)
        diff |= e[k] ^ v;
    return !diff;
}

/* Leaf entries hold only the present bit and the type: 64 values. */
#define LEAF_VALUES     64

/* pe is the level-2 entry referring to t, for its uniform mark. */
static void recalc_leaf_table(struct p2m_domain *p2m, struct p2m_table *t,
                              p2m_entry_t *pe)
{
    const p2m_entry_t typed = leaf_entry(p2m_ioreq_server);
    p2m_entry_t map[LEAF_VALUES], first = t->e[0], ndiff = 0;
    long delta = 0;
    unsigned int i;

    /* Most tables hold one type throughout: check... */
    if ((*pe & P2M_UNIFORM) || all_alike(t->e, P2M_ENTRIES, first)) {
        p2m_entry_t ne = leaf_entry(recalc_type(p2m, leaf_type(first)));

        *pe |= P2M_UNIFORM;
        if (ne == first)
            return;
        /* ...and rewrite in one pass, adjusting the count once. */
        for (i = 0; i < P2M_ENTRIES; i++)
            t->e[i] = ne;
        if (first == typed)
            p2m->ioreq.entry_count -= P2M_ENTRIES;
        if (ne == typed)
            p2m->ioreq.entry_count += P2M_ENTRIES;
        return;
    }

    /* Mixed: what each possible entry becomes, then a branch-free pass. */
    for (i = 0; i < LEAF_VALUES; i++)
        map[i] = leaf_entry(recalc_type(p2m, leaf_type(i)));
    for (i = 0; i < P2M_ENTRIES; i++) {
        p2m_entry_t e = t->e[i], ne = map[e & (LEAF_VALUES - 1)];

        ASSERT(e < LEAF_VALUES);
        t->e[i] = ne;
        delta += (long)(ne == typed) - (long)(e == typed);
        ndiff |= ne ^ t->e[0];
    }
    p2m->ioreq.entry_count += delta;
    /* A release often leaves the table alike again (all ram_rw). */
    if (!ndiff)
        *pe |= P2M_UNIFORM;
}

/*
 * The leaf table covering gfn, with every recalc mark on the way down
 * resolved (pushed one level down, or applied to the leaves).  With alloc,
 * missing tables are created; without, NULL means gfn is in a hole.
 */
static struct p2m_table *leaf_table(struct p2m_domain *p2m, unsigned long gfn,
                                    bool alloc)
{
    struct p2m_table *t = p2m->tables[0];
    p2m_entry_t *pe = NULL;
    unsigned int level;

    if (p2m->cached_leaf && p2m->cached_tag == gfn >> P2M_ORDER)
        return p2m->cached_leaf;

    for (level = P2M_LEVELS; level > 1; level--) {
        struct p2m_table *child;

        pe = &t->e[level_index(gfn, level)];
        if (!(*pe & P2M_PRESENT)) {
            unsigned int index;

            if (!alloc || alloc_table(p2m, &index))
                return NULL;
            /* alloc_table may move p2m->tables, not the tables in it. */
            *pe = P2M_PRESENT | ((p2m_entry_t)index << P2M_TABLE_SHIFT);
            /* A new leaf table is all holes. */
            if (level == 2)
                *pe |= P2M_UNIFORM;
        }
        child = p2m->tables[table_index(*pe)];
        if (*pe & P2M_RECALC) {
            *pe &= ~P2M_RECALC;
            if (level - 1 > 1)
                mark_table(child);
            else
                recalc_leaf_table(p2m, child, pe);
        }
        t = child;
    }
    p2m->cached_leaf = t;
    p2m->cached_tag = gfn >> P2M_ORDER;
    p2m->cached_parent = pe;
    p2m->alike_to = 0;
    return t;
}

/* The leaf entry of gfn without changing anything, and its pending mark. */
static const p2m_entry_t *peek_leaf(const struct p2m_domain *p2m,
                                    unsigned long gfn, bool *recalc)
{
    const struct p2m_table *t = p2m->tables[0];
    unsigned int level;
    p2m_entry_t mark = 0;

    if (gfn > p2m->max_gfn)
        return NULL;
    if (p2m->cached_leaf && p2m->cached_tag == gfn >> P2M_ORDER) {
        *recalc = false;
        return &p2m->cached_leaf->e[gfn & (P2M_ENTRIES - 1)];
    }
    for (level = P2M_LEVELS; level > 1; level--) {
        p2m_entry_t e = t->e[level_index(gfn, level)];

        if (!(e & P2M_PRESENT))
            return NULL;
        mark |= e;
        t = p2m->tables[table_index(e)];
    }
    *recalc = mark & P2M_RECALC;
    return &t->e[gfn & (P2M_ENTRIES - 1)];
}

p2m_type_t p2m_get_type(const struct p2m_domain *p2m, unsigned long gfn)
{
    bool recalc;
    const p2m_entry_t *pe = peek_leaf(p2m, gfn, &recalc);
    p2m_type_t t;

    if (!pe)
        return p2m_invalid;
    t = leaf_type(*pe);
    return recalc ? recalc_type(p2m, t) : t;
}

p2m_type_t p2m_get_stored_type(const struct p2m_domain *p2m,
                               unsigned long gfn)
{
    bool recalc;
    const p2m_entry_t *pe = peek_leaf(p2m, gfn, &recalc);

    return pe ? leaf_type(*pe) : p2m_invalid;
}

int p2m_set_entry(struct p2m_domain *p2m, unsigned long gfn, p2m_type_t nt)
{
    struct p2m_table *t;

    if (gfn > p2m->max_gfn)
        return -EINVAL;
    t = leaf_table(p2m, gfn, nt != p2m_invalid);
    if (!t)
        return nt == p2m_invalid ? 0 : -ENOMEM;
    write_leaf(p2m, &t->e[gfn & (P2M_ENTRIES - 1)], nt);
    if (nt != p2m_invalid)
        note_mapped(p2m, gfn);
    return 0;
}

int p2m_change_type_one(struct p2m_domain *p2m, unsigned long gfn,
                        p2m_type_t ot, p2m_type_t nt)
{
    struct p2m_table *t;
    p2m_entry_t *pe;

    if (gfn > p2m->max_gfn)
        return -EINVAL;
    t = leaf_table(p2m, gfn, ot == p2m_invalid);
    if (!t)
        return ot == p2m_invalid ? -ENOMEM : -EBUSY;
    pe = &t->e[gfn & (P2M_ENTRIES - 1)];
    if (leaf_type(*pe) != ot)
        return -EBUSY;
    write_leaf(p2m, pe, nt);
    if (nt != p2m_invalid)
        note_mapped(p2m, gfn);
    return 0;
}

/* Entries checked and stored together: a fixed count vectorises at -O2. */
#define RUN_BLOCK       8

/* Change n entries of one leaf table; see p2m_change_type_span. */
static unsigned long change_type_run(struct p2m_domain *p2m, p2m_entry_t *e,
                                     unsigned long n, uint32_t ot_mask,
                                     p2m_type_t nt)
{
    p2m_entry_t first = e[0], ne = leaf_entry(nt);
    p2m_type_t ot = leaf_type(first);
    unsigned long k = 0, j;

    /*
     * Runs of identical entries of an allowed type, a block at a time:
     * each block is checked, then rewritten, and the count adjusted once.
     */
    if (ot_mask & p2m_to_mask(ot)) {
        for (; k + RUN_BLOCK <= n; k += RUN_BLOCK) {
            p2m_entry_t diff = 0;

            for (j = 0; j < RUN_BLOCK; j++)
                diff |= e[k + j] ^ first;
            if (diff)
                break;
            for (j = 0; j < RUN_BLOCK; j++)
                e[k + j] = ne;
        }
        if (ot == p2m_ioreq_server)
            p2m->ioreq.entry_count -= k;
        if (nt == p2m_ioreq_server)
            p2m->ioreq.entry_count += k;
        if (k && ne != first)
            *p2m->cached_parent &= ~P2M_UNIFORM;
    }

    /* The rest one entry at a time, stopping at the first refusal. */
    for (; k < n; k++) {
        if (!(ot_mask & p2m_to_mask(leaf_type(e[k]))))
            break;
        write_leaf(p2m, &e[k], nt);
    }
    return k;
}

/*
 * Entries [from, to) of the cached leaf table now hold ne: with what the
 * chunks before set, the whole table may be alike.
 */
static void note_alike(struct p2m_domain *p2m, unsigned int from,
                       unsigned int to, p2m_entry_t ne)
{
    if (p2m->alike_to && p2m->alike_to == from && p2m->alike_entry == ne) {
        p2m->alike_to = to;
    } else {
        p2m->alike_from = from;
        p2m->alike_to = to;
        p2m->alike_entry = ne;
    }
    if (p2m->alike_from == 0 && p2m->alike_to == P2M_ENTRIES)
        *p2m->cached_parent |= P2M_UNIFORM;
}

int p2m_change_type_span(struct p2m_domain *p2m, unsigned long gfn,
                         unsigned long nr, uint32_t ot_mask, p2m_type_t nt,
                         unsigned long *done)
{
    bool holes_allowed = ot_mask & p2m_to_mask(p2m_invalid);
    int rc = 0;

    *done = 0;
    while (*done < nr) {
        unsigned long cur = gfn + *done;
        unsigned long i = cur & (P2M_ENTRIES - 1);
        unsigned long n = MIN(P2M_ENTRIES - i, nr - *done);
        struct p2m_table *t;
        unsigned long changed;

        if (cur > p2m->max_gfn) {
            rc = -EINVAL;
            break;
        }
        t = leaf_table(p2m, cur, holes_allowed);
        if (!t) {
            rc = holes_allowed ? -ENOMEM : -EINVAL;
            break;
        }
        changed = change_type_run(p2m, &t->e[i], n, ot_mask, nt);
        if (changed)
            note_alike(p2m, i, i + changed, leaf_entry(nt));
        *done += changed;
        if (changed && nt != p2m_invalid)
            note_mapped(p2m, cur + changed - 1);
        if (changed < n) {
            rc = -EINVAL;
            break;
        }
    }
    return rc;
}

int p2m_add_ram(struct p2m_domain *p2m, unsigned long gfn, unsigned long nr)
{
    p2m_type_t t = p2m->global_logdirty ? p2m_ram_logdirty : p2m_ram_rw;
    uint32_t any = ~0U;
    unsigned long done;

    if (nr == 0 || gfn > p2m->max_gfn || nr - 1 > p2m->max_gfn - gfn)
        return -EINVAL;
    /* Populating replaces whatever was there, as Xen's physmap add does. */
    return p2m_change_type_span(p2m, gfn, nr, any, t, &done);
}

void p2m_change_entry_type_global(struct p2m_domain *p2m, p2m_type_t ot,
                                  p2m_type_t nt)
{
    ASSERT(p2m_is_changeable(ot) && p2m_is_changeable(nt));
    (void)ot;
    (void)nt;
    /*
     * The mark does not record ot and nt: recalculation derives the new
     * type from the claim and the log-dirty mode, which the caller has
     * already updated.
     */
    mark_table(p2m->tables[0]);
    p2m->cached_leaf = NULL;
}

p2m_type_t p2m_recalc(struct p2m_domain *p2m, unsigned long gfn)
{
    struct p2m_table *t;

    if (gfn > p2m->max_gfn)
        return p2m_invalid;
    t = leaf_table(p2m, gfn, false);
    return t ? leaf_type(t->e[gfn & (P2M_ENTRIES - 1)]) : p2m_invalid;
}

void p2m_finish_type_change(struct p2m_domain *p2m, unsigned long first_gfn,
                            unsigned long max_nr)
{
    unsigned long gfn = first_gfn, last;

    if (!p2m->populated || max_nr == 0 || first_gfn > p2m->max_mapped_pfn)
        return;
    last = p2m->max_mapped_pfn;
    if (max_nr - 1 < last - first_gfn)
        last = first_gfn + max_nr - 1;

    /* One resolution per leaf table covers all of its gfns. */
    for (;;) {
        p2m_recalc(p2m, gfn);
        if (last - gfn < P2M_ENTRIES - (gfn & (P2M_ENTRIES - 1)))
            break;
        gfn = (gfn | (P2M_ENTRIES - 1)) + 1;
    }
}

int p2m_set_ioreq_server(struct p2m_domain *p2m, uint32_t flags,
                         ioservid_t id)
{
    if (flags == 0) {
        if (!p2m->ioreq.claimed || p2m->ioreq.server != id)
            return -EINVAL;
        p2m->ioreq.claimed = false;
        p2m->ioreq.flags = 0;
        return 0;
    }
    if (p2m->ioreq.claimed || p2m->ioreq.entry_count != 0)
        return -EBUSY;
    p2m->ioreq.claimed = true;
    p2m->ioreq.server = id;
    p2m->ioreq.flags = flags;
    return 0;
}

bool p2m_get_ioreq_server(const struct p2m_domain *p2m, ioservid_t *id,
                          uint32_t *flags)
{
    if (!p2m->ioreq.claimed)
        return false;
    if (id)
        *id = p2m->ioreq.server;
    if (flags)
        *flags = p2m->ioreq.flags;
    return true;
}

void p2m_ioreq_release_all(struct p2m_domain *p2m, ioservid_t id)
{
    unsigned long gfn;

    if (p2m_set_ioreq_server(p2m, 0, id))
        return;
    if (p2m->ioreq.entry_count == 0)
        return;
    p2m_change_entry_type_global(p2m, p2m_ioreq_server, p2m_ram_rw);
    for (gfn = 0; p2m->ioreq.entry_count && gfn <= p2m->max_mapped_pfn;
         gfn += P2M_ENTRIES)
        p2m_finish_type_change(p2m, gfn, P2M_ENTRIES);
}

/*
 * The gfns [gfn, *end] share the table path of gfn at the level where it
 * stops: a missing entry (a hole) or the leaf table.  Returns the leaf
 * table (NULL for a hole), the path's pending mark and whether the leaf
 * table's entries are known to be all alike.
 */
static const struct p2m_table *span_of(const struct p2m_domain *p2m,
                                       unsigned long gfn, unsigned long *end,
                                       bool *recalc, bool *uniform)
{
    const struct p2m_table *t = p2m->tables[0];
    unsigned int level;
    p2m_entry_t mark = 0, e = 0;

    for (level = P2M_LEVELS; level > 1; level--) {
        e = t->e[level_index(gfn, level)];
        if (!(e & P2M_PRESENT)) {
            unsigned long span = 1UL << ((level - 1) * P2M_ORDER);

            *end = (gfn | (span - 1));
            return NULL;
        }
        mark |= e;
        t = p2m->tables[table_index(e)];
    }
    *end = gfn | (P2M_ENTRIES - 1);
    *recalc = mark & P2M_RECALC;
    *uniform = e & P2M_UNIFORM;
    return t;
}

/* How many entries from e[0] (at most n) equal e[0], in blocks. */
static unsigned long same_run(const p2m_entry_t *e, unsigned long n)
{
    p2m_entry_t v = e[0];
    unsigned long k = 0, j;

    for (; k + RUN_BLOCK <= n; k += RUN_BLOCK) {
        p2m_entry_t diff = 0;

        for (j = 0; j < RUN_BLOCK; j++)
            diff |= e[k + j] ^ v;
        if (diff)
            break;
    }
    while (k < n && e[k] == v)
        k++;
    return k;
}

unsigned long p2m_type_run(const struct p2m_domain *p2m, unsigned long gfn,
                           unsigned long last, p2m_type_t *t)
{
    bool first = true;

    last = MIN(last, p2m->max_gfn);
    if (gfn > last) {
        *t = p2m_invalid;
        return gfn;
    }
    for (;;) {
        unsigned long end;
        bool recalc = false, uniform = false;
        const struct p2m_table *leaf = span_of(p2m, gfn, &end, &recalc,
                                               &uniform);

        end = MIN(end, last);
        while (gfn <= end) {
            /* A hole is one type throughout; entries alike, one type. */
            unsigned long n = leaf && !uniform
                ? same_run(&leaf->e[gfn & (P2M_ENTRIES - 1)], end - gfn + 1)
                : end - gfn + 1;
            p2m_type_t here = p2m_invalid;

            if (leaf) {
                here = leaf_type(leaf->e[gfn & (P2M_ENTRIES - 1)]);
                if (recalc)
                    here = recalc_type(p2m, here);
            }
            if (first) {
                *t = here;
                first = false;
            } else if (here != *t) {
                return gfn - 1;
            }
            gfn += n;
        }
        if (end == last)
            return last;
    }
}

static unsigned long count_in(const struct p2m_domain *p2m,
                              const struct p2m_table *t, unsigned int level,
                              p2m_type_t type)
{
    unsigned long n = 0;
    unsigned int i;

    for (i = 0; i < P2M_ENTRIES; i++) {
        p2m_entry_t e = t->e[i];

        if (!(e & P2M_PRESENT))
            continue;
        if (level == 1)
            n += leaf_type(e) == type;
        else
            n += count_in(p2m, p2m->tables[table_index(e)], level - 1, type);
    }
    return n;
}

unsigned long p2m_count_stored(const struct p2m_domain *p2m, p2m_type_t t)
{
    return count_in(p2m, p2m->tables[0], P2M_LEVELS, t);
}

/* Every level-2 entry marked uniform refers to a table of alike entries. */
static bool uniform_marks_hold(const struct p2m_domain *p2m,
                               const struct p2m_table *t, unsigned int level)
{
    unsigned int i;

    for (i = 0; i < P2M_ENTRIES; i++) {
        p2m_entry_t e = t->e[i];
        const struct p2m_table *child = p2m->tables[table_index(e)];

        if (!(e & P2M_PRESENT))
            continue;
        if (level > 2 && !uniform_marks_hold(p2m, child, level - 1))
            return false;
        if (level == 2 && (e & P2M_UNIFORM) &&
            !all_alike(child->e, P2M_ENTRIES, child->e[0]))
            return false;
    }
    return true;
}

bool p2m_check_invariants(const struct p2m_domain *p2m)
{
    if (p2m->ioreq.claimed != (p2m->ioreq.flags != 0))
        return false;
    if (!uniform_marks_hold(p2m, p2m->tables[0], P2M_LEVELS))
        return false;
    return p2m_count_stored(p2m, p2m_ioreq_server) == p2m->ioreq.entry_count;
}
