/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercalls from device models and toolstacks: HYPERVISOR_dm_op
 * (arch/x86/hvm/dm.c) and HVMOP_get_mem_type (arch/x86/hvm/hvm.c).
 *
 * dm_op decodes the buffers as Xen 4.17 does, errno for errno.  A long
 * operation returns -ERESTART after updating its progress fields in
 * bufs[0]: as Xen's hypercall continuation, the host re-issues the same
 * call with the same buffers until it returns anything else, so a caller
 * of the library never sees -ERESTART.
 */
#ifndef XEN_DM_H
#define XEN_DM_H

#include <xen/domain.h>

/* Xen's limit on the number of buffers of one dm_op. */
#define DMOP_MAX_BUFS   2

int dm_op(struct hypervisor *hv, const struct caller *caller, domid_t domid,
          unsigned int nr_bufs, xen_dm_op_buf_t bufs[]);

/* HVMOP_get_mem_type from the toolstack or a device model. */
int hvmop_get_mem_type(struct hypervisor *hv, const struct caller *caller,
                       struct xen_hvm_get_mem_type *arg);

/*
 * HVMOP_get_mem_type issued by the guest itself, with its argument at
 * guest-physical address gpa: the result is written back into guest
 * memory, so an argument on a p2m_ioreq_server page fails with -EFAULT.
 */
int hvm_guest_get_mem_type(struct hypervisor *hv, struct domain *d,
                           uint64_t gpa);

/* What HVMOP_get_mem_type reports for a p2m type. */
hvmmem_type_t p2m_to_hvmmem_type(p2m_type_t t);

#endif /* XEN_DM_H */
