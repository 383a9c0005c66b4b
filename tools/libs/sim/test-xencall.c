/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The simulator's libxencall against a fake xensimd (a thread serving a
 * temporary socket): HVMOP_get_mem_type goes out as XENSIM_OP_HVM_OP
 * with Xen's struct and comes back into the caller's buffer on success
 * only; every other hypercall is ENOSYS and never reaches the daemon.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define __XEN_TOOLS__ 1

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xencall.h>
#include <xen/xen.h>
#include <xen/hvm/hvm_op.h>

#include "xensim.h"

#define PAGE 4096

struct fake {
    char dir[64];
    char path[96];
    int listen_fd;
    int stop[2];
    pthread_t thread;
    /* What the next HVM_OP gets: rc, and the type written if rc is 0. */
    int rc;
    uint16_t mem_type;
    /* What came: the number of requests, and the last one. */
    pthread_mutex_t lock;
    unsigned int nr_reqs;
    uint32_t op;
    size_t len;
    uint8_t req[128];
};

/* One request on c; false once the connection is done. */
static bool fake_serve(struct fake *f, int c)
{
    uint8_t buf[256];
    struct xensim_req hdr;
    struct xensim_rsp rsp = { 0 };
    struct xen_hvm_get_mem_type arg;
    struct iovec iov[2];
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 1 };
    ssize_t n = recv(c, buf, sizeof(buf), 0);

    if (n < (ssize_t)sizeof(hdr))
        return false;
    memcpy(&hdr, buf, sizeof(hdr));
    pthread_mutex_lock(&f->lock);
    f->nr_reqs++;
    f->op = hdr.op;
    f->len = n - sizeof(hdr);
    memcpy(f->req, buf + sizeof(hdr),
           f->len < sizeof(f->req) ? f->len : sizeof(f->req));
    pthread_mutex_unlock(&f->lock);

    iov[0] = (struct iovec){ .iov_base = &rsp, .iov_len = sizeof(rsp) };
    rsp.rc = f->rc;
    if (hdr.op == XENSIM_OP_HVM_OP &&
        f->len == sizeof(struct xensim_hvm_op) + sizeof(arg)) {
        /* The daemon returns the argument, written or not. */
        memcpy(&arg, buf + sizeof(hdr) + sizeof(struct xensim_hvm_op),
               sizeof(arg));
        if (f->rc == 0)
            arg.mem_type = f->mem_type;
        rsp.size = sizeof(arg);
        iov[1] = (struct iovec){ .iov_base = &arg, .iov_len = sizeof(arg) };
        msg.msg_iovlen = 2;
    }
    return sendmsg(c, &msg, MSG_NOSIGNAL) >= 0;
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    int c = -1;

    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = f->stop[0], .events = POLLIN },
            { .fd = c >= 0 ? c : f->listen_fd, .events = POLLIN },
        };

        if (poll(pfd, 2, -1) < 0)
            continue;
        if (pfd[0].revents)
            break;
        if (!pfd[1].revents)
            continue;
        if (c < 0) {
            c = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        } else if (!fake_serve(f, c)) {
            close(c);
            c = -1;
        }
    }
    if (c >= 0)
        close(c);
    return NULL;
}

static int setup(void **state)
{
    struct fake *f = calloc(1, sizeof(*f));
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/test-xencall.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/sock", f->dir);
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", f->path);
    f->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (f->listen_fd < 0 ||
        bind(f->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
        listen(f->listen_fd, 4) || pipe(f->stop))
        return -1;
    pthread_mutex_init(&f->lock, NULL);
    if (pthread_create(&f->thread, NULL, fake_main, f))
        return -1;
    setenv(XENSIM_SOCKET_ENV, f->path, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fake *f = *state;

    if (write(f->stop[1], "q", 1) != 1)
        return -1;
    pthread_join(f->thread, NULL);
    close(f->stop[0]);
    close(f->stop[1]);
    close(f->listen_fd);
    unlink(f->path);
    rmdir(f->dir);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return 0;
}

static unsigned int nr_reqs(struct fake *f)
{
    unsigned int n;

    pthread_mutex_lock(&f->lock);
    n = f->nr_reqs;
    pthread_mutex_unlock(&f->lock);
    return n;
}

static xen_hvm_get_mem_type_t *new_arg(xencall_handle *h, domid_t domid,
                                       uint64_t pfn)
{
    xen_hvm_get_mem_type_t *a = xencall_alloc_buffer(h, sizeof(*a));

    assert_non_null(a);
    a->domid = domid;
    a->mem_type = 0xbeef;       /* what is left if nothing is written */
    a->pfn = pfn;
    return a;
}

static void test_get_mem_type_round_trip(void **state)
{
    struct fake *f = *state;
    xencall_handle *h = xencall_open(NULL, 0);
    xen_hvm_get_mem_type_t *a;
    struct xensim_hvm_op hdr;
    struct xen_hvm_get_mem_type sent;

    assert_non_null(h);
    a = new_arg(h, 7, 0x1234);
    f->mem_type = HVMMEM_ioreq_server;
    assert_int_equal(xencall2(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                              (uintptr_t)a), 0);
    assert_int_equal(a->mem_type, HVMMEM_ioreq_server);
    assert_int_equal(a->domid, 7);
    assert_int_equal(a->pfn, 0x1234);

    /* On the wire: the op, then Xen's struct as the caller filled it. */
    assert_int_equal(nr_reqs(f), 1);
    assert_int_equal(f->op, XENSIM_OP_HVM_OP);
    assert_int_equal(f->len, sizeof(hdr) + sizeof(sent));
    memcpy(&hdr, f->req, sizeof(hdr));
    memcpy(&sent, f->req + sizeof(hdr), sizeof(sent));
    assert_int_equal(hdr.cmd, HVMOP_get_mem_type);
    assert_int_equal(hdr.pad, 0);
    assert_int_equal(sent.domid, 7);
    assert_int_equal(sent.pfn, 0x1234);

    /* Every arity from 2 up reaches do_hvm_op, which ignores the rest. */
    f->mem_type = HVMMEM_ram_ro;
    assert_int_equal(xencall3(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                              (uintptr_t)a, 99), 0);
    assert_int_equal(a->mem_type, HVMMEM_ram_ro);
    f->mem_type = HVMMEM_mmio_dm;
    assert_int_equal(xencall5(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                              (uintptr_t)a, 1, 2, 3), 0);
    assert_int_equal(a->mem_type, HVMMEM_mmio_dm);
    f->mem_type = HVMMEM_ram_rw;
    assert_int_equal(xencall2L(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                               (uintptr_t)a), 0);
    assert_int_equal(a->mem_type, HVMMEM_ram_rw);
    assert_int_equal(nr_reqs(f), 4);

    xencall_free_buffer(h, a);
    assert_int_equal(xencall_close(h), 0);
}

/* An error leaves the caller's buffer as it was, as Xen does. */
static void test_get_mem_type_error_writes_nothing(void **state)
{
    struct fake *f = *state;
    xencall_handle *h = xencall_open(NULL, 0);
    xen_hvm_get_mem_type_t *a;

    assert_non_null(h);
    a = new_arg(h, 9, 1);
    f->rc = -ESRCH;
    f->mem_type = HVMMEM_ioreq_server;
    errno = 0;
    assert_int_equal(xencall2(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                              (uintptr_t)a), -1);
    assert_int_equal(errno, ESRCH);
    assert_int_equal(a->mem_type, 0xbeef);
    xencall_free_buffer(h, a);
    xencall_close(h);
}

/* Anything else: ENOSYS (EFAULT for a null argument), nothing sent. */
static void test_other_hypercalls_are_enosys(void **state)
{
    struct fake *f = *state;
    xencall_handle *h = xencall_open(NULL, 0);
    xen_hvm_get_mem_type_t *a;

    assert_non_null(h);
    a = new_arg(h, 1, 1);
#define ENOSYS_CALL(call) do {                                          \
        errno = 0;                                                      \
        assert_int_equal((call), -1);                                   \
        assert_int_equal(errno, ENOSYS);                                \
    } while (0)
    ENOSYS_CALL(xencall0(h, __HYPERVISOR_sched_op));
    ENOSYS_CALL(xencall1(h, __HYPERVISOR_xen_version, 0));
    /* HVMOP_set_mem_type (8) and a get_mem_type with high bits set. */
    ENOSYS_CALL(xencall2(h, __HYPERVISOR_hvm_op, 8, (uintptr_t)a));
    ENOSYS_CALL(xencall2(h, __HYPERVISOR_hvm_op,
                         HVMOP_get_mem_type | (1ULL << 32), (uintptr_t)a));
    ENOSYS_CALL(xencall2L(h, __HYPERVISOR_memory_op, 0, (uintptr_t)a));
    ENOSYS_CALL(xencall3(h, __HYPERVISOR_dm_op, 1, 1, (uintptr_t)a));
    ENOSYS_CALL(xencall4(h, __HYPERVISOR_domctl, (uintptr_t)a, 0, 0, 0));
    ENOSYS_CALL(xencall5(h, __HYPERVISOR_event_channel_op, 0, 0, 0, 0, 0));
#undef ENOSYS_CALL
    errno = 0;
    assert_int_equal(xencall1(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type),
                     -1);
    assert_int_equal(errno, EFAULT);
    errno = 0;
    assert_int_equal(xencall2(h, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                              0), -1);
    assert_int_equal(errno, EFAULT);
    assert_int_equal(nr_reqs(f), 0);
    assert_int_equal(a->mem_type, 0xbeef);
    xencall_free_buffer(h, a);
    xencall_close(h);
}

static void test_buffers(void **state)
{
    xencall_handle *h = xencall_open(NULL, 0);
    uint8_t *small, *pages;
    size_t i;

    (void)state;
    assert_non_null(h);
    small = xencall_alloc_buffer(h, 100);
    assert_non_null(small);
    for (i = 0; i < 100; i++)
        assert_int_equal(small[i], 0);
    pages = xencall_alloc_buffer_pages(h, 3);
    assert_non_null(pages);
    assert_int_equal((uintptr_t)pages % PAGE, 0);
    for (i = 0; i < 3 * PAGE; i++)
        assert_int_equal(pages[i], 0);
    memset(pages, 0xaa, 3 * PAGE);
    xencall_free_buffer_pages(h, pages, 3);
    xencall_free_buffer(h, small);
    assert_int_equal(xencall_buffers_never_fault(h), 1);
    assert_int_equal(xencall_close(h), 0);
    assert_int_equal(xencall_close(NULL), 0);
}

/* No daemon: the open fails with the connection's errno. */
static void test_open_without_daemon_fails(void **state)
{
    struct fake *f = *state;
    char path[128];

    (void)f;
    snprintf(path, sizeof(path), "%s/nothing-here", f->dir);
    setenv(XENSIM_SOCKET_ENV, path, 1);
    errno = 0;
    assert_null(xencall_open(NULL, 0));
    assert_int_equal(errno, ENOENT);
    setenv(XENSIM_SOCKET_ENV, f->path, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_mem_type_round_trip,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_get_mem_type_error_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_hypercalls_are_enosys,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_without_daemon_fails,
                                        setup, teardown),
    };

    return cmocka_run_group_tests_name("libxencall", tests, NULL, NULL);
}
