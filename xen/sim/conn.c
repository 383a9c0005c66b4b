/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Client connections: accepting, reading one request at a time, checking
 * its framing, dispatching it, replying with descriptors attached, and
 * cleaning up after a client that goes away.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim.h"

typedef int (*op_handler)(struct conn *c, const void *p, size_t len);

static const op_handler handlers[] = {
    [XENSIM_OP_HELLO] = op_hello,
    [XENSIM_OP_RESTRICT] = op_restrict,
    [XENSIM_OP_DM_OP] = op_dm_op,
    [XENSIM_OP_HVM_OP] = op_hvm_op,
    [XENSIM_OP_DOMCTL] = op_domctl,
    [XENSIM_OP_MEMORY_OP] = op_memory_op,
    [XENSIM_OP_MAP_FOREIGN] = op_map_foreign,
    [XENSIM_OP_MAP_RESOURCE] = op_map_resource,
    [XENSIM_OP_EVTCHN_BIND] = op_evtchn_bind,
    [XENSIM_OP_EVTCHN_UNBIND] = op_evtchn_unbind,
    [XENSIM_OP_GUEST_ACCESS] = op_guest_access,
    [XENSIM_OP_RECORD_SET] = op_record_set,
    [XENSIM_OP_RECORD_GET] = op_record_get,
    [XENSIM_OP_RECORD_FIND] = op_record_find,
    [XENSIM_OP_IOREQ_STATE] = op_ioreq_state,
    [XENSIM_OP_IOREQ_RANGES] = op_ioreq_ranges,
    [XENSIM_OP_MEM_TYPES] = op_mem_types,
    [XENSIM_OP_ACCESS_CHANNEL] = op_access_channel,
};

void conn_accept(struct xensim *sim)
{
    int fd;

    fd = accept4(sim->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0)
        conn_new(sim, fd);
}

struct conn *conn_new(struct xensim *sim, int fd)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
    struct conn *c;

    c = calloc(1, sizeof(*c));
    if (c)
        c->msg = malloc(XENSIM_MSG_MAX);
    if (!c || !c->msg) {
        sim_log("out of memory: refusing a client");
        if (c)
            free(c);
        close(fd);
        return NULL;
    }
    c->watch.kind = WATCH_CONN;
    c->sim = sim;
    c->fd = fd;
    c->id = ++sim->next_conn_id;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        c->pid = cred.pid;
    /* Every client starts as the control domain. */
    c->caller = (struct caller){
        .domid = 0, .is_control = true, .target = DOMID_INVALID,
    };
    ev.data.ptr = &c->watch;
    if (epoll_ctl(sim->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        free(c->msg);
        free(c);
        close(fd);
        return NULL;
    }
    c->next = sim->conns;
    sim->conns = c;
    return c;
}

/*
 * A client sends its next request only once it has its reply; one that
 * sends while its request is pending breaks the protocol (conn_event).
 * So the socket stays watched as it is: no epoll_ctl on the hot path.
 */
void conn_set_pending(struct conn *c, enum pending_kind pending)
{
    c->pending = pending;
}

int conn_reply(struct conn *c, int rc, const void *payload, size_t len,
               const int *fds, unsigned int nr_fds)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } control;
    struct xensim_rsp hdr = { .rc = rc, .size = len };
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = (void *)payload, .iov_len = len },
    };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
    ssize_t n;

    if (c->detached)
        return 0;
    if (nr_fds) {
        struct cmsghdr *cmsg;

        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nr_fds);
        cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nr_fds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nr_fds);
    }
    do {
        n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    /* A client that cannot take its reply is noticed at its hang-up. */
    return n < 0 ? -errno : 0;
}

static void serve(struct conn *c, size_t n)
{
    const struct xensim_req *req = (const void *)c->msg;
    int rc;

    if (n < sizeof(*req) || req->size != n - sizeof(*req)) {
        conn_close(c, "sent a message whose size does not match its header");
        return;
    }
    if (req->op >= sizeof(handlers) / sizeof(handlers[0]) ||
        !handlers[req->op]) {
        char why[64];

        snprintf(why, sizeof(why), "sent an unknown request %u", req->op);
        conn_close(c, why);
        return;
    }
    c->msg_len = n;
    rc = handlers[req->op](c, c->msg + sizeof(*req), req->size);
    if (rc == SIM_MALFORMED)
        conn_close(c, "sent a malformed request");
    else if (rc != SIM_REPLIED)
        conn_reply(c, rc, NULL, 0, NULL, 0);
}

void conn_event(struct conn *c, uint32_t events)
{
    ssize_t n;

    if (events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR)) {
        conn_close(c, NULL);
        return;
    }
    if (!(events & EPOLLIN))
        return;
    if (c->pending != PENDING_NONE) {
        conn_close(c, "sent a request before its previous one was answered");
        return;
    }
    n = recv(c->fd, c->msg, XENSIM_MSG_MAX, MSG_TRUNC);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        conn_close(c, NULL);
        return;
    }
    if (n > XENSIM_MSG_MAX) {
        conn_close(c, "sent a message larger than the protocol allows");
        return;
    }
    serve(c, (size_t)n);
}

/*
 * A device-model domain lives as long as its process has a restricted
 * connection: a later process that reuses the pid must not inherit it.
 */
static void forget_identity(struct xensim *sim, struct conn *c)
{
    struct conn *o;
    unsigned int i = 0;

    if (c->caller.is_control)
        return;
    for (o = sim->conns; o; o = o->next)
        if (o->pid == c->pid && !o->caller.is_control)
            return;
    while (i < sim->nr_ident) {
        if (sim->ident[i].pid == c->pid)
            sim->ident[i] = sim->ident[--sim->nr_ident];
        else
            i++;
    }
}

/* The client is gone: what it created goes with it. */
void conn_close(struct conn *c, const char *why)
{
    struct xensim *sim = c->sim;
    struct conn **pp;
    struct binding *b, *next;
    domid_t domid;
    unsigned int i;

    if (why)
        sim_log("client %u (pid %d) %s; closing its connection", c->id,
                (int)c->pid, why);

    /* Every domain id is a long walk for a client that never needs it. */
    for (domid = 0; c->made_servers && domid < XENSIM_DM_DOMID_FIRST;
         domid++) {
        struct sim_domain *sd = sim->dom[domid];
        struct domain *d = sd ? domain_lookup(&sim->hv, domid) : NULL;
        bool changed = false;

        if (!d)
            continue;
        for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
            if (sd->server_owner[i] != c)
                continue;
            sim_log("client %u closed: destroying ioreq server %u of "
                    "domain %u", c->id, i, domid);
            ioreq_server_destroy(d, i, d->ioreq.server[i].emulator);
            sd->server_owner[i] = NULL;
            changed = true;
        }
        if (changed)
            sim_servers_changed(sim, d);
    }

    for (b = sim->bindings; b; b = next) {
        next = b->next;
        if (b->owner == c)
            binding_drop(sim, b);
    }
    vcpu_forget_client(sim, c);
    channel_close(sim, c->chan);
    i = 0;
    while (i < sim->runq_len) {
        if (sim->runq[i].conn == c)
            sim->runq[i] = sim->runq[--sim->runq_len];
        else
            i++;
    }

    for (pp = &sim->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    forget_identity(sim, c);
    epoll_ctl(sim->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->msg);
    sim_release(sim, &c->watch);
}
