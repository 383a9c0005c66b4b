/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HYPERVISOR_domctl: the part of Xen 4.17's domain control that builds,
 * runs and migrates (log-dirty) HVM domains.
 */
#include <string.h>

#include <xen/hypercall.h>

#define KNOWN_CDF   (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap |           \
                     XEN_DOMCTL_CDF_s3_integrity | XEN_DOMCTL_CDF_oos_off | \
                     XEN_DOMCTL_CDF_xs_domain | XEN_DOMCTL_CDF_iommu |     \
                     XEN_DOMCTL_CDF_nested_virt | XEN_DOMCTL_CDF_vpmu)

/* What an HVM guest (all emulation but vPCI) or a PVH guest may ask. */
#define EMU_HVM     (XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI)
#define EMU_PVH     XEN_X86_EMU_LAPIC

static int sanitise_config(const struct xen_domctl_createdomain *c)
{
    bool hvm = c->flags & XEN_DOMCTL_CDF_hvm;
    unsigned int gnt = XEN_DOMCTL_GRANT_version(c->grant_opts);

    if (c->flags & ~KNOWN_CDF)
        return -EINVAL;
    if ((c->flags & XEN_DOMCTL_CDF_hap) && !hvm)
        return -EINVAL;
    /* No IOMMU, no nested virtualisation, no vPMU on this machine. */
    if (c->flags & (XEN_DOMCTL_CDF_iommu | XEN_DOMCTL_CDF_nested_virt |
                    XEN_DOMCTL_CDF_vpmu))
        return -EINVAL;
    if (c->iommu_opts & ~XEN_DOMCTL_IOMMU_no_sharept)
        return -EINVAL;
    if (c->max_vcpus < 1 || c->max_vcpus > HVM_MAX_VCPUS)
        return -EINVAL;
    if ((gnt != 1 && gnt != 2) ||
        (c->grant_opts & ~XEN_DOMCTL_GRANT_version_mask))
        return -EINVAL;
    if (c->vmtrace_size)
        return -EINVAL;
    if (c->cpupool_id)
        return -ENOENT;
    if (c->arch.misc_flags)
        return -EINVAL;
    if (hvm ? c->arch.emulation_flags != EMU_HVM &&
              c->arch.emulation_flags != EMU_PVH
            : c->arch.emulation_flags != 0)
        return -EOPNOTSUPP;
    return 0;
}

static int pick_domid(struct hypervisor *hv, domid_t *domid)
{
    domid_t limit = hv->domid_limit ? hv->domid_limit : DOMID_FIRST_RESERVED;
    unsigned int tries;

    if (*domid) {
        if (*domid >= limit)
            return -EINVAL;
        return hv->domain[*domid] ? -EEXIST : 0;
    }
    for (tries = 1; tries < limit; tries++) {
        domid_t id = hv->domid_rover + 1;

        if (id >= limit)
            id = 1;
        hv->domid_rover = id;
        if (!hv->domain[id]) {
            *domid = id;
            return 0;
        }
    }
    return -ENOMEM;
}

static int createdomain(struct hypervisor *hv, struct xen_domctl *op)
{
    const struct xen_domctl_createdomain *c = &op->u.createdomain;
    struct domain_config cfg = {
        .hvm = c->flags & XEN_DOMCTL_CDF_hvm,
        .hap = c->flags & XEN_DOMCTL_CDF_hap,
        .max_vcpus = c->max_vcpus,
        .max_gfn = hv->default_max_gfn,
    };
    struct domain_memory mem;
    struct domain *d;
    domid_t domid = op->domain;
    int rc;

    if (!hv->host)
        return -EOPNOTSUPP;
    rc = sanitise_config(c);
    if (rc)
        return rc;
    rc = pick_domid(hv, &domid);
    if (rc)
        return rc;
    rc = hv->host->alloc_domain_memory(hv->host_opaque, domid, cfg.max_gfn,
                                       &mem);
    if (rc)
        return rc;
    rc = domain_create(hv, domid, &cfg, &mem, &d);
    if (rc) {
        hv->host->free_domain_memory(hv->host_opaque, domid, &mem);
        return rc;
    }
    d->host_memory = true;
    /* As in Xen: no vCPUs until max_vcpus, paused until unpaused. */
    d->nr_online_vcpus = 0;
    d->pause_count = 1;
    d->max_pages = 0;
    op->domain = domid;
    return 0;
}

static void getdomaininfo(const struct domain *d,
                          struct xen_domctl_getdomaininfo *info)
{
    memset(info, 0, sizeof(*info));
    info->domain = d->domain_id;
    if (d->is_hvm)
        info->flags |= XEN_DOMINF_hvm_guest;
    if (d->hap)
        info->flags |= XEN_DOMINF_hap;
    info->flags |= d->pause_count ? XEN_DOMINF_paused : XEN_DOMINF_blocked;
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->nr_online_vcpus = d->nr_online_vcpus;
    info->max_vcpu_id = d->nr_online_vcpus ? d->nr_online_vcpus - 1
                                           : XEN_INVALID_MAX_VCPU_ID;
    info->gpaddr_bits = P2M_GFN_BITS + PAGE_SHIFT;
    info->arch_config.emulation_flags = d->is_hvm ? EMU_HVM : 0;
}

static int shadow_op(struct domain *d, struct xen_domctl_shadow_op *sop,
                     unsigned long *bitmap)
{
    unsigned long dirty;
    int rc;

    switch (sop->op) {
    case XEN_DOMCTL_SHADOW_OP_OFF:
        return paging_log_dirty_disable(d);
    case XEN_DOMCTL_SHADOW_OP_ENABLE:
        if (!(sop->mode & XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY))
            return -EINVAL;
        return paging_log_dirty_enable(d);
    case XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY:
        return paging_log_dirty_enable(d);
    case XEN_DOMCTL_SHADOW_OP_CLEAN:
    case XEN_DOMCTL_SHADOW_OP_PEEK:
        rc = paging_log_dirty_op(d, sop->op == XEN_DOMCTL_SHADOW_OP_CLEAN,
                                 bitmap, bitmap ? sop->pages : 0, &dirty);
        if (rc)
            return rc;
        sop->stats.dirty_count = dirty;
        sop->stats.fault_count = 0;
        sop->pages = MIN(sop->pages, d->p2m.max_gfn + 1);
        return 0;
    case XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION:
        sop->mb = 0;
        return 0;
    case XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION:
        return 0;
    default:
        return -EINVAL;
    }
}

int do_domctl(struct hypervisor *hv, const struct caller *caller,
              struct xen_domctl *op, unsigned long *bitmap)
{
    struct domain *d = NULL;
    domid_t id;

    if (op->interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (!caller->is_control)
        return -EPERM;

    switch (op->cmd) {
    case XEN_DOMCTL_createdomain:
        return createdomain(hv, op);
    case XEN_DOMCTL_getdomaininfo:
        /* The first domain at or after the one asked for. */
        for (id = op->domain; id < DOMID_FIRST_RESERVED; id++) {
            d = domain_lookup(hv, id);
            if (d)
                break;
        }
        if (!d)
            return -ESRCH;
        op->domain = d->domain_id;
        getdomaininfo(d, &op->u.getdomaininfo);
        return 0;
    default:
        break;
    }

    d = domain_lookup(hv, op->domain);
    if (!d)
        return -ESRCH;

    switch (op->cmd) {
    case XEN_DOMCTL_destroydomain:
        return domain_destroy(hv, op->domain);
    case XEN_DOMCTL_pausedomain:
        d->pause_count++;
        return 0;
    case XEN_DOMCTL_unpausedomain:
        if (d->pause_count == 0)
            return -EINVAL;
        d->pause_count--;
        return 0;
    case XEN_DOMCTL_max_mem:
        /* Xen lets the limit drop below what the domain has. */
        d->max_pages = op->u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        return 0;
    case XEN_DOMCTL_max_vcpus:
        /* The number was fixed by createdomain; this brings them up. */
        if (op->u.max_vcpus.max != d->max_vcpus)
            return -EINVAL;
        d->nr_online_vcpus = d->max_vcpus;
        return 0;
    case XEN_DOMCTL_shadow_op:
        return shadow_op(d, &op->u.shadow_op, bitmap);
    default:
        return -EOPNOTSUPP;
    }
}
