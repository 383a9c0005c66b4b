/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Serving ioreqs: the slot protocol, the write-through store and the poll
 * loop.
 *
 * Each vCPU has one slot in the shared ioreq page.  The hypervisor fills
 * it, sets READY and notifies the vCPU's event channel; we set INPROCESS,
 * handle it, store any read result, set IORESP_READY and notify back.  The
 * slot is the hypervisor's again after that, so it is read once, into a
 * local copy, and never trusted beyond what we validated.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "demu.h"

/* How long the loop may sleep before checking that the domain exists. */
#define PROBE_MS 1000

/* Orders slot accesses against the hypervisor's, as Xen's mb() does. */
#define slot_barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static uint64_t size_mask(uint32_t size)
{
    return size >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * size)) - 1;
}

/* Why demu cannot handle req, or NULL if it can. */
static const char *malformed(const ioreq_t *req)
{
    if (req->type != IOREQ_TYPE_COPY)
        return "its type is not IOREQ_TYPE_COPY (1)";
    if (req->size != 1 && req->size != 2 && req->size != 4 &&
        req->size != 8)
        return "its size is not 1, 2, 4 or 8";
    /* Xen sends neither for these pages: one request per element. */
    if (req->count != 1)
        return "its count is not 1";
    if (req->data_is_ptr)
        return "its data is a pointer (data_is_ptr)";
    if (req->addr + (req->size - 1) < req->addr)
        return "it wraps past the top of the address space";
    return NULL;
}

void demu_ram_cache_flush(struct demu *d)
{
    unsigned int i;

    for (i = 0; i < DEMU_RAM_CACHE_SLOTS; i++) {
        if (d->ram.slot[i].va)
            xenforeignmemory_unmap(d->fmem, d->ram.slot[i].va, 1);
        d->ram.slot[i].va = NULL;
    }
}

/* A writable mapping of guest frame gfn, or NULL (message printed). */
static uint8_t *ram_map(struct demu *d, uint64_t gfn)
{
    struct demu_ram_slot *s = &d->ram.slot[gfn % DEMU_RAM_CACHE_SLOTS];
    xen_pfn_t pfn = gfn;
    char why[128];
    void *va;

    if (s->va && s->gfn == gfn)
        return s->va;
    if (s->va) {
        xenforeignmemory_unmap(d->fmem, s->va, 1);
        s->va = NULL;
    }
    va = xenforeignmemory_map(d->fmem, d->opts->domid,
                              PROT_READ | PROT_WRITE, 1, &pfn, NULL);
    if (!va) {
        demu_err("cannot map gfn 0x%" PRIx64 " of domain %u: %s", gfn,
                 d->opts->domid, demu_explain(DEMU_STEP_MAP_GUEST, errno,
                                              d->opts->domid, why,
                                              sizeof(why)));
        return NULL;
    }
    s->gfn = gfn;
    s->va = va;
    return va;
}

/*
 * Store size bytes of data at gpa, little-endian as the guest wrote them.
 * Xen splits writes at page boundaries, but a request that crosses one is
 * still stored whole.
 */
static int ram_store(struct demu *d, uint64_t gpa, uint32_t size,
                     uint64_t data)
{
    uint8_t bytes[8], *va;
    uint32_t done, n, i;
    uint64_t off;

    for (i = 0; i < size; i++)
        bytes[i] = data >> (8 * i);
    for (done = 0; done < size; done += n) {
        off = (gpa + done) & (XC_PAGE_SIZE - 1);
        n = size - done;
        if (n > XC_PAGE_SIZE - off)
            n = XC_PAGE_SIZE - off;
        va = ram_map(d, (gpa + done) >> XC_PAGE_SHIFT);
        if (!va)
            return -1;
        memcpy(va + off, bytes + done, n);
    }
    return 0;
}

/*
 * Take vCPU vcpu's slot through INPROCESS to IORESP_READY if it holds a
 * request.  Returns -1 only if demu cannot go on (log or event channel
 * broken); a request it cannot handle is reported and answered.
 */
static int handle_slot(struct demu *d, unsigned int vcpu)
{
    volatile ioreq_t *slot = &d->iopage->vcpu_ioreq[vcpu];
    const char *why;
    ioreq_t req;
    int r, rc = 0;

    if (slot->state != STATE_IOREQ_READY)
        return 0;               /* spurious, or answered by a drain */
    slot_barrier();             /* the request was written before READY */
    memcpy(&req, (const void *)slot, sizeof(req));
    slot->state = STATE_IOREQ_INPROCESS;

    if (req.type == IOREQ_TYPE_INVALIDATE) {
        /* Guest memory went away: mappings of it must not be reused. */
        demu_ram_cache_flush(d);
    } else if ((why = malformed(&req))) {
        demu_err("vCPU %u: skipped an ioreq because %s: type %u, %s, addr "
                 "0x%" PRIx64 ", size %" PRIu32 ", count %" PRIu32
                 ", data_is_ptr %u", vcpu, why, req.type,
                 req.dir == IOREQ_READ ? "read" : "write", req.addr,
                 req.size, req.count, req.data_is_ptr);
    } else if (req.dir == IOREQ_WRITE) {
        uint64_t data = req.data & size_mask(req.size);

        if (demu_log_write(d, vcpu, req.addr, req.size, data))
            rc = -1;
        if (d->opts->mode == DEMU_MODE_WRITE_THROUGH)
            ram_store(d, req.addr, req.size, data);
    } else {
        demu_err("vCPU %u: answered a read of 0x%" PRIx64 " (size %" PRIu32
                 ") with all ones; demu claims writes only", vcpu, req.addr,
                 req.size);
    }
    /* What the null handler reads; nothing here backs a read. */
    if (req.dir == IOREQ_READ && !req.data_is_ptr)
        slot->data = req.size <= 8 ? size_mask(req.size) : ~UINT64_C(0);

    slot_barrier();             /* the answer is complete before the state */
    slot->state = STATE_IORESP_READY;
    r = xenevtchn_notify(d->xce, d->ports[vcpu]);
    if (r < 0) {
        demu_err("vCPU %u: cannot notify event channel %d: %s", vcpu,
                 d->ports[vcpu], strerror(errno));
        rc = -1;
    }
    return rc;
}

int demu_drain(struct demu *d)
{
    unsigned int i;
    int rc = 0;

    for (i = 0; i < d->nr_vcpus; i++)
        if (d->ports && d->ports[i] >= 0 && handle_slot(d, i))
            rc = -1;
    return rc;
}

/* Take the pending event and answer the vCPU it belongs to. */
static int handle_event(struct demu *d)
{
    xenevtchn_port_or_error_t port;
    unsigned int i;

    port = xenevtchn_pending(d->xce);
    if (port < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return 0;
        demu_err("cannot read the pending event channel: %s",
                 strerror(errno));
        return -1;
    }
    if (xenevtchn_unmask(d->xce, port) < 0) {
        demu_err("cannot unmask event channel %d: %s", port,
                 strerror(errno));
        return -1;
    }
    for (i = 0; i < d->nr_vcpus; i++)
        if (d->ports[i] == port)
            return handle_slot(d, i);
    demu_err("event on port %d, which belongs to no vCPU; ignored", port);
    return 0;
}

/*
 * Nothing happened for a while: check that the domain still exists, so
 * that demu does not outlive it.  0 to go on, 1 if the domain is gone,
 * -1 on failure.
 */
static int probe_domain(struct demu *d)
{
    evtchn_port_t port;
    char why[128];
    int r;

    /*
     * Ask about our own server: a domain being destroyed loses its
     * servers at once (ENOENT) while it may still answer other calls
     * (real Xen's nr_vcpus does), and a gone domain is ESRCH.
     */
    r = xendevicemodel_get_ioreq_server_info(d->dmod, d->opts->domid,
                                             d->id, NULL, NULL, &port);
    if (r == 0)
        return 0;
    if (errno == ESRCH || errno == ENOENT) {
        demu_err("domain %u has gone away%s; exiting", d->opts->domid,
                 errno == ENOENT ? " (or its ioreq server was torn down)"
                                 : "");
        d->domain_gone = true;
        return 1;
    }
    demu_err("cannot check on domain %u: %s", d->opts->domid,
             demu_explain(DEMU_STEP_NR_VCPUS, errno, d->opts->domid, why,
                          sizeof(why)));
    return -1;
}

static const char *signal_name(uint32_t signo)
{
    switch (signo) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "a signal";
    }
}

int demu_serve(struct demu *d, int sfd)
{
    struct pollfd pfd[2] = {
        { .fd = xenevtchn_fd(d->xce), .events = POLLIN },
        { .fd = sfd, .events = POLLIN },
    };
    struct signalfd_siginfo si;
    ssize_t n;
    int r, rc;

    /* Requests posted before the ports were bound notified no one. */
    rc = demu_drain(d);
    if (rc)
        goto out;

    for (;;) {
        r = poll(pfd, 2, PROBE_MS);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            demu_err("poll: %s", strerror(errno));
            rc = -1;
            goto out;
        }
        if (r == 0) {
            r = probe_domain(d);
            if (r) {
                rc = r < 0 ? -1 : 0;
                goto out;
            }
            continue;
        }
        /* Answer the guest before looking at signals. */
        if (pfd[0].revents & POLLIN) {
            rc = handle_event(d);
            if (rc)
                goto out;
        } else if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
            demu_err("the event channel device was closed");
            rc = -1;
            goto out;
        }
        if (pfd[1].revents & POLLIN) {
            n = read(sfd, &si, sizeof(si));
            if (n != sizeof(si)) {
                demu_err("cannot read the signal received: %s",
                         n < 0 ? strerror(errno) : "short read");
                rc = -1;
                goto out;
            }
            demu_err("%s: releasing HVMMEM_ioreq_server of domain %u and "
                     "destroying ioreq server %u", signal_name(si.ssi_signo),
                     d->opts->domid, d->id);
            rc = 0;
            goto out;
        }
    }

 out:
    return rc;
}
