/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's single state object: setting it up, one round of the event
 * loop with the run queue, and tearing it down.  Apart from main.c (no
 * socket, lock or signals here), so that a test can host the daemon
 * in-process and drive it over its own socketpairs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sim.h"

/* Guest-physical space of each domain: 16 GiB, sparse until touched. */
#define SIM_MAX_GFN     0x3fffffUL
/* How long a long hypercall runs before it yields to other clients. */
#define SLICE_NS        1000000u

static bool preempt_check(void *opaque)
{
    struct xensim *sim = opaque;

    return sim_now_ns() - sim->slice_start > SLICE_NS;
}

int sim_state_init(struct xensim *sim)
{
    int rc;

    memset(sim, 0, sizeof(*sim));
    sim->epfd = sim->listen_fd = sim->signal_fd = -1;
    rc = hypervisor_init(&sim->hv);
    if (rc)
        return rc;
    sim->hv.host = &sim_host_ops;
    sim->hv.host_opaque = sim;
    sim->hv.default_max_gfn = SIM_MAX_GFN;
    sim->hv.domid_limit = XENSIM_DM_DOMID_FIRST;
    sim->hv.preempt_check = preempt_check;
    sim->hv.preempt_opaque = sim;
    sim->next_local_port = 1;
    sim->dom = calloc(DOMID_FIRST_RESERVED, sizeof(*sim->dom));
    if (!sim->dom)
        return -ENOMEM;

    sim->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (sim->epfd < 0)
        return -errno;
    return 0;
}

static void free_gone(struct xensim *sim)
{
    struct watch *w;

    while ((w = sim->gone)) {
        sim->gone = w->next_gone;
        free(w);
    }
}

void sim_state_teardown(struct xensim *sim)
{
    domid_t domid;

    while (sim->conns)
        conn_close(sim->conns, NULL);
    sim_jobs_free(sim);
    for (domid = 0; domid < DOMID_FIRST_RESERVED; domid++) {
        if (domain_lookup(&sim->hv, domid)) {
            vcpu_domain_gone(sim, sim->dom[domid]);
            domain_destroy(&sim->hv, domid);
        }
    }
    hypervisor_teardown(&sim->hv);
    free_gone(sim);
    free(sim->dom);
    free(sim->ident);
    free(sim->runq);
    if (sim->signal_fd >= 0)
        close(sim->signal_fd);
    if (sim->listen_fd >= 0)
        close(sim->listen_fd);
    if (sim->epfd >= 0)
        close(sim->epfd);
}

void runq_add(struct xensim *sim, struct conn *c, domid_t domid,
              unsigned int vcpu)
{
    if (sim->runq_len == sim->runq_cap) {
        unsigned int cap = sim->runq_cap ? sim->runq_cap * 2 : 16;
        struct run_item *q = realloc(sim->runq, cap * sizeof(*q));

        if (!q) {
            sim_log("out of memory queueing work; stopping");
            abort();
        }
        sim->runq = q;
        sim->runq_cap = cap;
    }
    sim->runq[sim->runq_len++] = (struct run_item){
        .conn = c, .domid = domid, .vcpu = vcpu,
    };
}

/* Run what was queued before this round; new work waits for the next. */
static unsigned int run_queue(struct xensim *sim)
{
    unsigned int n = sim->runq_len, i;
    struct run_item *items;

    /* Nothing queued (runq may still be NULL): memcpy must not see it. */
    if (n == 0)
        return 0;
    items = malloc(n * sizeof(*items));
    if (!items)
        return 0;
    memcpy(items, sim->runq, n * sizeof(*items));
    memmove(sim->runq, sim->runq + n, (sim->runq_len - n) * sizeof(*items));
    sim->runq_len -= n;
    for (i = 0; i < n; i++) {
        sim->slice_start = sim_now_ns();
        if (items[i].conn)
            dm_op_continue(items[i].conn);
        else
            vcpu_reexecute(sim, items[i].domid, items[i].vcpu);
    }
    free(items);
    return n;
}

void sim_release(struct xensim *sim, struct watch *w)
{
    w->kind = WATCH_GONE;
    w->next_gone = sim->gone;
    sim->gone = w;
}

int sim_poll(struct xensim *sim, int timeout_ms)
{
    struct epoll_event ev[32];
    int n = epoll_wait(sim->epfd, ev, 32, timeout_ms);
    int i;

    if (n < 0 && errno != EINTR) {
        sim_log("epoll_wait failed: %s; stopping", strerror(errno));
        return -1;
    }
    if (n < 0)
        n = 0;
    for (i = 0; i < n && !sim->quit; i++) {
        struct watch *w = ev[i].data.ptr;
        struct signalfd_siginfo si;

        switch (w->kind) {
        case WATCH_LISTEN:
            conn_accept(sim);
            break;
        case WATCH_SIGNAL:
            if (read(sim->signal_fd, &si, sizeof(si)) == sizeof(si))
                sim->quit = true;
            break;
        case WATCH_CONN:
            conn_event((struct conn *)w, ev[i].events);
            break;
        case WATCH_BINDING:
            binding_event((struct binding *)w);
            break;
        case WATCH_CHANNEL:
            channel_event((struct access_channel *)w);
            break;
        case WATCH_GONE:
            break;              /* released by an earlier event */
        }
    }
    if (!sim->quit)
        n += run_queue(sim);
    free_gone(sim);
    return n;
}
