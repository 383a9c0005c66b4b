/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxenevtchn over xensimd.  Binding goes through the socket; events do
 * not: each bound port comes with two eventfds, one the hypervisor
 * signals (fd_in) and one we signal (fd_out).  The handle's fd, the one
 * callers poll, is an epoll set of the fd_ins, and xenevtchn_pending
 * turns a ready fd_in back into its port, as /dev/xen/evtchn does with
 * its ring of pending ports.
 *
 * What the simulator does not model:
 * - masking: a port is not masked when pending returns it, so a
 *   notification that arrives before xenevtchn_unmask is reported at
 *   once rather than after the unmask; unmask has nothing to do.
 *   Notifications that arrive while a port is pending coalesce, as they
 *   do on Xen;
 * - xenevtchn_bind_unbound_port and xenevtchn_bind_virq: the simulated
 *   hypervisor allocates the remote ends itself and has no VIRQs, so
 *   both fail with EOPNOTSUPP;
 * - xenevtchn_fdopen: the bound ports live in this process's handle, not
 *   behind the descriptor, so a re-executed program cannot recover them:
 *   EOPNOTSUPP (EINVAL for XENEVTCHN_NO_CLOEXEC, as Xen's).
 */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "sim-private.h"

struct evtchn_port {
    struct evtchn_port *next;
    evtchn_port_t port;
    int fd_in;                  /* signalled when the remote end notifies */
    int fd_out;                 /* written to notify the remote end */
};

struct xenevtchn_handle {
    struct xensim_conn conn;
    int epfd;                   /* what xenevtchn_fd returns */
    pthread_mutex_t lock;       /* protects ports */
    struct evtchn_port *ports;
};

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
                                 unsigned int flags)
{
    xenevtchn_handle *xce = calloc(1, sizeof(*xce));
    int rc;

    (void)logger;               /* Xen's evtchn functions never log */
    if (!xce)
        return NULL;
    xce->epfd = epoll_create1(flags & XENEVTCHN_NO_CLOEXEC ? 0
                                                           : EPOLL_CLOEXEC);
    if (xce->epfd < 0) {
        rc = errno;
        goto fail;
    }
    rc = pthread_mutex_init(&xce->lock, NULL);
    if (rc)
        goto fail_epoll;
    rc = -xensim_connect(&xce->conn);
    if (rc)
        goto fail_lock;
    return xce;

 fail_lock:
    pthread_mutex_destroy(&xce->lock);
 fail_epoll:
    close(xce->epfd);
 fail:
    free(xce);
    errno = rc;
    return NULL;
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger,
                                   int fd, unsigned open_flags)
{
    (void)logger;
    (void)fd;
    errno = open_flags & XENEVTCHN_NO_CLOEXEC ? EINVAL : EOPNOTSUPP;
    return NULL;
}

static void free_port(xenevtchn_handle *xce, struct evtchn_port *p)
{
    epoll_ctl(xce->epfd, EPOLL_CTL_DEL, p->fd_in, NULL);
    close(p->fd_in);
    close(p->fd_out);
    free(p);
}

/* The daemon unbinds a connection's ports when the connection closes. */
int xenevtchn_close(xenevtchn_handle *xce)
{
    if (!xce)
        return 0;
    while (xce->ports) {
        struct evtchn_port *p = xce->ports;

        xce->ports = p->next;
        free_port(xce, p);
    }
    xensim_disconnect(&xce->conn);
    close(xce->epfd);
    pthread_mutex_destroy(&xce->lock);
    free(xce);
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
    return xce->epfd;
}

static struct evtchn_port *find_port(xenevtchn_handle *xce,
                                     evtchn_port_t port)
{
    struct evtchn_port *p;

    for (p = xce->ports; p; p = p->next) {
        if (p->port == port)
            return p;
    }
    return NULL;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
    static const uint64_t one = 1;
    struct evtchn_port *p;
    int rc = 0;

    pthread_mutex_lock(&xce->lock);
    p = find_port(xce, port);
    if (!p)
        rc = ENOTCONN;          /* Linux's answer for a port not ours */
    else if (write(p->fd_out, &one, sizeof(one)) != sizeof(one) &&
             errno != EAGAIN)   /* counter full: already notified */
        rc = errno;
    pthread_mutex_unlock(&xce->lock);
    if (rc) {
        errno = rc;
        return -1;
    }
    return 0;
}

xenevtchn_port_or_error_t
xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
    (void)xce;
    (void)domid;
    errno = EOPNOTSUPP;
    return -1;
}

/* Tell the daemon to forget a port we could not take on. */
static void unbind_remote(xenevtchn_handle *xce, evtchn_port_t port)
{
    struct xensim_evtchn_unbind req = { .local_port = port };

    (void)xensim_call_simple(&xce->conn, XENSIM_OP_EVTCHN_UNBIND,
                             &req, sizeof(req), NULL, 0);
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
                           evtchn_port_t remote_port)
{
    struct xensim_evtchn_bind req = {
        .remote_dom = domid, .remote_port = remote_port,
    };
    struct xensim_evtchn_bound rsp;
    struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
    struct xensim_reply reply = { .buf = &rsp, .size = sizeof(rsp) };
    /*
     * Edge-triggered: every notification is one event, reported once, so
     * pending never needs to read the eventfd (its count only grows).
     */
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
    struct evtchn_port *p;
    int rc;

    if (domid > UINT16_MAX) {
        errno = ESRCH;          /* no domain has such an id */
        return -1;
    }
    rc = xensim_call(&xce->conn, XENSIM_OP_EVTCHN_BIND, &iov, 1, &reply);
    if (rc < 0) {
        sim_close_fds(&reply);
        errno = -rc;
        return -1;
    }
    if (reply.len != sizeof(rsp) || reply.nr_fds != 2 ||
        rsp.local_port > INT32_MAX) {
        rc = EPROTO;
        goto fail;
    }
    p = malloc(sizeof(*p));
    if (!p) {
        rc = ENOMEM;
        goto fail;
    }
    p->port = rsp.local_port;
    p->fd_in = reply.fds[0];
    p->fd_out = reply.fds[1];
    /* pending must never block on a port another thread drained. */
    if (fcntl(p->fd_in, F_SETFL, O_NONBLOCK) < 0) {
        rc = errno;
        free(p);
        goto fail;
    }
    ev.data.u64 = p->port;
    pthread_mutex_lock(&xce->lock);
    if (epoll_ctl(xce->epfd, EPOLL_CTL_ADD, p->fd_in, &ev) < 0) {
        rc = errno;
        pthread_mutex_unlock(&xce->lock);
        free(p);
        goto fail;
    }
    p->next = xce->ports;
    xce->ports = p;
    pthread_mutex_unlock(&xce->lock);
    return p->port;

 fail:
    sim_close_fds(&reply);
    if (reply.len == sizeof(rsp))
        unbind_remote(xce, rsp.local_port);
    errno = rc;
    return -1;
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
    (void)xce;
    (void)virq;
    errno = EOPNOTSUPP;
    return -1;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
    struct xensim_evtchn_unbind req = { .local_port = port };
    struct evtchn_port **pp, *p = NULL;

    pthread_mutex_lock(&xce->lock);
    for (pp = &xce->ports; *pp; pp = &(*pp)->next) {
        if ((*pp)->port == port) {
            p = *pp;
            *pp = p->next;
            free_port(xce, p);
            break;
        }
    }
    pthread_mutex_unlock(&xce->lock);
    if (!p) {
        errno = ENOTCONN;
        return -1;
    }
    /* Our side is gone whatever the daemon says, as with Linux's driver. */
    return sim_result(xensim_call_simple(&xce->conn, XENSIM_OP_EVTCHN_UNBIND,
                                         &req, sizeof(req), NULL, 0));
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
    /*
     * Look without waiting first: the usual caller has just seen the fd
     * readable.  Only when nothing is there does the fd's mode matter: a
     * non-blocking handle fd makes pending non-blocking, as Xen's.
     */
    int timeout = 0;

    for (;;) {
        struct epoll_event ev;
        struct evtchn_port *p;
        int r = epoll_wait(xce->epfd, &ev, 1, timeout);

        if (r < 0)
            return -1;          /* EINTR too, as read() on the device */
        if (r == 0) {
            int fl = fcntl(xce->epfd, F_GETFL);

            if (timeout == 0 && fl >= 0 && !(fl & O_NONBLOCK)) {
                timeout = -1;
                continue;
            }
            errno = EAGAIN;
            return -1;
        }
        /* The port may have been unbound since: then look again. */
        pthread_mutex_lock(&xce->lock);
        p = find_port(xce, ev.data.u64);
        pthread_mutex_unlock(&xce->lock);
        if (p)
            return ev.data.u64;
    }
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
    /* Ports are never masked here (see the top of this file). */
    (void)xce;
    (void)port;
    return 0;
}

int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
    struct xensim_restrict req = { .domid = domid };

    return sim_result(xensim_call_simple(&xce->conn, XENSIM_OP_RESTRICT,
                                         &req, sizeof(req), NULL, 0));
}
