/* SPDX-License-Identifier: GPL-2.0-only */
#include <xen/dm.h>

hvmmem_type_t p2m_to_hvmmem_type(p2m_type_t t)
{
    switch (t) {
    case p2m_mmio_dm:
        return HVMMEM_mmio_dm;
    case p2m_ioreq_server:
        return HVMMEM_ioreq_server;
    case p2m_ram_ro:
    case p2m_ram_logdirty:
        return HVMMEM_ram_ro;
    case p2m_ram_rw:
        return HVMMEM_ram_rw;
    default:
        return HVMMEM_mmio_dm;
    }
}

int hvmop_get_mem_type(struct hypervisor *hv, const struct caller *caller,
                       struct xen_hvm_get_mem_type *arg)
{
    domid_t domid = arg->domid == DOMID_SELF ? caller->domid : arg->domid;
    struct domain *d = domain_lookup(hv, domid);

    if (!d)
        return -ESRCH;
    if (!xsm_target(caller, d))
        return -EPERM;
    if (!d->is_hvm)
        return -EINVAL;
    /* The effective type: a pending reset already shows as ram_rw. */
    arg->mem_type = p2m_to_hvmmem_type(p2m_get_type(&d->p2m, arg->pfn));
    return 0;
}

int hvm_guest_get_mem_type(struct hypervisor *hv, struct domain *d,
                           uint64_t gpa)
{
    struct caller self = {
        .domid = d->domain_id,
        .target = DOMID_INVALID,
    };
    struct xen_hvm_get_mem_type arg;
    int rc;

    rc = hvm_copy_from_guest_phys(d, &arg, gpa, sizeof(arg));
    if (rc)
        return rc;
    rc = hvmop_get_mem_type(hv, &self, &arg);
    if (rc)
        return rc;
    return hvm_copy_to_guest_phys(d, gpa, &arg, sizeof(arg));
}
