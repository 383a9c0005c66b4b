/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The client side of xensimd's socket (see xen/include/public/xensim.h):
 * one connection per library handle, one request at a time.
 */
#ifndef XENSIM_TRANSPORT_H
#define XENSIM_TRANSPORT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "xensim.h"

#define XENSIM_MAX_FDS 4

struct xensim_conn {
    int fd;
    pthread_mutex_t lock;       /* one request in flight per connection */
};

/* The socket path: $XENSIM_SOCKET, else XENSIM_DEFAULT_SOCKET. */
const char *xensim_socket_path(void);

/* 0, or -errno (-ENOENT / -ECONNREFUSED: no daemon there). */
int xensim_connect(struct xensim_conn *c);
void xensim_disconnect(struct xensim_conn *c);

struct xensim_reply {
    void *buf;                  /* where the payload goes (may be NULL) */
    size_t size;                /* room in buf */
    size_t len;                 /* OUT: payload bytes received */
    int fds[XENSIM_MAX_FDS];    /* OUT: descriptors received */
    unsigned int nr_fds;        /* OUT */
};

/*
 * Send request op with the payload gathered from req[0..nreq) and wait
 * for the reply.  Returns the reply's rc (>= 0 or -errno), or -EPIPE /
 * -EPROTO if the daemon went away or answered something malformed.  A
 * payload larger than rsp->size is an error (-EPROTO).  Descriptors
 * received are the caller's to close, even on error.
 */
int xensim_call(struct xensim_conn *c, uint32_t op, const struct iovec *req,
                unsigned int nreq, struct xensim_reply *rsp);

/* xensim_call with one request buffer and one reply buffer, no fds. */
int xensim_call_simple(struct xensim_conn *c, uint32_t op, const void *req,
                       size_t req_size, void *rsp, size_t rsp_size);

/*
 * An access channel (XENSIM_OP_ACCESS_CHANNEL): guest accesses through a
 * shared mailbox and eventfds, for clients that make many.
 */
struct xensim_access_channel {
    struct xensim_access_mailbox *mb;
    int kick;
    int done;
};

/* 0 or -errno; the channel lives as long as c. */
int xensim_access_channel_open(struct xensim_conn *c,
                               struct xensim_access_channel *chan);
void xensim_access_channel_close(struct xensim_access_channel *chan);
/* One access, waiting for its result: the access's rc (0 or -errno). */
int xensim_access(struct xensim_access_channel *chan,
                  const struct xensim_guest_access *req,
                  struct xensim_guest_access_rsp *rsp);

#endif /* XENSIM_TRANSPORT_H */
