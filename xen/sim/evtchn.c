/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels between a guest's ports and the clients that bind them:
 * a pair of eventfds per binding, so neither a notification to the device
 * model nor its answer goes through the socket.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sim.h"

static struct binding *find_binding(struct xensim *sim, domid_t domid,
                                    evtchn_port_t port)
{
    struct binding *b;

    for (b = sim->bindings; b; b = b->next)
        if (b->domid == domid && b->port == port)
            return b;
    return NULL;
}

static void signal_fd(int fd)
{
    uint64_t one = 1;

    if (write(fd, &one, sizeof(one)) != sizeof(one)) {
        /* Only a saturated counter fails, and it is pending anyway. */
    }
}

void sim_notify(struct xensim *sim, domid_t domid, evtchn_port_t port)
{
    struct binding *b = find_binding(sim, domid, port);

    /* Unbound: the device model sees the request once it binds. */
    if (b)
        signal_fd(b->to_dm);
}

/* The vCPU whose ioreq slot a guest port serves, or -1. */
static int port_vcpu(const struct domain *d, evtchn_port_t port)
{
    unsigned int i, v;

    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
        const struct ioreq_server *s = &d->ioreq.server[i];

        if (!s->exists)
            continue;
        for (v = 0; v < d->max_vcpus; v++)
            if (s->vp_eport[v] == port)
                return (int)v;
    }
    return -1;
}

int op_evtchn_bind(struct conn *c, const void *p, size_t len)
{
    struct xensim *sim = c->sim;
    /* Edge-triggered: each notification is one event, never read. */
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
    struct xensim_evtchn_bind req;
    struct xensim_evtchn_bound rsp = { 0 };
    struct binding *b;
    struct domain *d;
    int fds[2], v, rc;
    ioservid_t s;

    if (len != sizeof(req))
        return SIM_MALFORMED;
    memcpy(&req, p, sizeof(req));
    d = domain_lookup(&sim->hv, req.remote_dom);
    if (!d)
        return -ESRCH;
    rc = evtchn_bind_interdomain(&d->evtchn, req.remote_port,
                                 c->caller.domid);
    if (rc)
        return rc;

    b = calloc(1, sizeof(*b));
    if (!b) {
        evtchn_unbind_remote(&d->evtchn, req.remote_port);
        return -ENOMEM;
    }
    b->watch.kind = WATCH_BINDING;
    b->owner = c;
    b->domid = req.remote_dom;
    b->port = req.remote_port;
    b->to_dm = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    b->to_xen = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ev.data.ptr = &b->watch;
    if (b->to_dm < 0 || b->to_xen < 0 ||
        epoll_ctl(sim->epfd, EPOLL_CTL_ADD, b->to_xen, &ev) < 0) {
        rc = -errno;
        if (b->to_dm >= 0)
            close(b->to_dm);
        if (b->to_xen >= 0)
            close(b->to_xen);
        free(b);
        evtchn_unbind_remote(&d->evtchn, req.remote_port);
        return rc;
    }
    b->local_port = sim->next_local_port++;
    b->next = sim->bindings;
    sim->bindings = b;

    rsp.local_port = b->local_port;
    fds[0] = b->to_dm;
    fds[1] = b->to_xen;
    conn_reply(c, 0, &rsp, sizeof(rsp), fds, 2);

    /* A request sent before the device model bound is waiting for it. */
    v = port_vcpu(d, b->port);
    if (v >= 0 && hvm_vcpu_waiting(d, v, &s) &&
        d->ioreq.server[s].vp_eport[v] == b->port)
        signal_fd(b->to_dm);
    return SIM_REPLIED;
}

void binding_drop(struct xensim *sim, struct binding *b)
{
    struct domain *d = domain_lookup(&sim->hv, b->domid);
    struct binding **pp;

    if (d)
        evtchn_unbind_remote(&d->evtchn, b->port);
    epoll_ctl(sim->epfd, EPOLL_CTL_DEL, b->to_xen, NULL);
    close(b->to_dm);
    close(b->to_xen);
    for (pp = &sim->bindings; *pp; pp = &(*pp)->next) {
        if (*pp == b) {
            *pp = b->next;
            break;
        }
    }
    sim_release(sim, &b->watch);
}

int op_evtchn_unbind(struct conn *c, const void *p, size_t len)
{
    struct xensim_evtchn_unbind req;
    struct binding *b;

    if (len != sizeof(req))
        return SIM_MALFORMED;
    memcpy(&req, p, sizeof(req));
    for (b = c->sim->bindings; b; b = b->next) {
        if (b->owner == c && b->local_port == req.local_port) {
            binding_drop(c->sim, b);
            return 0;
        }
    }
    return -EINVAL;
}

/* The client notified: the vCPU behind the port may go on. */
void binding_event(struct binding *b)
{
    struct xensim *sim = b->owner->sim;
    struct domain *d = domain_lookup(&sim->hv, b->domid);
    int v;

    if (!d)
        return;
    v = port_vcpu(d, b->port);
    if (v >= 0)
        vcpu_resume(sim, d, (unsigned int)v);
}

/* Bindings to ports the guest no longer has (their server is gone). */
void sim_drop_stale_bindings(struct xensim *sim, struct domain *d)
{
    struct binding *b, *next;

    for (b = sim->bindings; b; b = next) {
        next = b->next;
        if (b->domid == d->domain_id &&
            d->evtchn.port[b->port].state != ECS_INTERDOMAIN)
            binding_drop(sim, b);
    }
}

/* The domain is gone: so are the bindings to its ports. */
void sim_drop_domain_bindings(struct xensim *sim, domid_t domid)
{
    struct binding *b, *next;

    for (b = sim->bindings; b; b = next) {
        next = b->next;
        if (b->domid == domid)
            binding_drop(sim, b);
    }
}
