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
    unsigned int nr_online_vcpus;   /* vCPUs that exist and can run */
    struct vcpu *vcpu;         /* max_vcpus of them */
    unsigned int pause_count;       /* paused by the toolstack */
    unsigned long tot_pages;        /* RAM pages populated */
    unsigned long max_pages;        /* limit on tot_pages */
    struct domain_memory mem;
    bool host_memory;               /* mem came from hv->host */
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

/*
 * What the host provides to domains created by XEN_DOMCTL_createdomain:
 * their memory, which it may share with device models.
 */
struct hypervisor_host_ops {
    int (*alloc_domain_memory)(void *opaque, domid_t domid,
                               unsigned long max_gfn,
                               struct domain_memory *mem);
    void (*free_domain_memory)(void *opaque, domid_t domid,
                               struct domain_memory *mem);
};

struct hypervisor {
    struct domain **domain;     /* indexed by domid */
    const struct hypervisor_host_ops *host;
    void *host_opaque;
    /* The gfn space of domains made by XEN_DOMCTL_createdomain. */
    unsigned long default_max_gfn;
    domid_t domid_rover;        /* where the search for a free id starts */
    domid_t domid_limit;        /* guest domids stay below; 0: reserved */
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
 * Create domain domid, with all its vCPUs online and not paused (a
 * domain made by XEN_DOMCTL_createdomain starts paused, without vCPUs).
 * -EEXIST if it exists, -EINVAL for a bad domid, configuration, or memory
 * too small for max_gfn.
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
