/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Toolstack hypercalls that build and run domains: HYPERVISOR_domctl
 * (common/domctl.c) and HYPERVISOR_memory_op's XENMEM_populate_physmap
 * (common/memory.c), with Xen 4.17's checks.  Only the control domain may
 * use them.
 */
#ifndef XEN_HYPERCALL_H
#define XEN_HYPERCALL_H

#include <xen/domain.h>
#include <xen/domctl.h>             /* Xen's public domctl ABI */

/*
 * createdomain, destroydomain, pausedomain, unpausedomain, getdomaininfo,
 * max_mem, max_vcpus and shadow_op (OFF, ENABLE with LOG_DIRTY,
 * ENABLE_LOGDIRTY, CLEAN, PEEK, GET/SET_ALLOCATION).  For CLEAN/PEEK the
 * dirty bitmap goes to bitmap (the guest handle's host address), which
 * has room for u.shadow_op.pages bits.
 */
int do_domctl(struct hypervisor *hv, const struct caller *caller,
              struct xen_domctl *op, unsigned long *bitmap);

/*
 * XENMEM_populate_physmap: the number of extents done (stopping at the
 * first that cannot be), or -errno if none could be tried.
 */
long do_memory_op(struct hypervisor *hv, const struct caller *caller,
                  unsigned int cmd, struct xen_memory_reservation *r,
                  xen_pfn_t *gfns);

/* XENMEM_maximum_gpfn: the highest gfn the domain has had populated. */
int memory_op_maximum_gpfn(struct hypervisor *hv, const struct caller *caller,
                           domid_t domid, uint64_t *gpfn);

#endif /* XEN_HYPERCALL_H */
