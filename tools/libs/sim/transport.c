/* SPDX-License-Identifier: LGPL-2.1-only */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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
    uint8_t *body = malloc(XENSIM_MSG_MAX);
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = body, .iov_len = XENSIM_MSG_MAX },
    };
    struct msghdr msg = {
        .msg_iov = iov,
        .msg_iovlen = 2,
        .msg_control = control.buf,
        .msg_controllen = sizeof(control.buf),
    };
    struct cmsghdr *cmsg;
    ssize_t n;
    int rc;

    if (!body)
        return -ENOMEM;
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

    if (n < 0) {
        rc = -errno;
        goto out;
    }
    if (n == 0) {
        rc = -EPIPE;                    /* the daemon closed the socket */
        goto out;
    }
    if ((size_t)n < sizeof(hdr) || (msg.msg_flags & MSG_TRUNC) ||
        (size_t)n - sizeof(hdr) != hdr.size || hdr.size > rsp->size) {
        rc = -EPROTO;
        goto out;
    }
    if (hdr.size)
        memcpy(rsp->buf, body, hdr.size);
    rsp->len = hdr.size;
    rc = hdr.rc;

 out:
    free(body);
    return rc;
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
