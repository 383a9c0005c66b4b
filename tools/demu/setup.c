/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Starting and stopping demu's ioreq server.
 *
 * Order of setup: create the server, map its ioreq page, count vCPUs,
 * enable the server, bind each vCPU's event channel, claim
 * HVMMEM_ioreq_server, retype the --map ranges.
 *
 * Enabling comes before binding, and therefore before the claim: real
 * Xen writes the vp_eport of each slot only when the server is enabled
 * (ioreq_server_enable -> ioreq_update_evtchn; the page is zeroed when
 * allocated), so before that there is no port to bind.  And a guest write
 * to a typed page reaching a server that is not yet enabled finds
 * vp_eport still 0, which ioreq_send refuses ("device model set bad
 * event channel").  An enabled server with no ranges and no claim
 * receives nothing but broadcasts, which demu_serve picks up on its first
 * scan of the slots.
 *
 * demu_setup records each step in struct demu as it succeeds;
 * demu_teardown undoes exactly those steps, whether setup finished or not.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "demu.h"

#define WHY_MAX 256

/* One ioreq page holds this many vCPU slots. */
#define SLOTS_PER_PAGE (XC_PAGE_SIZE / sizeof(ioreq_t))

static void step_failed(const struct demu *d, enum demu_step step, int e,
                        const char *what)
{
    char why[WHY_MAX];

    demu_err("%s: %s", what,
             demu_explain(step, e, d->opts->domid, why, sizeof(why)));
}

static int open_handles(struct demu *d)
{
    int rc;

    d->logger = (xentoollog_logger *)
        xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    if (!d->logger) {
        demu_err("cannot create a logger: out of memory");
        rc = -1;
        goto out;
    }
    d->dmod = xendevicemodel_open(d->logger, 0);
    if (!d->dmod) {
        step_failed(d, DEMU_STEP_OPEN, errno,
                    "cannot open the device-model interface");
        rc = -1;
        goto out;
    }
    d->fmem = xenforeignmemory_open(d->logger, 0);
    if (!d->fmem) {
        step_failed(d, DEMU_STEP_OPEN, errno,
                    "cannot open the foreign-memory interface");
        rc = -1;
        goto out;
    }
    d->xce = xenevtchn_open(d->logger, 0);
    if (!d->xce) {
        step_failed(d, DEMU_STEP_OPEN, errno,
                    "cannot open the event-channel interface");
        rc = -1;
        goto out;
    }
    rc = 0;

 out:
    return rc;
}

static int bind_ports(struct demu *d)
{
    domid_t domid = d->opts->domid;
    char what[128];
    unsigned int i;
    int rc;

    d->ports = calloc(d->nr_vcpus, sizeof(*d->ports));
    if (!d->ports) {
        demu_err("out of memory for %u event channels", d->nr_vcpus);
        rc = -1;
        goto out;
    }
    for (i = 0; i < d->nr_vcpus; i++)
        d->ports[i] = -1;

    for (i = 0; i < d->nr_vcpus; i++) {
        evtchn_port_t remote = d->iopage->vcpu_ioreq[i].vp_eport;

        d->ports[i] = xenevtchn_bind_interdomain(d->xce, domid, remote);
        if (d->ports[i] < 0) {
            snprintf(what, sizeof(what), "cannot bind the event channel "
                     "of vCPU %u (port %u of domain %u)", i, remote, domid);
            step_failed(d, DEMU_STEP_BIND, errno, what);
            rc = -1;
            goto out;
        }
    }
    rc = 0;

 out:
    return rc;
}

/*
 * Retype first..last to type, in calls of at most UINT32_MAX pages (nr is
 * 32 bits).  On failure, *failed_r is the first gfn of the call that
 * failed, and the returned value its errno.
 */
static int retype_span(struct demu *d, uint64_t first, uint64_t last,
                       hvmmem_type_t type, uint64_t *failed_r)
{
    uint64_t left;
    uint32_t nr;
    int r;

    for (;;) {
        left = last - first;            /* pages after first */
        nr = left >= UINT32_MAX ? UINT32_MAX : (uint32_t)(left + 1);
        r = xendevicemodel_set_mem_type(d->dmod, d->opts->domid, type,
                                        first, nr);
        if (r) {
            *failed_r = first;
            return errno;
        }
        if (left < nr)
            return 0;
        first += nr;
    }
}

/*
 * Put back to HVMMEM_ram_rw what retype_ranges typed: ranges 0..n-1 whole
 * and range n up to (not including) gfn stop.  Only spans whose every call
 * succeeded, since those pages were all ram_rw before (the only type Xen
 * lets become ioreq_server).  A call that failed may have typed part of
 * its span; which part is unknown, and retyping its other pages to ram_rw
 * could turn ram_ro into ram_rw.  The release of the claim resets those
 * (and any other page of the type, all of them ours since entry_count was
 * 0 when we claimed).
 */
static void untype_ranges(struct demu *d, size_t n, uint64_t stop)
{
    const gfn_range *r = d->opts->ranges;
    char text[GFN_RANGE_STRLEN], why[WHY_MAX];
    uint64_t failed;
    size_t i;
    int e;

    for (i = 0; i <= n && i < d->opts->nr_ranges; i++) {
        gfn_range span = r[i];

        if (i == n) {
            if (stop == span.first)
                break;
            span.last = stop - 1;
        }
        e = retype_span(d, span.first, span.last, HVMMEM_ram_rw, &failed);
        if (e) {
            gfn_range_format(&span, text);
            demu_err("cannot retype gfns %s back to HVMMEM_ram_rw at gfn "
                     "0x%" PRIx64 ": %s (releasing the claim will)", text,
                     failed, demu_explain(DEMU_STEP_RETYPE, e,
                                          d->opts->domid, why,
                                          sizeof(why)));
        }
    }
}

static int retype_ranges(struct demu *d)
{
    const struct demu_options *o = d->opts;
    char text[GFN_RANGE_STRLEN], why[WHY_MAX];
    uint64_t failed;
    size_t i;
    int e, rc;

    for (i = 0; i < o->nr_ranges; i++) {
        e = retype_span(d, o->ranges[i].first, o->ranges[i].last,
                        HVMMEM_ioreq_server, &failed);
        if (e) {
            gfn_range_format(&o->ranges[i], text);
            demu_err("--map %s: cannot retype gfns %s of domain %u to "
                     "HVMMEM_ioreq_server (the call at gfn 0x%" PRIx64
                     " failed): %s", o->range_args[i], text, o->domid,
                     failed, demu_explain(DEMU_STEP_RETYPE, e, o->domid,
                                          why, sizeof(why)));
            untype_ranges(d, i, failed);
            rc = -1;
            goto out;
        }
    }
    rc = 0;

 out:
    return rc;
}

int demu_setup(struct demu *d)
{
    domid_t domid = d->opts->domid;
    void *page = NULL;
    char what[128];
    int r, rc;

    rc = open_handles(d);
    if (rc)
        goto out;

    r = xendevicemodel_create_ioreq_server(d->dmod, domid,
                                           HVM_IOREQSRV_BUFIOREQ_OFF, &d->id);
    if (r) {
        snprintf(what, sizeof(what),
                 "cannot create an ioreq server for domain %u", domid);
        step_failed(d, DEMU_STEP_CREATE, errno, what);
        rc = -1;
        goto out;
    }
    d->created = true;

    d->iores = xenforeignmemory_map_resource(
        d->fmem, domid, XENMEM_resource_ioreq_server, d->id,
        XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &page,
        PROT_READ | PROT_WRITE, 0);
    if (!d->iores) {
        snprintf(what, sizeof(what), "cannot map the ioreq page of ioreq "
                 "server %u of domain %u", d->id, domid);
        step_failed(d, DEMU_STEP_MAP_IOPAGE, errno, what);
        rc = -1;
        goto out;
    }
    d->iopage = page;

    r = xendevicemodel_nr_vcpus(d->dmod, domid, &d->nr_vcpus);
    if (r) {
        snprintf(what, sizeof(what),
                 "cannot find the number of vCPUs of domain %u", domid);
        step_failed(d, DEMU_STEP_NR_VCPUS, errno, what);
        rc = -1;
        goto out;
    }
    if (d->nr_vcpus == 0 || d->nr_vcpus > SLOTS_PER_PAGE) {
        demu_err("domain %u reports %u vCPUs; one ioreq page serves 1 to "
                 "%zu", domid, d->nr_vcpus, SLOTS_PER_PAGE);
        rc = -1;
        goto out;
    }

    r = xendevicemodel_set_ioreq_server_state(d->dmod, domid, d->id, 1);
    if (r) {
        snprintf(what, sizeof(what), "cannot enable ioreq server %u of "
                 "domain %u", d->id, domid);
        step_failed(d, DEMU_STEP_ENABLE, errno, what);
        rc = -1;
        goto out;
    }

    rc = bind_ports(d);
    if (rc)
        goto out;

    r = xendevicemodel_map_mem_type_to_ioreq_server(
        d->dmod, domid, d->id, HVMMEM_ioreq_server,
        XEN_DMOP_IOREQ_MEM_ACCESS_WRITE);
    if (r) {
        snprintf(what, sizeof(what), "cannot claim HVMMEM_ioreq_server for "
                 "domain %u", domid);
        step_failed(d, DEMU_STEP_CLAIM, errno, what);
        rc = -1;
        goto out;
    }
    d->claimed = true;

    rc = retype_ranges(d);
    if (rc)
        goto out;
    rc = 0;

 out:
    return rc;
}

/*
 * A call on a domain that has gone away (ESRCH), or on our server that a
 * dying domain has already dropped (ENOENT): nothing is left to undo.
 */
static bool gone(struct demu *d, int e)
{
    if (e == ESRCH || e == ENOENT)
        d->domain_gone = true;
    return d->domain_gone;
}

int demu_teardown(struct demu *d)
{
    domid_t domid = d->opts->domid;
    char what[128];
    unsigned int i;
    int r, rc = 0;

    /*
     * Releasing (flags 0) makes the hypervisor reset every page of the
     * type back to HVMMEM_ram_rw before it returns; guest writes to them
     * are retried meanwhile and then land in RAM.
     */
    if (d->claimed && !d->domain_gone) {
        r = xendevicemodel_map_mem_type_to_ioreq_server(
            d->dmod, domid, d->id, HVMMEM_ioreq_server, 0);
        /* EINVAL: no longer ours; the toolstack reset it meanwhile. */
        if (r < 0 && errno == EINVAL)
            demu_err("HVMMEM_ioreq_server of domain %u was already "
                     "released (xl ioreq-reset?)", domid);
        else if (r < 0 && !gone(d, errno)) {
            snprintf(what, sizeof(what), "cannot release "
                     "HVMMEM_ioreq_server of domain %u", domid);
            step_failed(d, DEMU_STEP_RELEASE, errno, what);
            rc = -1;
        }
        d->claimed = false;
    }

    /* Answer what was posted before the release, so no vCPU waits. */
    if (d->iopage && !d->domain_gone && demu_drain(d))
        rc = -1;

    if (d->ports) {
        for (i = 0; i < d->nr_vcpus; i++)
            if (d->ports[i] >= 0)
                xenevtchn_unbind(d->xce, d->ports[i]);
        free(d->ports);
        d->ports = NULL;
    }
    demu_ram_cache_flush(d);
    if (d->iores) {
        xenforeignmemory_unmap_resource(d->fmem, d->iores);
        d->iores = NULL;
        d->iopage = NULL;
    }

    if (d->created && !d->domain_gone) {
        r = xendevicemodel_destroy_ioreq_server(d->dmod, domid, d->id);
        if (r && !gone(d, errno)) {
            snprintf(what, sizeof(what), "cannot destroy ioreq server %u "
                     "of domain %u", d->id, domid);
            step_failed(d, DEMU_STEP_DESTROY, errno, what);
            rc = -1;
        }
    }
    d->created = false;

    if (d->xce)
        xenevtchn_close(d->xce);
    if (d->fmem)
        xenforeignmemory_close(d->fmem);
    if (d->dmod)
        xendevicemodel_close(d->dmod);
    xtl_logger_destroy(d->logger);
    d->xce = NULL;
    d->fmem = NULL;
    d->dmod = NULL;
    d->logger = NULL;
    return rc;
}
