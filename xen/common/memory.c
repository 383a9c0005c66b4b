/* SPDX-License-Identifier: GPL-2.0-only */
/* HYPERVISOR_memory_op: XENMEM_populate_physmap. */
#include <xen/hypercall.h>

/* Largest extent a toolstack may populate at once (a 1 GiB page). */
#define MAX_EXTENT_ORDER 18

/* Populate one extent; false if it cannot be done (nothing changed). */
static bool populate_extent(struct domain *d, xen_pfn_t gfn,
                            unsigned int order)
{
    unsigned long nr = 1UL << order, fresh = 0, i;

    if (gfn & (nr - 1) || gfn > d->p2m.max_gfn ||
        nr - 1 > d->p2m.max_gfn - gfn)
        return false;
    for (i = 0; i < nr; i++)
        fresh += !p2m_is_ram(p2m_get_type(&d->p2m, gfn + i));
    if (fresh > d->max_pages || d->tot_pages > d->max_pages - fresh)
        return false;
    if (p2m_add_ram(&d->p2m, gfn, nr))
        return false;
    d->tot_pages += fresh;
    return true;
}

long do_memory_op(struct hypervisor *hv, const struct caller *caller,
                  unsigned int cmd, struct xen_memory_reservation *r,
                  xen_pfn_t *gfns)
{
    domid_t domid = r->domid == DOMID_SELF ? caller->domid : r->domid;
    struct domain *d;
    xen_ulong_t i;

    if (cmd != XENMEM_populate_physmap)
        return -ENOSYS;
    d = domain_lookup(hv, domid);
    if (!d)
        return -ESRCH;
    if (!xsm_dm_priv(caller, d))
        return -EPERM;
    if (r->extent_order > MAX_EXTENT_ORDER)
        return 0;
    for (i = 0; i < r->nr_extents; i++)
        if (!populate_extent(d, gfns[i], r->extent_order))
            break;
    ASSERT(domain_check_invariants(d));
    return (long)i;
}

int memory_op_maximum_gpfn(struct hypervisor *hv, const struct caller *caller,
                           domid_t domid, uint64_t *gpfn)
{
    struct domain *d;

    if (domid == DOMID_SELF)
        domid = caller->domid;
    d = domain_lookup(hv, domid);
    if (!d)
        return -ESRCH;
    if (!xsm_target(caller, d))
        return -EPERM;
    *gpfn = domain_get_maximum_gpfn(d);
    return 0;
}
