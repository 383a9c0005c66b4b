/* SPDX-License-Identifier: LGPL-2.1-only */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"

const char *xensim_socket_path(void)
{
    const char *path = getenv(XENSIM_SOCKET_ENV);

    return path && *path ? path : XENSIM_DEFAULT_SOCKET;
}

int xensim_connect(struct xensim_conn *c)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    const char *path = xensim_socket_path();
    int fd, r;

    c->fd = -1;
    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);

    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    if (r < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    r = pthread_mutex_init(&c->lock, NULL);
    if (r) {
        close(fd);
        return -r;
    }
    c->fd = fd;
    return 0;
}

void xensim_disconnect(struct xensim_conn *c)
{
    if (c->fd < 0)
        return;
    close(c->fd);
    c->fd = -1;
    pthread_mutex_destroy(&c->lock);
}

static int send_request(int fd, uint32_t op, const struct iovec *req,
                        unsigned int nreq)
{
    struct xensim_req hdr = { .op = op };
    struct iovec iov[8];
    struct msghdr msg = { .msg_iov = iov };
    unsigned int i;
    ssize_t n;

    if (nreq + 1 > sizeof(iov) / sizeof(iov[0]))
        return -E2BIG;
    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof(hdr);
    for (i = 0; i < nreq; i++) {
        iov[i + 1] = req[i];
        hdr.size += req[i].iov_len;
    }
    if (sizeof(hdr) + hdr.size > XENSIM_MSG_MAX)
        return -E2BIG;
    msg.msg_iovlen = nreq + 1;
    do {
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EPIPE || errno == ECONNRESET ? -EPIPE : -errno;
    return 0;
}

static int receive_reply(int fd, struct xensim_reply *rsp)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * XENSIM_MAX_FDS)];
    } control;
    struct xensim_rsp hdr;
    /* Straight into the caller's buffer; a longer reply is truncated. */
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = rsp->buf, .iov_len = rsp->buf ? rsp->size : 0 },
    };
    struct msghdr msg = {
        .msg_iov = iov,
        .msg_iovlen = 2,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg;
    ssize_t n;

    do {
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);

    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
            size_t nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            size_t i;

            for (i = 0; i < nfds; i++) {
                int rfd;

                memcpy(&rfd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
                if (rsp->nr_fds < XENSIM_MAX_FDS)
                    rsp->fds[rsp->nr_fds++] = rfd;
                else
                    close(rfd);
            }
        }
    }

    if (n < 0)
        return -errno;
    if (n == 0)
        return -EPIPE;                  /* the daemon closed the socket */
    if ((size_t)n < sizeof(hdr) || (msg.msg_flags & MSG_TRUNC) ||
        (size_t)n - sizeof(hdr) != hdr.size)
        return -EPROTO;
    rsp->len = hdr.size;
    return hdr.rc;
}

int xensim_call(struct xensim_conn *c, uint32_t op, const struct iovec *req,
                unsigned int nreq, struct xensim_reply *rsp)
{
    int rc;

    rsp->len = 0;
    rsp->nr_fds = 0;
    if (c->fd < 0)
        return -EBADF;
    pthread_mutex_lock(&c->lock);
    rc = send_request(c->fd, op, req, nreq);
    if (rc == 0)
        rc = receive_reply(c->fd, rsp);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int xensim_call_simple(struct xensim_conn *c, uint32_t op, const void *req,
                       size_t req_size, void *rsp, size_t rsp_size)
{
    struct iovec iov = { .iov_base = (void *)req, .iov_len = req_size };
    struct xensim_reply reply = { .buf = rsp, .size = rsp_size };
    unsigned int i;
    int rc = xensim_call(c, op, &iov, req_size ? 1 : 0, &reply);

    for (i = 0; i < reply.nr_fds; i++)
        close(reply.fds[i]);
    return rc;
}

int xensim_access_channel_open(struct xensim_conn *c,
                               struct xensim_access_channel *chan)
{
    struct xensim_reply reply = { 0 };
    unsigned int i;
    void *mb;
    int rc = xensim_call(c, XENSIM_OP_ACCESS_CHANNEL, NULL, 0, &reply);

    if (rc == 0 && reply.nr_fds != 3)
        rc = -EPROTO;
    if (rc == 0) {
        mb = mmap(NULL, sizeof(*chan->mb), PROT_READ | PROT_WRITE,
                  MAP_SHARED, reply.fds[0], 0);
        if (mb == MAP_FAILED) {
            rc = -errno;
        } else {
            chan->mb = mb;
            chan->kick = reply.fds[1];
            chan->done = reply.fds[2];
            close(reply.fds[0]);
            return 0;
        }
    }
    for (i = 0; i < reply.nr_fds; i++)
        close(reply.fds[i]);
    return rc;
}

void xensim_access_channel_close(struct xensim_access_channel *chan)
{
    munmap(chan->mb, sizeof(*chan->mb));
    close(chan->kick);
    close(chan->done);
}

int xensim_access(struct xensim_access_channel *chan,
                  const struct xensim_guest_access *req,
                  struct xensim_guest_access_rsp *rsp)
{
    volatile struct xensim_access_mailbox *mb = chan->mb;
    uint32_t seq = mb->seq + 1;
    uint64_t v = 1;
    ssize_t n;

    memcpy((void *)&mb->req, req, sizeof(*req));
    __atomic_thread_fence(__ATOMIC_RELEASE);
    mb->seq = seq;
    if (write(chan->kick, &v, sizeof(v)) != sizeof(v))
        return -errno;
    while (mb->done_seq != seq) {
        do {
            n = read(chan->done, &v, sizeof(v));
        } while (n < 0 && errno == EINTR);
        if (n != sizeof(v))
            return n < 0 ? -errno : -EPIPE;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    memcpy(rsp, (const void *)&mb->rsp, sizeof(*rsp));
    return mb->rc;
}
