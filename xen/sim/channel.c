/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Access channels: guest accesses requested through a shared mailbox and
 * a pair of eventfds, so that a client driving a vCPU at speed does not
 * pay for the socket on every access (XENSIM_OP_ACCESS_CHANNEL).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim.h"

#define MAILBOX_BYTES   PAGE_SIZE

_Static_assert(sizeof(struct xensim_access_mailbox) <= MAILBOX_BYTES,
               "the mailbox fits its page");

int op_access_channel(struct conn *c, const void *p, size_t len)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
    struct access_channel *chan;
    int fds[3], rc;

    (void)p;
    if (len)
        return SIM_MALFORMED;
    if (!c->caller.is_control)
        return -EPERM;
    if (c->chan)
        return -EBUSY;
    chan = calloc(1, sizeof(*chan));
    if (!chan)
        return -ENOMEM;
    chan->watch.kind = WATCH_CHANNEL;
    chan->owner = c;
    chan->memfd = memfd_create("xensim-access", MFD_CLOEXEC);
    chan->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    chan->done = eventfd(0, EFD_CLOEXEC);
    chan->mb = MAP_FAILED;
    if (chan->memfd >= 0 && ftruncate(chan->memfd, MAILBOX_BYTES) == 0)
        chan->mb = mmap(NULL, MAILBOX_BYTES, PROT_READ | PROT_WRITE,
                        MAP_SHARED, chan->memfd, 0);
    ev.data.ptr = &chan->watch;
    if (chan->kick < 0 || chan->done < 0 || chan->mb == MAP_FAILED ||
        epoll_ctl(c->sim->epfd, EPOLL_CTL_ADD, chan->kick, &ev) < 0) {
        rc = -errno;
        if (chan->mb != MAP_FAILED)
            munmap(chan->mb, MAILBOX_BYTES);
        if (chan->memfd >= 0)
            close(chan->memfd);
        if (chan->kick >= 0)
            close(chan->kick);
        if (chan->done >= 0)
            close(chan->done);
        free(chan);
        return rc;
    }
    c->chan = chan;
    fds[0] = chan->memfd;
    fds[1] = chan->kick;
    fds[2] = chan->done;
    conn_reply(c, 0, NULL, 0, fds, 3);
    return SIM_REPLIED;
}

void channel_post(struct access_channel *chan, int rc,
                  const struct xensim_guest_access_rsp *rsp)
{
    volatile struct xensim_access_mailbox *mb = chan->mb;
    uint64_t one = 1;

    mb->rc = rc;
    mb->rsp.value = rsp->value;
    mb->rsp.flags = rsp->flags;
    mb->rsp.retries = rsp->retries;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    mb->done_seq = chan->seq;
    chan->busy = false;
    if (write(chan->done, &one, sizeof(one)) != sizeof(one)) {
        /* Only a saturated counter fails: the client is signalled. */
    }
}

void channel_event(struct access_channel *chan)
{
    volatile struct xensim_access_mailbox *mb = chan->mb;
    struct xensim *sim = chan->owner->sim;
    struct xensim_guest_access w;
    struct xensim_guest_access_rsp none = { 0 };
    uint32_t seq;
    int rc;

    /* One request at a time: a kick while one runs changes nothing. */
    if (chan->busy)
        return;
    seq = mb->seq;
    if (seq == chan->seq)
        return;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    memcpy(&w, (const void *)&mb->req, sizeof(w));
    chan->seq = seq;
    chan->busy = true;
    chan->domid = w.domid;
    chan->vcpu = w.vcpu;
    rc = vcpu_start(sim, &chan->owner->caller, &w, NULL, chan);
    if (rc)
        channel_post(chan, rc, &none);
}

void channel_close(struct xensim *sim, struct access_channel *chan)
{
    if (!chan)
        return;
    vcpu_forget_channel(sim, chan);
    epoll_ctl(sim->epfd, EPOLL_CTL_DEL, chan->kick, NULL);
    munmap(chan->mb, MAILBOX_BYTES);
    close(chan->memfd);
    close(chan->kick);
    close(chan->done);
    sim_release(sim, &chan->watch);
}
