/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "harness.h"

static bool preempt_always(void *opaque)
{
    struct harness *h = opaque;

    return h->always_preempt;
}

void h_setup(struct harness *h, const struct h_opts *opts)
{
    struct h_opts o = opts ? *opts : (struct h_opts){ 0 };
    struct domain_config cfg;
    struct domain_memory mem;

    if (!o.vcpus)
        o.vcpus = 2;
    if (!o.ram_pages)
        o.ram_pages = 4096;
    if (!o.max_gfn)
        o.max_gfn = o.ram_pages - 1;

    memset(h, 0, sizeof(*h));
    assert_int_equal(hypervisor_init(&h->hv), 0);
    h->hv.preempt_check = preempt_always;
    h->hv.preempt_opaque = h;

    h->ram_size = (o.max_gfn + 1) * PAGE_SIZE;
    h->ram = mmap(NULL, h->ram_size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(h->ram != MAP_FAILED);
    h->ioreq_pages = aligned_alloc(PAGE_SIZE, DOMAIN_IOREQ_PAGES * PAGE_SIZE);
    assert_non_null(h->ioreq_pages);

    cfg = (struct domain_config){
        .hvm = !o.pv,
        .hap = !o.shadow,
        .max_vcpus = o.vcpus,
        .max_gfn = o.max_gfn,
    };
    mem = (struct domain_memory){
        .ram = h->ram,
        .ram_size = h->ram_size,
        .ioreq_pages = h->ioreq_pages,
        .ioreq_size = DOMAIN_IOREQ_PAGES * PAGE_SIZE,
    };
    assert_int_equal(domain_create(&h->hv, H_GUEST, &cfg, &mem, &h->d), 0);
    assert_int_equal(p2m_add_ram(&h->d->p2m, 0, o.ram_pages), 0);

    h->dom0 = (struct caller){ .domid = 0, .is_control = true,
                               .target = DOMID_INVALID };
    h->dm = (struct caller){ .domid = H_DM_DOMAIN, .target = H_GUEST };
    h->other_dm = (struct caller){ .domid = H_DM_DOMAIN + 1,
                                   .target = H_GUEST };
}

void h_teardown(struct harness *h)
{
    hypervisor_teardown(&h->hv);
    munmap(h->ram, h->ram_size);
    free(h->ioreq_pages);
}

int h_dm_op_once(struct harness *h, const struct caller *c, domid_t domid,
                 struct xen_dm_op *op)
{
    xen_dm_op_buf_t buf = { .size = sizeof(*op) };

    set_xen_guest_handle(buf.h, op);
    return dm_op(&h->hv, c, domid, 1, &buf);
}

int h_dm_op(struct harness *h, const struct caller *c, domid_t domid,
            struct xen_dm_op *op, void *buf1, size_t buf1_size)
{
    xen_dm_op_buf_t bufs[2] = {
        { .size = sizeof(*op) },
        { .size = buf1_size },
    };
    int rc;

    set_xen_guest_handle(bufs[0].h, op);
    set_xen_guest_handle(bufs[1].h, buf1);
    while ((rc = dm_op(&h->hv, c, domid, buf1 ? 2 : 1, bufs)) == -ERESTART)
        h->restarts++;
    return rc;
}

int h_create_server(struct harness *h, const struct caller *c,
                    ioservid_t *id)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    int rc = h_dm_op(h, c, H_GUEST, &op, NULL, 0);

    if (rc == 0)
        *id = op.u.create_ioreq_server.id;
    return rc;
}

int h_destroy_server(struct harness *h, const struct caller *c,
                     ioservid_t id)
{
    struct xen_dm_op op = { .op = XEN_DMOP_destroy_ioreq_server };

    op.u.destroy_ioreq_server.id = id;
    return h_dm_op(h, c, H_GUEST, &op, NULL, 0);
}

int h_set_state(struct harness *h, const struct caller *c, ioservid_t id,
                bool enabled)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_ioreq_server_state };

    op.u.set_ioreq_server_state.id = id;
    op.u.set_ioreq_server_state.enabled = enabled;
    return h_dm_op(h, c, H_GUEST, &op, NULL, 0);
}

static int range_op(struct harness *h, const struct caller *c, uint32_t cmd,
                    ioservid_t id, uint32_t type, uint64_t start,
                    uint64_t end)
{
    struct xen_dm_op op = { .op = cmd };

    op.u.map_io_range_to_ioreq_server.id = id;
    op.u.map_io_range_to_ioreq_server.type = type;
    op.u.map_io_range_to_ioreq_server.start = start;
    op.u.map_io_range_to_ioreq_server.end = end;
    return h_dm_op(h, c, H_GUEST, &op, NULL, 0);
}

int h_map_range(struct harness *h, const struct caller *c, ioservid_t id,
                uint32_t type, uint64_t start, uint64_t end)
{
    return range_op(h, c, XEN_DMOP_map_io_range_to_ioreq_server, id, type,
                    start, end);
}

int h_unmap_range(struct harness *h, const struct caller *c, ioservid_t id,
                  uint32_t type, uint64_t start, uint64_t end)
{
    return range_op(h, c, XEN_DMOP_unmap_io_range_from_ioreq_server, id, type,
                    start, end);
}

int h_map_mem_type(struct harness *h, const struct caller *c, ioservid_t id,
                   uint16_t type, uint32_t flags)
{
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };

    op.u.map_mem_type_to_ioreq_server.id = id;
    op.u.map_mem_type_to_ioreq_server.type = type;
    op.u.map_mem_type_to_ioreq_server.flags = flags;
    return h_dm_op(h, c, H_GUEST, &op, NULL, 0);
}

int h_claim(struct harness *h, const struct caller *c, ioservid_t id)
{
    return h_map_mem_type(h, c, id, HVMMEM_ioreq_server,
                          XEN_DMOP_IOREQ_MEM_ACCESS_WRITE);
}

int h_release(struct harness *h, const struct caller *c, ioservid_t id)
{
    return h_map_mem_type(h, c, id, HVMMEM_ioreq_server, 0);
}

int h_set_mem_type(struct harness *h, const struct caller *c,
                   uint16_t mem_type, uint64_t first_pfn, uint32_t nr)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_mem_type };

    op.u.set_mem_type.mem_type = mem_type;
    op.u.set_mem_type.first_pfn = first_pfn;
    op.u.set_mem_type.nr = nr;
    return h_dm_op(h, c, H_GUEST, &op, NULL, 0);
}

int h_get_mem_type(struct harness *h, uint64_t pfn)
{
    struct xen_hvm_get_mem_type arg = { .domid = H_GUEST, .pfn = pfn };
    int rc = hvmop_get_mem_type(&h->hv, &h->dom0, &arg);

    return rc ? rc : arg.mem_type;
}

ioservid_t h_claiming_server(struct harness *h, uint64_t first_pfn,
                             uint32_t nr)
{
    ioservid_t id;

    assert_int_equal(h_create_server(h, &h->dom0, &id), 0);
    assert_int_equal(h_set_state(h, &h->dom0, id, true), 0);
    assert_int_equal(h_claim(h, &h->dom0, id), 0);
    if (nr)
        assert_int_equal(h_set_mem_type(h, &h->dom0, HVMMEM_ioreq_server,
                                        first_pfn, nr), 0);
    return id;
}

int h_access(struct harness *h, unsigned int vcpu,
             const struct hvm_access *a, struct hvm_access_result *r)
{
    return hvm_access(h->d, vcpu, a, r);
}

int h_read(struct harness *h, uint64_t gpa, unsigned int size,
           struct hvm_access_result *r)
{
    struct hvm_access a = { .op = HVM_ACCESS_READ, .gpa = gpa,
                            .size = size };

    return hvm_access(h->d, 0, &a, r);
}

int h_write(struct harness *h, uint64_t gpa, unsigned int size,
            uint64_t value, struct hvm_access_result *r)
{
    struct hvm_access a = { .op = HVM_ACCESS_WRITE, .gpa = gpa,
                            .size = size, .data = { value } };

    return hvm_access(h->d, 0, &a, r);
}

int h_rmw(struct harness *h, enum hvm_rmw_op op, uint64_t gpa,
          unsigned int size, uint64_t operand, struct hvm_access_result *r)
{
    struct hvm_access a = { .op = HVM_ACCESS_RMW, .rmw = op, .gpa = gpa,
                            .size = size, .data = { operand } };

    return hvm_access(h->d, 0, &a, r);
}

ioreq_t *h_slot(struct harness *h, ioservid_t id, unsigned int vcpu)
{
    void *page;

    assert_int_equal(ioreq_server_get_frame(h->d, id,
                         h->d->ioreq.server[id].emulator,
                         XENMEM_resource_ioreq_server_frame_ioreq(0), &page),
                     0);
    return &((shared_iopage_t *)page)->vcpu_ioreq[vcpu];
}

int h_answer(struct harness *h, ioservid_t id, unsigned int vcpu,
             uint64_t data, bool write_through,
             struct hvm_access_result *r)
{
    ioreq_t *slot = h_slot(h, id, vcpu);

    assert_int_equal(slot->state, STATE_IOREQ_READY);
    slot->state = STATE_IOREQ_INPROCESS;
    if (slot->dir == IOREQ_WRITE && write_through)
        h_ram_store(h, slot->addr, slot->size, slot->data);
    if (slot->dir == IOREQ_READ)
        slot->data = data;
    slot->state = STATE_IORESP_READY;
    return hvm_access_resume(h->d, vcpu, r);
}

uint64_t h_ram_load(struct harness *h, uint64_t gpa, unsigned int size)
{
    uint64_t v = 0;

    memcpy(&v, (uint8_t *)h->ram + gpa, size);
    return v;
}

void h_ram_store(struct harness *h, uint64_t gpa, unsigned int size,
                 uint64_t value)
{
    memcpy((uint8_t *)h->ram + gpa, &value, size);
}
