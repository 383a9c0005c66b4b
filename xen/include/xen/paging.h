/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Global log-dirty mode (arch/x86/mm/paging.c), what live migration uses:
 * RAM becomes p2m_ram_logdirty, the first write to a page marks it dirty
 * and makes it writable again.  It cannot be switched on while any
 * p2m_ioreq_server entry exists (-EBUSY), as in Xen.
 */
#ifndef XEN_PAGING_H
#define XEN_PAGING_H

#include <xen/lib.h>

struct domain;

struct log_dirty_domain {
    bool enabled;
    unsigned long *bitmap;      /* one bit per gfn up to max_gfn */
};

int paging_log_dirty_enable(struct domain *d);
int paging_log_dirty_disable(struct domain *d);
bool paging_mode_log_dirty(const struct domain *d);
void paging_mark_pfn_dirty(struct domain *d, unsigned long pfn);
/*
 * Copy the dirty bits of the first nr_pages gfns to bitmap (if not NULL),
 * clear them if clean, and count the dirty pages.  -EINVAL when log-dirty
 * mode is off.
 */
int paging_log_dirty_op(struct domain *d, bool clean, unsigned long *bitmap,
                        unsigned long nr_pages, unsigned long *dirty_count);
void paging_teardown(struct domain *d);

#endif /* XEN_PAGING_H */
