/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Benchmarks of the hypervisor model (DESIGN.md section 6): retype,
 * lookup, rangeset and release.  Each prints one line,
 * `bench NAME: <figures> ratio R (target T)`, and the figures a ratio
 * compares are measured in this process, side by side, interleaved
 * repetition by repetition so that a slow phase of the machine hits both.
 *
 * Statistic: every figure is the best (smallest time) of its repetitions,
 * because noise (interrupts, frequency changes, other tenants) only ever
 * adds time.  Times come from clock_gettime(CLOCK_MONOTONIC).
 *
 * Usage: bench-core [NAME...] runs the named benchmarks (all without
 * arguments), e.g. `bench-core retype` under perf.  A missed target is
 * reported, not an error: the exit status is 0 unless a setup step fails
 * (1) or a name is unknown (2).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <xen/dm.h>

#include "rangeset-list.h"

#define NR_1M           (1UL << 20)
#define NR_1K           1024UL
/*
 * Repetitions: the loop, a memory-bound vector loop, varies by up to 2x
 * from one pass to the next on a shared machine while the core's passes
 * vary by a few percent, so the throughput figures take more.
 */
#define REPS            7
#define THROUGHPUT_REPS 15

/* The domids of the guests; one exists at a time except in lookup. */
#define DOMID_A         1
#define DOMID_B         2

static const struct caller dom0 = {
    .domid = 0, .is_control = true, .target = DOMID_INVALID,
};

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench-core: %s failed: %s\n", what, strerror(-rc));
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Make the compiler compute v without letting it see where v goes. */
static inline void consume(uint64_t v)
{
    asm volatile("" : : "r"(v));
}

/* MIN() would evaluate a timed call twice. */
static inline void keep_best(uint64_t *best, uint64_t t)
{
    if (t < *best)
        *best = t;
}

/* The smallest interval two back-to-back clock reads can give. */
static uint64_t clock_overhead(void)
{
    uint64_t best = UINT64_MAX;
    unsigned int i;

    for (i = 0; i < 1000; i++) {
        uint64_t t0 = now_ns();

        keep_best(&best, now_ns() - t0);
    }
    return best;
}

/* splitmix64: a fixed seed gives every run the same access sequence. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Print ns with a unit that keeps three or four significant digits. */
static const char *fmt_time(char *buf, size_t size, double ns)
{
    if (ns < 1e3)
        snprintf(buf, size, "%.1f ns", ns);
    else if (ns < 1e6)
        snprintf(buf, size, "%.1f us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, size, "%.2f ms", ns / 1e6);
    else
        snprintf(buf, size, "%.2f s", ns / 1e9);
    return buf;
}

/* Pages (or entries) per time, in millions per second. */
static double mrate(unsigned long n, uint64_t ns)
{
    return ns ? (double)n * 1e3 / (double)ns : 0.0;
}

/*
 * A guest as a host sets one up: RAM it provides (reserved, never
 * touched here: no benchmark reaches guest memory), all of it populated,
 * and one ioreq server made by dom0, enabled and claiming
 * HVMMEM_ioreq_server for writes.
 */
struct guest {
    struct hypervisor *hv;
    domid_t domid;
    struct domain *d;
    void *ram;
    size_t ram_size;
    void *ioreq_pages;
    ioservid_t server;
};

/* One DMOP by dom0, with the continuation loop of a host. */
static int dmop(struct guest *g, struct xen_dm_op *op)
{
    xen_dm_op_buf_t buf = { .size = sizeof(*op) };
    int rc;

    set_xen_guest_handle(buf.h, op);
    do
        rc = dm_op(g->hv, &dom0, g->domid, 1, &buf);
    while (rc == -ERESTART);
    return rc;
}

static int map_mem_type(struct guest *g, uint32_t flags)
{
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };

    op.u.map_mem_type_to_ioreq_server.id = g->server;
    op.u.map_mem_type_to_ioreq_server.type = HVMMEM_ioreq_server;
    op.u.map_mem_type_to_ioreq_server.flags = flags;
    return dmop(g, &op);
}

static void claim(struct guest *g)
{
    int rc = map_mem_type(g, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE);

    if (rc)
        die("claim of HVMMEM_ioreq_server", rc);
}

static void set_mem_type(struct guest *g, uint16_t type, uint64_t first,
                         uint32_t nr)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_mem_type };
    int rc;

    op.u.set_mem_type.mem_type = type;
    op.u.set_mem_type.first_pfn = first;
    op.u.set_mem_type.nr = nr;
    rc = dmop(g, &op);
    if (rc)
        die("set_mem_type", rc);
}

static void guest_create(struct hypervisor *hv, domid_t domid,
                         unsigned long nr_pages, struct guest *g)
{
    struct domain_config cfg = {
        .hvm = true, .hap = true, .max_vcpus = 1, .max_gfn = nr_pages - 1,
    };
    struct domain_memory mem;
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    int rc;

    memset(g, 0, sizeof(*g));
    g->hv = hv;
    g->domid = domid;
    g->ram_size = nr_pages * PAGE_SIZE;
    g->ram = mmap(NULL, g->ram_size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (g->ram == MAP_FAILED)
        die("mmap of guest RAM", -errno);
    g->ioreq_pages = aligned_alloc(PAGE_SIZE,
                                   DOMAIN_IOREQ_PAGES * PAGE_SIZE);
    if (!g->ioreq_pages)
        die("allocation of ioreq pages", -ENOMEM);
    mem = (struct domain_memory){
        .ram = g->ram, .ram_size = g->ram_size,
        .ioreq_pages = g->ioreq_pages,
        .ioreq_size = DOMAIN_IOREQ_PAGES * PAGE_SIZE,
    };
    rc = domain_create(hv, domid, &cfg, &mem, &g->d);
    if (rc)
        die("domain_create", rc);
    rc = p2m_add_ram(&g->d->p2m, 0, nr_pages);
    if (rc)
        die("p2m_add_ram", rc);

    rc = dmop(g, &op);
    if (rc)
        die("create_ioreq_server", rc);
    g->server = op.u.create_ioreq_server.id;
    op = (struct xen_dm_op){ .op = XEN_DMOP_set_ioreq_server_state };
    op.u.set_ioreq_server_state.id = g->server;
    op.u.set_ioreq_server_state.enabled = 1;
    rc = dmop(g, &op);
    if (rc)
        die("set_ioreq_server_state", rc);
    claim(g);
}

static void guest_destroy(struct guest *g)
{
    domain_destroy(g->hv, g->domid);
    munmap(g->ram, g->ram_size);
    free(g->ioreq_pages);
}

/* A failed consistency check is a setup error, not a slow result. */
static void expect_count(const struct guest *g, unsigned long n)
{
    if (g->d->p2m.ioreq.entry_count != n) {
        fprintf(stderr, "bench-core: entry_count %lu, expected %lu\n",
                g->d->p2m.ioreq.entry_count, n);
        exit(1);
    }
}

/* ------------------------------------------------------------------ */
/* The plain loop of retype and release                               */
/* ------------------------------------------------------------------ */

#define LOOP_TYPE_MASK  ((uint64_t)0x1f << 1)

/*
 * What "retype n entries" costs at least: one sequential pass of 8-byte
 * read-modify-writes, setting a 5-bit type field of each entry.  Out of
 * line, so that its stores cannot be merged with anything around it;
 * built with the core's flags (-O2), under which GCC is free to
 * specialise it for the constant n and vectorise it, as it does.
 */
static void __attribute__((noinline)) rmw_loop(uint64_t *e, size_t n,
                                               uint64_t type)
{
    size_t i;

    for (i = 0; i < n; i++)
        e[i] = (e[i] & ~LOOP_TYPE_MASK) | (type << 1);
}

/*
 * One timed pass of rmw_loop right after an untimed one, so that it finds
 * the table where the previous pass left it, as the core's timed passes
 * find theirs (see warm_p2m): with 8 MiB tables, beyond the L2 cache, a
 * pass otherwise depends on how much else ran since the last one.
 */
static uint64_t time_loop(uint64_t *e, size_t n)
{
    uint64_t t0, t;

    /* Two different types, so that every pass changes the table. */
    rmw_loop(e, n, p2m_ioreq_server);
    asm volatile("" : : "r"(e) : "memory");
    t0 = now_ns();
    rmw_loop(e, n, p2m_ram_rw);
    t = now_ns() - t0;
    /* The stores are visible to whoever might read e afterwards. */
    asm volatile("" : : "r"(e) : "memory");
    return t;
}

/*
 * The core's counterpart of time_loop's untimed pass: a read of every
 * leaf (the model's own invariant check), which also checks the count.
 */
static void warm_p2m(const struct guest *g)
{
    unsigned long n = p2m_count_stored(&g->d->p2m, p2m_ioreq_server);

    if (n != g->d->p2m.ioreq.entry_count) {
        fprintf(stderr, "bench-core: %lu typed leaves, entry_count %lu\n",
                n, g->d->p2m.ioreq.entry_count);
        exit(1);
    }
}

static uint64_t time_set_mem_type(struct guest *g, uint16_t type,
                                  uint64_t first, uint32_t nr)
{
    uint64_t t0 = now_ns();

    set_mem_type(g, type, first, nr);
    return now_ns() - t0;
}

/* ------------------------------------------------------------------ */
/* retype                                                             */
/* ------------------------------------------------------------------ */

/*
 * One set_mem_type DMOP over gfns [0, 1M) of a 1M-page guest, ram_rw to
 * HVMMEM_ioreq_server (claimed), and back, with preemption off so that
 * it runs in one call; against rmw_loop over a 1M-entry table of the
 * same size as the p2m's leaves (8 MiB).
 */
static void bench_retype(struct hypervisor *hv, uint64_t *table)
{
    uint64_t loop = UINT64_MAX, fwd = UINT64_MAX, back = UINT64_MAX;
    struct guest g;
    unsigned int rep;

    guest_create(hv, DOMID_A, NR_1M, &g);
    for (rep = 0; rep < THROUGHPUT_REPS; rep++) {
        keep_best(&loop, time_loop(table, NR_1M));
        warm_p2m(&g);
        keep_best(&fwd, time_set_mem_type(&g, HVMMEM_ioreq_server, 0, NR_1M));
        expect_count(&g, NR_1M);
        keep_best(&back, time_set_mem_type(&g, HVMMEM_ram_rw, 0, NR_1M));
        expect_count(&g, 0);
    }
    guest_destroy(&g);

    printf("bench retype: 1M pages ram_rw -> ioreq_server %.0f Mpages/s, "
           "loop %.0f Mentries/s (back to ram_rw %.0f Mpages/s; "
           "best of %u) ratio %.2f (target >= 0.5)\n",
           mrate(NR_1M, fwd), mrate(NR_1M, loop), mrate(NR_1M, back),
           THROUGHPUT_REPS, (double)loop / (double)fwd);
}

/* ------------------------------------------------------------------ */
/* The routing decision: lookup and rangeset                          */
/* ------------------------------------------------------------------ */

/*
 * What hvm_access decides for each page a guest write touches: resolve
 * pending recalculation on the page's path (the fault), take the
 * effective type, and for p2m_ioreq_server the claim holder.  The result
 * is the server to forward to, or -1 (not forwarded by type: RAM, or the
 * MMIO path for holes) or -2 (no claim: retry).
 */
static inline int route_write(struct p2m_domain *p2m, unsigned long gfn)
{
    ioservid_t id;

    p2m_recalc(p2m, gfn);
    if (p2m_get_type(p2m, gfn) != p2m_ioreq_server)
        return -1;
    if (!p2m_get_ioreq_server(p2m, &id, NULL))
        return -2;
    return id;
}

/* The same decision in the earlier design: is gfn in the WP rangeset? */
static inline int route_write_list(const struct list_rangeset *r,
                                   unsigned long gfn)
{
    return list_rangeset_contains_range(r, gfn, gfn) ? 0 : -1;
}

static uint64_t time_route(struct guest *g, const uint32_t *seq, size_t n)
{
    struct p2m_domain *p2m = &g->d->p2m;
    uint64_t sum = 0, t0 = now_ns(), t;
    size_t i;

    for (i = 0; i < n; i++)
        sum += (uint64_t)route_write(p2m, seq[i]);
    t = now_ns() - t0;
    consume(sum);
    return t;
}

static uint64_t time_route_list(const struct list_rangeset *r,
                                const uint32_t *seq, size_t n)
{
    uint64_t sum = 0, t0 = now_ns(), t;
    size_t i;

    for (i = 0; i < n; i++)
        sum += (uint64_t)route_write_list(r, seq[i]);
    t = now_ns() - t0;
    consume(sum);
    return t;
}

/*
 * The two routes must agree on which writes go to a server, or one of
 * them measures the wrong thing.
 */
static void check_routes(struct guest *g, const struct list_rangeset *r,
                         const uint32_t *seq, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((route_write(&g->d->p2m, seq[i]) >= 0) !=
            (route_write_list(r, seq[i]) >= 0)) {
            fprintf(stderr, "bench-core: p2m and list disagree on gfn "
                    "%#" PRIx32 "\n", seq[i]);
            exit(1);
        }
    }
}

/* Type each gfn of the list with its own DMOP, as XenGT does (nr = 1). */
static void type_pages(struct guest *g, const uint32_t *gfn, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        set_mem_type(g, HVMMEM_ioreq_server, gfn[i], 1);
    expect_count(g, n);
}

static void list_build(struct list_rangeset *r, const uint32_t *gfn,
                       size_t n)
{
    size_t i;
    int rc;

    list_rangeset_init(r);
    for (i = 0; i < n; i++) {
        rc = list_rangeset_append(r, gfn[i], gfn[i]);
        if (rc)
            die("list_rangeset_append", rc);
    }
}

#define LOOKUP_GFNS     (2 * NR_1M)     /* the lookup guests' RAM */
#define NR_PROBES       256
#define NR_ACCESSES     NR_1M
/* The 1M-range list costs ~2 ms a lookup: fewer lookups there. */
#define LIST_1M_LOOKUPS 256
#define LIST_REPS       3

/*
 * Typed pages: the even gfns of [0, 2M) in the "1M" guest (1M scattered
 * pages, so a rangeset needs one range per page), and 256 of those, the
 * probes, in the "256" guest; probe k is a pseudo-random even gfn in
 * [8192 k, 8192 (k + 1)), spread over the whole table and over the
 * entries' cache sets.
 *
 * Access pattern, the same for both sizes and both structures: a fixed
 * pseudo-random sequence of 1M writes, each to one of the 256 probes,
 * which are typed in both guests.  So the p2m does the same work on the
 * same number of cache lines at both sizes, and any difference comes
 * from the number of typed pages alone.  The list walks, on average, to
 * the middle of its ranges.  One more figure, outside the ratio, shows
 * the memory hierarchy rather than the structure: the 1M guest with
 * 1M accesses spread uniformly over all its typed pages (16 MiB of leaf
 * tables, beyond the L2 cache).
 */
static void bench_lookup(struct hypervisor *hv)
{
    uint32_t *all = malloc(NR_1M * sizeof(*all));
    uint32_t *seq = malloc(NR_ACCESSES * sizeof(*seq));
    uint32_t *spread = malloc(NR_ACCESSES * sizeof(*spread));
    uint32_t probes[NR_PROBES];
    uint64_t small = UINT64_MAX, big = UINT64_MAX, wide = UINT64_MAX;
    uint64_t list_small = UINT64_MAX, list_big = UINT64_MAX;
    uint64_t state = 1;
    struct list_rangeset ls, lb;
    struct guest gs, gb;
    char b[5][32];
    unsigned int rep;
    size_t i;

    if (!all || !seq || !spread)
        die("allocation of access sequences", -ENOMEM);
    for (i = 0; i < NR_1M; i++)
        all[i] = 2 * i;
    for (i = 0; i < NR_PROBES; i++)
        probes[i] = all[i * (NR_1M / NR_PROBES) +
                        rng_next(&state) % (NR_1M / NR_PROBES)];
    for (i = 0; i < NR_ACCESSES; i++) {
        seq[i] = probes[rng_next(&state) % NR_PROBES];
        spread[i] = all[rng_next(&state) % NR_1M];
    }

    guest_create(hv, DOMID_A, LOOKUP_GFNS, &gs);
    guest_create(hv, DOMID_B, LOOKUP_GFNS, &gb);
    type_pages(&gs, probes, NR_PROBES);
    type_pages(&gb, all, NR_1M);
    list_build(&ls, probes, NR_PROBES);
    list_build(&lb, all, NR_1M);
    check_routes(&gs, &ls, seq, NR_PROBES);
    check_routes(&gb, &ls, seq, NR_PROBES);

    for (rep = 0; rep < REPS; rep++) {
        keep_best(&small, time_route(&gs, seq, NR_ACCESSES));
        keep_best(&big, time_route(&gb, seq, NR_ACCESSES));
        keep_best(&wide, time_route(&gb, spread, NR_ACCESSES));
        if (rep < LIST_REPS) {
            keep_best(&list_small, time_route_list(&ls, seq, NR_ACCESSES));
            keep_best(&list_big, time_route_list(&lb, seq, LIST_1M_LOOKUPS));
        }
    }

    list_rangeset_destroy(&ls);
    list_rangeset_destroy(&lb);
    guest_destroy(&gs);
    guest_destroy(&gb);
    free(all);
    free(seq);
    free(spread);

    printf("bench lookup: p2m 256 typed %s, 1M typed %s per write "
           "(1M writes to 256 typed gfns; spread over all 1M: %s); "
           "list 256 ranges %s, 1M ranges %s (%u writes) "
           "(best of %u, list %u) ratio %.2f (target <= 1.5)\n",
           fmt_time(b[0], 32, (double)small / NR_ACCESSES),
           fmt_time(b[1], 32, (double)big / NR_ACCESSES),
           fmt_time(b[2], 32, (double)wide / NR_ACCESSES),
           fmt_time(b[3], 32, (double)list_small / NR_ACCESSES),
           fmt_time(b[4], 32, (double)list_big / LIST_1M_LOOKUPS),
           LIST_1M_LOOKUPS, REPS, LIST_REPS,
           (double)big / (double)small);
}

#define RS_PAGES        8192UL
#define RS_FIRST        8192UL          /* first tracked gfn */
#define RS_SPAN         (2 * RS_PAGES)  /* tracked: every other gfn */
#define RS_GUEST_PAGES  (RS_FIRST + RS_SPAN + 8192)
#define RS_LIST_REPS    1

/*
 * 8192 tracked pages, every other gfn of [8192, 8192 + 16384), in both
 * the p2m (typed) and the list (one range each: none are adjacent).
 * 1M writes to pseudo-random gfns uniform over that span, so about half
 * are to tracked pages and the list walks half of its length on average.
 * The list side runs once (several seconds of work, averaged over 1M
 * lookups); the p2m side is the best of REPS.
 */
static void bench_rangeset(struct hypervisor *hv)
{
    uint32_t *tracked = malloc(RS_PAGES * sizeof(*tracked));
    uint32_t *seq = malloc(NR_ACCESSES * sizeof(*seq));
    uint64_t p2m = UINT64_MAX, list = UINT64_MAX;
    uint64_t state = 2;
    struct list_rangeset l;
    struct guest g;
    unsigned int rep;
    char b[2][32];
    size_t i;

    if (!tracked || !seq)
        die("allocation of access sequences", -ENOMEM);
    for (i = 0; i < RS_PAGES; i++)
        tracked[i] = RS_FIRST + 2 * i;
    for (i = 0; i < NR_ACCESSES; i++)
        seq[i] = RS_FIRST + rng_next(&state) % RS_SPAN;

    guest_create(hv, DOMID_A, RS_GUEST_PAGES, &g);
    type_pages(&g, tracked, RS_PAGES);
    list_build(&l, tracked, RS_PAGES);
    check_routes(&g, &l, seq, RS_PAGES);

    for (rep = 0; rep < REPS; rep++) {
        keep_best(&p2m, time_route(&g, seq, NR_ACCESSES));
        if (rep < RS_LIST_REPS)
            keep_best(&list, time_route_list(&l, seq, NR_ACCESSES));
    }

    list_rangeset_destroy(&l);
    guest_destroy(&g);
    free(tracked);
    free(seq);

    printf("bench rangeset: 8192 scattered pages, 1M writes: "
           "list %s, p2m %s (p2m best of %u, list once) "
           "ratio %.0f (target >= 100)\n",
           fmt_time(b[0], 32, (double)list),
           fmt_time(b[1], 32, (double)p2m), REPS,
           (double)list / (double)p2m);
}

/* ------------------------------------------------------------------ */
/* release                                                            */
/* ------------------------------------------------------------------ */

/* The asynchronous half of a release, as the release DMOP does it. */
static uint64_t time_async_release(struct guest *g)
{
    struct p2m_domain *p2m = &g->d->p2m;
    uint64_t t0 = now_ns(), t;
    int rc;

    rc = p2m_set_ioreq_server(p2m, 0, g->server);
    p2m_change_entry_type_global(p2m, p2m_ioreq_server, p2m_ram_rw);
    t = now_ns() - t0;
    if (rc)
        die("p2m_set_ioreq_server release", rc);
    return t;
}

static uint64_t time_sweep(struct guest *g, unsigned long nr)
{
    uint64_t t0 = now_ns(), t;

    p2m_finish_type_change(&g->d->p2m, 0, nr);
    t = now_ns() - t0;
    expect_count(g, 0);
    return t;
}

static uint64_t time_release_dmop(struct guest *g)
{
    uint64_t t0 = now_ns(), t;
    int rc = map_mem_type(g, 0);

    t = now_ns() - t0;
    if (rc)
        die("release DMOP", rc);
    expect_count(g, 0);
    return t;
}

/*
 * A 1M-page guest.  (a) The asynchronous part of a release (the claim
 * dropped, the global recalc mark) with 1M typed entries and with 1K,
 * each a single call timed alone: the figures include one clock read,
 * whose own cost is printed.  (b) The synchronous sweep of the marked
 * table over [0, 1M) after (a), and, as a figure, the whole release
 * DMOP (claim dropped, mark, sweep in 256-gfn chunks), against the loop.
 */
static void bench_release(struct hypervisor *hv, uint64_t *table)
{
    uint64_t async_big = UINT64_MAX, async_small = UINT64_MAX;
    uint64_t sweep = UINT64_MAX, release = UINT64_MAX;
    uint64_t loop = UINT64_MAX, clk = clock_overhead();
    struct guest g;
    unsigned int rep;
    char b[3][32];

    guest_create(hv, DOMID_A, NR_1M, &g);
    for (rep = 0; rep < THROUGHPUT_REPS; rep++) {
        keep_best(&loop, time_loop(table, NR_1M));

        /* This retype is the untimed pass before the sweep. */
        set_mem_type(&g, HVMMEM_ioreq_server, 0, NR_1M);
        keep_best(&async_big, time_async_release(&g));
        keep_best(&sweep, time_sweep(&g, NR_1M));
        claim(&g);

        set_mem_type(&g, HVMMEM_ioreq_server, 0, NR_1K);
        keep_best(&async_small, time_async_release(&g));
        time_sweep(&g, NR_1M);
        claim(&g);

        set_mem_type(&g, HVMMEM_ioreq_server, 0, NR_1M);
        keep_best(&release, time_release_dmop(&g));
        claim(&g);
    }
    guest_destroy(&g);

    printf("bench release: async 1M %s, 1K %s (clock %" PRIu64 " ns "
           "included) ratio %.2f (target <= 2); sweep %.0f Mpages/s "
           "(release DMOP with sweep %.0f Mpages/s), loop %.0f "
           "Mentries/s (best of %u) ratio %.2f (target >= 0.5)\n",
           fmt_time(b[0], 32, (double)async_big),
           fmt_time(b[1], 32, (double)async_small), clk,
           (double)async_big / (double)async_small,
           mrate(NR_1M, sweep), mrate(NR_1M, release), mrate(NR_1M, loop),
           THROUGHPUT_REPS, (double)loop / (double)sweep);
}

/* The benchmarks in the order they run, for selection by name. */
static const char *const bench_names[] = {
    "retype", "lookup", "rangeset", "release",
};

/* Run benchmark name: with no arguments all, else those named in argv. */
static bool selected(int argc, char **argv, const char *name)
{
    int i;

    if (argc < 2)
        return true;
    for (i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    struct hypervisor hv;
    uint64_t *table;
    size_t i;
    int rc, a;

    /* Reject unknown names rather than silently running nothing. */
    for (a = 1; a < argc; a++) {
        for (i = 0; i < ARRAY_SIZE(bench_names); i++)
            if (!strcmp(argv[a], bench_names[i]))
                break;
        if (i == ARRAY_SIZE(bench_names)) {
            fprintf(stderr, "bench-core: unknown benchmark '%s' "
                    "(expected retype, lookup, rangeset or release)\n",
                    argv[a]);
            return 2;
        }
    }

    rc = hypervisor_init(&hv);
    if (rc)
        die("hypervisor_init", rc);
    /* No continuations: a long DMOP runs to its end in one call. */
    hv.preempt_check = NULL;

    /* The loop's table, faulted in now so no pass pays for that. */
    table = aligned_alloc(64, NR_1M * sizeof(*table));
    if (!table)
        die("allocation of the loop's table", -ENOMEM);
    for (i = 0; i < NR_1M; i++)
        table[i] = 1 | ((uint64_t)p2m_ram_rw << 1);

    if (selected(argc, argv, "retype"))
        bench_retype(&hv, table);
    if (selected(argc, argv, "lookup"))
        bench_lookup(&hv);
    if (selected(argc, argv, "rangeset"))
        bench_rangeset(&hv);
    if (selected(argc, argv, "release"))
        bench_release(&hv, table);

    free(table);
    hypervisor_teardown(&hv);
    return 0;
}
