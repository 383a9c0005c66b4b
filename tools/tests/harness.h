/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test harness for the hypervisor model: a hypervisor with one HVM guest,
 * hypercall wrappers that re-issue continuations as a host does, and a
 * scripted device model that answers ioreq slots.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <xen/dm.h>

#define H_GUEST         1       /* the guest's domid */
#define H_DM_DOMAIN     5       /* a device-model domain for the guest */

struct h_opts {
    bool shadow;                /* HAP off (shadow paging) */
    bool pv;                    /* a non-HVM domain */
    unsigned int vcpus;         /* default 2 */
    unsigned long max_gfn;      /* default ram_pages - 1 */
    unsigned long ram_pages;    /* populated from gfn 0; default 4096 */
};

struct harness {
    struct hypervisor hv;
    struct domain *d;
    void *ram;
    size_t ram_size;
    void *ioreq_pages;
    struct caller dom0;         /* the control domain */
    struct caller dm;           /* DM domain H_DM_DOMAIN, target H_GUEST */
    struct caller other_dm;     /* DM domain H_DM_DOMAIN + 1, same target */
    bool always_preempt;        /* every preemption check fires */
    unsigned int restarts;      /* continuations re-issued so far */
};

/* Set up with defaults for every zero field of opts (opts may be NULL). */
void h_setup(struct harness *h, const struct h_opts *opts);
void h_teardown(struct harness *h);

/* HYPERVISOR_dm_op with the continuation loop a host runs. */
int h_dm_op(struct harness *h, const struct caller *c, domid_t domid,
            struct xen_dm_op *op, void *buf1, size_t buf1_size);
/* One dm_op call, continuations returned to the caller. */
int h_dm_op_once(struct harness *h, const struct caller *c, domid_t domid,
                 struct xen_dm_op *op);

int h_create_server(struct harness *h, const struct caller *c,
                    ioservid_t *id);
int h_destroy_server(struct harness *h, const struct caller *c,
                     ioservid_t id);
int h_set_state(struct harness *h, const struct caller *c, ioservid_t id,
                bool enabled);
int h_map_range(struct harness *h, const struct caller *c, ioservid_t id,
                uint32_t type, uint64_t start, uint64_t end);
int h_unmap_range(struct harness *h, const struct caller *c, ioservid_t id,
                  uint32_t type, uint64_t start, uint64_t end);
/* map_mem_type_to_ioreq_server with HVMMEM_ioreq_server */
int h_map_mem_type(struct harness *h, const struct caller *c, ioservid_t id,
                   uint16_t type, uint32_t flags);
int h_claim(struct harness *h, const struct caller *c, ioservid_t id);
int h_release(struct harness *h, const struct caller *c, ioservid_t id);
int h_set_mem_type(struct harness *h, const struct caller *c,
                   uint16_t mem_type, uint64_t first_pfn, uint32_t nr);
/* HVMOP_get_mem_type by dom0; the type, or -errno. */
int h_get_mem_type(struct harness *h, uint64_t pfn);

/* A server made by dom0, enabled, claiming the type, pages typed. */
ioservid_t h_claiming_server(struct harness *h, uint64_t first_pfn,
                             uint32_t nr);

/* Guest accesses by vCPU 0 unless said otherwise. */
int h_read(struct harness *h, uint64_t gpa, unsigned int size,
           struct hvm_access_result *r);
int h_write(struct harness *h, uint64_t gpa, unsigned int size,
            uint64_t value, struct hvm_access_result *r);
int h_rmw(struct harness *h, enum hvm_rmw_op op, uint64_t gpa,
          unsigned int size, uint64_t operand, struct hvm_access_result *r);
int h_access(struct harness *h, unsigned int vcpu,
             const struct hvm_access *a, struct hvm_access_result *r);

/* The device model's side of the slot of vCPU vcpu on server id. */
ioreq_t *h_slot(struct harness *h, ioservid_t id, unsigned int vcpu);
/*
 * Answer the pending request as a well-behaved device model:
 * READY -> INPROCESS -> IORESP_READY with data, then resume the vCPU.
 * With write_through, a write's data is stored into guest RAM first.
 */
int h_answer(struct harness *h, ioservid_t id, unsigned int vcpu,
             uint64_t data, bool write_through,
             struct hvm_access_result *r);

/* Guest RAM as the device model sees it through a foreign mapping. */
uint64_t h_ram_load(struct harness *h, uint64_t gpa, unsigned int size);
void h_ram_store(struct harness *h, uint64_t gpa, unsigned int size,
                 uint64_t value);

#endif /* TESTS_HARNESS_H */
