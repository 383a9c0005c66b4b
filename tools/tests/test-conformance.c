/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Conformance of the hypervisor model to DESIGN.md section 4, one test
 * (or a few) per row, named after the row; then the DMOP decoder, the
 * continuations, and the upstream regressions of the spec's section 5.
 *
 * Every test checks the state the operation leaves behind (stored and
 * effective p2m types, entry_count, the claim, guest RAM, the ioreq slot
 * the device model sees), so a core that returns the right errno but does
 * the wrong thing still fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

/* Pages laid out as in the measurement on real Xen (guest-writes/). */
#define GFN_TYPED       0x100UL     /* typed in most tests */
#define GFN_PLAIN       0x101UL     /* ordinary RAM after it */
#define GFN_TYPED2      0x102UL
/* Typed, in a leaf table the first 256-gfn chunk of a sweep misses. */
#define GFN_FAR         0xf00UL
#define GPA(gfn)        ((uint64_t)(gfn) << PAGE_SHIFT)

#define SWEEP_CHUNK     256         /* Xen's granularity, DESIGN.md */

/* ------------------------------------------------------------------ */
/* Fixture and helpers                                                  */

static int setup(void **state)
{
    struct harness *h = calloc(1, sizeof(*h));

    if (!h)
        return -1;
    h_setup(h, NULL);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    struct harness *h = *state;

    h_teardown(h);
    free(h);
    return 0;
}

/* Start again with a differently shaped guest. */
static void reopen(struct harness *h, const struct h_opts *o)
{
    h_teardown(h);
    h_setup(h, o);
}

static unsigned long entry_count(const struct harness *h)
{
    return h->d->p2m.ioreq.entry_count;
}

/* The claim is held by id with flags WRITE, or (held false) by nobody. */
static void assert_claim(const struct harness *h, bool held, ioservid_t id)
{
    ioservid_t holder = 0xffff;
    uint32_t flags = 0;

    if (!held) {
        assert_false(p2m_get_ioreq_server(&h->d->p2m, NULL, NULL));
        return;
    }
    assert_true(p2m_get_ioreq_server(&h->d->p2m, &holder, &flags));
    assert_int_equal(holder, id);
    assert_int_equal(flags, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE);
}

static void assert_stored(const struct harness *h, unsigned long gfn,
                          unsigned long nr, p2m_type_t t)
{
    unsigned long i;

    for (i = 0; i < nr; i++) {
        p2m_type_t st = p2m_get_stored_type(&h->d->p2m, gfn + i);

        if (st != t)
            fail_msg("gfn %#lx: stored type %d, expected %d", gfn + i,
                     st, t);
    }
}

static void assert_effective(const struct harness *h, unsigned long gfn,
                             unsigned long nr, p2m_type_t t)
{
    unsigned long i;

    for (i = 0; i < nr; i++) {
        p2m_type_t et = p2m_get_type(&h->d->p2m, gfn + i);

        if (et != t)
            fail_msg("gfn %#lx: effective type %d, expected %d", gfn + i,
                     et, t);
    }
}

/* entry_count agrees with a full walk of the table, and has this value. */
static void assert_count(const struct harness *h, unsigned long n)
{
    assert_int_equal(entry_count(h), n);
    assert_int_equal(p2m_count_stored(&h->d->p2m, p2m_ioreq_server), n);
}

static bool server_exists(struct harness *h, ioservid_t id)
{
    return ioreq_server_get(h->d, id) != NULL;
}

/* The slot of vCPU vcpu holds exactly this write, as the DM sees it. */
static void assert_write_ioreq(struct harness *h, ioservid_t id,
                               unsigned int vcpu, uint64_t addr,
                               uint32_t size, uint64_t data)
{
    const ioreq_t *p = h_slot(h, id, vcpu);

    assert_int_equal(p->state, STATE_IOREQ_READY);
    assert_int_equal(p->type, IOREQ_TYPE_COPY);
    assert_int_equal(p->dir, IOREQ_WRITE);
    assert_int_equal(p->addr, addr);
    assert_int_equal(p->size, size);
    assert_int_equal(p->data, data);
    assert_int_equal(p->count, 1);
    assert_int_equal(p->data_is_ptr, 0);
    assert_int_equal(p->df, 0);
    assert_int_equal(p->vp_eport, h->d->ioreq.server[id].vp_eport[vcpu]);
}

static void assert_slot_idle(struct harness *h, ioservid_t id,
                             unsigned int vcpu)
{
    assert_int_equal(h_slot(h, id, vcpu)->state, STATE_IOREQ_NONE);
}

/* The access stopped on a request to server id, on vCPU vcpu's port. */
static void assert_waits_on(struct harness *h,
                            const struct hvm_access_result *r,
                            ioservid_t id, unsigned int vcpu)
{
    ioservid_t waiting_on = 0xffff;

    assert_int_equal(r->status, HVM_ACCESS_IOREQ);
    assert_int_equal(r->server, id);
    assert_int_equal(r->port, h->d->ioreq.server[id].vp_eport[vcpu]);
    assert_true(hvm_vcpu_waiting(h->d, vcpu, &waiting_on));
    assert_int_equal(waiting_on, id);
}

static void assert_done(struct harness *h, const struct hvm_access_result *r,
                        unsigned int vcpu)
{
    assert_int_equal(r->status, HVM_ACCESS_DONE);
    assert_false(hvm_vcpu_waiting(h->d, vcpu, NULL));
}

/* Answer and expect the access to be complete. */
static void answer_done(struct harness *h, ioservid_t id, unsigned int vcpu,
                        bool write_through)
{
    struct hvm_access_result r;

    assert_int_equal(h_answer(h, id, vcpu, 0, write_through, &r), 0);
    assert_done(h, &r, vcpu);
    assert_slot_idle(h, id, vcpu);
}

/* One map_mem_type call as the host issues it; opaque in and out. */
static int map_mem_type_once(struct harness *h, const struct caller *c,
                             ioservid_t id, uint32_t flags, uint64_t *opaque)
{
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };
    int rc;

    op.u.map_mem_type_to_ioreq_server.id = id;
    op.u.map_mem_type_to_ioreq_server.type = HVMMEM_ioreq_server;
    op.u.map_mem_type_to_ioreq_server.flags = flags;
    op.u.map_mem_type_to_ioreq_server.opaque = *opaque;
    rc = h_dm_op_once(h, c, H_GUEST, &op);
    *opaque = op.u.map_mem_type_to_ioreq_server.opaque;
    return rc;
}

/*
 * Begin a release by dom0's server id and stop after its first
 * continuation: the claim is gone, the sweep has not finished.
 */
static uint64_t release_first_chunk(struct harness *h, ioservid_t id)
{
    uint64_t opaque = 0;

    h->always_preempt = true;
    assert_int_equal(map_mem_type_once(h, &h->dom0, id, 0, &opaque),
                     -ERESTART);
    h->always_preempt = false;
    assert_int_equal(opaque, SWEEP_CHUNK);
    return opaque;
}

/* Carry a release on from opaque as the host would. */
static void release_continue(struct harness *h, ioservid_t id,
                             uint64_t opaque)
{
    int rc;

    while ((rc = map_mem_type_once(h, &h->dom0, id, 0, &opaque)) ==
           -ERESTART)
        ;
    assert_int_equal(rc, 0);
}

static int set_mem_type_op(struct harness *h, struct xen_dm_op *op,
                           uint16_t mem_type, uint64_t first_pfn,
                           uint32_t nr)
{
    memset(op, 0, sizeof(*op));
    op->op = XEN_DMOP_set_mem_type;
    op->u.set_mem_type.mem_type = mem_type;
    op->u.set_mem_type.first_pfn = first_pfn;
    op->u.set_mem_type.nr = nr;
    return h_dm_op_once(h, &h->dom0, H_GUEST, op);
}

static int create_server_as(struct harness *h, const struct caller *c,
                            ioservid_t *id)
{
    int rc = h_create_server(h, c, id);

    if (rc == 0)
        assert_int_equal(h_set_state(h, c, *id, true), 0);
    return rc;
}

/* No ioreq server exists in the guest (a refused create left none). */
static void assert_no_servers(struct harness *h)
{
    unsigned int i;

    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++)
        assert_false(server_exists(h, i));
}

/* ------------------------------------------------------------------ */
/* Row: claim on a domain without HAP -> -EOPNOTSUPP, checked first     */

static void test_claim_without_hap_is_eopnotsupp(void **state)
{
    struct harness *h = *state;
    struct h_opts o = { .shadow = true };
    ioservid_t id;

    reopen(h, &o);
    assert_int_equal(h_create_server(h, &h->dom0, &id), 0);

    assert_int_equal(h_claim(h, &h->dom0, id), -EOPNOTSUPP);
    /* Before any field is looked at: each of these is wrong otherwise. */
    assert_int_equal(h_map_mem_type(h, &h->dom0, id, HVMMEM_ram_rw,
                                    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
                     -EOPNOTSUPP);
    assert_int_equal(h_map_mem_type(h, &h->dom0, id, HVMMEM_ioreq_server,
                                    XEN_DMOP_IOREQ_MEM_ACCESS_READ),
                     -EOPNOTSUPP);
    assert_int_equal(h_claim(h, &h->dom0, 9), -EOPNOTSUPP);
    assert_int_equal(h_claim(h, &h->dm, id), -EOPNOTSUPP);
    assert_int_equal(h_release(h, &h->dom0, id), -EOPNOTSUPP);

    assert_claim(h, false, 0);
    assert_count(h, 0);
}

/* ------------------------------------------------------------------ */
/* Row: type other than HVMMEM_ioreq_server; flags not WRITE or 0        */

static void test_claim_wrong_type_is_einval(void **state)
{
    struct harness *h = *state;
    static const uint16_t types[] = {
        HVMMEM_ram_rw, HVMMEM_ram_ro, HVMMEM_mmio_dm, HVMMEM_unused, 5,
        0xffff,
    };
    ioservid_t id;
    unsigned int i;

    assert_int_equal(create_server_as(h, &h->dom0, &id), 0);
    for (i = 0; i < ARRAY_SIZE(types); i++) {
        assert_int_equal(h_map_mem_type(h, &h->dom0, id, types[i],
                                        XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
                         -EINVAL);
        assert_claim(h, false, 0);
    }
    /* The type is checked before the server is looked up. */
    assert_int_equal(h_map_mem_type(h, &h->dom0, 9, HVMMEM_ram_rw,
                                    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
                     -EINVAL);

    /* A release naming the wrong type is refused and keeps the claim. */
    assert_int_equal(h_claim(h, &h->dom0, id), 0);
    assert_int_equal(h_map_mem_type(h, &h->dom0, id, HVMMEM_ram_rw, 0),
                     -EINVAL);
    assert_claim(h, true, id);
}

static void test_claim_flags_other_than_write_is_einval(void **state)
{
    struct harness *h = *state;
    static const uint32_t flags[] = {
        XEN_DMOP_IOREQ_MEM_ACCESS_READ,
        XEN_DMOP_IOREQ_MEM_ACCESS_READ | XEN_DMOP_IOREQ_MEM_ACCESS_WRITE,
        0x4, 0xff, 0x80000000u, 0xffffffffu,
    };
    ioservid_t id;
    unsigned int i;

    assert_int_equal(create_server_as(h, &h->dom0, &id), 0);
    for (i = 0; i < ARRAY_SIZE(flags); i++) {
        assert_int_equal(h_map_mem_type(h, &h->dom0, id,
                                        HVMMEM_ioreq_server, flags[i]),
                         -EINVAL);
        assert_claim(h, false, 0);
    }
    /* WRITE is the one accepted claim. */
    assert_int_equal(h_claim(h, &h->dom0, id), 0);
    assert_claim(h, true, id);
}

/* ------------------------------------------------------------------ */
/* Row: server id >= 8 or not existing -> -ENOENT                        */

static void test_claim_server_id_out_of_range_is_enoent(void **state)
{
    struct harness *h = *state;
    ioservid_t id;

    assert_int_equal(create_server_as(h, &h->dom0, &id), 0);
    assert_int_equal(h_claim(h, &h->dom0, MAX_NR_IOREQ_SERVERS), -ENOENT);
    assert_int_equal(h_claim(h, &h->dom0, 0xffff), -ENOENT);
    assert_int_equal(h_release(h, &h->dom0, MAX_NR_IOREQ_SERVERS), -ENOENT);
    assert_claim(h, false, 0);
}

static void test_claim_server_not_existing_is_enoent(void **state)
{
    struct harness *h = *state;
    ioservid_t a, b;

    assert_int_equal(create_server_as(h, &h->dom0, &a), 0);
    assert_int_equal(create_server_as(h, &h->dom0, &b), 0);
    assert_int_equal(h_destroy_server(h, &h->dom0, b), 0);

    assert_int_equal(h_claim(h, &h->dom0, b), -ENOENT);
    assert_int_equal(h_claim(h, &h->dom0, 5), -ENOENT);
    assert_claim(h, false, 0);
    /* Not existing is decided before ownership. */
    assert_int_equal(h_claim(h, &h->dm, 5), -ENOENT);
}

/* ------------------------------------------------------------------ */
/* Row: caller did not create the server -> -EPERM                       */

static void test_claim_by_non_creator_is_eperm(void **state)
{
    struct harness *h = *state;
    ioservid_t by_dom0, by_dm;

    assert_int_equal(create_server_as(h, &h->dom0, &by_dom0), 0);
    assert_int_equal(create_server_as(h, &h->dm, &by_dm), 0);

    assert_int_equal(h_claim(h, &h->dm, by_dom0), -EPERM);
    assert_int_equal(h_claim(h, &h->other_dm, by_dm), -EPERM);
    /* Being the control domain does not make dom0 the creator. */
    assert_int_equal(h_claim(h, &h->dom0, by_dm), -EPERM);
    assert_claim(h, false, 0);

    /* Nor may anyone else release on the holder's behalf. */
    assert_int_equal(h_claim(h, &h->dm, by_dm), 0);
    assert_int_equal(h_release(h, &h->other_dm, by_dm), -EPERM);
    assert_int_equal(h_release(h, &h->dom0, by_dm), -EPERM);
    assert_claim(h, true, by_dm);
}

/* ------------------------------------------------------------------ */
/* Row: claim while held (same server too), or entry_count != 0: -EBUSY */

static void test_claim_while_held_is_ebusy(void **state)
{
    struct harness *h = *state;
    ioservid_t a, b;

    a = h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(create_server_as(h, &h->dom0, &b), 0);

    assert_int_equal(h_claim(h, &h->dom0, a), -EBUSY);
    assert_int_equal(h_claim(h, &h->dom0, b), -EBUSY);
    assert_claim(h, true, a);
    assert_stored(h, GFN_TYPED, 1, p2m_ioreq_server);
    assert_count(h, 1);

    /* The holder's pages still forward to the holder, not to b. */
    {
        struct hvm_access_result r;

        assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0x1234, &r), 0);
        assert_waits_on(h, &r, a, 0);
        answer_done(h, a, 0, false);
    }
}

static void test_claim_while_entries_remain_is_ebusy(void **state)
{
    struct harness *h = *state;
    uint64_t opaque;
    ioservid_t a, b;

    a = h_claiming_server(h, GFN_TYPED, 16);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_FAR, 16), 0);
    assert_int_equal(create_server_as(h, &h->dom0, &b), 0);

    opaque = release_first_chunk(h, a);
    assert_claim(h, false, 0);
    assert_true(entry_count(h) > 0);

    /* The table is not clean yet: nobody may claim, a included. */
    assert_int_equal(h_claim(h, &h->dom0, b), -EBUSY);
    assert_int_equal(h_claim(h, &h->dom0, a), -EBUSY);
    assert_claim(h, false, 0);

    release_continue(h, a, opaque);
    assert_count(h, 0);
    assert_int_equal(h_claim(h, &h->dom0, b), 0);
    assert_claim(h, true, b);
}

/* ------------------------------------------------------------------ */
/* Row: release by a server that does not hold the claim -> -EINVAL      */

static void test_release_by_non_holder_is_einval(void **state)
{
    struct harness *h = *state;
    ioservid_t a, b;

    assert_int_equal(create_server_as(h, &h->dom0, &a), 0);
    assert_int_equal(create_server_as(h, &h->dom0, &b), 0);

    /* Nobody holds it. */
    assert_int_equal(h_release(h, &h->dom0, a), -EINVAL);
    assert_claim(h, false, 0);

    /* Someone else holds it: it stays held, its pages stay typed. */
    assert_int_equal(h_claim(h, &h->dom0, a), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 4), 0);
    assert_int_equal(h_release(h, &h->dom0, b), -EINVAL);
    assert_claim(h, true, a);
    assert_stored(h, GFN_TYPED, 4, p2m_ioreq_server);
    assert_effective(h, GFN_TYPED, 4, p2m_ioreq_server);
    assert_count(h, 4);
}

/* ------------------------------------------------------------------ */
/* Row: release by the holder -> async + sync reset, re-claim works      */

static void test_release_by_holder_resets_every_entry(void **state)
{
    struct harness *h = *state;
    ioservid_t a, b;

    a = h_claiming_server(h, 0x1f0, 0x420);    /* across leaf tables */
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_FAR, 0x100), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0x800, 1), 0);
    assert_count(h, 0x420 + 0x100 + 1);

    assert_int_equal(h_release(h, &h->dom0, a), 0);

    assert_claim(h, false, 0);
    assert_count(h, 0);
    assert_stored(h, 0, 0x1000, p2m_ram_rw);
    assert_effective(h, 0, 0x1000, p2m_ram_rw);
    assert_int_equal(h_get_mem_type(h, 0x1f0), HVMMEM_ram_rw);

    /* Re-claim works, for another server and for the same one. */
    assert_int_equal(create_server_as(h, &h->dom0, &b), 0);
    assert_int_equal(h_claim(h, &h->dom0, b), 0);
    assert_int_equal(h_release(h, &h->dom0, b), 0);
    assert_int_equal(h_claim(h, &h->dom0, a), 0);
    assert_claim(h, true, a);
}

static void test_release_by_holder_sweeps_in_chunks_of_256(void **state)
{
    struct harness *h = *state;
    unsigned long prev, next_table;
    uint64_t opaque = 0;
    unsigned int calls = 0;
    ioservid_t a;
    int rc;

    a = h_claiming_server(h, 0, 0x1000);
    assert_count(h, 0x1000);

    h->always_preempt = true;
    prev = entry_count(h);
    for (;;) {
        rc = map_mem_type_once(h, &h->dom0, a, 0, &opaque);
        calls++;
        if (rc != -ERESTART)
            break;
        /* The cursor moves 256 gfns per call. */
        assert_int_equal(opaque, (uint64_t)calls * SWEEP_CHUNK);
        /* Async reset: every page is RAM to everyone at once... */
        assert_claim(h, false, 0);
        assert_effective(h, 0, 0x1000, p2m_ram_rw);
        assert_int_equal(h_get_mem_type(h, 0xfff), HVMMEM_ram_rw);
        /*
         * ...while the sweep got as far as the cursor (a leaf table is
         * resolved as a whole, as EPT does) and no further.
         */
        assert_stored(h, 0, opaque, p2m_ram_rw);
        next_table = (opaque + P2M_ENTRIES - 1) & ~(P2M_ENTRIES - 1UL);
        if (next_table <= 0xfff)
            assert_stored(h, next_table, 0x1000 - next_table,
                          p2m_ioreq_server);
        assert_true(entry_count(h) <= prev);
        assert_true(entry_count(h) <= 0x1000 - opaque);
        prev = entry_count(h);
        assert_true(calls < 0x1000 / SWEEP_CHUNK + 2);
    }
    h->always_preempt = false;

    assert_int_equal(rc, 0);
    assert_true(calls > 1);
    assert_count(h, 0);
    assert_stored(h, 0, 0x1000, p2m_ram_rw);
    assert_int_equal(h_claim(h, &h->dom0, a), 0);
}

/* ------------------------------------------------------------------ */
/* Row: set_mem_type to ioreq_server without HAP / without a claim       */

static void test_set_mem_type_ioreq_without_hap_is_eopnotsupp(void **state)
{
    struct harness *h = *state;
    struct h_opts o = { .shadow = true };
    ioservid_t id;

    reopen(h, &o);
    assert_int_equal(create_server_as(h, &h->dom0, &id), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 1), -EOPNOTSUPP);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_rw);
    assert_count(h, 0);

    /* Other types need no HAP. */
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_ro,
                                    GFN_TYPED, 1), 0);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_ro);
}

static void test_set_mem_type_ioreq_without_claim_is_einval(void **state)
{
    struct harness *h = *state;
    ioservid_t id;

    assert_int_equal(create_server_as(h, &h->dom0, &id), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 1), -EINVAL);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_rw);
    assert_count(h, 0);

    /* Nor once the claim has been released. */
    assert_int_equal(h_claim(h, &h->dom0, id), 0);
    assert_int_equal(h_release(h, &h->dom0, id), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 1), -EINVAL);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_rw);
    assert_count(h, 0);
}

/* ------------------------------------------------------------------ */
/* Row: only ram_rw <-> ioreq_server                                     */

static void test_set_mem_type_ram_rw_ioreq_round_trip_allowed(void **state)
{
    struct harness *h = *state;
    ioservid_t id;

    id = h_claiming_server(h, 0, 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 3), 0);
    assert_stored(h, GFN_TYPED, 3, p2m_ioreq_server);
    assert_int_equal(h_get_mem_type(h, GFN_TYPED), HVMMEM_ioreq_server);
    assert_count(h, 3);

    /* Any DM-privileged caller may retype: no ownership check. */
    assert_int_equal(h_set_mem_type(h, &h->dm, HVMMEM_ram_rw,
                                    GFN_TYPED, 1), 0);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_rw);
    assert_count(h, 2);

    /* Back to ram_rw needs no claim (the window inside a release). */
    assert_int_equal(p2m_set_ioreq_server(&h->d->p2m, 0, id), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_rw,
                                    GFN_TYPED + 1, 2), 0);
    assert_stored(h, GFN_TYPED + 1, 2, p2m_ram_rw);
    assert_count(h, 0);
}

static void test_set_mem_type_ioreq_to_ioreq_is_einval(void **state)
{
    struct harness *h = *state;

    h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 1), -EINVAL);
    assert_stored(h, GFN_TYPED, 1, p2m_ioreq_server);
    assert_count(h, 1);
}

static void test_set_mem_type_ioreq_to_ram_ro_or_mmio_dm_is_einval(
    void **state)
{
    struct harness *h = *state;

    h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_ro,
                                    GFN_TYPED, 1), -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_mmio_dm,
                                    GFN_TYPED, 1), -EINVAL);
    assert_stored(h, GFN_TYPED, 1, p2m_ioreq_server);
    assert_count(h, 1);
}

static void test_set_mem_type_ram_ro_or_mmio_dm_to_ioreq_is_einval(
    void **state)
{
    struct harness *h = *state;

    h_claiming_server(h, 0, 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_ro,
                                    GFN_TYPED, 1), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_mmio_dm,
                                    GFN_PLAIN, 1), 0);

    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 1), -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_PLAIN, 1), -EINVAL);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_ro);
    assert_stored(h, GFN_PLAIN, 1, p2m_mmio_dm);
    assert_count(h, 0);
}

static void test_set_mem_type_log_dirty_to_ioreq_is_einval(void **state)
{
    struct harness *h = *state;

    h_claiming_server(h, 0, 0);
    assert_int_equal(paging_log_dirty_enable(h->d), 0);
    assert_effective(h, GFN_TYPED, 1, p2m_ram_logdirty);

    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 1), -EINVAL);
    assert_effective(h, GFN_TYPED, 1, p2m_ram_logdirty);
    assert_count(h, 0);
}

static void test_set_mem_type_refused_page_stops_the_range(void **state)
{
    struct harness *h = *state;
    struct xen_dm_op op;

    h_claiming_server(h, 0, 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_ro,
                                    GFN_TYPED + 5, 1), 0);

    assert_int_equal(set_mem_type_op(h, &op, HVMMEM_ioreq_server,
                                     GFN_TYPED, 16), -EINVAL);
    /* Pages before the refused one stay changed; none after it. */
    assert_stored(h, GFN_TYPED, 5, p2m_ioreq_server);
    assert_stored(h, GFN_TYPED + 5, 1, p2m_ram_ro);
    assert_stored(h, GFN_TYPED + 6, 10, p2m_ram_rw);
    assert_count(h, 5);
    /* A failure copies nothing back. */
    assert_int_equal(op.u.set_mem_type.first_pfn, GFN_TYPED);
    assert_int_equal(op.u.set_mem_type.nr, 16);
}

/* ------------------------------------------------------------------ */
/* Row: set_mem_type with bad arguments -> -EINVAL                       */

/* Nothing was retyped by a refused set_mem_type. */
static void assert_untouched(const struct harness *h)
{
    assert_count(h, 0);
    assert_stored(h, 0, 0x1000, p2m_ram_rw);
}

static void test_set_mem_type_nr_zero_is_einval(void **state)
{
    struct harness *h = *state;

    h_claiming_server(h, 0, 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 0), -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0, 0), -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_ro,
                                    GFN_TYPED, 0), -EINVAL);
    assert_untouched(h);
}

static void test_set_mem_type_wrapping_range_is_einval(void **state)
{
    struct harness *h = *state;

    h_claiming_server(h, 0, 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    UINT64_MAX, 2), -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    UINT64_MAX - 0xfffe, 0xffffffffu),
                     -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_ro,
                                    UINT64_MAX, 1), -EINVAL);
    assert_untouched(h);
}

static void test_set_mem_type_beyond_max_gfn_is_einval(void **state)
{
    struct harness *h = *state;
    /* Room for gfns up to 0x1fff, RAM only up to 0xfff. */
    struct h_opts o = { .ram_pages = 0x1000, .max_gfn = 0x1fff };

    reopen(h, &o);
    h_claiming_server(h, 0, 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0xfff, 2), -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0x1000, 1), -EINVAL);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0, 0x1001), -EINVAL);
    assert_untouched(h);

    /* The last populated gfn itself is fine. */
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0xfff, 1), 0);
    assert_stored(h, 0xfff, 1, p2m_ioreq_server);
    assert_count(h, 1);
}

static void test_set_mem_type_bad_mem_type_is_einval(void **state)
{
    struct harness *h = *state;
    static const uint16_t types[] = { HVMMEM_unused, 5, 6, 0xffff };
    unsigned int i;

    h_claiming_server(h, 0, 0);
    for (i = 0; i < ARRAY_SIZE(types); i++)
        assert_int_equal(h_set_mem_type(h, &h->dom0, types[i],
                                        GFN_TYPED, 1), -EINVAL);
    assert_untouched(h);
}

static void test_set_mem_type_pad_is_einval(void **state)
{
    struct harness *h = *state;
    struct xen_dm_op op = { .op = XEN_DMOP_set_mem_type };

    h_claiming_server(h, 0, 0);
    op.u.set_mem_type.mem_type = HVMMEM_ioreq_server;
    op.u.set_mem_type.first_pfn = GFN_TYPED;
    op.u.set_mem_type.nr = 1;
    op.u.set_mem_type.pad = 1;
    assert_int_equal(h_dm_op(h, &h->dom0, H_GUEST, &op, NULL, 0), -EINVAL);
    assert_untouched(h);
}

/* ------------------------------------------------------------------ */
/* Row: set_mem_type over many pages: preemptible every 256 pages        */

static void test_set_mem_type_many_pages_preempts_every_256(void **state)
{
    struct harness *h = *state;
    const uint32_t total = 1000;
    struct xen_dm_op op;
    unsigned int k;
    int rc;

    h_claiming_server(h, 0, 0);
    h->always_preempt = true;

    rc = set_mem_type_op(h, &op, HVMMEM_ioreq_server, GFN_TYPED, total);
    for (k = 1; rc == -ERESTART; k++) {
        /* Progress is in the caller's own fields, 256 pages a time. */
        assert_int_equal(op.u.set_mem_type.first_pfn,
                         GFN_TYPED + k * SWEEP_CHUNK);
        assert_int_equal(op.u.set_mem_type.nr, total - k * SWEEP_CHUNK);
        assert_count(h, k * SWEEP_CHUNK);
        assert_stored(h, GFN_TYPED, k * SWEEP_CHUNK, p2m_ioreq_server);
        assert_stored(h, GFN_TYPED + k * SWEEP_CHUNK, 1, p2m_ram_rw);
        assert_true(k <= total / SWEEP_CHUNK);
        rc = h_dm_op_once(h, &h->dom0, H_GUEST, &op);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(k - 1, total / SWEEP_CHUNK);
    assert_count(h, total);
    assert_stored(h, GFN_TYPED, total, p2m_ioreq_server);
    assert_stored(h, GFN_TYPED + total, 1, p2m_ram_rw);

    /* Exactly 256 pages need no continuation; 257 need one. */
    rc = set_mem_type_op(h, &op, HVMMEM_ram_rw, GFN_TYPED, SWEEP_CHUNK);
    assert_int_equal(rc, 0);
    rc = set_mem_type_op(h, &op, HVMMEM_ram_rw, GFN_TYPED + SWEEP_CHUNK,
                         SWEEP_CHUNK + 1);
    assert_int_equal(rc, -ERESTART);
    assert_int_equal(op.u.set_mem_type.nr, 1);
    assert_int_equal(op.u.set_mem_type.first_pfn,
                     GFN_TYPED + 2 * SWEEP_CHUNK);
    h->always_preempt = false;
}

static void test_set_mem_type_many_pages_continuation_is_hidden(
    void **state)
{
    struct harness *h = *state;

    h_claiming_server(h, 0, 0);
    h->always_preempt = true;
    h->restarts = 0;
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0, 0x1000), 0);
    h->always_preempt = false;

    assert_int_equal(h->restarts, 0x1000 / SWEEP_CHUNK - 1);
    assert_count(h, 0x1000);
    assert_stored(h, 0, 0x1000, p2m_ioreq_server);
}

/* ------------------------------------------------------------------ */
/* Row: guest read of a typed page -> RAM, no ioreq                      */

static void test_guest_read_of_typed_page_served_from_ram(void **state)
{
    struct harness *h = *state;
    static const unsigned int sizes[] = { 1, 2, 4, 8 };
    struct hvm_access_result r;
    const uint64_t v = 0x0123456789abcdefULL;
    ioservid_t id;
    unsigned int i;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, GPA(GFN_TYPED) + 0x10, 8, v);

    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint64_t mask = sizes[i] == 8 ? ~0ULL
                        : (1ULL << (8 * sizes[i])) - 1;

        assert_int_equal(h_read(h, GPA(GFN_TYPED) + 0x10, sizes[i], &r), 0);
        assert_done(h, &r, 0);
        assert_int_equal(r.value, v & mask);
        assert_false(r.unhandled);
        assert_slot_idle(h, id, 0);
    }

    /* Also across into the next (untyped) page. */
    h_ram_store(h, GPA(GFN_PLAIN), 4, 0x55667788);
    h_ram_store(h, GPA(GFN_PLAIN) - 4, 4, 0x11223344);
    assert_int_equal(h_read(h, GPA(GFN_PLAIN) - 4, 8, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(r.value, 0x5566778811223344ULL);
    assert_slot_idle(h, id, 0);
    assert_stored(h, GFN_TYPED, 1, p2m_ioreq_server);
}

/* ------------------------------------------------------------------ */
/* Row: guest write of a typed page -> one COPY write ioreq per chunk    */

static void test_guest_write_of_typed_page_is_one_ioreq(void **state)
{
    struct harness *h = *state;
    static const unsigned int sizes[] = { 1, 2, 4, 8 };
    const uint64_t old = 0xa5a5a5a5a5a5a5a5ULL;
    const uint64_t v = 0x1122334455667788ULL;
    struct hvm_access_result r;
    ioservid_t id;
    unsigned int i;

    id = h_claiming_server(h, GFN_TYPED, 1);

    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint64_t gpa = GPA(GFN_TYPED) + 0x123;     /* unaligned too */
        uint64_t mask = sizes[i] == 8 ? ~0ULL
                        : (1ULL << (8 * sizes[i])) - 1;

        h_ram_store(h, gpa, 8, old);
        assert_int_equal(h_write(h, gpa, sizes[i], v, &r), 0);
        assert_waits_on(h, &r, id, 0);
        assert_write_ioreq(h, id, 0, gpa, sizes[i], v & mask);
        /* The hypervisor stores nothing itself... */
        assert_int_equal(h_ram_load(h, gpa, 8), old);
        answer_done(h, id, 0, false);
        assert_int_equal(h_ram_load(h, gpa, 8), old);

        /* ...the device model decides. */
        assert_int_equal(h_write(h, gpa, sizes[i], v, &r), 0);
        assert_write_ioreq(h, id, 0, gpa, sizes[i], v & mask);
        answer_done(h, id, 0, true);
        assert_int_equal(h_ram_load(h, gpa, sizes[i]), v & mask);
    }

    /* vCPU 1's request goes into vCPU 1's slot, on its own port. */
    {
        struct hvm_access a = { .op = HVM_ACCESS_WRITE,
                                .gpa = GPA(GFN_TYPED), .size = 4,
                                .data = { 0xfeed } };

        assert_int_equal(h_access(h, 1, &a, &r), 0);
        assert_waits_on(h, &r, id, 1);
        assert_write_ioreq(h, id, 1, GPA(GFN_TYPED), 4, 0xfeed);
        assert_slot_idle(h, id, 0);
        answer_done(h, id, 1, false);
    }
    assert_stored(h, GFN_TYPED, 1, p2m_ioreq_server);
}

static void test_guest_write_of_typed_page_16_bytes_is_two_ioreqs(
    void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_TYPED) + 0x100;
    struct hvm_access a = {
        .op = HVM_ACCESS_WRITE, .gpa = gpa, .size = 16,
        .data = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL },
    };
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, gpa, 8, 0);
    h_ram_store(h, gpa + 8, 8, 0);

    assert_int_equal(h_access(h, 0, &a, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_write_ioreq(h, id, 0, gpa, 8, a.data[0]);

    assert_int_equal(h_answer(h, id, 0, 0, false, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_write_ioreq(h, id, 0, gpa + 8, 8, a.data[1]);

    answer_done(h, id, 0, false);
    assert_int_equal(h_ram_load(h, gpa, 8), 0);
    assert_int_equal(h_ram_load(h, gpa + 8, 8), 0);
}

/* ------------------------------------------------------------------ */
/* Row: read-modify-write on a typed page                                */

static void test_rmw_on_typed_page_forwards_final_value(void **state)
{
    struct harness *h = *state;
    static const struct {
        enum hvm_rmw_op op;
        uint64_t old, operand, result;
    } cases[] = {
        { HVM_RMW_ADD, 0x10, 5, 0x15 },
        { HVM_RMW_ADD, 0xffffffff, 1, 0 },      /* wraps at the size */
        { HVM_RMW_OR, 0x10, 0x0f00, 0x0f10 },
        { HVM_RMW_AND, 0xf0f0, 0x3c3c, 0x3030 },
        { HVM_RMW_XOR, 0x10, 0xff, 0xef },
        { HVM_RMW_XCHG, 0x10, 0xabcd, 0xabcd },
    };
    const uint64_t gpa = GPA(GFN_TYPED) + 0x40;
    struct hvm_access_result r;
    ioservid_t id;
    unsigned int i;

    id = h_claiming_server(h, GFN_TYPED, 1);
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        h_ram_store(h, gpa, 4, cases[i].old);
        assert_int_equal(h_rmw(h, cases[i].op, gpa, 4, cases[i].operand,
                               &r), 0);
        /* No read request: the read half came from RAM. */
        assert_waits_on(h, &r, id, 0);
        assert_write_ioreq(h, id, 0, gpa, 4, cases[i].result);

        assert_int_equal(h_answer(h, id, 0, 0, false, &r), 0);
        assert_done(h, &r, 0);
        assert_int_equal(r.value, cases[i].old);
        assert_int_equal(h_ram_load(h, gpa, 4), cases[i].old);
    }
}

static void test_rmw_on_typed_page_cmpxchg_compares_ram(void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_TYPED) + 0x80;
    const uint64_t old = 0x1122334455667788ULL;
    struct hvm_access a = {
        .op = HVM_ACCESS_RMW, .rmw = HVM_RMW_CMPXCHG, .gpa = gpa,
        .size = 8, .data = { 0xdeadbeefcafef00dULL }, .cmp = old,
    };
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, gpa, 8, old);

    /* Match: one 8-byte write of the new value; success reported. */
    assert_int_equal(h_access(h, 0, &a, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_write_ioreq(h, id, 0, gpa, 8, a.data[0]);
    assert_int_equal(h_answer(h, id, 0, 0, false, &r), 0);
    assert_done(h, &r, 0);
    assert_true(r.cmpxchg_ok);
    assert_int_equal(r.value, old);
    assert_int_equal(h_ram_load(h, gpa, 8), old);

    /* Mismatch against RAM: nothing written, nothing forwarded. */
    a.cmp = old + 1;
    assert_int_equal(h_access(h, 0, &a, &r), 0);
    assert_done(h, &r, 0);
    assert_false(r.cmpxchg_ok);
    assert_int_equal(r.value, old);
    assert_slot_idle(h, id, 0);
    assert_int_equal(h_ram_load(h, gpa, 8), old);
}

/* ------------------------------------------------------------------ */
/* Row: write straddling a typed and an untyped page                     */

static void test_write_straddling_typed_then_untyped_splits(void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_PLAIN) - 2;
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, gpa, 4, 0x11111111);

    assert_int_equal(h_write(h, gpa, 4, 0xddccbbaa, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_write_ioreq(h, id, 0, gpa, 2, 0xbbaa);
    /* The untyped half is written after the request completes. */
    assert_int_equal(h_ram_load(h, gpa, 4), 0x11111111);

    answer_done(h, id, 0, false);
    assert_int_equal(h_ram_load(h, gpa, 2), 0x1111);
    assert_int_equal(h_ram_load(h, GPA(GFN_PLAIN), 2), 0xddcc);
}

static void test_write_straddling_untyped_then_typed_splits(void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_TYPED2) - 2;
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED2, 1);
    h_ram_store(h, gpa, 4, 0x11111111);

    assert_int_equal(h_write(h, gpa, 4, 0xddccbbaa, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_write_ioreq(h, id, 0, GPA(GFN_TYPED2), 2, 0xddcc);
    /* The untyped half was written before the request. */
    assert_int_equal(h_ram_load(h, gpa, 2), 0xbbaa);
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED2), 2), 0x1111);

    answer_done(h, id, 0, false);
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED2), 2), 0x1111);
    assert_int_equal(h_ram_load(h, gpa, 2), 0xbbaa);
}

/* ------------------------------------------------------------------ */
/* Row: repeated string store into a typed page -> one request each      */

static void test_rep_store_into_typed_page_one_ioreq_per_element(
    void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_TYPED) + 0x10;
    struct hvm_access a = { .op = HVM_ACCESS_WRITE, .gpa = gpa, .size = 4,
                            .reps = 4, .data = { 0xcafebabe } };
    struct hvm_access_result r;
    ioservid_t id;
    unsigned int i;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, gpa, 8, 0);
    h_ram_store(h, gpa + 8, 8, 0);

    assert_int_equal(h_access(h, 0, &a, &r), 0);
    for (i = 0; i < 4; i++) {
        assert_waits_on(h, &r, id, 0);
        assert_int_equal(r.reps_done, i);
        assert_write_ioreq(h, id, 0, gpa + 4 * i, 4, 0xcafebabe);
        assert_int_equal(h_answer(h, id, 0, 0, false, &r), 0);
    }
    assert_done(h, &r, 0);
    assert_int_equal(r.reps_done, 4);
    assert_slot_idle(h, id, 0);
    assert_int_equal(h_ram_load(h, gpa, 8), 0);
    assert_int_equal(h_ram_load(h, gpa + 8, 8), 0);
}

/* ------------------------------------------------------------------ */
/* Row: access outside guest RAM and every server's ranges: null handler */

static void test_access_outside_ram_and_ranges_uses_null_handler(
    void **state)
{
    struct harness *h = *state;
    /* gfns 0x1000-0x1fff are a hole inside the guest's gfn space. */
    struct h_opts o = { .ram_pages = 0x1000, .max_gfn = 0x1fff };
    const uint64_t hole = GPA(0x1800) + 0x10;
    const uint64_t ranged = GPA(0x1900) + 0x10;
    struct hvm_access_result r;
    ioservid_t claim, ranges, off;

    reopen(h, &o);
    claim = h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(create_server_as(h, &h->dom0, &ranges), 0);
    assert_int_equal(h_map_range(h, &h->dom0, ranges,
                                 XEN_DMOP_IO_RANGE_MEMORY, GPA(0x1900),
                                 GPA(0x1901) - 1), 0);
    /* A disabled server's range does not count. */
    assert_int_equal(h_create_server(h, &h->dom0, &off), 0);
    assert_int_equal(h_map_range(h, &h->dom0, off,
                                 XEN_DMOP_IO_RANGE_MEMORY, GPA(0x1800),
                                 GPA(0x1801) - 1), 0);

    /* Beyond the guest's gfns, and a hole inside them. */
    assert_int_equal(h_read(h, 0x40000000, 4, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(r.value, 0xffffffff);
    assert_true(r.unhandled);
    assert_int_equal(h_write(h, 0x40000000, 4, 0x12345678, &r), 0);
    assert_done(h, &r, 0);
    assert_true(r.unhandled);

    assert_int_equal(h_read(h, hole, 8, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(r.value, ~0ULL);
    assert_true(r.unhandled);
    assert_int_equal(h_write(h, hole, 8, 0x1122334455667788ULL, &r), 0);
    assert_done(h, &r, 0);
    assert_true(r.unhandled);
    assert_int_equal(h_ram_load(h, hole, 8), 0);

    assert_slot_idle(h, claim, 0);
    assert_slot_idle(h, ranges, 0);
    assert_slot_idle(h, off, 0);

    /* Contrast: inside an enabled server's range, the server is asked. */
    assert_int_equal(h_write(h, ranged, 4, 0x5a5a, &r), 0);
    assert_waits_on(h, &r, ranges, 0);
    assert_write_ioreq(h, ranges, 0, ranged, 4, 0x5a5a);
    answer_done(h, ranges, 0, false);
    assert_int_equal(h_read(h, ranged, 4, &r), 0);
    assert_waits_on(h, &r, ranges, 0);
    assert_int_equal(h_slot(h, ranges, 0)->dir, IOREQ_READ);
    assert_int_equal(h_answer(h, ranges, 0, 0xbeef, false, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(r.value, 0xbeef);
    assert_false(r.unhandled);
}

/*
 * Row (null handler), chunk by chunk: a server is chosen for each chunk
 * of at most 8 bytes, so the part of an access outside every range goes
 * to the null handler and the part inside a range to its server.
 */
static void test_null_handler_and_server_share_an_access_by_chunk(
    void **state)
{
    struct harness *h = *state;
    struct h_opts o = { .ram_pages = 0x1000, .max_gfn = 0x1fff };
    /* The range covers the last 6 bytes of the hole's page 0x1900. */
    const uint64_t start = GPA(0x1901) - 6;
    struct hvm_access_result r;
    struct hvm_access a = {
        .op = HVM_ACCESS_WRITE, .gpa = start - 8, .size = 16,
        .data = { 0x8877665544332211ULL, 0xffeeddccbbaa9900ULL },
    };
    ioservid_t s;

    reopen(h, &o);
    assert_int_equal(create_server_as(h, &h->dom0, &s), 0);
    assert_int_equal(h_set_state(h, &h->dom0, s, true), 0);
    assert_int_equal(h_map_range(h, &h->dom0, s, XEN_DMOP_IO_RANGE_MEMORY,
                                 start, GPA(0x1901) - 1), 0);

    /*
     * 16 bytes from start - 8: 14 on page 0x1900, 2 on page 0x1901.  On
     * the first page the chunks are 8 bytes at start - 8 (outside the
     * range: the null handler drops them), then 4 at start and 2 at
     * start + 4 (inside: the server gets bytes 8-11 and 12-13); the last
     * 2 bytes fall outside again.
     */
    assert_int_equal(h_access(h, 0, &a, &r), 0);
    assert_waits_on(h, &r, s, 0);
    assert_write_ioreq(h, s, 0, start, 4, 0xbbaa9900);
    assert_int_equal(h_answer(h, s, 0, 0, false, &r), 0);
    assert_waits_on(h, &r, s, 0);
    assert_write_ioreq(h, s, 0, start + 4, 2, 0xddcc);
    assert_int_equal(h_answer(h, s, 0, 0, false, &r), 0);
    assert_done(h, &r, 0);
    assert_true(r.unhandled);
}

/* ------------------------------------------------------------------ */
/* Row: write to a typed page with no claim -> retried, then in RAM      */

static void test_write_without_claim_is_retried_then_lands_in_ram(
    void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_TYPED) + 8;
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, gpa, 4, 0x55);

    /*
     * The window of a release between dropping the claim and marking the
     * entries (Xen takes the locks in that order): the page is still
     * typed and nobody holds the claim.
     */
    assert_int_equal(p2m_set_ioreq_server(&h->d->p2m, 0, id), 0);
    assert_effective(h, GFN_TYPED, 1, p2m_ioreq_server);

    assert_int_equal(h_write(h, gpa, 4, 0xaa, &r), 0);
    assert_int_equal(r.status, HVM_ACCESS_RETRY);
    assert_int_equal(r.reps_done, 0);
    assert_false(hvm_vcpu_waiting(h->d, 0, NULL));
    assert_slot_idle(h, id, 0);
    assert_int_equal(h_ram_load(h, gpa, 4), 0x55);

    assert_int_equal(h_rmw(h, HVM_RMW_ADD, gpa, 4, 1, &r), 0);
    assert_int_equal(r.status, HVM_ACCESS_RETRY);
    assert_int_equal(h_ram_load(h, gpa, 4), 0x55);

    /* Reads do not fault, so they carry on from RAM. */
    assert_int_equal(h_read(h, gpa, 4, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(r.value, 0x55);

    /* Once reset, the re-executed write lands in RAM. */
    p2m_change_entry_type_global(&h->d->p2m, p2m_ioreq_server, p2m_ram_rw);
    assert_int_equal(h_write(h, gpa, 4, 0xaa, &r), 0);
    assert_done(h, &r, 0);
    assert_slot_idle(h, id, 0);
    assert_int_equal(h_ram_load(h, gpa, 4), 0xaa);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_rw);
    assert_count(h, 0);
}

static void test_write_without_claim_during_sweep_lands_in_ram(void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_FAR) + 0x20;
    struct hvm_access_result r;
    uint64_t opaque;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 16);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_FAR, 16), 0);
    h_ram_store(h, gpa, 8, 0);

    opaque = release_first_chunk(h, id);
    assert_stored(h, GFN_FAR, 1, p2m_ioreq_server);

    assert_int_equal(h_write(h, gpa, 8, 0x0102030405060708ULL, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(h_ram_load(h, gpa, 8), 0x0102030405060708ULL);

    release_continue(h, id, opaque);
    assert_count(h, 0);
    assert_int_equal(h_ram_load(h, gpa, 8), 0x0102030405060708ULL);
}

static void test_write_without_claim_in_flight_loses_nothing(void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_TYPED) + 0x30;
    struct hvm_access a = { .op = HVM_ACCESS_WRITE, .gpa = gpa, .size = 4,
                            .reps = 4, .data = { 0x600df00d } };
    struct hvm_access_result r;
    ioservid_t id;
    unsigned int i;

    id = h_claiming_server(h, GFN_TYPED, 1);
    for (i = 0; i < 4; i++)
        h_ram_store(h, gpa + 4 * i, 4, 0);

    assert_int_equal(h_access(h, 0, &a, &r), 0);
    assert_waits_on(h, &r, id, 0);

    /* The device model lets go while element 0 is with it. */
    assert_int_equal(h_release(h, &h->dom0, id), 0);
    assert_claim(h, false, 0);
    assert_count(h, 0);

    assert_int_equal(h_answer(h, id, 0, 0, true, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(r.reps_done, 4);
    for (i = 0; i < 4; i++)
        assert_int_equal(h_ram_load(h, gpa + 4 * i, 4), 0x600df00d);
}

/* ------------------------------------------------------------------ */
/* Row: hypervisor-internal writes to a typed page -> -EFAULT            */

static void test_hypervisor_write_to_typed_page_is_efault(void **state)
{
    struct harness *h = *state;
    struct xen_hvm_get_mem_type arg = {
        .domid = DOMID_SELF, .mem_type = 0xeeee, .pfn = GFN_TYPED,
    };
    const uint64_t typed_arg = GPA(GFN_TYPED) + 0x40;
    const uint64_t plain_arg = GPA(GFN_PLAIN) + 0x40;
    struct xen_hvm_get_mem_type back;
    uint8_t junk[8];
    const uint64_t straddle = GPA(GFN_TYPED2) - 4;

    h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED2, 1), 0);
    memcpy((uint8_t *)h->ram + typed_arg, &arg, sizeof(arg));
    memcpy((uint8_t *)h->ram + plain_arg, &arg, sizeof(arg));

    /* The guest's HVMOP_get_mem_type result cannot go to a typed page. */
    assert_int_equal(hvm_guest_get_mem_type(&h->hv, h->d, typed_arg),
                     -EFAULT);
    memcpy(&back, (uint8_t *)h->ram + typed_arg, sizeof(back));
    assert_int_equal(back.mem_type, 0xeeee);

    /* The same call with its argument in plain RAM works. */
    assert_int_equal(hvm_guest_get_mem_type(&h->hv, h->d, plain_arg), 0);
    memcpy(&back, (uint8_t *)h->ram + plain_arg, sizeof(back));
    assert_int_equal(back.mem_type, HVMMEM_ioreq_server);

    /* Straddling: refused as a whole, the untyped part untouched too. */
    h_ram_store(h, straddle, 8, 0x1111111111111111ULL);
    memset(junk, 0x99, sizeof(junk));
    assert_int_equal(hvm_copy_to_guest_phys(h->d, straddle, junk,
                                            sizeof(junk)), -EFAULT);
    assert_int_equal(h_ram_load(h, straddle, 8), 0x1111111111111111ULL);

    /* Reading a typed page is fine. */
    assert_int_equal(hvm_copy_from_guest_phys(h->d, junk, straddle,
                                              sizeof(junk)), 0);
    assert_int_equal(junk[0], 0x11);
    assert_stored(h, GFN_TYPED, 1, p2m_ioreq_server);
    assert_stored(h, GFN_TYPED2, 1, p2m_ioreq_server);
}

/* ------------------------------------------------------------------ */
/* Row: enable global log-dirty while entry_count != 0 -> -EBUSY         */

static void test_log_dirty_enable_with_typed_entries_is_ebusy(void **state)
{
    struct harness *h = *state;
    uint64_t opaque;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 16);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_FAR, 16), 0);

    assert_int_equal(paging_log_dirty_enable(h->d), -EBUSY);
    assert_false(paging_mode_log_dirty(h->d));
    assert_false(h->d->p2m.global_logdirty);
    assert_effective(h, 0x200, 1, p2m_ram_rw);
    assert_effective(h, GFN_TYPED, 16, p2m_ioreq_server);
    assert_count(h, 32);

    /* Claim gone but entries left (mid-release): still refused. */
    opaque = release_first_chunk(h, id);
    assert_true(entry_count(h) > 0);
    assert_int_equal(paging_log_dirty_enable(h->d), -EBUSY);
    assert_false(paging_mode_log_dirty(h->d));

    release_continue(h, id, opaque);
    assert_count(h, 0);
    assert_int_equal(paging_log_dirty_enable(h->d), 0);
    assert_true(paging_mode_log_dirty(h->d));
    assert_effective(h, 0x200, 1, p2m_ram_logdirty);
}

/* ------------------------------------------------------------------ */
/* Row (ours): destroying the claiming server is a full release          */

static void test_destroy_claiming_server_is_full_release(void **state)
{
    struct harness *h = *state;
    ioservid_t a, b;

    a = h_claiming_server(h, GFN_TYPED, 0x100);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0xe00, 0x200), 0);
    assert_count(h, 0x300);

    assert_int_equal(h_destroy_server(h, &h->dom0, a), 0);

    assert_false(server_exists(h, a));
    assert_claim(h, false, 0);
    assert_count(h, 0);
    assert_stored(h, 0, 0x1000, p2m_ram_rw);
    assert_effective(h, 0, 0x1000, p2m_ram_rw);
    /* Nothing left write-protected: a re-claim works at once. */
    assert_int_equal(create_server_as(h, &h->dom0, &b), 0);
    assert_int_equal(h_claim(h, &h->dom0, b), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED, 1), 0);
    assert_count(h, 1);
}

static void test_destroy_claiming_server_retries_in_flight_writes(
    void **state)
{
    struct harness *h = *state;
    struct hvm_access a1 = { .op = HVM_ACCESS_WRITE, .gpa = GPA(0xe00),
                             .size = 8, .data = { 0x1111222233334444ULL } };
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0xe00, 1), 0);
    h_ram_store(h, GPA(GFN_TYPED), 4, 0);
    h_ram_store(h, GPA(0xe00), 8, 0);

    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0xabcd, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_int_equal(h_access(h, 1, &a1, &r), 0);
    assert_waits_on(h, &r, id, 1);

    assert_int_equal(h_destroy_server(h, &h->dom0, id), 0);
    assert_claim(h, false, 0);
    assert_count(h, 0);

    /* Both vCPUs are told to re-execute; nothing reached RAM yet. */
    assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
    assert_int_equal(r.status, HVM_ACCESS_RETRY);
    assert_false(hvm_vcpu_waiting(h->d, 0, NULL));
    assert_int_equal(hvm_access_resume(h->d, 1, &r), 0);
    assert_int_equal(r.status, HVM_ACCESS_RETRY);
    assert_false(hvm_vcpu_waiting(h->d, 1, NULL));
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED), 4), 0);

    /* Re-executed, the writes land in RAM: nothing is lost. */
    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0xabcd, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(h_access(h, 1, &a1, &r), 0);
    assert_done(h, &r, 1);
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED), 4), 0xabcd);
    assert_int_equal(h_ram_load(h, GPA(0xe00), 8), a1.data[0]);
}

static void test_destroy_non_claiming_server_keeps_claim(void **state)
{
    struct harness *h = *state;
    ioservid_t a, b;

    a = h_claiming_server(h, GFN_TYPED, 4);
    assert_int_equal(create_server_as(h, &h->dom0, &b), 0);
    assert_int_equal(h_destroy_server(h, &h->dom0, b), 0);
    assert_claim(h, true, a);
    assert_stored(h, GFN_TYPED, 4, p2m_ioreq_server);
    assert_count(h, 4);
}

/* ------------------------------------------------------------------ */
/* Row: HVMOP_get_mem_type reports the effective type                    */

static void test_get_mem_type_reports_effective_type(void **state)
{
    struct harness *h = *state;
    struct h_opts o = { .ram_pages = 0x1000, .max_gfn = 0x1fff };
    uint64_t opaque;
    ioservid_t id;

    reopen(h, &o);
    id = h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_FAR, 1), 0);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_ro,
                                    GFN_PLAIN, 1), 0);

    assert_int_equal(h_get_mem_type(h, GFN_TYPED), HVMMEM_ioreq_server);
    assert_int_equal(h_get_mem_type(h, GFN_FAR), HVMMEM_ioreq_server);
    assert_int_equal(h_get_mem_type(h, GFN_PLAIN), HVMMEM_ram_ro);
    assert_int_equal(h_get_mem_type(h, GFN_TYPED2), HVMMEM_ram_rw);
    assert_int_equal(h_get_mem_type(h, 0x1800), HVMMEM_mmio_dm);

    /* Pending recalc: stored ioreq_server, reported ram_rw. */
    opaque = release_first_chunk(h, id);
    assert_stored(h, GFN_FAR, 1, p2m_ioreq_server);
    assert_int_equal(h_get_mem_type(h, GFN_FAR), HVMMEM_ram_rw);
    /* Asking rewrites nothing. */
    assert_stored(h, GFN_FAR, 1, p2m_ioreq_server);
    assert_int_equal(entry_count(h), 1);

    release_continue(h, id, opaque);
    assert_int_equal(h_get_mem_type(h, GFN_FAR), HVMMEM_ram_rw);
    assert_int_equal(h_get_mem_type(h, GFN_PLAIN), HVMMEM_ram_ro);
}

/* ------------------------------------------------------------------ */
/* Row: ioreq state machine (ours: a broken one tears the server down)   */

static void test_ioreq_state_machine_forward_only(void **state)
{
    struct harness *h = *state;
    struct hvm_access_result r;
    ioreq_t *p;
    ioservid_t id;
    unsigned int round;

    id = h_claiming_server(h, GFN_TYPED, 1);
    p = h_slot(h, id, 0);
    assert_int_equal(p->state, STATE_IOREQ_NONE);

    for (round = 0; round < 2; round++) {
        assert_int_equal(h_write(h, GPA(GFN_TYPED), 2, 0x77 + round, &r),
                         0);
        assert_int_equal(p->state, STATE_IOREQ_READY);
        /* Nothing happens until the device model answers. */
        assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
        assert_waits_on(h, &r, id, 0);
        p->state = STATE_IOREQ_INPROCESS;
        assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
        assert_waits_on(h, &r, id, 0);
        assert_int_equal(p->state, STATE_IOREQ_INPROCESS);
        p->state = STATE_IORESP_READY;
        assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
        assert_done(h, &r, 0);
        /* The hypervisor took the answer: back to NONE. */
        assert_int_equal(p->state, STATE_IOREQ_NONE);
    }
    assert_true(server_exists(h, id));
    assert_claim(h, true, id);
    assert_int_equal(hvm_access_resume(h->d, 0, &r), -ENOENT);
}

/* What must hold once a device model broke the protocol on vCPU 0. */
static void assert_torn_down(struct harness *h, ioservid_t id,
                             const struct hvm_access_result *r)
{
    assert_int_equal(r->status, HVM_ACCESS_RETRY);
    assert_false(hvm_vcpu_waiting(h->d, 0, NULL));
    assert_false(server_exists(h, id));
    /* A full release: nothing stays write-protected. */
    assert_claim(h, false, 0);
    assert_count(h, 0);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_rw);
}

/* The guest keeps running: re-executed, the write lands in RAM. */
static void assert_guest_runs_on(struct harness *h)
{
    struct hvm_access_result r;

    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0x600d, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED), 4), 0x600d);
    assert_int_equal(h_read(h, GPA(GFN_TYPED), 4, &r), 0);
    assert_int_equal(r.value, 0x600d);
}

static void test_ioreq_state_backwards_tears_down_server(void **state)
{
    struct harness *h = *state;
    struct hvm_access a1 = { .op = HVM_ACCESS_WRITE,
                             .gpa = GPA(GFN_TYPED) + 8, .size = 4,
                             .data = { 0x1 } };
    struct hvm_access_result r;
    ioreq_t *p;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, GPA(GFN_TYPED), 8, 0);
    h_ram_store(h, GPA(GFN_TYPED) + 8, 8, 0);
    p = h_slot(h, id, 0);

    /* vCPU 1 waits on the same server meanwhile. */
    assert_int_equal(h_access(h, 1, &a1, &r), 0);
    assert_waits_on(h, &r, id, 1);

    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0xbad, &r), 0);
    p->state = STATE_IOREQ_INPROCESS;
    assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
    assert_waits_on(h, &r, id, 0);
    p->state = STATE_IOREQ_READY;                  /* backwards */
    assert_int_equal(hvm_access_resume(h->d, 0, &r), -EPROTO);

    assert_torn_down(h, id, &r);
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED), 4), 0);
    /* The other vCPU is released too, to re-execute. */
    assert_int_equal(hvm_access_resume(h->d, 1, &r), 0);
    assert_int_equal(r.status, HVM_ACCESS_RETRY);
    assert_false(hvm_vcpu_waiting(h->d, 1, NULL));
    assert_guest_runs_on(h);
    assert_int_equal(h_access(h, 1, &a1, &r), 0);
    assert_done(h, &r, 1);
    assert_int_equal(h_ram_load(h, a1.gpa, 4), 1);
}

static void test_ioreq_state_backwards_to_none_tears_down_server(
    void **state)
{
    struct harness *h = *state;
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0xbad, &r), 0);
    h_slot(h, id, 0)->state = STATE_IOREQ_NONE;
    assert_int_equal(hvm_access_resume(h->d, 0, &r), -EPROTO);
    assert_torn_down(h, id, &r);
    assert_guest_runs_on(h);
}

static void test_ioreq_state_unknown_tears_down_server(void **state)
{
    struct harness *h = *state;
    static const uint8_t bad[] = { 4, 7, 0xf };
    struct hvm_access_result r;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        ioservid_t id = h_claiming_server(h, GFN_TYPED, 1);
        ioreq_t *p = h_slot(h, id, 0);

        assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0xbad, &r), 0);
        p->state = STATE_IOREQ_INPROCESS;
        assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
        p->state = bad[i];
        assert_int_equal(hvm_access_resume(h->d, 0, &r), -EPROTO);
        assert_torn_down(h, id, &r);
        assert_guest_runs_on(h);
    }
}

static void test_ioreq_state_bad_idle_slot_tears_down_server(void **state)
{
    struct harness *h = *state;
    struct hvm_access_result r;
    ioservid_t id;
    int rc;

    /* Left non-NONE while idle. */
    id = h_claiming_server(h, GFN_TYPED, 1);
    h_slot(h, id, 0)->state = STATE_IORESP_READY;
    rc = h_write(h, GPA(GFN_TYPED), 4, 0xbad, &r);
    assert_torn_down(h, id, &r);
    assert_int_equal(rc, -EPROTO);
    assert_guest_runs_on(h);

    /* Its event channel changed while idle. */
    id = h_claiming_server(h, GFN_TYPED, 1);
    h_slot(h, id, 0)->vp_eport ^= 1;
    rc = h_write(h, GPA(GFN_TYPED), 4, 0xbad, &r);
    assert_torn_down(h, id, &r);
    assert_int_equal(rc, -EPROTO);
    assert_guest_runs_on(h);
}

static void test_ioreq_state_bad_slot_mid_access_tears_down_server(
    void **state)
{
    struct harness *h = *state;
    struct hvm_access a = { .op = HVM_ACCESS_WRITE, .gpa = GPA(GFN_TYPED),
                            .size = 16, .data = { 1, 2 } };
    struct hvm_access_result r;
    ioreq_t *p;
    ioservid_t id;
    int rc;

    /*
     * The device model answers the first half of a 16-byte store but
     * changes its event channel meanwhile: the second half cannot be
     * sent, and the resume that tries must say why.
     */
    id = h_claiming_server(h, GFN_TYPED, 1);
    p = h_slot(h, id, 0);
    assert_int_equal(h_access(h, 0, &a, &r), 0);
    assert_write_ioreq(h, id, 0, GPA(GFN_TYPED), 8, 1);
    p->state = STATE_IOREQ_INPROCESS;
    p->vp_eport ^= 1;
    p->state = STATE_IORESP_READY;
    rc = hvm_access_resume(h->d, 0, &r);
    assert_torn_down(h, id, &r);
    assert_int_equal(rc, -EPROTO);
    assert_guest_runs_on(h);
}

/* ------------------------------------------------------------------ */
/* DMOP decoding                                                         */

static xen_dm_op_buf_t buf_of(void *p, size_t size)
{
    xen_dm_op_buf_t b = { .size = size };

    set_xen_guest_handle(b.h, p);
    return b;
}

static struct xen_dm_op create_op(void)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };

    op.u.create_ioreq_server.id = 0xbeef;
    return op;
}

static void test_dmop_nr_bufs_zero_is_enodata(void **state)
{
    struct harness *h = *state;
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t bufs[1] = { buf_of(&op, sizeof(op)) };

    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 0, bufs), -ENODATA);
    assert_no_servers(h);
    assert_int_equal(op.u.create_ioreq_server.id, 0xbeef);
}

static void test_dmop_nr_bufs_over_two_is_e2big(void **state)
{
    struct harness *h = *state;
    struct xen_dm_op op = create_op();
    uint8_t extra[64] = { 0 };
    xen_dm_op_buf_t bufs[3] = {
        buf_of(&op, sizeof(op)), buf_of(extra, sizeof(extra)),
        buf_of(extra, sizeof(extra)),
    };

    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 3, bufs), -E2BIG);
    assert_no_servers(h);
    /* Two is the limit, not one less. */
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 2, bufs), 0);
    assert_true(server_exists(h, op.u.create_ioreq_server.id));
}

static void test_dmop_short_header_is_efault(void **state)
{
    struct harness *h = *state;
    const size_t header = offsetof(struct xen_dm_op, u);
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t b;
    size_t size;

    for (size = 0; size < header; size++) {
        b = buf_of(&op, size);
        assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EFAULT);
    }
    b = buf_of(NULL, sizeof(op));
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EFAULT);
    assert_no_servers(h);
    assert_int_equal(op.u.create_ioreq_server.id, 0xbeef);
}

static void test_dmop_short_sub_op_is_efault(void **state)
{
    struct harness *h = *state;
    const size_t header = offsetof(struct xen_dm_op, u);
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t b;

    b = buf_of(&op, header);
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EFAULT);
    b = buf_of(&op, header + sizeof(op.u.create_ioreq_server) - 1);
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EFAULT);
    assert_no_servers(h);

    h_claiming_server(h, 0, 0);
    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_mem_type;
    op.u.set_mem_type.mem_type = HVMMEM_ioreq_server;
    op.u.set_mem_type.first_pfn = GFN_TYPED;
    op.u.set_mem_type.nr = 1;
    b = buf_of(&op, header + sizeof(op.u.set_mem_type) - 1);
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EFAULT);
    assert_stored(h, GFN_TYPED, 1, p2m_ram_rw);
    assert_count(h, 0);
}

static void test_dmop_exact_sub_op_size_is_enough(void **state)
{
    struct harness *h = *state;
    const size_t len = offsetof(struct xen_dm_op, u) +
                       sizeof(struct xen_dm_op_set_mem_type);
    struct xen_dm_op op = { .op = XEN_DMOP_set_mem_type }, back;
    /* Exactly the bytes Xen 4.11+ copies: ASan catches any more. */
    void *exact = malloc(len);
    xen_dm_op_buf_t b = buf_of(exact, len);

    assert_non_null(exact);
    h_claiming_server(h, 0, 0);
    op.u.set_mem_type.mem_type = HVMMEM_ioreq_server;
    op.u.set_mem_type.first_pfn = GFN_TYPED;
    op.u.set_mem_type.nr = SWEEP_CHUNK + 1;
    memcpy(exact, &op, len);

    h->always_preempt = true;
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -ERESTART);
    memset(&back, 0, sizeof(back));
    memcpy(&back, exact, len);
    assert_int_equal(back.u.set_mem_type.first_pfn,
                     GFN_TYPED + SWEEP_CHUNK);
    assert_int_equal(back.u.set_mem_type.nr, 1);
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), 0);
    h->always_preempt = false;

    assert_count(h, SWEEP_CHUNK + 1);
    free(exact);
}

static void test_dmop_pad_is_einval(void **state)
{
    struct harness *h = *state;
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t b = buf_of(&op, sizeof(op));

    op.pad = 1;
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EINVAL);
    op.pad = 0x80000000u;
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EINVAL);
    assert_no_servers(h);
    assert_int_equal(op.u.create_ioreq_server.id, 0xbeef);
}

static void test_dmop_unknown_op_is_eopnotsupp(void **state)
{
    struct harness *h = *state;
    static const uint32_t ops[] = { 0, XEN_DMOP_nr_vcpus + 1, 0x100,
                                    0xffffffffu };
    struct xen_dm_op op;
    xen_dm_op_buf_t b;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(ops); i++) {
        memset(&op, 0, sizeof(op));
        op.op = ops[i];
        b = buf_of(&op, sizeof(op));
        assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b),
                         -EOPNOTSUPP);
        /* Decided on the header alone: no sub-op bytes needed. */
        b = buf_of(&op, offsetof(struct xen_dm_op, u));
        assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b),
                         -EOPNOTSUPP);
    }
    assert_no_servers(h);
}

static void test_dmop_unknown_domain_is_esrch(void **state)
{
    struct harness *h = *state;
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t b = buf_of(&op, sizeof(op));

    assert_int_equal(dm_op(&h->hv, &h->dom0, 7, 1, &b), -ESRCH);
    assert_int_equal(dm_op(&h->hv, &h->dom0, DOMID_SELF, 1, &b), -ESRCH);
    assert_int_equal(dm_op(&h->hv, &h->dom0, DOMID_INVALID, 1, &b),
                     -ESRCH);
    assert_no_servers(h);
}

static void test_dmop_caller_is_target_is_eperm(void **state)
{
    struct harness *h = *state;
    /* Even a caller that would otherwise be privileged. */
    struct caller self = { .domid = H_GUEST, .is_control = true,
                           .target = H_GUEST };
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t b = buf_of(&op, sizeof(op));

    assert_int_equal(dm_op(&h->hv, &self, H_GUEST, 1, &b), -EPERM);
    assert_no_servers(h);
}

static void test_dmop_non_hvm_target_is_einval(void **state)
{
    struct harness *h = *state;
    struct h_opts o = { .pv = true };
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t b = buf_of(&op, sizeof(op));

    reopen(h, &o);
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, &b), -EINVAL);
    assert_no_servers(h);
    assert_int_equal(op.u.create_ioreq_server.id, 0xbeef);
}

static void test_dmop_unprivileged_caller_is_eperm(void **state)
{
    struct harness *h = *state;
    struct caller nobody = { .domid = 9, .target = DOMID_INVALID };
    struct caller elsewhere = { .domid = 10, .target = 2 };
    struct xen_dm_op op = create_op();
    xen_dm_op_buf_t b = buf_of(&op, sizeof(op));

    assert_int_equal(dm_op(&h->hv, &nobody, H_GUEST, 1, &b), -EPERM);
    assert_int_equal(dm_op(&h->hv, &elsewhere, H_GUEST, 1, &b), -EPERM);
    assert_no_servers(h);
    /* The guest's own device model may. */
    assert_int_equal(dm_op(&h->hv, &h->dm, H_GUEST, 1, &b), 0);
    assert_true(server_exists(h, op.u.create_ioreq_server.id));
}

static void test_dmop_copy_back_only_on_success_or_continuation(
    void **state)
{
    struct harness *h = *state;
    struct xen_dm_op op = create_op();
    struct xen_dm_op_modified_memory_extent ext[2] = {
        { .nr = 1, .pad = 1, .first_pfn = 0x20 },   /* bad, done last */
        { .nr = 1, .first_pfn = 0x10 },             /* good, done first */
    };
    xen_dm_op_buf_t bufs[2];

    /* Success: the output field comes back. */
    bufs[0] = buf_of(&op, sizeof(op));
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 1, bufs), 0);
    assert_int_equal(op.u.create_ioreq_server.id, 0);
    assert_true(server_exists(h, 0));

    /* Continuation: the progress comes back. */
    assert_int_equal(h_claim(h, &h->dom0, 0), 0);
    h->always_preempt = true;
    assert_int_equal(set_mem_type_op(h, &op, HVMMEM_ioreq_server, 0,
                                     2 * SWEEP_CHUNK), -ERESTART);
    h->always_preempt = false;
    assert_int_equal(op.u.set_mem_type.first_pfn, SWEEP_CHUNK);
    assert_int_equal(op.u.set_mem_type.nr, SWEEP_CHUNK);

    /*
     * Failure after the op changed its own copy (one extent consumed):
     * the caller's buffer must not see that.
     */
    assert_int_equal(h_release(h, &h->dom0, 0), 0);
    assert_int_equal(paging_log_dirty_enable(h->d), 0);
    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_modified_memory;
    op.u.modified_memory.nr_extents = 2;
    bufs[0] = buf_of(&op, sizeof(op));
    bufs[1] = buf_of(ext, sizeof(ext));
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 2, bufs), -EINVAL);
    assert_int_equal(op.u.modified_memory.nr_extents, 2);
    assert_int_equal(op.u.modified_memory.opaque, 0);

    /* The same op, valid, succeeds and reports all extents done. */
    ext[0].pad = 0;
    assert_int_equal(dm_op(&h->hv, &h->dom0, H_GUEST, 2, bufs), 0);
    assert_int_equal(op.u.modified_memory.nr_extents, 0);
}

/* ------------------------------------------------------------------ */
/* Upstream regressions (spec section 5)                                 */

/* eb13199100: the sync sweep must really rewrite the entries. */
static void test_regression_eb13199100_sweep_changes_entries(void **state)
{
    struct harness *h = *state;
    unsigned int cycle;
    ioservid_t id;

    id = h_claiming_server(h, 0, 0);
    /* XenGT's deactivate / re-activate cycle. */
    for (cycle = 0; cycle < 3; cycle++) {
        assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                        0, 0x1000), 0);
        assert_count(h, 0x1000);
        assert_int_equal(h_release(h, &h->dom0, id), 0);
        assert_stored(h, 0, 0x1000, p2m_ram_rw);
        assert_count(h, 0);
        assert_int_equal(h_claim(h, &h->dom0, id), 0);
        assert_claim(h, true, id);
    }
}

/* ec2ab491b5: entry_count counts every typed 4K entry. */
static void test_regression_ec2ab491b5_entry_count_counts_4k_entries(
    void **state)
{
    struct harness *h = *state;
    ioservid_t id;

    id = h_claiming_server(h, 0x1f0, 0x420);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    0xfff, 1), 0);
    assert_count(h, 0x421);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_rw,
                                    0x200, 0x10), 0);
    assert_count(h, 0x411);

    /* Counted, so log-dirty is refused and a re-claim is refused. */
    assert_int_equal(paging_log_dirty_enable(h->d), -EBUSY);

    /* Counted, so the release resets them all. */
    assert_int_equal(h_release(h, &h->dom0, id), 0);
    assert_count(h, 0);
    assert_stored(h, 0, 0x1000, p2m_ram_rw);
    assert_int_equal(paging_log_dirty_enable(h->d), 0);
}

/* 522a2f3c5c: the DM retypes the page while answering a write. */
static void test_regression_522a2f3c5c_retype_while_answering(void **state)
{
    struct harness *h = *state;
    struct hvm_access_result r;
    ioreq_t *p;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                    GFN_TYPED2, 1), 0);
    p = h_slot(h, id, 0);

    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0x4321, &r), 0);
    assert_waits_on(h, &r, id, 0);
    p->state = STATE_IOREQ_INPROCESS;
    /* Done with the page: retype it, then store the write itself. */
    assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ram_rw,
                                    GFN_TYPED, 1), 0);
    h_ram_store(h, p->addr, p->size, p->data);
    p->state = STATE_IORESP_READY;

    /* The completion finishes the access; the vCPU is not stuck. */
    assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(p->state, STATE_IOREQ_NONE);
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED), 4), 0x4321);
    assert_true(server_exists(h, id));

    /* The next request goes out and completes normally. */
    assert_int_equal(h_write(h, GPA(GFN_TYPED2), 4, 0x8765, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_write_ioreq(h, id, 0, GPA(GFN_TYPED2), 4, 0x8765);
    answer_done(h, id, 0, true);
    /* And the retyped page is plain RAM now. */
    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0x1111, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(h_ram_load(h, GPA(GFN_TYPED), 4), 0x1111);
    assert_count(h, 1);
}

/* f7039ee41b: server destroyed while a request is pending. */
static void test_regression_f7039ee41b_destroy_with_pending_ioreq(
    void **state)
{
    struct harness *h = *state;
    const uint64_t gpa = GPA(GFN_TYPED) + 0x20;
    struct hvm_access_result r;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    h_ram_store(h, gpa, 4, 0x10);

    assert_int_equal(h_rmw(h, HVM_RMW_ADD, gpa, 4, 5, &r), 0);
    assert_waits_on(h, &r, id, 0);
    assert_write_ioreq(h, id, 0, gpa, 4, 0x15);

    assert_int_equal(h_destroy_server(h, &h->dom0, id), 0);
    assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
    assert_int_equal(r.status, HVM_ACCESS_RETRY);
    assert_false(hvm_vcpu_waiting(h->d, 0, NULL));
    /* No stale wait: a second resume finds nothing to do. */
    assert_int_equal(hvm_access_resume(h->d, 0, &r), -ENOENT);
    assert_int_equal(h_ram_load(h, gpa, 4), 0x10);

    assert_int_equal(h_rmw(h, HVM_RMW_ADD, gpa, 4, 5, &r), 0);
    assert_done(h, &r, 0);
    assert_int_equal(r.value, 0x10);
    assert_int_equal(h_ram_load(h, gpa, 4), 0x15);
}

/* XSA-262: a DM flipping the state back must not keep the vCPU looping. */
static void test_regression_xsa262_state_moved_backwards(void **state)
{
    struct harness *h = *state;
    struct hvm_access_result r;
    ioreq_t *p;
    ioservid_t id;

    id = h_claiming_server(h, GFN_TYPED, 1);
    p = h_slot(h, id, 0);
    assert_int_equal(h_write(h, GPA(GFN_TYPED), 4, 0xbad, &r), 0);

    p->state = STATE_IOREQ_INPROCESS;
    assert_int_equal(hvm_access_resume(h->d, 0, &r), 0);
    assert_int_equal(r.status, HVM_ACCESS_IOREQ);
    p->state = STATE_IOREQ_READY;
    assert_int_equal(hvm_access_resume(h->d, 0, &r), -EPROTO);
    assert_torn_down(h, id, &r);
    /* The guest is not crashed: its vCPUs go on. */
    assert_int_equal(hvm_access_resume(h->d, 0, &r), -ENOENT);
    assert_guest_runs_on(h);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_claim_without_hap_is_eopnotsupp),
        T(test_claim_wrong_type_is_einval),
        T(test_claim_flags_other_than_write_is_einval),
        T(test_claim_server_id_out_of_range_is_enoent),
        T(test_claim_server_not_existing_is_enoent),
        T(test_claim_by_non_creator_is_eperm),
        T(test_claim_while_held_is_ebusy),
        T(test_claim_while_entries_remain_is_ebusy),
        T(test_release_by_non_holder_is_einval),
        T(test_release_by_holder_resets_every_entry),
        T(test_release_by_holder_sweeps_in_chunks_of_256),
        T(test_set_mem_type_ioreq_without_hap_is_eopnotsupp),
        T(test_set_mem_type_ioreq_without_claim_is_einval),
        T(test_set_mem_type_ram_rw_ioreq_round_trip_allowed),
        T(test_set_mem_type_ioreq_to_ioreq_is_einval),
        T(test_set_mem_type_ioreq_to_ram_ro_or_mmio_dm_is_einval),
        T(test_set_mem_type_ram_ro_or_mmio_dm_to_ioreq_is_einval),
        T(test_set_mem_type_log_dirty_to_ioreq_is_einval),
        T(test_set_mem_type_refused_page_stops_the_range),
        T(test_set_mem_type_nr_zero_is_einval),
        T(test_set_mem_type_wrapping_range_is_einval),
        T(test_set_mem_type_beyond_max_gfn_is_einval),
        T(test_set_mem_type_bad_mem_type_is_einval),
        T(test_set_mem_type_pad_is_einval),
        T(test_set_mem_type_many_pages_preempts_every_256),
        T(test_set_mem_type_many_pages_continuation_is_hidden),
        T(test_guest_read_of_typed_page_served_from_ram),
        T(test_guest_write_of_typed_page_is_one_ioreq),
        T(test_guest_write_of_typed_page_16_bytes_is_two_ioreqs),
        T(test_rmw_on_typed_page_forwards_final_value),
        T(test_rmw_on_typed_page_cmpxchg_compares_ram),
        T(test_write_straddling_typed_then_untyped_splits),
        T(test_write_straddling_untyped_then_typed_splits),
        T(test_rep_store_into_typed_page_one_ioreq_per_element),
        T(test_access_outside_ram_and_ranges_uses_null_handler),
        T(test_null_handler_and_server_share_an_access_by_chunk),
        T(test_write_without_claim_is_retried_then_lands_in_ram),
        T(test_write_without_claim_during_sweep_lands_in_ram),
        T(test_write_without_claim_in_flight_loses_nothing),
        T(test_hypervisor_write_to_typed_page_is_efault),
        T(test_log_dirty_enable_with_typed_entries_is_ebusy),
        T(test_destroy_claiming_server_is_full_release),
        T(test_destroy_claiming_server_retries_in_flight_writes),
        T(test_destroy_non_claiming_server_keeps_claim),
        T(test_get_mem_type_reports_effective_type),
        T(test_ioreq_state_machine_forward_only),
        T(test_ioreq_state_backwards_tears_down_server),
        T(test_ioreq_state_backwards_to_none_tears_down_server),
        T(test_ioreq_state_unknown_tears_down_server),
        T(test_ioreq_state_bad_idle_slot_tears_down_server),
        T(test_ioreq_state_bad_slot_mid_access_tears_down_server),
        T(test_dmop_nr_bufs_zero_is_enodata),
        T(test_dmop_nr_bufs_over_two_is_e2big),
        T(test_dmop_short_header_is_efault),
        T(test_dmop_short_sub_op_is_efault),
        T(test_dmop_exact_sub_op_size_is_enough),
        T(test_dmop_pad_is_einval),
        T(test_dmop_unknown_op_is_eopnotsupp),
        T(test_dmop_unknown_domain_is_esrch),
        T(test_dmop_caller_is_target_is_eperm),
        T(test_dmop_non_hvm_target_is_einval),
        T(test_dmop_unprivileged_caller_is_eperm),
        T(test_dmop_copy_back_only_on_success_or_continuation),
        T(test_regression_eb13199100_sweep_changes_entries),
        T(test_regression_ec2ab491b5_entry_count_counts_4k_entries),
        T(test_regression_522a2f3c5c_retype_while_answering),
        T(test_regression_f7039ee41b_destroy_with_pending_ioreq),
        T(test_regression_xsa262_state_moved_backwards),
    };
#undef T

    return cmocka_run_group_tests_name("conformance", tests, NULL, NULL);
}
