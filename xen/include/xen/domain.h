/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domains and the hypervisor state that holds them (common/domain.c).
 *
 * The model owns no memory a guest or an emulator can see: the host hands
 * in the guest's RAM and the pages of its ioreq servers, so that it can
 * share them (xensimd puts them in shared memory).
 */
#ifndef XEN_DOMAIN_H
#define XEN_DOMAIN_H

#include <xen/lib.h>
#include <xen/emulate.h>
#include <xen/event.h>
#include <xen/ioreq.h>
#include <xen/p2m.h>
#include <xen/paging.h>

struct vcpu {
    unsigned int vcpu_id;
    struct hvm_vcpu_io io;
};

struct domain_config {
    bool hvm;
    bool hap;                   /* hardware-assisted paging, else shadow */
    unsigned int max_vcpus;     /* 1 .. HVM_MAX_VCPUS */
    unsigned long max_gfn;      /* highest gfn the guest may have */
};

struct domain_memory {
    void *ram;                  /* backs gfns 0 .. max_gfn */
    size_t ram_size;
    void *ioreq_pages;          /* DOMAIN_IOREQ_PAGES pages */
    size_t ioreq_size;
};

struct domain {
    domid_t domain_id;
    bool is_hvm;
    bool hap;
    unsigned int max_vcpus;
    struct vcpu *vcpu;         /* max_vcpus of them */
    uint8_t *ram;
    uint8_t *ioreq_pages;
    struct p2m_domain p2m;
    struct ioreq_domain ioreq;
    struct evtchn_domain evtchn;
    struct log_dirty_domain log_dirty;
};

/*
 * Who makes a hypercall.  The control domain (dom0) may act on any
 * domain; a device-model domain only on its target.
 */
struct caller {
    domid_t domid;
    bool is_control;
    domid_t target;             /* DOMID_INVALID unless a DM domain */
};

struct hypervisor {
    struct domain **domain;     /* indexed by domid */
    /*
     * Xen's hypercall_preempt_check(): asked between chunks of long
     * operations; true makes them return a continuation.  NULL never
     * preempts.
     */
    bool (*preempt_check)(void *opaque);
    void *preempt_opaque;
};

int hypervisor_init(struct hypervisor *hv);
void hypervisor_teardown(struct hypervisor *hv);

/*
 * Create domain domid.  -EEXIST if it exists, -EINVAL for a bad domid,
 * configuration, or memory too small for max_gfn.
 */
int domain_create(struct hypervisor *hv, domid_t domid,
                  const struct domain_config *cfg,
                  const struct domain_memory *mem, struct domain **dp);
int domain_destroy(struct hypervisor *hv, domid_t domid);
struct domain *domain_lookup(const struct hypervisor *hv, domid_t domid);

/* The highest gfn populated so far (Xen's domain_get_maximum_gpfn). */
static inline unsigned long domain_get_maximum_gpfn(const struct domain *d)
{
    return d->p2m.max_mapped_pfn;
}

/* Xen's dummy XSM policy for DM operations (XSM_DM_PRIV). */
static inline bool xsm_dm_priv(const struct caller *c, const struct domain *d)
{
    return c->is_control || c->target == d->domain_id;
}

/* ...and for HVM parameter reads (XSM_TARGET): also the domain itself. */
static inline bool xsm_target(const struct caller *c, const struct domain *d)
{
    return xsm_dm_priv(c, d) || c->domid == d->domain_id;
}

/* The model's invariants (p2m_check_invariants and friends). */
bool domain_check_invariants(const struct domain *d);

#endif /* XEN_DOMAIN_H */
