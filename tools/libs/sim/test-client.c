/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The simulator's Xen libraries against a fake xensimd: a thread that
 * serves a temporary socket, records every request and answers as each
 * test says.  What is checked is what needs no real hypervisor: the
 * client-side checks, the ABI buffers on the wire, what comes back into
 * the caller's outputs, errno, and a daemon that goes away.
 */
#define _GNU_SOURCE
#define __XEN_TOOLS__ 1

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoollog.h>

#include "xensim.h"

#define PAGE 4096
#define FAKE_HANGUP INT_MIN     /* handler result: drop the connection */
#define MAX_CONNS 8
#define MAX_LOG 8

struct fake_msg {
    uint32_t op;
    size_t len;
    uint8_t *data;
};

struct fake;
/* Fill rsp (room: XENSIM_MSG_MAX bytes) and fds; return rc. */
typedef int fake_handler(struct fake *f, const struct fake_msg *req,
                         uint8_t *rsp, size_t *rsp_len, int *fds,
                         unsigned int *nr_fds);

struct fake {
    char dir[64];
    char path[128];
    int listen_fd;
    int stop[2];
    pthread_t thread;
    fake_handler *handler;
    pthread_mutex_t lock;
    unsigned int nr_reqs;
    struct fake_msg log[MAX_LOG];       /* the first requests */

    /* Per-test state the handlers use. */
    int memfd;                          /* guest RAM */
    int evt_in, evt_out;                /* our copies of a port's fds */
    int domains[4];                     /* for getdomaininfo */
    unsigned int nr_domains;
};

/* ---- the fake daemon ---------------------------------------------- */

static void fake_record(struct fake *f, const struct fake_msg *req)
{
    pthread_mutex_lock(&f->lock);
    if (f->nr_reqs < MAX_LOG) {
        struct fake_msg *m = &f->log[f->nr_reqs];

        m->op = req->op;
        m->len = req->len;
        m->data = malloc(req->len ? req->len : 1);
        memcpy(m->data, req->data, req->len);
    }
    f->nr_reqs++;
    pthread_mutex_unlock(&f->lock);
}

static int send_reply(int c, int rc, const uint8_t *payload, size_t len,
                      const int *fds, unsigned int nr_fds)
{
    struct xensim_rsp hdr = { .rc = rc, .size = len };
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = (void *)payload, .iov_len = len },
    };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 4)];
    } control;
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

    if (nr_fds) {
        struct cmsghdr *cmsg;

        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nr_fds);
        cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nr_fds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nr_fds);
    }
    return sendmsg(c, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* One request on connection c; false when the connection is done. */
static bool fake_serve(struct fake *f, int c, uint8_t *buf, uint8_t *rsp)
{
    struct xensim_req hdr;
    struct fake_msg req;
    size_t rsp_len = 0;
    int fds[4];
    unsigned int nr_fds = 0, i;
    ssize_t n = recv(c, buf, XENSIM_MSG_MAX + 1, 0);
    int rc;

    if (n < (ssize_t)sizeof(hdr))
        return false;
    memcpy(&hdr, buf, sizeof(hdr));
    if (hdr.size != (size_t)n - sizeof(hdr))
        return false;
    req.op = hdr.op;
    req.len = hdr.size;
    req.data = buf + sizeof(hdr);
    fake_record(f, &req);

    rc = f->handler(f, &req, rsp, &rsp_len, fds, &nr_fds);
    if (rc == FAKE_HANGUP)
        return false;
    rc = send_reply(c, rc, rsp, rsp_len, fds, nr_fds);
    for (i = 0; i < nr_fds; i++)
        close(fds[i]);
    return rc == 0;
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    uint8_t *buf = malloc(XENSIM_MSG_MAX + 1);
    uint8_t *rsp = malloc(XENSIM_MSG_MAX);
    int conns[MAX_CONNS];
    int nr_conns = 0, i;

    for (;;) {
        struct pollfd pfd[2 + MAX_CONNS];

        pfd[0] = (struct pollfd){ .fd = f->stop[0], .events = POLLIN };
        pfd[1] = (struct pollfd){ .fd = f->listen_fd, .events = POLLIN };
        for (i = 0; i < nr_conns; i++)
            pfd[2 + i] = (struct pollfd){ .fd = conns[i], .events = POLLIN };
        if (poll(pfd, 2 + nr_conns, -1) < 0)
            continue;
        if (pfd[0].revents)
            break;
        if (pfd[1].revents & POLLIN) {
            int c = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);

            if (c >= 0 && nr_conns < MAX_CONNS)
                conns[nr_conns++] = c;
            else if (c >= 0)
                close(c);
        }
        /* Backwards, so that moving the last into a hole is safe. */
        for (i = nr_conns - 1; i >= 0; i--) {
            if (pfd[2 + i].revents && !fake_serve(f, conns[i], buf, rsp)) {
                close(conns[i]);
                conns[i] = conns[--nr_conns];
            }
        }
    }
    for (i = 0; i < nr_conns; i++)
        close(conns[i]);
    free(buf);
    free(rsp);
    return NULL;
}

/* By default every op succeeds and DM ops echo their buffers. */
static int echo_handler(struct fake *f, const struct fake_msg *req,
                        uint8_t *rsp, size_t *rsp_len, int *fds,
                        unsigned int *nr_fds)
{
    (void)f;
    (void)fds;
    (void)nr_fds;
    if (req->op == XENSIM_OP_DM_OP) {
        *rsp_len = req->len - sizeof(struct xensim_dm_op);
        memcpy(rsp, req->data + sizeof(struct xensim_dm_op), *rsp_len);
    }
    return 0;
}

static int fake_setup(void **state)
{
    struct fake *f = calloc(1, sizeof(*f));
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    assert_non_null(f);
    strcpy(f->dir, "/tmp/test-client.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/xensimd.sock", f->dir);
    strcpy(addr.sun_path, f->path);
    f->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    assert_true(f->listen_fd >= 0);
    assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&addr,
                          sizeof(addr)), 0);
    assert_int_equal(listen(f->listen_fd, 8), 0);
    assert_int_equal(pipe2(f->stop, O_CLOEXEC), 0);
    f->handler = echo_handler;
    f->memfd = f->evt_in = f->evt_out = -1;
    pthread_mutex_init(&f->lock, NULL);
    assert_int_equal(setenv(XENSIM_SOCKET_ENV, f->path, 1), 0);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
    *state = f;
    return 0;
}

static int fake_teardown(void **state)
{
    struct fake *f = *state;
    unsigned int i;

    assert_int_equal(write(f->stop[1], "", 1), 1);
    pthread_join(f->thread, NULL);
    close(f->stop[0]);
    close(f->stop[1]);
    close(f->listen_fd);
    unlink(f->path);
    rmdir(f->dir);
    for (i = 0; i < MAX_LOG && i < f->nr_reqs; i++)
        free(f->log[i].data);
    if (f->memfd >= 0)
        close(f->memfd);
    if (f->evt_in >= 0)
        close(f->evt_in);
    if (f->evt_out >= 0)
        close(f->evt_out);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return 0;
}

static unsigned int fake_nr_reqs(struct fake *f)
{
    unsigned int n;

    pthread_mutex_lock(&f->lock);
    n = f->nr_reqs;
    pthread_mutex_unlock(&f->lock);
    return n;
}

/* Request i, which must have been op and len bytes long. */
static const uint8_t *fake_req(struct fake *f, unsigned int i, uint32_t op,
                               size_t len)
{
    assert_true(i < MAX_LOG && i < fake_nr_reqs(f));
    assert_int_equal(f->log[i].op, op);
    assert_int_equal(f->log[i].len, len);
    return f->log[i].data;
}

/*
 * A DM op request: its header must say domid and the buffer sizes; the
 * first buffer must equal *want byte for byte.
 */
static const uint8_t *check_dm_op(struct fake *f, unsigned int i,
                                  domid_t domid, const struct xen_dm_op *want,
                                  size_t size1)
{
    size_t len = sizeof(struct xensim_dm_op) + sizeof(*want) + size1;
    const uint8_t *p = fake_req(f, i, XENSIM_OP_DM_OP, len);
    struct xensim_dm_op hdr;
    unsigned int b;

    memcpy(&hdr, p, sizeof(hdr));
    assert_int_equal(hdr.domid, domid);
    assert_int_equal(hdr.nr_bufs, size1 ? 2 : 1);
    assert_int_equal(hdr.size[0], sizeof(*want));
    assert_int_equal(hdr.size[1], size1);
    for (b = 2; b < XENSIM_DM_OP_MAX_BUFS; b++)
        assert_int_equal(hdr.size[b], 0);
    assert_memory_equal(p + sizeof(hdr), want, sizeof(*want));
    return p + sizeof(hdr) + sizeof(*want);
}

/* A logger that counts errors, so tests can tell what was logged. */
struct count_logger {
    xentoollog_logger vtable;
    unsigned int errors;
};

static void count_vmessage(xentoollog_logger *logger,
                           xentoollog_level level, int errnoval,
                           const char *context, const char *format,
                           va_list al)
{
    (void)errnoval;
    (void)context;
    (void)format;
    (void)al;
    if (level >= XTL_ERROR)
        ((struct count_logger *)logger)->errors++;
}

static void count_destroy(xentoollog_logger *logger)
{
    (void)logger;
}

static struct count_logger quiet_logger(void)
{
    struct count_logger l = {
        .vtable = { .vmessage = count_vmessage, .destroy = count_destroy },
    };

    return l;
}

/* ---- no daemon ---------------------------------------------------- */

static void test_open_without_daemon_is_enoent(void **state)
{
    struct fake *f = *state;
    struct count_logger log = quiet_logger();
    char path[sizeof(f->path) + 8];

    snprintf(path, sizeof(path), "%s/none", f->dir);
    assert_int_equal(setenv(XENSIM_SOCKET_ENV, path, 1), 0);

    errno = 0;
    assert_null(xendevicemodel_open(&log.vtable, 0));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(xenforeignmemory_open(&log.vtable, 0));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(xenevtchn_open(&log.vtable, 0));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(xc_interface_open(&log.vtable, NULL, 0));
    assert_int_equal(errno, ENOENT);
    /* Xen's devicemodel, foreignmemory and xc log this; evtchn never. */
    assert_int_equal(log.errors, 3);
    assert_int_equal(fake_nr_reqs(f), 0);
}

/* ---- libxendevicemodel ------------------------------------------- */

static xendevicemodel_handle *open_dm(void)
{
    xendevicemodel_handle *dmod = xendevicemodel_open(NULL, 0);

    assert_non_null(dmod);
    return dmod;
}

static void test_dm_client_checks_send_nothing(void **state)
{
    struct fake *f = *state;
    xendevicemodel_handle *dmod = open_dm();
    struct xen_dm_op want;
    struct xen_dm_op_map_mem_type_to_ioreq_server *m =
        &want.u.map_mem_type_to_ioreq_server;
    static const uint32_t bad_flags[] = {
        XEN_DMOP_IOREQ_MEM_ACCESS_READ,
        XEN_DMOP_IOREQ_MEM_ACCESS_READ | XEN_DMOP_IOREQ_MEM_ACCESS_WRITE,
        1u << 2, 1u << 31,
    };
    unsigned int i;

    errno = 0;
    assert_int_equal(xendevicemodel_map_mem_type_to_ioreq_server(
        dmod, 1, 2, HVMMEM_ram_rw, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE), -1);
    assert_int_equal(errno, EINVAL);
    for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
        errno = 0;
        assert_int_equal(xendevicemodel_map_mem_type_to_ioreq_server(
            dmod, 1, 2, HVMMEM_ioreq_server, bad_flags[i]), -1);
        assert_int_equal(errno, EINVAL);
    }
    errno = 0;
    assert_int_equal(xendevicemodel_map_pcidev_to_ioreq_server(
        dmod, 1, 2, 0, 0, 0x20, 0), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(xendevicemodel_map_pcidev_to_ioreq_server(
        dmod, 1, 2, 0, 0, 0, 8), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(xendevicemodel_unmap_pcidev_from_ioreq_server(
        dmod, 1, 2, 0, 0, 0xff, 0), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(xendevicemodel_unmap_pcidev_from_ioreq_server(
        dmod, 1, 2, 0, 0, 0, 0xff), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(fake_nr_reqs(f), 0);

    /* The valid claim and unclaim do go out, opaque 0. */
    assert_int_equal(xendevicemodel_map_mem_type_to_ioreq_server(
        dmod, 1, 2, HVMMEM_ioreq_server, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
        0);
    assert_int_equal(xendevicemodel_map_mem_type_to_ioreq_server(
        dmod, 1, 2, HVMMEM_ioreq_server, 0), 0);
    assert_int_equal(fake_nr_reqs(f), 2);
    memset(&want, 0, sizeof(want));
    want.op = XEN_DMOP_map_mem_type_to_ioreq_server;
    m->id = 2;
    m->type = HVMMEM_ioreq_server;
    m->flags = XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    check_dm_op(f, 0, 1, &want, 0);
    m->flags = 0;
    check_dm_op(f, 1, 1, &want, 0);
    xendevicemodel_close(dmod);
}

/* Answers create, get_info, track_dirty_vram and nr_vcpus. */
static int dm_reply_handler(struct fake *f, const struct fake_msg *req,
                            uint8_t *rsp, size_t *rsp_len, int *fds,
                            unsigned int *nr_fds)
{
    struct xen_dm_op op;

    echo_handler(f, req, rsp, rsp_len, fds, nr_fds);
    memcpy(&op, rsp, sizeof(op));
    switch (op.op) {
    case XEN_DMOP_create_ioreq_server:
        op.u.create_ioreq_server.id = 7;
        break;
    case XEN_DMOP_get_ioreq_server_info:
        op.u.get_ioreq_server_info.bufioreq_port = 33;
        op.u.get_ioreq_server_info.ioreq_gfn = 0xfeff0;
        op.u.get_ioreq_server_info.bufioreq_gfn = 0xfeff1;
        break;
    case XEN_DMOP_track_dirty_vram:
        memset(rsp + sizeof(op), 0xa5, *rsp_len - sizeof(op));
        break;
    case XEN_DMOP_nr_vcpus:
        op.u.nr_vcpus.vcpus = 4;
        break;
    }
    memcpy(rsp, &op, sizeof(op));
    return 0;
}

static void test_dm_op_buffers_out_and_back(void **state)
{
    struct fake *f = *state;
    xendevicemodel_handle *dmod = open_dm();
    struct xen_dm_op want;
    struct xen_dm_op_modified_memory_extent ext = { 0 };
    unsigned long bitmap[2] = { 0, 0 };
    ioservid_t id = 0;
    xen_pfn_t ioreq_gfn = 0, bufioreq_gfn = 0;
    evtchn_port_t port = 0;
    unsigned int vcpus = 0;
    const uint8_t *p;

    f->handler = dm_reply_handler;

    assert_int_equal(xendevicemodel_create_ioreq_server(
        dmod, 3, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &id), 0);
    assert_int_equal(id, 7);
    memset(&want, 0, sizeof(want));
    want.op = XEN_DMOP_create_ioreq_server;
    want.u.create_ioreq_server.handle_bufioreq = HVM_IOREQSRV_BUFIOREQ_ATOMIC;
    check_dm_op(f, 0, 3, &want, 0);

    /* No gfn wanted: XEN_DMOP_no_gfns, and the port still comes back. */
    assert_int_equal(xendevicemodel_get_ioreq_server_info(
        dmod, 3, 7, NULL, NULL, &port), 0);
    assert_int_equal(port, 33);
    memset(&want, 0, sizeof(want));
    want.op = XEN_DMOP_get_ioreq_server_info;
    want.u.get_ioreq_server_info.id = 7;
    want.u.get_ioreq_server_info.flags = XEN_DMOP_no_gfns;
    check_dm_op(f, 1, 3, &want, 0);

    assert_int_equal(xendevicemodel_get_ioreq_server_info(
        dmod, 3, 7, &ioreq_gfn, &bufioreq_gfn, NULL), 0);
    assert_int_equal(ioreq_gfn, 0xfeff0);
    assert_int_equal(bufioreq_gfn, 0xfeff1);
    want.u.get_ioreq_server_info.flags = 0;
    check_dm_op(f, 2, 3, &want, 0);

    /* The extent travels as buffer 1. */
    assert_int_equal(xendevicemodel_modified_memory(dmod, 3, 0x1234, 5), 0);
    memset(&want, 0, sizeof(want));
    want.op = XEN_DMOP_modified_memory;
    want.u.modified_memory.nr_extents = 1;
    p = check_dm_op(f, 3, 3, &want, sizeof(ext));
    ext.first_pfn = 0x1234;
    ext.nr = 5;
    assert_memory_equal(p, &ext, sizeof(ext));

    /* 20 pages: a 3-byte bitmap, copied back into the caller's. */
    assert_int_equal(xendevicemodel_track_dirty_vram(
        dmod, 3, 0x100, 20, bitmap), 0);
    assert_int_equal(bitmap[0], 0xa5a5a5);
    assert_int_equal(bitmap[1], 0);
    memset(&want, 0, sizeof(want));
    want.op = XEN_DMOP_track_dirty_vram;
    want.u.track_dirty_vram.first_pfn = 0x100;
    want.u.track_dirty_vram.nr = 20;
    check_dm_op(f, 4, 3, &want, 3);

    /* A PCI device is the one-SBDF range. */
    assert_int_equal(xendevicemodel_map_pcidev_to_ioreq_server(
        dmod, 3, 7, 1, 2, 3, 4), 0);
    memset(&want, 0, sizeof(want));
    want.op = XEN_DMOP_map_io_range_to_ioreq_server;
    want.u.map_io_range_to_ioreq_server.id = 7;
    want.u.map_io_range_to_ioreq_server.type = XEN_DMOP_IO_RANGE_PCI;
    want.u.map_io_range_to_ioreq_server.start = XEN_DMOP_PCI_SBDF(1, 2, 3, 4);
    want.u.map_io_range_to_ioreq_server.end = XEN_DMOP_PCI_SBDF(1, 2, 3, 4);
    check_dm_op(f, 5, 3, &want, 0);

    assert_int_equal(xendevicemodel_set_mem_type(
        dmod, 3, HVMMEM_ioreq_server, 0x80, 16), 0);
    memset(&want, 0, sizeof(want));
    want.op = XEN_DMOP_set_mem_type;
    want.u.set_mem_type.mem_type = HVMMEM_ioreq_server;
    want.u.set_mem_type.first_pfn = 0x80;
    want.u.set_mem_type.nr = 16;
    check_dm_op(f, 6, 3, &want, 0);

    assert_int_equal(xendevicemodel_nr_vcpus(dmod, 3, &vcpus), 0);
    assert_int_equal(vcpus, 4);
    assert_int_equal(fake_nr_reqs(f), 8);
    xendevicemodel_close(dmod);
}

static int fail_handler(struct fake *f, const struct fake_msg *req,
                        uint8_t *rsp, size_t *rsp_len, int *fds,
                        unsigned int *nr_fds)
{
    (void)f;
    (void)rsp;
    (void)rsp_len;
    (void)fds;
    (void)nr_fds;
    return req->op == XENSIM_OP_RESTRICT ? -ESRCH : -EBUSY;
}

static void test_dm_errno_from_rc(void **state)
{
    struct fake *f = *state;
    xendevicemodel_handle *dmod = open_dm();
    ioservid_t id = 99;
    unsigned int vcpus = 99;

    f->handler = fail_handler;
    errno = 0;
    assert_int_equal(xendevicemodel_map_mem_type_to_ioreq_server(
        dmod, 1, 0, HVMMEM_ioreq_server, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
        -1);
    assert_int_equal(errno, EBUSY);
    /* A failed call leaves the outputs alone. */
    errno = 0;
    assert_int_equal(xendevicemodel_create_ioreq_server(dmod, 1, 0, &id), -1);
    assert_int_equal(errno, EBUSY);
    assert_int_equal(id, 99);
    assert_int_equal(xendevicemodel_nr_vcpus(dmod, 1, &vcpus), -1);
    assert_int_equal(vcpus, 99);
    errno = 0;
    assert_int_equal(xendevicemodel_restrict(dmod, 1), -1);
    assert_int_equal(errno, ESRCH);
    fake_req(f, 3, XENSIM_OP_RESTRICT, sizeof(struct xensim_restrict));
    xendevicemodel_close(dmod);
}

static int hangup_handler(struct fake *f, const struct fake_msg *req,
                          uint8_t *rsp, size_t *rsp_len, int *fds,
                          unsigned int *nr_fds)
{
    (void)f;
    (void)req;
    (void)rsp;
    (void)rsp_len;
    (void)fds;
    (void)nr_fds;
    return FAKE_HANGUP;
}

static void test_dead_daemon_is_an_error(void **state)
{
    struct fake *f = *state;
    xendevicemodel_handle *dmod = open_dm();
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    ioservid_t id = 99;

    assert_non_null(xce);
    assert_non_null(xch);
    f->handler = hangup_handler;
    errno = 0;
    assert_int_equal(xendevicemodel_create_ioreq_server(dmod, 1, 0, &id), -1);
    assert_int_equal(errno, EPIPE);
    assert_int_equal(id, 99);
    /* And again, on the dead connection: no SIGPIPE, an error. */
    errno = 0;
    assert_int_equal(xendevicemodel_destroy_ioreq_server(dmod, 1, 1), -1);
    assert_true(errno == EPIPE || errno == ECONNRESET);
    errno = 0;
    assert_int_equal(xenevtchn_bind_interdomain(xce, 1, 1), -1);
    assert_int_equal(errno, EPIPE);
    errno = 0;
    assert_int_equal(xc_domain_pause(xch, 1), -1);
    assert_int_equal(errno, EPIPE);
    assert_int_equal(xendevicemodel_close(dmod), 0);
    assert_int_equal(xenevtchn_close(xce), 0);
    assert_int_equal(xc_interface_close(xch), 0);
}

/* ---- libxenevtchn ------------------------------------------------- */

static int evtchn_handler(struct fake *f, const struct fake_msg *req,
                          uint8_t *rsp, size_t *rsp_len, int *fds,
                          unsigned int *nr_fds)
{
    struct xensim_evtchn_bound bound = { .local_port = 5 };

    if (req->op != XENSIM_OP_EVTCHN_BIND)
        return 0;
    f->evt_in = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    f->evt_out = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    fds[0] = dup(f->evt_in);
    fds[1] = dup(f->evt_out);
    *nr_fds = 2;
    memcpy(rsp, &bound, sizeof(bound));
    *rsp_len = sizeof(bound);
    return 0;
}

static bool readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    return poll(&pfd, 1, 0) == 1;
}

static void test_evtchn_events_bypass_the_socket(void **state)
{
    struct fake *f = *state;
    xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
    struct xensim_evtchn_bind want_bind = {
        .remote_dom = 3, .remote_port = 17,
    };
    struct xensim_evtchn_unbind want_unbind = { .local_port = 5 };
    uint64_t count = 0;
    int fd;

    assert_non_null(xce);
    f->handler = evtchn_handler;
    fd = xenevtchn_fd(xce);

    assert_int_equal(xenevtchn_bind_interdomain(xce, 3, 17), 5);
    assert_memory_equal(fake_req(f, 0, XENSIM_OP_EVTCHN_BIND,
                                 sizeof(want_bind)),
                        &want_bind, sizeof(want_bind));

    /* notify writes the port's eventfd, without a request. */
    assert_int_equal(xenevtchn_notify(xce, 5), 0);
    assert_int_equal(read(f->evt_out, &count, sizeof(count)),
                     sizeof(count));
    assert_int_equal(count, 1);
    errno = 0;
    assert_int_equal(xenevtchn_notify(xce, 6), -1);
    assert_int_equal(errno, ENOTCONN);

    /* The remote end's notifications make the fd readable... */
    assert_false(readable(fd));
    count = 2;
    assert_int_equal(write(f->evt_in, &count, sizeof(count)), sizeof(count));
    assert_true(readable(fd));
    /* ...and pending consumes them, as one event. */
    assert_int_equal(xenevtchn_pending(xce), 5);
    assert_false(readable(fd));
    assert_int_equal(xenevtchn_unmask(xce, 5), 0);

    /* A non-blocking fd makes pending say EAGAIN rather than wait. */
    assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    errno = 0;
    assert_int_equal(xenevtchn_pending(xce), -1);
    assert_int_equal(errno, EAGAIN);

    errno = 0;
    assert_int_equal(xenevtchn_bind_unbound_port(xce, 3), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    errno = 0;
    assert_int_equal(xenevtchn_bind_virq(xce, 0), -1);
    assert_int_equal(errno, EOPNOTSUPP);
    assert_int_equal(fake_nr_reqs(f), 1);

    assert_int_equal(xenevtchn_unbind(xce, 5), 0);
    assert_memory_equal(fake_req(f, 1, XENSIM_OP_EVTCHN_UNBIND,
                                 sizeof(want_unbind)),
                        &want_unbind, sizeof(want_unbind));
    errno = 0;
    assert_int_equal(xenevtchn_notify(xce, 5), -1);
    assert_int_equal(errno, ENOTCONN);
    errno = 0;
    assert_int_equal(xenevtchn_unbind(xce, 5), -1);
    assert_int_equal(errno, ENOTCONN);
    assert_int_equal(fake_nr_reqs(f), 2);
    xenevtchn_close(xce);
}

/* ---- libxenforeignmemory ------------------------------------------ */

#define GUEST_PAGES 16

/* Guest RAM of GUEST_PAGES pages, page g filled with g + 1. */
static void make_guest(struct fake *f)
{
    uint8_t *ram;
    unsigned int g;

    f->memfd = memfd_create("guest", MFD_CLOEXEC);
    assert_true(f->memfd >= 0);
    assert_int_equal(ftruncate(f->memfd, GUEST_PAGES * PAGE), 0);
    ram = mmap(NULL, GUEST_PAGES * PAGE, PROT_WRITE, MAP_SHARED,
               f->memfd, 0);
    assert_true(ram != MAP_FAILED);
    for (g = 0; g < GUEST_PAGES; g++)
        memset(ram + g * PAGE, g + 1, PAGE);
    munmap(ram, GUEST_PAGES * PAGE);
}

static int fmem_handler(struct fake *f, const struct fake_msg *req,
                        uint8_t *rsp, size_t *rsp_len, int *fds,
                        unsigned int *nr_fds)
{
    if (req->op == XENSIM_OP_MAP_FOREIGN) {
        struct xensim_map_foreign mf;
        uint32_t i;

        memcpy(&mf, req->data, sizeof(mf));
        for (i = 0; i < mf.num; i++) {
            uint64_t gfn;
            int32_t err;

            memcpy(&gfn, req->data + sizeof(mf) + i * sizeof(gfn),
                   sizeof(gfn));
            err = gfn < GUEST_PAGES ? 0 : -EINVAL;
            memcpy(rsp + i * sizeof(err), &err, sizeof(err));
        }
        *rsp_len = mf.num * sizeof(int32_t);
    } else if (req->op == XENSIM_OP_MAP_RESOURCE) {
        struct xensim_map_resource mr;
        struct xensim_map_resource_rsp rr = { 0 };

        memcpy(&mr, req->data, sizeof(mr));
        /* The server's 3 frames sit at pages 10-12 of the file. */
        rr.nr_frames = mr.nr_frames ? mr.nr_frames : 3;
        rr.offset = (10 + mr.frame) * PAGE;
        memcpy(rsp, &rr, sizeof(rr));
        *rsp_len = sizeof(rr);
    } else {
        return 0;
    }
    fds[0] = dup(f->memfd);
    *nr_fds = 1;
    return 0;
}

static void test_fmem_map_frames(void **state)
{
    struct fake *f = *state;
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    const xen_pfn_t arr[] = { 3, 4, 5, 9, 2 };
    const xen_pfn_t bad[] = { 1, 20, 2 };
    struct xensim_map_foreign want = {
        .domid = 4, .prot = PROT_READ, .num = 5,
    };
    int err[3] = { 1, 1, 1 };
    uint8_t *p;
    unsigned int i;

    assert_non_null(fmem);
    make_guest(f);
    f->handler = fmem_handler;

    p = xenforeignmemory_map(fmem, 4, PROT_READ, 5, arr, NULL);
    assert_non_null(p);
    for (i = 0; i < 5; i++) {
        assert_int_equal(p[i * PAGE], arr[i] + 1);
        assert_int_equal(p[i * PAGE + PAGE - 1], arr[i] + 1);
    }
    assert_memory_equal(fake_req(f, 0, XENSIM_OP_MAP_FOREIGN,
                                 sizeof(want) + 5 * sizeof(uint64_t)),
                        &want, sizeof(want));
    assert_int_equal(xenforeignmemory_unmap(fmem, p, 5), 0);

    /* With err[], a bad frame is reported and the others mapped. */
    p = xenforeignmemory_map(fmem, 4, PROT_READ, 3, bad, err);
    assert_non_null(p);
    assert_int_equal(err[0], 0);
    assert_int_equal(err[1], -EINVAL);
    assert_int_equal(err[2], 0);
    assert_int_equal(p[0], 2);
    assert_int_equal(p[2 * PAGE], 3);
    assert_int_equal(xenforeignmemory_unmap(fmem, p, 3), 0);

    /* Without, it fails the call. */
    errno = 0;
    assert_null(xenforeignmemory_map(fmem, 4, PROT_READ, 3, bad, NULL));
    assert_int_equal(errno, EINVAL);

    errno = 0;
    assert_null(xenforeignmemory_map(fmem, 4, PROT_READ, 0, arr, NULL));
    assert_int_equal(errno, EINVAL);
    assert_int_equal(fake_nr_reqs(f), 3);
    xenforeignmemory_close(fmem);
}

static void test_fmem_map_batches(void **state)
{
    struct fake *f = *state;
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    const size_t pages = 9000;
    size_t batch = (XENSIM_MSG_MAX - sizeof(struct xensim_req) -
                    sizeof(struct xensim_map_foreign)) / sizeof(uint64_t);
    xen_pfn_t *arr = malloc(pages * sizeof(*arr));
    struct xensim_map_foreign mf;
    uint8_t *p;
    size_t i;

    assert_non_null(fmem);
    assert_non_null(arr);
    make_guest(f);
    f->handler = fmem_handler;
    for (i = 0; i < pages; i++)
        arr[i] = i % GUEST_PAGES;

    p = xenforeignmemory_map(fmem, 4, PROT_READ, pages, arr, NULL);
    assert_non_null(p);
    assert_int_equal(fake_nr_reqs(f), 2);
    memcpy(&mf, fake_req(f, 0, XENSIM_OP_MAP_FOREIGN,
                         sizeof(mf) + batch * sizeof(uint64_t)),
           sizeof(mf));
    assert_int_equal(mf.num, batch);
    memcpy(&mf, fake_req(f, 1, XENSIM_OP_MAP_FOREIGN,
                         sizeof(mf) + (pages - batch) * sizeof(uint64_t)),
           sizeof(mf));
    assert_int_equal(mf.num, pages - batch);
    for (i = 0; i < pages; i += 997)
        assert_int_equal(p[i * PAGE], arr[i] + 1);
    assert_int_equal(p[(pages - 1) * PAGE], arr[pages - 1] + 1);
    /* Left mapped: close releases it. */
    xenforeignmemory_close(fmem);
    free(arr);
}

static void test_fmem_resource(void **state)
{
    struct fake *f = *state;
    xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
    xenforeignmemory_resource_handle *fres;
    struct xensim_map_resource want = {
        .domid = 4, .type = XENMEM_resource_ioreq_server, .id = 1,
        .frame = 1, .nr_frames = 2,
    };
    void *addr = NULL;
    size_t size = 0;
    uint8_t *p;

    assert_non_null(fmem);
    make_guest(f);
    f->handler = fmem_handler;

    assert_int_equal(xenforeignmemory_resource_size(
        fmem, 4, XENMEM_resource_ioreq_server, 1, &size), 0);
    assert_int_equal(size, 3 * PAGE);

    fres = xenforeignmemory_map_resource(
        fmem, 4, XENMEM_resource_ioreq_server, 1, 1, 2, &addr,
        PROT_READ | PROT_WRITE, 0);
    assert_non_null(fres);
    assert_non_null(addr);
    p = addr;
    assert_int_equal(p[0], 12);         /* file page 11 */
    assert_int_equal(p[PAGE], 13);      /* file page 12 */
    assert_memory_equal(fake_req(f, 1, XENSIM_OP_MAP_RESOURCE,
                                 sizeof(want)), &want, sizeof(want));
    assert_int_equal(xenforeignmemory_unmap_resource(fmem, fres), 0);
    xenforeignmemory_close(fmem);
}

/* ---- libxenctrl ---------------------------------------------------- */

static int ctrl_handler(struct fake *f, const struct fake_msg *req,
                        uint8_t *rsp, size_t *rsp_len, int *fds,
                        unsigned int *nr_fds)
{
    struct xen_domctl d;
    unsigned int i;

    (void)fds;
    (void)nr_fds;
    if (req->op == XENSIM_OP_MEMORY_OP) {
        struct xen_memory_reservation res;

        memcpy(&res, req->data + sizeof(struct xensim_memory_op),
               sizeof(res));
        *rsp_len = req->len - sizeof(struct xensim_memory_op) -
                   sizeof(res);
        memcpy(rsp, req->data + req->len - *rsp_len, *rsp_len);
        /* Domain 9 is one extent short of memory. */
        return res.domid == 9 ? (int)res.nr_extents - 1
                              : (int)res.nr_extents;
    }
    if (req->op != XENSIM_OP_DOMCTL)
        return -EOPNOTSUPP;
    memcpy(&d, req->data, sizeof(d));
    if (d.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    switch (d.cmd) {
    case XEN_DOMCTL_createdomain:
        d.domain = 5;
        d.u.createdomain.max_vcpus = 2;
        break;
    case XEN_DOMCTL_getdomaininfo:
        for (i = 0; i < f->nr_domains; i++) {
            if (f->domains[i] >= d.domain)
                break;
        }
        if (i == f->nr_domains)
            return -ESRCH;
        memset(&d.u.getdomaininfo, 0, sizeof(d.u.getdomaininfo));
        d.domain = d.u.getdomaininfo.domain = f->domains[i];
        d.u.getdomaininfo.max_pages = 100 + f->domains[i];
        break;
    case XEN_DOMCTL_shadow_op:
        d.u.shadow_op.mb = 64;
        break;
    }
    memcpy(rsp, &d, sizeof(d));
    *rsp_len = sizeof(d);
    return 0;
}

static void test_ctrl_domctls(void **state)
{
    struct fake *f = *state;
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    struct xen_domctl_createdomain config = { .max_vcpus = 1 };
    struct xen_domctl want;
    xc_domaininfo_t info[4];
    uint32_t domid = 0;
    unsigned int mb = 0;

    assert_non_null(xch);
    f->handler = ctrl_handler;

    config.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    assert_int_equal(xc_domain_create(xch, &domid, &config), 0);
    assert_int_equal(domid, 5);
    assert_int_equal(config.max_vcpus, 2);
    memset(&want, 0, sizeof(want));
    want.cmd = XEN_DOMCTL_createdomain;
    want.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    want.u.createdomain.max_vcpus = 1;
    want.u.createdomain.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
    assert_memory_equal(fake_req(f, 0, XENSIM_OP_DOMCTL, sizeof(want)),
                        &want, sizeof(want));

    assert_int_equal(xc_domain_setmaxmem(xch, 5, 65536), 0);
    memset(&want, 0, sizeof(want));
    want.cmd = XEN_DOMCTL_max_mem;
    want.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    want.domain = 5;
    want.u.max_mem.max_memkb = 65536;
    assert_memory_equal(fake_req(f, 1, XENSIM_OP_DOMCTL, sizeof(want)),
                        &want, sizeof(want));

    /* The list is walked one domctl at a time. */
    f->domains[0] = 1;
    f->domains[1] = 4;
    f->domains[2] = 9;
    f->nr_domains = 3;
    assert_int_equal(xc_domain_getinfolist(xch, 0, 4, info), 3);
    assert_int_equal(info[0].domain, 1);
    assert_int_equal(info[1].domain, 4);
    assert_int_equal(info[2].domain, 9);
    assert_int_equal(info[2].max_pages, 109);
    assert_int_equal(xc_domain_getinfolist(xch, 2, 1, info), 1);
    assert_int_equal(info[0].domain, 4);
    assert_int_equal(xc_domain_getinfolist(xch, 10, 4, info), 0);

    assert_int_equal(xc_shadow_control(xch, 5,
                                       XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY,
                                       &mb, 0), 0);
    assert_int_equal(mb, 64);
    xc_interface_close(xch);
}

static void test_ctrl_populate_physmap(void **state)
{
    struct fake *f = *state;
    struct count_logger log = quiet_logger();
    xc_interface *xch = xc_interface_open(&log.vtable, NULL, 0);
    const unsigned long nr = 9000;
    size_t batch = (XENSIM_MSG_MAX - sizeof(struct xensim_req) -
                    sizeof(struct xensim_memory_op) -
                    sizeof(struct xen_memory_reservation)) /
                   sizeof(xen_pfn_t);
    xen_pfn_t *gfns = malloc(nr * sizeof(*gfns));
    struct xen_memory_reservation res;
    unsigned long i;

    assert_non_null(xch);
    assert_non_null(gfns);
    f->handler = ctrl_handler;
    for (i = 0; i < nr; i++)
        gfns[i] = i;

    assert_int_equal(xc_domain_populate_physmap_exact(xch, 5, nr, 0, 0,
                                                      gfns), 0);
    assert_int_equal(fake_nr_reqs(f), 2);
    memcpy(&res, fake_req(f, 0, XENSIM_OP_MEMORY_OP,
                          sizeof(struct xensim_memory_op) + sizeof(res) +
                          batch * sizeof(xen_pfn_t)) +
                 sizeof(struct xensim_memory_op), sizeof(res));
    assert_int_equal(res.nr_extents, batch);
    assert_int_equal(res.domid, 5);
    fake_req(f, 1, XENSIM_OP_MEMORY_OP, sizeof(struct xensim_memory_op) +
             sizeof(res) + (nr - batch) * sizeof(xen_pfn_t));

    /* One short: the plain call says so, _exact says EBUSY. */
    assert_int_equal(xc_domain_populate_physmap(xch, 9, 10, 0, 0, gfns), 9);
    errno = 0;
    assert_int_equal(xc_domain_populate_physmap_exact(xch, 9, 10, 0, 0,
                                                      gfns), -1);
    assert_int_equal(errno, EBUSY);
    assert_int_equal(log.errors, 0);    /* libxc logs it as detail only */
    xc_interface_close(xch);
    free(gfns);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fake_setup, fake_teardown)
    const struct CMUnitTest tests[] = {
        T(test_open_without_daemon_is_enoent),
        T(test_dm_client_checks_send_nothing),
        T(test_dm_op_buffers_out_and_back),
        T(test_dm_errno_from_rc),
        T(test_dead_daemon_is_an_error),
        T(test_evtchn_events_bypass_the_socket),
        T(test_fmem_map_frames),
        T(test_fmem_map_batches),
        T(test_fmem_resource),
        T(test_ctrl_domctls),
        T(test_ctrl_populate_physmap),
    };
#undef T

    return cmocka_run_group_tests_name("sim-client", tests, NULL, NULL);
}
