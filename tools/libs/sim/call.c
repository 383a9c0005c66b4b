/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxencall over xensimd, for the one hypercall a device model or a
 * toolstack of this feature issues by hand: no Xen library wraps
 * HVMOP_get_mem_type, so a program reads a page's type with
 * xencall2(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type, buffer), the
 * buffer a struct xen_hvm_get_mem_type from xencall_alloc_buffer.  That
 * call travels as XENSIM_OP_HVM_OP.
 *
 * Every other hypercall, and every other hvm_op, fails with ENOSYS
 * without reaching the daemon: it is what Xen answers for a hypercall
 * it does not have, and a caller that probes for a feature gets a
 * truthful "no".  xencall_fd is not exported: there is no privcmd
 * descriptor to issue ioctls on, so a program that needs it fails to
 * load instead of misbehaving (as libxenctrl's subset does).
 *
 * Hypercall buffers are ordinary memory: the argument is copied into
 * the request and the result back out of the reply, so they never
 * fault.  As in Xen, the argument is written back only on success.
 */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <xencall.h>
#include <xen/xen.h>
#include <xen/hvm/hvm_op.h>

#include "sim-private.h"

struct xencall_handle {
    xentoollog_logger *logger;
    xentoollog_logger *logger_tofree;
    struct xensim_conn conn;
};

xencall_handle *xencall_open(struct xentoollog_logger *logger,
                             unsigned open_flags)
{
    xencall_handle *xcall = calloc(1, sizeof(*xcall));
    int rc;

    /* Reentrancy is the transport's business (one lock per handle). */
    (void)open_flags;
    if (!xcall)
        return NULL;
    xcall->logger = sim_logger(logger, &xcall->logger_tofree);
    if (!xcall->logger) {
        free(xcall);
        errno = ENOMEM;
        return NULL;
    }
    rc = xensim_connect(&xcall->conn);
    if (rc < 0) {
        /* Where Xen's library reports a missing privcmd. */
        xtl_log(xcall->logger, XTL_ERROR, -rc, "xencall",
                "could not connect to xensimd at %s", xensim_socket_path());
        xtl_logger_destroy(xcall->logger_tofree);
        free(xcall);
        errno = -rc;
        return NULL;
    }
    return xcall;
}

int xencall_close(xencall_handle *xcall)
{
    if (!xcall)
        return 0;
    xensim_disconnect(&xcall->conn);
    xtl_logger_destroy(xcall->logger_tofree);
    free(xcall);
    return 0;
}

/* HVMOP_get_mem_type with its argument at guest handle arg. */
static long get_mem_type(xencall_handle *xcall, uint64_t arg)
{
    struct xensim_hvm_op hdr = { .cmd = HVMOP_get_mem_type };
    struct xen_hvm_get_mem_type in, out;
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = &in, .iov_len = sizeof(in) },
    };
    struct xensim_reply reply = { .buf = &out, .size = sizeof(out) };
    int rc;

    /* Xen's copy_from_guest of a null handle. */
    if (!arg) {
        errno = EFAULT;
        return -1;
    }
    memcpy(&in, (const void *)(uintptr_t)arg, sizeof(in));
    rc = xensim_call(&xcall->conn, XENSIM_OP_HVM_OP, iov, 2, &reply);
    sim_close_fds(&reply);
    if (rc >= 0 && reply.len != sizeof(out))
        rc = -EPROTO;
    if (rc >= 0)
        memcpy((void *)(uintptr_t)arg, &out, sizeof(out));
    return sim_result(rc);
}

/*
 * The hypercall op with its arguments, unused ones 0 (as libxencall
 * passes them to privcmd).  do_hvm_op takes two arguments and ignores
 * the rest, so any xencallN with N >= 2 reaches it.
 */
static long hypercall(xencall_handle *xcall, unsigned int op,
                      const uint64_t arg[5])
{
    if (op == __HYPERVISOR_hvm_op && arg[0] == HVMOP_get_mem_type)
        return get_mem_type(xcall, arg[1]);
    errno = ENOSYS;
    return -1;
}

int xencall0(xencall_handle *xcall, unsigned int op)
{
    const uint64_t arg[5] = { 0 };

    return hypercall(xcall, op, arg);
}

int xencall1(xencall_handle *xcall, unsigned int op, uint64_t arg1)
{
    const uint64_t arg[5] = { arg1 };

    return hypercall(xcall, op, arg);
}

int xencall2(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2)
{
    const uint64_t arg[5] = { arg1, arg2 };

    return hypercall(xcall, op, arg);
}

long xencall2L(xencall_handle *xcall, unsigned int op, uint64_t arg1,
               uint64_t arg2)
{
    const uint64_t arg[5] = { arg1, arg2 };

    return hypercall(xcall, op, arg);
}

int xencall3(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2, uint64_t arg3)
{
    const uint64_t arg[5] = { arg1, arg2, arg3 };

    return hypercall(xcall, op, arg);
}

int xencall4(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2, uint64_t arg3, uint64_t arg4)
{
    const uint64_t arg[5] = { arg1, arg2, arg3, arg4 };

    return hypercall(xcall, op, arg);
}

int xencall5(xencall_handle *xcall, unsigned int op, uint64_t arg1,
             uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
    const uint64_t arg[5] = { arg1, arg2, arg3, arg4, arg5 };

    return hypercall(xcall, op, arg);
}

/* Zeroed, page-aligned pages, as Xen's library hands them out. */
void *xencall_alloc_buffer_pages(xencall_handle *xcall, size_t nr_pages)
{
    void *p;

    (void)xcall;
    if (!nr_pages || nr_pages > SIZE_MAX / SIM_PAGE_SIZE) {
        errno = EINVAL;
        return NULL;
    }
    p = mmap(NULL, nr_pages * SIM_PAGE_SIZE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void xencall_free_buffer_pages(xencall_handle *xcall, void *p,
                               size_t nr_pages)
{
    (void)xcall;
    if (p)
        munmap(p, nr_pages * SIM_PAGE_SIZE);
}

void *xencall_alloc_buffer(xencall_handle *xcall, size_t size)
{
    (void)xcall;
    return calloc(1, size ? size : 1);
}

void xencall_free_buffer(xencall_handle *xcall, void *p)
{
    (void)xcall;
    free(p);
}

int xencall_buffers_never_fault(xencall_handle *xcall)
{
    (void)xcall;
    return 1;
}
