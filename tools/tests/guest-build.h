/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building test guests with libxenctrl only, on the simulator and on real
 * Xen alike (mkdomain, test-sim, xen-conformance, bench-sim).
 */
#ifndef TESTS_GUEST_BUILD_H
#define TESTS_GUEST_BUILD_H

#include <stdbool.h>

#include <xenctrl.h>

enum guest_kind {
    GUEST_HVM,                  /* HVM with HAP */
    GUEST_SHADOW,               /* HVM without HAP */
    GUEST_PV,
};

/* XEN_DOMCTL_createdomain's configuration for such a guest. */
void guest_config(struct xen_domctl_createdomain *config,
                  enum guest_kind kind, unsigned int vcpus);

/* Populate gfns [0, pages) as RAM, in batches; 0 or -1 with errno. */
int guest_populate(xc_interface *xch, uint32_t domid, unsigned long pages);

#endif /* TESTS_GUEST_BUILD_H */
