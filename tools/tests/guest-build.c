/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdlib.h>
#include <string.h>

#include "guest-build.h"

#define POPULATE_BATCH  4096

void guest_config(struct xen_domctl_createdomain *config,
                  enum guest_kind kind, unsigned int vcpus)
{
    memset(config, 0, sizeof(*config));
    config->flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    config->max_vcpus = vcpus;
    config->max_evtchn_port = 1023;
    config->max_grant_frames = -1;
    config->max_maptrack_frames = -1;
    config->grant_opts = XEN_DOMCTL_GRANT_version(1);
    /* What Xen 4.17 accepts for an HVM guest: everything but vPCI. */
    config->arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
    if (kind == GUEST_SHADOW)
        config->flags &= ~XEN_DOMCTL_CDF_hap;
    if (kind == GUEST_PV) {
        config->flags = 0;
        config->arch.emulation_flags = 0;
    }
}

int guest_populate(xc_interface *xch, uint32_t domid, unsigned long pages)
{
    xen_pfn_t *gfns = malloc(POPULATE_BATCH * sizeof(*gfns));
    unsigned long done = 0, i;
    int r = 0;

    if (!gfns)
        return -1;
    while (done < pages && r == 0) {
        unsigned long n = pages - done < POPULATE_BATCH ? pages - done
                                                        : POPULATE_BATCH;

        for (i = 0; i < n; i++)
            gfns[i] = done + i;
        r = xc_domain_populate_physmap_exact(xch, domid, n, 0, 0, gfns);
        done += n;
    }
    free(gfns);
    return r;
}
