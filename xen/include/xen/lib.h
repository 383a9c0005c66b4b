/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared basics of the hypervisor model, and the one place that pulls in
 * Xen's public ABI headers.  Every ABI constant and struct the model uses
 * comes from Debian's libxen-dev; nothing of the ABI is declared here.
 */
#ifndef XEN_LIB_H
#define XEN_LIB_H

#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/ioreq.h>

/* x86 architectural page geometry (not part of Xen's public ABI). */
#define PAGE_SHIFT      12
#define PAGE_SIZE       (1UL << PAGE_SHIFT)
#define PAGE_OFFSET(a)  ((a) & (PAGE_SIZE - 1))

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))

/*
 * Debug builds (CONFIG_DEBUG) check the model's invariants after every
 * operation; a broken invariant is a bug in the model, so it aborts.
 */
#ifdef CONFIG_DEBUG
#include <assert.h>
#define ASSERT(p) assert(p)
#else
#define ASSERT(p) do { } while (0)
#endif

#endif /* XEN_LIB_H */
