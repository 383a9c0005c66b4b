/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdlib.h>
#include <string.h>

#include <xen/domain.h>

int hypervisor_init(struct hypervisor *hv)
{
    memset(hv, 0, sizeof(*hv));
    hv->domain = calloc(DOMID_FIRST_RESERVED, sizeof(*hv->domain));
    return hv->domain ? 0 : -ENOMEM;
}

void hypervisor_teardown(struct hypervisor *hv)
{
    domid_t domid;

    if (!hv->domain)
        return;
    for (domid = 0; domid < DOMID_FIRST_RESERVED; domid++)
        if (hv->domain[domid])
            domain_destroy(hv, domid);
    free(hv->domain);
    hv->domain = NULL;
}

struct domain *domain_lookup(const struct hypervisor *hv, domid_t domid)
{
    return domid < DOMID_FIRST_RESERVED ? hv->domain[domid] : NULL;
}

static bool config_valid(const struct domain_config *cfg,
                         const struct domain_memory *mem)
{
    unsigned long frames;

    if (cfg->max_vcpus == 0 || cfg->max_vcpus > HVM_MAX_VCPUS)
        return false;
    if (cfg->max_gfn > P2M_MAX_GFN)
        return false;
    frames = cfg->max_gfn + 1;
    if (!mem->ram || mem->ram_size / PAGE_SIZE < frames)
        return false;
    if (!mem->ioreq_pages ||
        mem->ioreq_size < DOMAIN_IOREQ_PAGES * PAGE_SIZE ||
        (uintptr_t)mem->ioreq_pages % PAGE_SIZE)
        return false;
    return true;
}

int domain_create(struct hypervisor *hv, domid_t domid,
                  const struct domain_config *cfg,
                  const struct domain_memory *mem, struct domain **dp)
{
    struct domain *d = NULL;
    unsigned int i;
    int rc;

    if (domid >= DOMID_FIRST_RESERVED || !config_valid(cfg, mem))
        return -EINVAL;
    if (hv->domain[domid])
        return -EEXIST;

    d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->vcpu = calloc(cfg->max_vcpus, sizeof(*d->vcpu));
    if (!d->vcpu) {
        free(d);
        return -ENOMEM;
    }
    rc = p2m_init(&d->p2m, cfg->max_gfn);
    if (rc) {
        free(d->vcpu);
        free(d);
        return rc;
    }

    d->domain_id = domid;
    d->is_hvm = cfg->hvm;
    d->hap = cfg->hvm && cfg->hap;
    d->max_vcpus = cfg->max_vcpus;
    d->nr_online_vcpus = cfg->max_vcpus;
    d->max_pages = cfg->max_gfn + 1;
    d->mem = *mem;
    for (i = 0; i < d->max_vcpus; i++)
        d->vcpu[i].vcpu_id = i;
    d->ram = mem->ram;
    d->ioreq_pages = mem->ioreq_pages;
    evtchn_init(&d->evtchn);

    hv->domain[domid] = d;
    if (dp)
        *dp = d;
    return 0;
}

int domain_destroy(struct hypervisor *hv, domid_t domid)
{
    struct domain *d = domain_lookup(hv, domid);

    if (!d)
        return -ESRCH;
    ioreq_server_destroy_all(d);
    paging_teardown(d);
    p2m_teardown(&d->p2m);
    if (d->host_memory)
        hv->host->free_domain_memory(hv->host_opaque, domid, &d->mem);
    free(d->vcpu);
    free(d);
    hv->domain[domid] = NULL;
    return 0;
}

bool domain_check_invariants(const struct domain *d)
{
    ioservid_t holder;

    if (!p2m_check_invariants(&d->p2m))
        return false;
    /* A claim is always held by an existing server. */
    if (p2m_get_ioreq_server(&d->p2m, &holder, NULL) &&
        (holder >= MAX_NR_IOREQ_SERVERS ||
         !d->ioreq.server[holder].exists))
        return false;
    /* Typed pages only exist in a domain that can have them. */
    if (d->p2m.ioreq.entry_count && !d->hap)
        return false;
    return true;
}
