/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * demu's output: diagnostics on stderr, errno values turned into words,
 * and the JSON log of guest writes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "demu.h"

void demu_err(const char *fmt, ...)
{
    va_list ap;

    fputs("demu: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Words for errno values whose meaning depends on the step. */
static const char *explain_step(enum demu_step step, int e,
                                unsigned int domid, char *buf, size_t len)
{
    switch (step) {
    case DEMU_STEP_OPEN:
        if (e == ENOENT)
            return "no hypervisor interface here (not dom0 of a running "
                "Xen, or no xensimd socket at $XENSIM_SOCKET or "
                "/run/xensim/xensimd.sock)";
        if (e == ECONNREFUSED)
            return "nothing listens on the simulator's socket (is xensimd "
                "running?)";
        break;
    case DEMU_STEP_CREATE:
        if (e == EINVAL) {
            snprintf(buf, len, "domain %u is not an HVM guest", domid);
            return buf;
        }
        if (e == ENOSPC) {
            snprintf(buf, len, "domain %u already has the most ioreq "
                     "servers it can have (8)", domid);
            return buf;
        }
        break;
    case DEMU_STEP_MAP_IOPAGE:
        if (e == EOPNOTSUPP)
            return "this hypervisor or kernel cannot map ioreq pages as a "
                "resource (Xen 4.11 or later is needed)";
        if (e == EINVAL)
            return "the ioreq server has no such page";
        break;
    case DEMU_STEP_NR_VCPUS:
        if (e == EOPNOTSUPP || e == ENOSYS)
            return "this hypervisor cannot report it (Xen 4.11 or later "
                "is needed)";
        break;
    case DEMU_STEP_BIND:
        if (e == EINVAL)
            return "the port is not an unbound event channel offered to "
                "this domain";
        break;
    case DEMU_STEP_CLAIM:
        if (e == EBUSY) {
            snprintf(buf, len, "another ioreq server already holds "
                     "HVMMEM_ioreq_server for domain %u, or pages typed "
                     "HVMMEM_ioreq_server remain from an earlier claim",
                     domid);
            return buf;
        }
        if (e == EOPNOTSUPP) {
            snprintf(buf, len, "domain %u does not use hardware-assisted "
                     "paging (HAP), which HVMMEM_ioreq_server needs", domid);
            return buf;
        }
        if (e == ENOENT)
            return "the ioreq server no longer exists";
        if (e == EINVAL)
            return "the hypervisor refused the claim as malformed";
        break;
    case DEMU_STEP_RETYPE:
        if (e == EINVAL)
            return "a page is not ordinary RAM (HVMMEM_ram_rw): it is "
                "already typed, read-only, MMIO, tracked for log-dirty, "
                "or beyond the guest's memory";
        if (e == EOPNOTSUPP) {
            snprintf(buf, len, "domain %u does not use hardware-assisted "
                     "paging (HAP), which HVMMEM_ioreq_server needs", domid);
            return buf;
        }
        if (e == EAGAIN)
            return "a page is paged out or shared; try again later";
        if (e == EBUSY)
            return "a page changed type meanwhile";
        break;
    case DEMU_STEP_RELEASE:
        if (e == EINVAL)
            return "this ioreq server does not hold the claim any more";
        break;
    case DEMU_STEP_DESTROY:
        if (e == ENOENT)
            return "the ioreq server no longer exists";
        break;
    case DEMU_STEP_MAP_GUEST:
        if (e == EINVAL || e == EFAULT || e == ENOENT)
            return "the frame is not guest RAM";
        break;
    case DEMU_STEP_ENABLE:
        break;
    }
    return NULL;
}

const char *demu_explain(enum demu_step step, int e, unsigned int domid,
                         char *buf, size_t len)
{
    const char *s = explain_step(step, e, domid, buf, len);

    if (s)
        return s;
    switch (e) {
    case ESRCH:
        snprintf(buf, len, "domain %u does not exist", domid);
        return buf;
    case EPERM:
    case EACCES:
        return "permission denied (demu must run as root in dom0)";
    case ENOMEM:
        return "out of memory";
    case EPIPE:
    case ECONNRESET:
        return "the connection to the hypervisor broke (did xensimd stop?)";
    default:
        return strerror(e);
    }
}

/*
 * One line per write, flushed at once so that whoever watches the log
 * sees the write before the guest's vCPU goes on.
 */
int demu_log_write(struct demu *d, unsigned int vcpu, uint64_t gpa,
                   uint32_t size, uint64_t data)
{
    int r;

    r = fprintf(d->log, "{\"vcpu\":%u,\"gpa\":%" PRIu64 ",\"size\":%" PRIu32
                ",\"data\":%" PRIu64 "}\n", vcpu, gpa, size, data);
    if (r >= 0)
        r = fflush(d->log);
    if (r < 0) {
        if (!d->log_failed)
            demu_err("cannot write to the log %s: %s",
                     d->opts->log_path ? d->opts->log_path : "(stdout)",
                     strerror(errno));
        d->log_failed = true;
        return -1;
    }
    return 0;
}
