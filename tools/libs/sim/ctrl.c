/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The part of libxenctrl a toolstack needs to build and run an HVM guest
 * on the simulator: domctls (XENSIM_OP_DOMCTL carries struct xen_domctl
 * as is) and XENMEM_populate_physmap (XENSIM_OP_MEMORY_OP).  Everything
 * else libxenctrl has is absent, not stubbed: a program that needs more
 * fails to link or load rather than misbehave.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <xenctrl.h>

#include "sim-private.h"

struct xc_interface_core {
    xentoollog_logger *logger;
    xentoollog_logger *logger_tofree;
    xentoollog_logger *dombuild_logger;
    struct xensim_conn conn;
};

/* Extents per XENSIM_OP_MEMORY_OP: the request is the larger message. */
#define MEMOP_BATCH ((XENSIM_MSG_MAX - sizeof(struct xensim_req) - \
                      sizeof(struct xensim_memory_op) - \
                      sizeof(struct xen_memory_reservation)) / \
                     sizeof(xen_pfn_t))

xc_interface *xc_interface_open(xentoollog_logger *logger,
                                xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    xc_interface *xch = calloc(1, sizeof(*xch));
    int rc;

    /* Reentrancy is the transport's business; DUMMY is not modelled. */
    (void)open_flags;
    if (!xch)
        return NULL;
    xch->logger = sim_logger(logger, &xch->logger_tofree);
    if (!xch->logger) {
        free(xch);
        errno = ENOMEM;
        return NULL;
    }
    xch->dombuild_logger = dombuild_logger;
    rc = xensim_connect(&xch->conn);
    if (rc < 0) {
        /* Where Xen's library reports a missing privcmd. */
        xtl_log(xch->logger, XTL_ERROR, -rc, "xc",
                "could not connect to xensimd at %s", xensim_socket_path());
        xtl_logger_destroy(xch->logger_tofree);
        free(xch);
        errno = -rc;
        return NULL;
    }
    return xch;
}

int xc_interface_close(xc_interface *xch)
{
    if (!xch)
        return 0;
    xensim_disconnect(&xch->conn);
    xtl_logger_destroy(xch->logger_tofree);
    free(xch);
    return 0;
}

/*
 * HYPERVISOR_domctl: *domctl goes out with the interface version set
 * and comes back as the hypervisor left it.  0 or -1 with errno.
 */
static int do_domctl(xc_interface *xch, struct xen_domctl *domctl)
{
    struct xen_domctl out;
    struct iovec iov = { .iov_base = domctl, .iov_len = sizeof(*domctl) };
    struct xensim_reply reply = { .buf = &out, .size = sizeof(out) };
    int rc;

    domctl->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    rc = xensim_call(&xch->conn, XENSIM_OP_DOMCTL, &iov, 1, &reply);
    sim_close_fds(&reply);
    if (reply.len == sizeof(out))
        *domctl = out;
    else if (rc >= 0 && reply.len != 0)
        rc = -EPROTO;
    if (rc == -EACCES)
        /* What libxc says about a version mismatch, at the same level. */
        xtl_log(xch->logger, XTL_DETAIL, EACCES, "xc",
                "domctl operation failed -- need to rebuild the "
                "user-space tool set?");
    return sim_result(rc);
}

static void init_domctl(struct xen_domctl *domctl, uint32_t cmd,
                        uint32_t domid)
{
    memset(domctl, 0, sizeof(*domctl));
    domctl->cmd = cmd;
    domctl->domain = domid;
}

int xc_domain_create(xc_interface *xch, uint32_t *pdomid,
                     struct xen_domctl_createdomain *config)
{
    struct xen_domctl domctl;
    int rc;

    /* *pdomid asks for an id; the hypervisor picks one if it is 0. */
    init_domctl(&domctl, XEN_DOMCTL_createdomain, *pdomid);
    domctl.u.createdomain = *config;
    rc = do_domctl(xch, &domctl);
    if (rc)
        return rc;
    *pdomid = (uint16_t)domctl.domain;
    *config = domctl.u.createdomain;
    return 0;
}

int xc_domain_max_vcpus(xc_interface *xch, uint32_t domid, unsigned int max)
{
    struct xen_domctl domctl;

    init_domctl(&domctl, XEN_DOMCTL_max_vcpus, domid);
    domctl.u.max_vcpus.max = max;
    return do_domctl(xch, &domctl);
}

int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid,
                        uint64_t max_memkb)
{
    struct xen_domctl domctl;

    init_domctl(&domctl, XEN_DOMCTL_max_mem, domid);
    domctl.u.max_mem.max_memkb = max_memkb;
    return do_domctl(xch, &domctl);
}

int xc_domain_pause(xc_interface *xch, uint32_t domid)
{
    struct xen_domctl domctl;

    init_domctl(&domctl, XEN_DOMCTL_pausedomain, domid);
    return do_domctl(xch, &domctl);
}

int xc_domain_unpause(xc_interface *xch, uint32_t domid)
{
    struct xen_domctl domctl;

    init_domctl(&domctl, XEN_DOMCTL_unpausedomain, domid);
    return do_domctl(xch, &domctl);
}

int xc_domain_destroy(xc_interface *xch, uint32_t domid)
{
    struct xen_domctl domctl;

    init_domctl(&domctl, XEN_DOMCTL_destroydomain, domid);
    return do_domctl(xch, &domctl);
}

/*
 * libxc asks XEN_SYSCTL_getdomaininfolist for the whole list at once;
 * the simulator has only the domctl, which answers with the first domain
 * whose id is at least the one asked, so walk it.
 */
int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
                          unsigned int max_domains, xc_domaininfo_t *info)
{
    unsigned int n = 0;
    uint32_t next = first_domain;

    while (n < max_domains && next < DOMID_FIRST_RESERVED) {
        struct xen_domctl domctl;

        init_domctl(&domctl, XEN_DOMCTL_getdomaininfo, next);
        if (do_domctl(xch, &domctl) < 0) {
            if (errno == ESRCH)
                break;          /* no domain at or above next */
            return -1;
        }
        if (domctl.u.getdomaininfo.domain < next) {
            /* Going backwards would never end. */
            errno = EPROTO;
            return -1;
        }
        info[n] = domctl.u.getdomaininfo;
        next = info[n].domain + 1;
        n++;
    }
    return n;
}

/*
 * XENMEM_populate_physmap.  Like Xen, the result is the number of
 * extents populated, which may fall short; -1 only if nothing was
 * done.  Batches that fit a message go one after the other, stopping at
 * the first that falls short.
 */
int xc_domain_populate_physmap(xc_interface *xch, uint32_t domid,
                               unsigned long nr_extents,
                               unsigned int extent_order,
                               unsigned int mem_flags,
                               xen_pfn_t *extent_start)
{
    unsigned long done = 0;

    do {
        unsigned long n = nr_extents - done;
        struct xensim_memory_op op = { .cmd = XENMEM_populate_physmap };
        struct xen_memory_reservation res;
        struct iovec iov[3];
        struct xensim_reply reply = { 0 };
        int rc;

        if (n > MEMOP_BATCH)
            n = MEMOP_BATCH;
        memset(&res, 0, sizeof(res));
        res.nr_extents = n;
        res.extent_order = extent_order;
        res.mem_flags = mem_flags;
        res.domid = domid;
        iov[0] = (struct iovec){ &op, sizeof(op) };
        iov[1] = (struct iovec){ &res, sizeof(res) };
        /* The gfns come back in place, as Xen writes them back. */
        reply.buf = n ? extent_start + done : extent_start;
        iov[2] = (struct iovec){ reply.buf, n * sizeof(*extent_start) };
        reply.size = n * sizeof(*extent_start);

        rc = xensim_call(&xch->conn, XENSIM_OP_MEMORY_OP, iov, 3, &reply);
        sim_close_fds(&reply);
        if (rc >= 0 && ((unsigned long)rc > n ||
                        (reply.len && reply.len != reply.size)))
            rc = -EPROTO;
        if (rc < 0) {
            if (done)
                break;          /* report what was done, as Xen would */
            return sim_result(rc);
        }
        done += rc;
        if ((unsigned long)rc < n)
            break;
    } while (done < nr_extents);
    return done;
}

int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid,
                                     unsigned long nr_extents,
                                     unsigned int extent_order,
                                     unsigned int mem_flags,
                                     xen_pfn_t *extent_start)
{
    int rc = xc_domain_populate_physmap(xch, domid, nr_extents,
                                        extent_order, mem_flags,
                                        extent_start);

    if (rc >= 0 && (unsigned long)rc == nr_extents)
        return 0;
    if (rc >= 0) {
        /* libxc's debug message, and its errno for a short count. */
        xtl_log(xch->logger, XTL_DETAIL, -1, "xc",
                "Failed allocation for dom %u: %lu extents of order %u",
                domid, nr_extents, extent_order);
        errno = EBUSY;
        rc = -1;
    }
    return rc;
}

int xc_domain_maximum_gpfn(xc_interface *xch, uint32_t domid,
                           xen_pfn_t *gpfns)
{
    struct xensim_memory_op op = { .cmd = XENMEM_maximum_gpfn };
    struct xensim_domid req = { .domid = domid };
    struct iovec iov[2] = {
        { &op, sizeof(op) },
        { &req, sizeof(req) },
    };
    uint64_t gpfn = 0;
    struct xensim_reply reply = { .buf = &gpfn, .size = sizeof(gpfn) };
    int rc;

    if (domid > 0xffff)
        return sim_result(-ESRCH);
    rc = xensim_call(&xch->conn, XENSIM_OP_MEMORY_OP, iov, 2, &reply);
    sim_close_fds(&reply);
    if (rc == 0 && reply.len != sizeof(gpfn))
        rc = -EPROTO;
    if (rc < 0)
        return sim_result(rc);
    *gpfns = gpfn;
    return 0;
}

int xc_shadow_control(xc_interface *xch, uint32_t domid, unsigned int sop,
                      unsigned int *mb, unsigned int mode)
{
    struct xen_domctl domctl;
    int rc;

    init_domctl(&domctl, XEN_DOMCTL_shadow_op, domid);
    domctl.u.shadow_op.op = sop;
    domctl.u.shadow_op.mode = mode;
    if (mb)
        domctl.u.shadow_op.mb = *mb;
    rc = do_domctl(xch, &domctl);
    if (rc == 0 && mb)
        *mb = domctl.u.shadow_op.mb;
    return rc;
}
