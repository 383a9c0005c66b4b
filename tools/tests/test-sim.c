/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * End-to-end tests of xensimd: the rules of DESIGN.md section 4 and the
 * reliability rules of section 7, driven the way a device model and a
 * toolstack drive real Xen, through Xen's libraries (the simulator's
 * libxendevicemodel, libxenforeignmemory, libxenevtchn, libxenctrl) and,
 * where no library has a call (guest accesses, HVMOP_get_mem_type, raw
 * domctls, malformed messages), through the client transport.
 *
 * Each test starts its own xensimd-debug (the model's invariant checks
 * and the sanitizers on), builds a guest with libxenctrl as mkdomain
 * does, and plays the device model itself: it maps its ioreq server's
 * page with xenforeignmemory_map_resource, binds the vCPUs' ports with
 * xenevtchn_bind_interdomain and answers in the slot.  The guest is
 * played with XENSIM_OP_GUEST_ACCESS, sent without waiting so that the
 * test can answer the request the access causes.  What each test checks
 * afterwards is the state: the types HVMOP_get_mem_type reports, guest
 * RAM through xenforeignmemory_map, who holds the claim, what reached
 * the device model.
 *
 * The fine-grained errno cases of each rule are test-conformance's, on
 * the model directly; here each rule is reached once through the real
 * API and the daemon.  Nothing waits on a clock: an access either
 * completes or stops on a request, and the test waits for whichever
 * happens first; where requests of several clients must meet inside
 * the daemon, the daemon is frozen (SIGSTOP) while they queue up.  Only
 * a hang guard (see the watchdog) turns a daemon that stopped answering
 * into a failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define __XEN_TOOLS__ 1

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoollog.h>

#include "guest-build.h"
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "xensim.h"
#include "../libs/sim/transport.h"

#ifndef XENSIMD_DEBUG
#error "XENSIMD_DEBUG must name the xensimd-debug binary"
#endif

#define PAGE            4096UL
#define GPA(gfn)        ((uint64_t)(gfn) * PAGE)

/* The guest every test gets: 16 MiB, gfns 0 - 0xfff, two vCPUs. */
#define NR_VCPUS        2
#define GUEST_MIB       16UL
#define GUEST_PAGES     (GUEST_MIB << 8)
#define LAST_GFN        (GUEST_PAGES - 1)

/* Pages laid out as in test-conformance (and the measurement on Xen). */
#define GFN_T           0x100UL     /* typed */
#define GFN_P           0x101UL     /* plain RAM between two typed pages */
#define GFN_T2          0x102UL     /* typed */
#define GFN_PLAIN       0x104UL     /* never typed */
#define GFN_HOLE        0x2000UL    /* below the gfn limit, never RAM */
#define GFN_MMIO        0x3000UL    /* a hole a server's range covers */
#define GFN_BEYOND      0x400000UL  /* beyond every gfn a guest may have */

/* Guest RAM the fixture keeps mapped, as the device model would. */
#define WINDOW_FIRST    0x100UL
#define WINDOW_PAGES    16UL

/* The big guest of the continuation test: 4 GiB, 1M pages. */
#define BIG_MIB         4096UL
#define BIG_PAGES       (BIG_MIB << 8)

#define MAX_DMS         3
#define MAX_CHILDREN    2

/* ------------------------------------------------------------------ */
/* Checks that say what failed                                         */

static void check_ok(int rc, int err, const char *what, const char *file,
                     int line)
{
    if (rc >= 0)
        return;
    print_error("%s: returned %d, errno %d (%s)\n", what, rc, err,
                strerror(err));
    _fail(file, line);
}

static void check_errno(int rc, int err, int want, const char *what,
                        const char *file, int line)
{
    if (rc == -1 && err == want)
        return;
    print_error("%s: returned %d, errno %d (%s); expected -1 with errno "
                "%d (%s)\n", what, rc, rc == -1 ? err : 0,
                rc == -1 ? strerror(err) : "-", want, strerror(want));
    _fail(file, line);
}

/* The call succeeds (>= 0); errno is read before anything else runs. */
#define assert_ok(call) do {                                            \
        int r_ = (call);                                                \
        check_ok(r_, errno, #call, __FILE__, __LINE__);                 \
    } while (0)

/* The call fails with errno want. */
#define assert_errno(call, want) do {                                   \
        int r_ = (call);                                                \
        check_errno(r_, errno, (want), #call, __FILE__, __LINE__);      \
    } while (0)

/* ------------------------------------------------------------------ */
/* The daemon                                                          */

/*
 * A hang guard, not a clock: the tests never wait on time, so a daemon
 * that stops answering would block them for good.  If a test is still
 * running after XENSIM_TEST_WATCHDOG seconds (default 300, 0: never;
 * the whole group takes seconds), its daemon is killed; every call
 * blocked on it then fails, and the test with them.
 */
static volatile pid_t watched_daemon;

static void watchdog_fired(int sig)
{
    static const char msg[] = "test-sim: a test hangs: killing its "
                              "xensimd so that it fails\n";
    pid_t pid = watched_daemon;

    (void)sig;
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* Nothing more to say. */
    }
    if (pid > 0)
        kill(pid, SIGKILL);
}

static void watchdog_arm(pid_t daemon)
{
    const char *env = getenv("XENSIM_TEST_WATCHDOG");

    watched_daemon = daemon;
    alarm(env && *env ? (unsigned int)strtoul(env, NULL, 10) : 300);
}

static void watchdog_disarm(void)
{
    alarm(0);
    watched_daemon = 0;
}

/* Every daemon of the group keeps its directory (socket, log) here. */
static char group_dir[] = "/tmp/test-sim.XXXXXX";
static unsigned int nr_daemons;

struct daemon {
    pid_t pid;                  /* 0: not running */
    char dir[64];
    char sock[96];
    char log[96];
};

static const char *daemon_binary(void)
{
    const char *p = getenv("XENSIMD");

    return p && *p ? p : XENSIMD_DEBUG;
}

/*
 * Start a private xensimd-debug on <dir>/sock, its stderr in <dir>'s log,
 * and point the libraries at it.  The daemon renames its socket into
 * place only once it serves, so the socket existing means ready.
 */
static int daemon_start(struct daemon *d)
{
    const char *bin = daemon_binary();
    struct timespec pause = { 0, 1000000 };
    int status;

    memset(d, 0, sizeof(*d));
    snprintf(d->dir, sizeof(d->dir), "%s/%02u", group_dir, ++nr_daemons);
    snprintf(d->sock, sizeof(d->sock), "%s/sock", d->dir);
    snprintf(d->log, sizeof(d->log), "%s/xensimd.log", d->dir);
    if (mkdir(d->dir, 0700) < 0) {
        print_error("cannot create %s: %s\n", d->dir, strerror(errno));
        return -1;
    }

    d->pid = fork();
    if (d->pid < 0) {
        d->pid = 0;
        return -1;
    }
    if (d->pid == 0) {
        int log = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
                       0600);
        int null = open("/dev/null", O_RDWR);

        if (log < 0 || null < 0)
            _exit(126);
        dup2(null, STDIN_FILENO);
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        execl(bin, bin, "--foreground", "--socket", d->sock, (char *)NULL);
        _exit(127);
    }

    for (;;) {
        struct stat st;

        if (stat(d->sock, &st) == 0 && S_ISSOCK(st.st_mode))
            break;
        if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
            print_error("%s exited (status %#x) before serving; see %s\n",
                        bin, status, d->log);
            d->pid = 0;
            return -1;
        }
        nanosleep(&pause, NULL);
    }
    setenv(XENSIM_SOCKET_ENV, d->sock, 1);
    watchdog_arm(d->pid);
    return 0;
}

/* SIGTERM, as an init system stops it: it must exit 0. */
static int daemon_stop(struct daemon *d)
{
    int status;

    watchdog_disarm();
    if (d->pid <= 0)
        return 0;
    kill(d->pid, SIGTERM);
    kill(d->pid, SIGCONT);      /* a test may have failed while frozen */
    while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR)
        ;
    d->pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        print_error("xensimd exited with status %d; see %s\n",
                    WEXITSTATUS(status), d->log);
    else
        print_error("xensimd died of signal %d; see %s\n",
                    WIFSIGNALED(status) ? WTERMSIG(status) : -1, d->log);
    return -1;
}

/*
 * Stop the daemon wherever it is, so that requests sent meanwhile queue
 * up in the order they are sent: it serves them in that order once
 * thawed (epoll reports ready connections first come, first served).
 */
static void daemon_freeze(struct daemon *d)
{
    int status;

    assert_int_equal(kill(d->pid, SIGSTOP), 0);
    assert_int_equal(waitpid(d->pid, &status, WUNTRACED), d->pid);
    assert_true(WIFSTOPPED(status));
}

static void daemon_thaw(struct daemon *d)
{
    assert_int_equal(kill(d->pid, SIGCONT), 0);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0, n;
    char chunk[4096];

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        char *p = realloc(buf, len + n + 1);

        if (!p) {
            free(buf);
            fclose(f);
            return NULL;
        }
        buf = p;
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

/* Lines of the daemon's log that hold both needles (needle2 may be NULL). */
static unsigned int log_count(const struct daemon *d, const char *needle,
                              const char *needle2)
{
    char *log = read_file(d->log), *line, *save = NULL;
    unsigned int n = 0;

    if (!log)
        return 0;
    for (line = strtok_r(log, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strstr(line, needle) && (!needle2 || strstr(line, needle2)))
            n++;
    free(log);
    return n;
}

static bool has_sanitizer_report(const char *log)
{
    return strstr(log, "Sanitizer") || strstr(log, "runtime error");
}

/* ------------------------------------------------------------------ */
/* Raw calls over the transport                                        */

static int raw_connect(struct xensim_conn *c)
{
    int rc = xensim_connect(c);

    if (rc)
        print_error("cannot connect to %s: %s\n", xensim_socket_path(),
                    strerror(-rc));
    return rc;
}

/* Send request op without waiting for the answer. */
static void raw_send(struct xensim_conn *c, uint32_t op, const void *p,
                     size_t len)
{
    struct xensim_req hdr = { .op = op, .size = len };
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = (void *)p, .iov_len = len },
    };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
    ssize_t n;

    do {
        n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    assert_int_equal(n, sizeof(hdr) + len);
}

/* The answer to what raw_send sent: rc, and its payload if it has one. */
static int raw_recv(struct xensim_conn *c, void *buf, size_t size)
{
    uint8_t m[sizeof(struct xensim_rsp) + 512];
    struct xensim_rsp hdr;
    ssize_t n;

    assert_true(size <= sizeof(m) - sizeof(hdr));
    do {
        n = recv(c->fd, m, sizeof(m), 0);
    } while (n < 0 && errno == EINTR);
    if (n == 0)
        fail_msg("the daemon closed the connection");
    assert_true(n >= (ssize_t)sizeof(hdr));
    memcpy(&hdr, m, sizeof(hdr));
    assert_int_equal(hdr.size, (size_t)n - sizeof(hdr));
    if (hdr.size) {
        assert_int_equal(hdr.size, size);
        memcpy(buf, m + sizeof(hdr), size);
    }
    return hdr.rc;
}

/* HVMOP_get_mem_type, split: send now, the type (or -errno) later. */
static void mem_type_send(struct xensim_conn *c, domid_t domid,
                          uint64_t pfn)
{
    struct {
        struct xensim_hvm_op hdr;
        struct xen_hvm_get_mem_type arg;
    } req = {
        .hdr = { .cmd = HVMOP_get_mem_type },
        .arg = { .domid = domid, .pfn = pfn },
    };

    raw_send(c, XENSIM_OP_HVM_OP, &req, sizeof(req));
}

static int mem_type_recv(struct xensim_conn *c)
{
    struct xen_hvm_get_mem_type out;
    int rc = raw_recv(c, &out, sizeof(out));

    return rc < 0 ? rc : out.mem_type;
}

/* HVMOP_get_mem_type: the type, or -errno. */
static int mem_type(struct xensim_conn *c, domid_t domid, uint64_t pfn)
{
    mem_type_send(c, domid, pfn);
    return mem_type_recv(c);
}

static const char *type_name(int t)
{
    switch (t) {
    case HVMMEM_ram_rw:
        return "ram_rw";
    case HVMMEM_ram_ro:
        return "ram_ro";
    case HVMMEM_mmio_dm:
        return "mmio_dm";
    case HVMMEM_ioreq_server:
        return "ioreq_server";
    default:
        return t < 0 ? strerror(-t) : "?";
    }
}

static void check_types(struct xensim_conn *c, domid_t domid, uint64_t pfn,
                        uint64_t nr, uint64_t step, int want,
                        const char *file, int line)
{
    uint64_t i;

    for (i = 0; i < nr; i += step) {
        int t = mem_type(c, domid, pfn + i);

        if (t != want) {
            print_error("domain %u gfn %#" PRIx64 ": type %s, expected %s\n",
                        domid, pfn + i, type_name(t), type_name(want));
            _fail(file, line);
        }
    }
}

/* Every page of [pfn, pfn + nr) reads back as type want. */
#define assert_types(c, domid, pfn, nr, want) \
    check_types((c), (domid), (pfn), (nr), 1, (want), __FILE__, __LINE__)

/*
 * The daemon orders nothing across connections: a process's exit (its
 * sockets closing) may be seen after a request another connection sent
 * later.  So what follows a close is waited for, for at most 10 s, and
 * then checked as usual.
 */
static bool types_are(struct xensim_conn *c, domid_t domid, uint64_t pfn,
                      uint64_t nr, int want)
{
    uint64_t i;

    for (i = 0; i < nr; i++)
        if (mem_type(c, domid, pfn + i) != want)
            return false;
    return true;
}

#define assert_types_soon(c, domid, pfn, nr, want) do {                 \
        unsigned int tries_;                                            \
                                                                        \
        for (tries_ = 0; tries_ < 1000 &&                               \
             !types_are((c), (domid), (pfn), (nr), (want)); tries_++)   \
            usleep(10000);                                              \
        assert_types((c), (domid), (pfn), (nr), (want));                \
    } while (0)

/* One raw dm_op with a single struct xen_dm_op buffer: rc (-errno). */
static int raw_dm_op(struct xensim_conn *c, domid_t domid,
                     struct xen_dm_op *op)
{
    struct xensim_dm_op hdr = {
        .domid = domid, .nr_bufs = 1, .size = { sizeof(*op) },
    };
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = op, .iov_len = sizeof(*op) },
    };
    struct xensim_reply rsp = { .buf = op, .size = sizeof(*op) };
    int rc = xensim_call(c, XENSIM_OP_DM_OP, iov, 2, &rsp);
    unsigned int i;

    for (i = 0; i < rsp.nr_fds; i++)
        close(rsp.fds[i]);
    return rc;
}

/*
 * XEN_DOMCTL_shadow_op PEEK: libxenctrl's subset has no call for it.
 * The dirty bitmap of the first pages pages goes to bitmap.
 */
static int peek_dirty(struct xensim_conn *c, domid_t domid, uint8_t *bitmap,
                      uint32_t pages, uint32_t *dirty_count)
{
    struct xen_domctl op;
    size_t bytes = (pages + 7) / 8;
    uint8_t *buf = calloc(1, sizeof(op) + bytes);
    struct iovec iov = { .iov_base = &op, .iov_len = sizeof(op) };
    struct xensim_reply rsp = { .buf = buf, .size = sizeof(op) + bytes };
    int rc;

    if (!buf)
        return -ENOMEM;
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_shadow_op;
    op.domain = domid;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.u.shadow_op.op = XEN_DOMCTL_SHADOW_OP_PEEK;
    op.u.shadow_op.pages = pages;
    rc = xensim_call(c, XENSIM_OP_DOMCTL, &iov, 1, &rsp);
    if (rc == 0 && rsp.len != sizeof(op) + bytes)
        rc = -EPROTO;
    if (rc == 0) {
        memcpy(&op, buf, sizeof(op));
        memcpy(bitmap, buf + sizeof(op), bytes);
        *dirty_count = op.u.shadow_op.stats.dirty_count;
    }
    free(buf);
    return rc;
}

static bool test_bit_le(const uint8_t *bitmap, unsigned long bit)
{
    return bitmap[bit / 8] & (1u << (bit % 8));
}

/* ------------------------------------------------------------------ */
/* The guest: accesses by a vCPU, sent without waiting for the answer  */

static void guest_send(struct xensim_conn *c,
                       const struct xensim_guest_access *a)
{
    raw_send(c, XENSIM_OP_GUEST_ACCESS, a, sizeof(*a));
}

/* The answer to the access sent on c: its rc, and *rsp if rc is 0. */
static int guest_recv(struct xensim_conn *c,
                      struct xensim_guest_access_rsp *rsp)
{
    struct {
        struct xensim_rsp hdr;
        struct xensim_guest_access_rsp body;
    } m;
    ssize_t n;

    do {
        n = recv(c->fd, &m, sizeof(m), 0);
    } while (n < 0 && errno == EINTR);
    if (n == 0)
        fail_msg("the daemon closed the guest's connection");
    assert_true(n >= (ssize_t)sizeof(m.hdr));
    assert_int_equal(m.hdr.size, (size_t)n - sizeof(m.hdr));
    if (m.hdr.rc == 0) {
        assert_int_equal(n, sizeof(m));
        *rsp = m.body;
    }
    return m.hdr.rc;
}

/* ------------------------------------------------------------------ */
/* The device model the tests play                                     */

struct dm {
    bool open;
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenevtchn_handle *xce;
    domid_t domid;
    ioservid_t id;
    xenforeignmemory_resource_handle *fres;
    shared_iopage_t *iopage;
    unsigned int nr_vcpus;
    evtchn_port_t vp_eport[NR_VCPUS];
    evtchn_port_t local[NR_VCPUS];
    bool bound[NR_VCPUS];
};

/*
 * The functions below return 0 or -errno and assert nothing, so that a
 * forked child can play a device model too.
 */
static int dm_open(struct dm *dm, domid_t domid, bool restricted)
{
    memset(dm, 0, sizeof(*dm));
    dm->open = true;
    dm->domid = domid;
    dm->nr_vcpus = NR_VCPUS;
    dm->dmod = xendevicemodel_open(NULL, 0);
    dm->fmem = xenforeignmemory_open(NULL, 0);
    dm->xce = xenevtchn_open(NULL, 0);
    if (!dm->dmod || !dm->fmem || !dm->xce)
        return -errno;
    /* As a deprivileged QEMU does: every handle confined to its guest. */
    if (restricted &&
        (xendevicemodel_restrict(dm->dmod, domid) ||
         xenforeignmemory_restrict(dm->fmem, domid) ||
         xenevtchn_restrict(dm->xce, domid)))
        return -errno;
    return 0;
}

/* Map the server's synchronous ioreq page; the slots hold the ports. */
static int dm_map(struct dm *dm)
{
    void *addr = NULL;

    dm->fres = xenforeignmemory_map_resource(
        dm->fmem, dm->domid, XENMEM_resource_ioreq_server, dm->id,
        XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr,
        PROT_READ | PROT_WRITE, 0);
    if (!dm->fres)
        return -errno;
    dm->iopage = addr;
    return 0;
}

static int dm_bind(struct dm *dm)
{
    unsigned int v;

    for (v = 0; v < dm->nr_vcpus; v++) {
        int port = xenevtchn_bind_interdomain(dm->xce, dm->domid,
                                              dm->vp_eport[v]);

        if (port < 0)
            return -errno;
        dm->local[v] = port;
        dm->bound[v] = true;
    }
    return 0;
}

/* A server, enabled, its page mapped, and (if bind) its ports bound. */
static int dm_server(struct dm *dm, bool bind)
{
    unsigned int v;
    int rc;

    if (xendevicemodel_create_ioreq_server(dm->dmod, dm->domid,
                                           HVM_IOREQSRV_BUFIOREQ_OFF,
                                           &dm->id))
        return -errno;
    if (xendevicemodel_set_ioreq_server_state(dm->dmod, dm->domid, dm->id,
                                              1))
        return -errno;
    rc = dm_map(dm);
    if (rc)
        return rc;
    for (v = 0; v < dm->nr_vcpus; v++)
        dm->vp_eport[v] = dm->iopage->vcpu_ioreq[v].vp_eport;
    return bind ? dm_bind(dm) : 0;
}

/* Forget the server's page and ports (the server itself may be gone). */
static void dm_server_forget(struct dm *dm)
{
    unsigned int v;

    if (dm->fres)
        xenforeignmemory_unmap_resource(dm->fmem, dm->fres);
    dm->fres = NULL;
    dm->iopage = NULL;
    for (v = 0; v < dm->nr_vcpus; v++) {
        if (dm->bound[v])
            (void)xenevtchn_unbind(dm->xce, dm->local[v]);
        dm->bound[v] = false;
    }
}

static int dm_claim(struct dm *dm)
{
    return xendevicemodel_map_mem_type_to_ioreq_server(
        dm->dmod, dm->domid, dm->id, HVMMEM_ioreq_server,
        XEN_DMOP_IOREQ_MEM_ACCESS_WRITE) ? -errno : 0;
}

static int dm_release(struct dm *dm)
{
    return xendevicemodel_map_mem_type_to_ioreq_server(
        dm->dmod, dm->domid, dm->id, HVMMEM_ioreq_server, 0) ? -errno : 0;
}

static void dm_close(struct dm *dm)
{
    if (!dm->open)
        return;
    dm_server_forget(dm);
    xenevtchn_close(dm->xce);
    xenforeignmemory_close(dm->fmem);
    xendevicemodel_close(dm->dmod);
    memset(dm, 0, sizeof(*dm));
}

static volatile ioreq_t *dm_slot(struct dm *dm, unsigned int vcpu)
{
    return &dm->iopage->vcpu_ioreq[vcpu];
}

static uint8_t slot_state(volatile ioreq_t *slot)
{
    uint8_t state = slot->state;

    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return state;
}

static void set_slot_state(volatile ioreq_t *slot, uint8_t state)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
    slot->state = state;
}

/*
 * Wait for a request, as a device model blocks on its event channel.
 * guest_fd (or -1) is the connection of the access that should cause
 * it: if that access completes first, no request is coming, which is
 * -ENOMSG rather than a hang.  Returns the vCPU, its slot in *req.
 */
static int dm_wait(struct dm *dm, int guest_fd, ioreq_t *req)
{
    struct pollfd pfd[2] = {
        { .fd = xenevtchn_fd(dm->xce), .events = POLLIN },
        { .fd = guest_fd, .events = POLLIN },
    };
    unsigned int v;
    int port;

    while (poll(pfd, 2, -1) < 0)
        if (errno != EINTR)
            return -errno;
    if (!(pfd[0].revents & POLLIN))
        return -ENOMSG;
    port = xenevtchn_pending(dm->xce);
    if (port < 0)
        return -errno;
    xenevtchn_unmask(dm->xce, port);
    for (v = 0; v < dm->nr_vcpus; v++) {
        if (dm->bound[v] && dm->local[v] == (evtchn_port_t)port) {
            volatile ioreq_t *slot = dm_slot(dm, v);

            if (slot_state(slot) != STATE_IOREQ_READY)
                return -EPROTO;     /* notified without a request */
            memcpy(req, (const void *)slot, sizeof(*req));
            return v;
        }
    }
    return -EBADF;
}

/* The device model's side of the protocol: INPROCESS, IORESP_READY. */
static int dm_respond(struct dm *dm, unsigned int vcpu, uint64_t data)
{
    volatile ioreq_t *slot = dm_slot(dm, vcpu);

    set_slot_state(slot, STATE_IOREQ_INPROCESS);
    slot->data = data;
    set_slot_state(slot, STATE_IORESP_READY);
    return xenevtchn_notify(dm->xce, dm->local[vcpu]) ? -errno : 0;
}

/* Do what a write request asks, in guest RAM, through a foreign map. */
static int dm_store(struct dm *dm, const ioreq_t *req)
{
    xen_pfn_t gfn = req->addr / PAGE;
    uint8_t *page = xenforeignmemory_map(dm->fmem, dm->domid,
                                         PROT_READ | PROT_WRITE, 1, &gfn,
                                         NULL);
    unsigned int i;

    if (!page)
        return -errno;
    for (i = 0; i < req->size; i++)
        page[req->addr % PAGE + i] = (uint8_t)(req->data >> (8 * i));
    xenforeignmemory_unmap(dm->fmem, page, 1);
    return 0;
}

/* Nothing reached the device model: no event pending, every slot idle. */
static void check_dm_quiet(struct dm *dm, const char *file, int line)
{
    int fd = xenevtchn_fd(dm->xce), fl = fcntl(fd, F_GETFL);
    unsigned int v;
    int port, err;

    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    port = xenevtchn_pending(dm->xce);
    err = errno;
    fcntl(fd, F_SETFL, fl);
    if (port >= 0 || err != EAGAIN) {
        print_error("the device model got an event (port %d, %s)\n", port,
                    port < 0 ? strerror(err) : "-");
        _fail(file, line);
    }
    for (v = 0; v < dm->nr_vcpus && dm->iopage; v++) {
        if (slot_state(dm_slot(dm, v)) != STATE_IOREQ_NONE) {
            print_error("vCPU %u's slot is in state %u\n", v,
                        slot_state(dm_slot(dm, v)));
            _fail(file, line);
        }
    }
}
#define assert_dm_quiet(dm) check_dm_quiet((dm), __FILE__, __LINE__)

/* ------------------------------------------------------------------ */
/* Guests built with libxenctrl, as mkdomain builds them               */

/* An HVM guest of mib MiB from gfn 0, running; 0 or -1 with errno. */
static int make_domain(xc_interface *xch, unsigned long mib,
                       unsigned int vcpus, bool hap, uint32_t *domid)
{
    struct xen_domctl_createdomain config;
    int err;

    guest_config(&config, hap ? GUEST_HVM : GUEST_SHADOW, vcpus);
    *domid = 0;
    if (xc_domain_create(xch, domid, &config))
        return -1;
    if (xc_domain_max_vcpus(xch, *domid, vcpus) ||
        xc_domain_setmaxmem(xch, *domid, mib << 10) ||
        guest_populate(xch, *domid, mib << 8) ||
        xc_domain_unpause(xch, *domid)) {
        err = errno;
        xc_domain_destroy(xch, *domid);
        errno = err;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Fixture: a daemon, a guest, dom0's connections, RAM mapped          */

struct fixture {
    struct daemon daemon;
    xc_interface *xch;
    uint32_t domid;
    struct xensim_conn ctl;         /* dom0: HVM ops, domctls, raw DMOPs */
    struct xensim_conn guest;       /* the guest's vCPU accesses */
    xenforeignmemory_handle *fmem;  /* dom0's view of guest RAM */
    uint8_t *ram;                   /* gfns WINDOW_FIRST.. mapped */
    struct dm dm[MAX_DMS];
    pid_t child[MAX_CHILDREN];
};

static int fixture_free(struct fixture *f)
{
    unsigned int i;
    int rc;

    for (i = 0; i < MAX_CHILDREN; i++) {
        if (f->child[i] > 0) {
            kill(f->child[i], SIGKILL);
            waitpid(f->child[i], NULL, 0);
        }
    }
    for (i = 0; i < MAX_DMS; i++)
        dm_close(&f->dm[i]);
    if (f->ram)
        xenforeignmemory_unmap(f->fmem, f->ram, WINDOW_PAGES);
    if (f->fmem)
        xenforeignmemory_close(f->fmem);
    xensim_disconnect(&f->guest);
    xensim_disconnect(&f->ctl);
    if (f->xch)
        xc_interface_close(f->xch);
    rc = daemon_stop(&f->daemon);
    free(f);
    return rc;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    xen_pfn_t gfns[WINDOW_PAGES];
    unsigned int i;

    if (!f)
        return -1;
    f->ctl.fd = f->guest.fd = -1;
    *state = f;
    if (daemon_start(&f->daemon))
        goto fail;
    f->xch = xc_interface_open(NULL, NULL, 0);
    if (!f->xch ||
        make_domain(f->xch, GUEST_MIB, NR_VCPUS, true, &f->domid)) {
        print_error("cannot build the guest: %s\n", strerror(errno));
        goto fail;
    }
    if (raw_connect(&f->ctl) || raw_connect(&f->guest))
        goto fail;
    f->fmem = xenforeignmemory_open(NULL, 0);
    if (!f->fmem)
        goto fail;
    for (i = 0; i < WINDOW_PAGES; i++)
        gfns[i] = WINDOW_FIRST + i;
    f->ram = xenforeignmemory_map(f->fmem, f->domid, PROT_READ | PROT_WRITE,
                                  WINDOW_PAGES, gfns, NULL);
    if (!f->ram)
        goto fail;
    return 0;

 fail:
    fixture_free(f);
    *state = NULL;
    return -1;
}

static int teardown(void **state)
{
    return *state ? fixture_free(*state) : 0;
}

/* Guest RAM at gpa, as dom0 maps it. */
static uint8_t *ram(struct fixture *f, uint64_t gpa)
{
    assert_true(gpa >= GPA(WINDOW_FIRST) &&
                gpa < GPA(WINDOW_FIRST + WINDOW_PAGES));
    return f->ram + (gpa - GPA(WINDOW_FIRST));
}

static uint64_t ram_load(struct fixture *f, uint64_t gpa, unsigned int size)
{
    uint8_t *p = ram(f, gpa);
    uint64_t v = 0;
    unsigned int i;

    for (i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void ram_store(struct fixture *f, uint64_t gpa, unsigned int size,
                      uint64_t v)
{
    uint8_t *p = ram(f, gpa);
    unsigned int i;

    for (i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* vCPU vcpu of domain domid starts an access (see xensim.h). */
static void access_start_dom(struct fixture *f, domid_t domid,
                             unsigned int vcpu, uint32_t op, uint32_t rmw,
                             uint64_t gpa, uint32_t size, uint64_t lo,
                             uint64_t hi, uint64_t cmp, uint32_t reps)
{
    struct xensim_guest_access a = {
        .domid = domid, .vcpu = vcpu, .op = op, .rmw = rmw,
        .gpa = gpa, .size = size, .reps = reps, .data = { lo, hi },
        .cmp = cmp,
    };

    guest_send(&f->guest, &a);
}

/* ...of the fixture's guest. */
static void access_start(struct fixture *f, unsigned int vcpu, uint32_t op,
                         uint32_t rmw, uint64_t gpa, uint32_t size,
                         uint64_t lo, uint64_t hi, uint64_t cmp,
                         uint32_t reps)
{
    access_start_dom(f, f->domid, vcpu, op, rmw, gpa, size, lo, hi, cmp,
                     reps);
}

static void write_start(struct fixture *f, uint64_t gpa, uint32_t size,
                        uint64_t value)
{
    access_start(f, 0, XENSIM_ACCESS_WRITE, 0, gpa, size, value, 0, 0, 0);
}

/* The access sent last completes: rc 0, and its answer. */
static struct xensim_guest_access_rsp access_done(struct fixture *f)
{
    struct xensim_guest_access_rsp rsp;
    int rc = guest_recv(&f->guest, &rsp);

    if (rc)
        fail_msg("the guest access failed: %s", strerror(-rc));
    return rsp;
}

/* A read by vCPU 0 that needs nobody: its value and flags. */
static uint64_t guest_read(struct fixture *f, uint64_t gpa, uint32_t size,
                           uint32_t *flags)
{
    struct xensim_guest_access_rsp rsp;

    access_start(f, 0, XENSIM_ACCESS_READ, 0, gpa, size, 0, 0, 0, 0);
    rsp = access_done(f);
    assert_int_equal(rsp.retries, 0);
    if (flags)
        *flags = rsp.flags;
    return rsp.value;
}

/* A write by vCPU 0 that needs nobody (RAM, or the null handler). */
static uint32_t guest_write(struct fixture *f, uint64_t gpa, uint32_t size,
                            uint64_t value)
{
    struct xensim_guest_access_rsp rsp;

    write_start(f, gpa, size, value);
    rsp = access_done(f);
    assert_int_equal(rsp.retries, 0);
    return rsp.flags;
}

/*
 * The next request dm gets is this write (one IOREQ_TYPE_COPY chunk, as
 * Xen forwards a write to a typed page), caused by the guest's pending
 * access.  Returns the vCPU it came from.
 */
static unsigned int check_write_req(struct fixture *f, struct dm *dm,
                                    uint64_t addr, uint32_t size,
                                    uint64_t data, ioreq_t *out,
                                    const char *file, int line)
{
    ioreq_t req;
    int v = dm_wait(dm, f->guest.fd, &req);

    if (v < 0) {
        print_error("no write request for %#" PRIx64 ": %s\n", addr,
                    v == -ENOMSG ? "the access completed without one"
                                 : strerror(-v));
        _fail(file, line);
    }
    if (req.type != IOREQ_TYPE_COPY || req.dir != IOREQ_WRITE ||
        req.addr != addr || req.size != size || req.data != data ||
        req.count != 1 || req.data_is_ptr || req.df ||
        req.vp_eport != dm->vp_eport[v]) {
        print_error("request: type %u dir %u addr %#" PRIx64 " size %u "
                    "data %#" PRIx64 " count %u ptr %u df %u port %u; "
                    "expected a COPY write of %u bytes at %#" PRIx64
                    ", data %#" PRIx64 ", port %u\n", req.type, req.dir,
                    req.addr, req.size, req.data, req.count,
                    req.data_is_ptr, req.df, req.vp_eport, size, addr,
                    data, dm->vp_eport[v]);
        _fail(file, line);
    }
    if (out)
        *out = req;
    return v;
}
#define expect_write(f, dm, addr, size, data, out) \
    check_write_req((f), (dm), (addr), (size), (data), (out), \
                    __FILE__, __LINE__)

/* Answer the request of vCPU v, storing it in RAM first if store. */
static void answer(struct dm *dm, unsigned int v, const ioreq_t *req,
                   bool store)
{
    if (store)
        assert_ok(dm_store(dm, req));
    assert_ok(dm_respond(dm, v, 0));
}

/* A device model in slot i of the fixture, with a bound server. */
static struct dm *dm_up(struct fixture *f, unsigned int i, domid_t domid,
                        bool restricted)
{
    struct dm *dm = &f->dm[i];
    int rc = dm_open(dm, domid, restricted);

    if (rc == 0)
        rc = dm_server(dm, true);
    if (rc)
        fail_msg("device model %u for domain %u: %s", i, domid,
                 strerror(-rc));
    return dm;
}

/* ...that claims the type and types [gfn, gfn + nr). */
static struct dm *dm_up_claimed(struct fixture *f, unsigned int i,
                                uint64_t gfn, uint32_t nr)
{
    struct dm *dm = dm_up(f, i, f->domid, false);

    assert_int_equal(dm_claim(dm), 0);
    assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                          HVMMEM_ioreq_server, gfn, nr));
    return dm;
}

/* ------------------------------------------------------------------ */
/* Device models in child processes (another process, another domain)  */

enum child_mode {
    CHILD_HOLD,                 /* wait for the parent, then exit */
    CHILD_EXIT,                 /* exit at once, holding everything */
    CHILD_TAKE_REQUEST,         /* report one request, never answer it */
};

struct child_report {
    int err;                    /* 0, or the errno of the failed step */
    int line;                   /* ...and where */
    ioservid_t id;
    evtchn_port_t vp_eport[NR_VCPUS];
    ioreq_t req;                /* CHILD_TAKE_REQUEST */
};

static void write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= n;
    }
}

static bool read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

/*
 * The child: a device model of its own (restricted: a device-model
 * domain of its own) that creates a server, claims the type, types
 * [GFN_T, GFN_T + 4) and reports.  Never returns; no cmocka in here.
 */
static void child_main(domid_t domid, bool restricted, bool bind,
                       enum child_mode mode, int out, int in)
{
    struct child_report r = { 0 };
    struct dm dm;
    char c;
    int rc, v;

#define CHILD_STEP(expr) \
    do { if (!rc && (rc = (expr))) r.line = __LINE__; } while (0)
    rc = 0;
    CHILD_STEP(dm_open(&dm, domid, restricted));
    CHILD_STEP(dm_server(&dm, bind));
    CHILD_STEP(dm_claim(&dm));
    CHILD_STEP(xendevicemodel_set_mem_type(dm.dmod, domid,
                                           HVMMEM_ioreq_server, GFN_T, 4)
               ? -errno : 0);
#undef CHILD_STEP
    r.err = -rc;
    r.id = dm.id;
    memcpy(r.vp_eport, dm.vp_eport, sizeof(r.vp_eport));
    write_all(out, &r, sizeof(r));
    if (rc)
        _exit(1);
    if (mode == CHILD_EXIT)
        _exit(0);               /* the process exit closes everything */
    if (mode == CHILD_TAKE_REQUEST) {
        v = dm_wait(&dm, -1, &r.req);
        r.err = v < 0 ? -v : 0;
        r.line = __LINE__;
        write_all(out, &r, sizeof(r));
    }
    if (read_all(in, &c, 1) && c == 'q')
        dm_close(&dm);
    _exit(0);
}

struct child {
    pid_t pid;
    int from;                   /* reports */
    int to;                     /* 'q': close and exit */
};

static void child_start(struct fixture *f, unsigned int slot,
                        struct child *ch, bool restricted, bool bind,
                        enum child_mode mode, struct child_report *r)
{
    int up[2], down[2];

    assert_int_equal(pipe2(up, O_CLOEXEC), 0);
    assert_int_equal(pipe2(down, O_CLOEXEC), 0);
    ch->pid = fork();
    assert_true(ch->pid >= 0);
    if (ch->pid == 0) {
        close(up[0]);
        close(down[1]);
        child_main(f->domid, restricted, bind, mode, up[1], down[0]);
    }
    f->child[slot] = ch->pid;
    close(up[1]);
    close(down[0]);
    ch->from = up[0];
    ch->to = down[1];
    if (!read_all(ch->from, r, sizeof(*r)))
        fail_msg("the child device model died before reporting");
    if (r->err)
        fail_msg("child device model, line %d: %s", r->line,
                 strerror(r->err));
}

/* Let the child go ('q': it closes its handles first) and reap it. */
static int child_finish(struct fixture *f, unsigned int slot,
                        struct child *ch, char how)
{
    int status;

    if (how)
        write_all(ch->to, &how, 1);
    close(ch->to);
    close(ch->from);
    assert_int_equal(waitpid(ch->pid, &status, 0), ch->pid);
    f->child[slot] = 0;
    return status;
}

/* A request of any kind for dm, caused by the guest's pending access. */
static unsigned int wait_req(struct fixture *f, struct dm *dm, ioreq_t *req)
{
    int v = dm_wait(dm, f->guest.fd, req);

    if (v < 0)
        fail_msg("no request reached the device model: %s",
                 v == -ENOMSG ? "the access completed without one"
                              : strerror(-v));
    return v;
}

/* ------------------------------------------------------------------ */
/* Access channels: accesses through a mailbox instead of the socket   */

struct channel_call {
    struct xensim_access_channel *chan;
    struct xensim_guest_access req;
    struct xensim_guest_access_rsp rsp;
    int rc;
};

static void *channel_thread(void *opaque)
{
    struct channel_call *call = opaque;

    call->rc = xensim_access(call->chan, &call->req, &call->rsp);
    return NULL;
}

/* Accesses that need nobody: RAM and the error cases. */
static void test_access_channel_reads_and_writes_ram(void **state)
{
    struct fixture *f = *state;
    struct xensim_access_channel chan;
    struct xensim_guest_access a = {
        .domid = f->domid, .op = XENSIM_ACCESS_WRITE,
        .gpa = GPA(GFN_PLAIN) + 8, .size = 8,
        .data = { 0x1122334455667788ULL },
    };
    struct xensim_guest_access_rsp rsp;
    struct xensim_conn c;

    assert_ok(raw_connect(&c));
    assert_int_equal(xensim_access_channel_open(&c, &chan), 0);
    /* One channel per connection. */
    assert_int_equal(xensim_access_channel_open(&c, &chan), -EBUSY);

    assert_int_equal(xensim_access(&chan, &a, &rsp), 0);
    assert_int_equal(ram_load(f, GPA(GFN_PLAIN) + 8, 8),
                     0x1122334455667788ULL);
    a.op = XENSIM_ACCESS_READ;
    a.size = 4;
    assert_int_equal(xensim_access(&chan, &a, &rsp), 0);
    assert_int_equal(rsp.value, 0x55667788);
    assert_int_equal(rsp.retries, 0);

    /* What the socket's GUEST_ACCESS refuses, the channel refuses. */
    a.op = 7;
    assert_int_equal(xensim_access(&chan, &a, &rsp), -EINVAL);
    a.op = XENSIM_ACCESS_READ;
    a.vcpu = NR_VCPUS;
    assert_int_equal(xensim_access(&chan, &a, &rsp), -ENOENT);
    a.vcpu = 0;
    a.domid = f->domid + 50;
    assert_int_equal(xensim_access(&chan, &a, &rsp), -ESRCH);
    a.domid = f->domid;
    assert_int_equal(xensim_access(&chan, &a, &rsp), 0);
    assert_int_equal(rsp.value, 0x55667788);

    xensim_access_channel_close(&chan);
    xensim_disconnect(&c);
}

/* A restricted connection is not dom0: no channel, no access. */
static void test_access_channel_refused_to_restricted_clients(void **state)
{
    struct fixture *f = *state;
    struct xensim_restrict r = { .domid = f->domid };
    struct xensim_access_channel chan;
    struct xensim_conn c;

    assert_ok(raw_connect(&c));
    assert_int_equal(xensim_call_simple(&c, XENSIM_OP_RESTRICT, &r,
                                        sizeof(r), NULL, 0), 0);
    assert_int_equal(xensim_access_channel_open(&c, &chan), -EPERM);
    xensim_disconnect(&c);
}

/* A write to a typed page waits for the device model, as on the socket. */
static void test_access_channel_write_to_typed_page_reaches_dm(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 1);
    struct xensim_access_channel chan;
    struct channel_call call = {
        .req = {
            .domid = f->domid, .op = XENSIM_ACCESS_WRITE,
            .gpa = GPA(GFN_T) + 4, .size = 4, .data = { 0xcafef00d },
        },
    };
    struct xensim_conn c;
    pthread_t thread;
    ioreq_t req;
    int v;

    assert_ok(raw_connect(&c));
    assert_int_equal(xensim_access_channel_open(&c, &chan), 0);
    call.chan = &chan;
    assert_int_equal(pthread_create(&thread, NULL, channel_thread, &call),
                     0);
    v = dm_wait(dm, -1, &req);
    assert_true(v >= 0);
    assert_int_equal(req.type, IOREQ_TYPE_COPY);
    assert_int_equal(req.dir, IOREQ_WRITE);
    assert_int_equal(req.addr, GPA(GFN_T) + 4);
    assert_int_equal(req.size, 4);
    assert_int_equal(req.data, 0xcafef00d);
    answer(dm, v, &req, true);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(call.rc, 0);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 4, 4), 0xcafef00d);

    xensim_access_channel_close(&chan);
    xensim_disconnect(&c);
}

/* ================================================================== */
/* 1. DESIGN.md section 4, row by row, through the real API            */

/* Row: claim on a domain without HAP -> -EOPNOTSUPP, checked first. */
static void test_claim_without_hap_is_eopnotsupp(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = &f->dm[0];
    uint32_t shadow;

    assert_ok(make_domain(f->xch, GUEST_MIB, NR_VCPUS, false, &shadow));
    assert_int_equal(dm_open(dm, shadow, false), 0);
    assert_int_equal(dm_server(dm, true), 0);

    /* Before the server id is even looked at... */
    assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                     dm->dmod, shadow, 7, HVMMEM_ioreq_server,
                     XEN_DMOP_IOREQ_MEM_ACCESS_WRITE), EOPNOTSUPP);
    /* ...and for a server that exists. */
    assert_int_equal(dm_claim(dm), -EOPNOTSUPP);
    /* set_mem_type to the type is refused the same way (its row). */
    assert_errno(xendevicemodel_set_mem_type(dm->dmod, shadow,
                                             HVMMEM_ioreq_server, GFN_T, 1),
                 EOPNOTSUPP);

    /* Nothing typed, nothing claimed; other types still work. */
    assert_types(&f->ctl, shadow, GFN_T, 1, HVMMEM_ram_rw);
    assert_ok(xendevicemodel_set_mem_type(dm->dmod, shadow, HVMMEM_ram_ro,
                                          GFN_T, 1));
    assert_types(&f->ctl, shadow, GFN_T, 1, HVMMEM_ram_ro);
    /* The ram_ro type took effect; the device model hears nothing. */
    access_start_dom(f, shadow, 0, XENSIM_ACCESS_WRITE, 0, GPA(GFN_T), 4,
                     0x600d, 0, 0, 0);
    assert_int_equal(access_done(f).retries, 0);
    assert_dm_quiet(dm);
    access_start_dom(f, shadow, 0, XENSIM_ACCESS_READ, 0, GPA(GFN_T), 4,
                     0, 0, 0, 0);
    assert_int_equal(access_done(f).value, 0);    /* ram_ro drops it */
}

/*
 * Row: type other than HVMMEM_ioreq_server, flags other than WRITE or 0
 * -> -EINVAL.  Xen's library refuses these itself: the far end of the
 * handle's socket (a listener the test owns) must receive nothing.
 */
static void test_claim_bad_type_or_flags_refused_in_client(void **state)
{
    static const struct {
        uint16_t type;
        uint32_t flags;
    } bad[] = {
        { HVMMEM_ram_rw, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE },
        { HVMMEM_mmio_dm, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE },
        { 5, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE },
        { HVMMEM_ioreq_server, XEN_DMOP_IOREQ_MEM_ACCESS_READ },
        { HVMMEM_ioreq_server, XEN_DMOP_IOREQ_MEM_ACCESS_READ |
                               XEN_DMOP_IOREQ_MEM_ACCESS_WRITE },
        { HVMMEM_ioreq_server, 1u << 2 },
        { HVMMEM_ioreq_server, 0x80000000u | XEN_DMOP_IOREQ_MEM_ACCESS_WRITE },
    };
    struct fixture *f = *state;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    xendevicemodel_handle *dmod;
    struct dm *dm;
    char buf[64];
    unsigned int i;
    int lfd, sfd;

    lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    assert_true(lfd >= 0);
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/fake",
             f->daemon.dir);
    assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(lfd, 1), 0);
    setenv(XENSIM_SOCKET_ENV, addr.sun_path, 1);
    dmod = xendevicemodel_open(NULL, 0);
    setenv(XENSIM_SOCKET_ENV, f->daemon.sock, 1);
    assert_non_null(dmod);
    sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(sfd >= 0);

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                         dmod, f->domid, 0, bad[i].type, bad[i].flags),
                     EINVAL);
    /* Nothing was sent: the queue is empty, then the hang-up comes. */
    assert_int_equal(recv(sfd, buf, sizeof(buf), MSG_DONTWAIT), -1);
    assert_int_equal(errno, EAGAIN);
    xendevicemodel_close(dmod);
    assert_int_equal(recv(sfd, buf, sizeof(buf), 0), 0);
    close(sfd);
    close(lfd);
    unlink(addr.sun_path);

    /* The same calls on the daemon's socket claim nothing either. */
    dm = dm_up(f, 0, f->domid, false);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                         dm->dmod, f->domid, dm->id, bad[i].type,
                         bad[i].flags), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                             HVMMEM_ioreq_server, GFN_T, 1),
                 EINVAL);
    assert_int_equal(dm_claim(dm), 0);
}

/* The hypervisor's own check of the same row, on a raw DMOP. */
static void test_claim_bad_flags_refused_by_hypervisor(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up(f, 0, f->domid, false);
    struct xen_dm_op op;
    struct xen_dm_op_map_mem_type_to_ioreq_server *m =
        &op.u.map_mem_type_to_ioreq_server;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_map_mem_type_to_ioreq_server;
    m->id = dm->id;
    m->type = HVMMEM_ioreq_server;
    m->flags = XEN_DMOP_IOREQ_MEM_ACCESS_READ;
    assert_int_equal(raw_dm_op(&f->ctl, f->domid, &op), -EINVAL);
    m->type = HVMMEM_ram_rw;
    m->flags = XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    assert_int_equal(raw_dm_op(&f->ctl, f->domid, &op), -EINVAL);
    /* Nothing claimed. */
    assert_errno(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                             HVMMEM_ioreq_server, GFN_T, 1),
                 EINVAL);
}

/* Row: server id >= 8 or not existing -> -ENOENT. */
static void test_claim_unknown_server_is_enoent(void **state)
{
    static const ioservid_t ids[] = { 8, 0xffff, 5 };
    struct fixture *f = *state;
    struct dm *dm = dm_up(f, 0, f->domid, false);
    unsigned int i;

    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                         dm->dmod, f->domid, ids[i], HVMMEM_ioreq_server,
                         XEN_DMOP_IOREQ_MEM_ACCESS_WRITE), ENOENT);
    /* Nobody holds the claim; the real server can take it. */
    assert_errno(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                             HVMMEM_ioreq_server, GFN_T, 1),
                 EINVAL);
    assert_int_equal(dm_claim(dm), 0);
}

/* Row: caller did not create the server -> -EPERM. */
static void test_claim_by_non_creator_is_eperm(void **state)
{
    struct fixture *f = *state;
    struct dm *dom0 = dm_up(f, 0, f->domid, false);
    struct dm *dmd = dm_up(f, 1, f->domid, true);
    ioreq_t req;

    /* A device-model domain claiming for dom0's server, and back. */
    assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                     dmd->dmod, f->domid, dom0->id, HVMMEM_ioreq_server,
                     XEN_DMOP_IOREQ_MEM_ACCESS_WRITE), EPERM);
    assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                     dom0->dmod, f->domid, dmd->id, HVMMEM_ioreq_server,
                     XEN_DMOP_IOREQ_MEM_ACCESS_WRITE), EPERM);
    assert_errno(xendevicemodel_set_mem_type(dom0->dmod, f->domid,
                                             HVMMEM_ioreq_server, GFN_T, 1),
                 EINVAL);

    /* Each may claim for its own: the write goes to the holder. */
    assert_int_equal(dm_claim(dmd), 0);
    assert_ok(xendevicemodel_set_mem_type(dom0->dmod, f->domid,
                                          HVMMEM_ioreq_server, GFN_T, 1));
    write_start(f, GPA(GFN_T), 4, 0x1234);
    answer(dmd, expect_write(f, dmd, GPA(GFN_T), 4, 0x1234, &req), &req,
           true);
    assert_int_equal(access_done(f).retries, 0);
    assert_int_equal(ram_load(f, GPA(GFN_T), 4), 0x1234);
    assert_dm_quiet(dom0);
}

/*
 * Row: claim while any server (the same one too) holds it -> -EBUSY.
 * (While entry_count != 0 with nobody holding it: only inside a release,
 * which the daemon runs to its end within one call; see the
 * continuation test, which tries to claim during a long release.)
 */
static void test_claim_while_held_is_ebusy(void **state)
{
    struct fixture *f = *state;
    struct dm *holder = dm_up(f, 0, f->domid, false);
    struct dm *other = dm_up(f, 1, f->domid, false);
    ioreq_t req;

    assert_int_equal(dm_claim(holder), 0);
    assert_int_equal(dm_claim(holder), -EBUSY);
    assert_int_equal(dm_claim(other), -EBUSY);

    /* The holder still holds it, with its flags. */
    assert_ok(xendevicemodel_set_mem_type(other->dmod, f->domid,
                                          HVMMEM_ioreq_server, GFN_T, 1));
    write_start(f, GPA(GFN_T) + 8, 8, 0x0102030405060708ULL);
    answer(holder, expect_write(f, holder, GPA(GFN_T) + 8, 8,
                                0x0102030405060708ULL, &req), &req, false);
    assert_int_equal(access_done(f).retries, 0);
    assert_dm_quiet(other);
}

/* Row: release (flags 0) by a server that does not hold it -> -EINVAL. */
static void test_release_by_non_holder_is_einval(void **state)
{
    struct fixture *f = *state;
    struct dm *holder = dm_up_claimed(f, 0, GFN_T, 1);
    struct dm *other = dm_up(f, 1, f->domid, false);
    ioreq_t req;

    assert_int_equal(dm_release(other), -EINVAL);
    /* Still claimed and typed: writes still go to the holder. */
    assert_types(&f->ctl, f->domid, GFN_T, 1, HVMMEM_ioreq_server);
    write_start(f, GPA(GFN_T), 2, 0xbeef);
    answer(holder, expect_write(f, holder, GPA(GFN_T), 2, 0xbeef, &req),
           &req, false);
    access_done(f);

    /* With nobody holding it, every release is refused. */
    assert_int_equal(dm_release(holder), 0);
    assert_int_equal(dm_release(holder), -EINVAL);
    assert_int_equal(dm_release(other), -EINVAL);
    assert_types(&f->ctl, f->domid, GFN_T, 1, HVMMEM_ram_rw);
}

/*
 * Row: release by the holder: claim dropped, every typed entry reset;
 * when the call returns entry_count is 0 (a re-claim works at once) and
 * writes land in RAM.  Row: HVMOP_get_mem_type reports the effective
 * type (ram_rw at once, whatever the table still stores).
 */
static void test_release_by_holder_resets_every_entry(void **state)
{
    struct fixture *f = *state;
    struct dm *holder = dm_up_claimed(f, 0, GFN_T, 16);
    struct dm *next = dm_up(f, 1, f->domid, false);
    ioreq_t req;

    /* Typed pages in several leaf tables, up to the last gfn. */
    assert_ok(xendevicemodel_set_mem_type(holder->dmod, f->domid,
                                          HVMMEM_ioreq_server, 0x800, 1));
    assert_ok(xendevicemodel_set_mem_type(holder->dmod, f->domid,
                                          HVMMEM_ioreq_server, LAST_GFN,
                                          1));
    assert_types(&f->ctl, f->domid, GFN_T, 16, HVMMEM_ioreq_server);
    assert_types(&f->ctl, f->domid, LAST_GFN, 1, HVMMEM_ioreq_server);
    ram_store(f, GPA(GFN_T), 4, 0x1111);
    write_start(f, GPA(GFN_T), 4, 0x2222);
    answer(holder, expect_write(f, holder, GPA(GFN_T), 4, 0x2222, &req),
           &req, false);
    access_done(f);
    assert_int_equal(ram_load(f, GPA(GFN_T), 4), 0x1111);

    assert_int_equal(dm_release(holder), 0);

    assert_types(&f->ctl, f->domid, GFN_T, 16, HVMMEM_ram_rw);
    assert_types(&f->ctl, f->domid, 0x800, 1, HVMMEM_ram_rw);
    assert_types(&f->ctl, f->domid, LAST_GFN, 1, HVMMEM_ram_rw);
    /* Writes go to RAM now, nobody is asked. */
    assert_int_equal(guest_write(f, GPA(GFN_T), 4, 0x2222), 0);
    assert_int_equal(ram_load(f, GPA(GFN_T), 4), 0x2222);
    assert_dm_quiet(holder);
    /* Another server claims at once: nothing was left typed. */
    assert_int_equal(dm_claim(next), 0);
    assert_dm_quiet(next);
}

/* Row: set_mem_type to ioreq_server without a claim -> -EINVAL. */
static void test_set_mem_type_without_claim_is_einval(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up(f, 0, f->domid, false);

    assert_errno(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                             HVMMEM_ioreq_server, GFN_T, 4),
                 EINVAL);
    assert_types(&f->ctl, f->domid, GFN_T, 4, HVMMEM_ram_rw);
    /* Back to ram_rw needs no claim. */
    assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                          HVMMEM_ram_rw, GFN_T, 4));
    assert_types(&f->ctl, f->domid, GFN_T, 4, HVMMEM_ram_rw);
}

/*
 * Row: only ram_rw -> ioreq_server and back; ioreq_server -> itself and
 * ram_ro / mmio_dm <-> ioreq_server are -EINVAL (log-dirty: see the
 * log-dirty test).
 */
static void test_set_mem_type_transitions(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up(f, 0, f->domid, false);
    xendevicemodel_handle *h = dm->dmod;
    const domid_t d = f->domid;

    assert_int_equal(dm_claim(dm), 0);
    assert_ok(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                          GFN_T2, 1));
    assert_types(&f->ctl, d, GFN_T2, 1, HVMMEM_ioreq_server);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                             GFN_T2, 1), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_ram_ro,
                                             GFN_T2, 1), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_mmio_dm,
                                             GFN_T2, 1), EINVAL);
    assert_types(&f->ctl, d, GFN_T2, 1, HVMMEM_ioreq_server);

    assert_ok(xendevicemodel_set_mem_type(h, d, HVMMEM_ram_ro,
                                          GFN_T2 + 1, 1));
    assert_ok(xendevicemodel_set_mem_type(h, d, HVMMEM_mmio_dm,
                                          GFN_T2 + 2, 1));
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                             GFN_T2 + 1, 1), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                             GFN_T2 + 2, 1), EINVAL);
    assert_types(&f->ctl, d, GFN_T2 + 1, 1, HVMMEM_ram_ro);
    assert_types(&f->ctl, d, GFN_T2 + 2, 1, HVMMEM_mmio_dm);

    assert_ok(xendevicemodel_set_mem_type(h, d, HVMMEM_ram_rw, GFN_T2, 1));
    assert_types(&f->ctl, d, GFN_T2, 1, HVMMEM_ram_rw);
    /* ...and the page is writable RAM again. */
    assert_int_equal(guest_write(f, GPA(GFN_T2), 4, 0x77), 0);
    assert_int_equal(ram_load(f, GPA(GFN_T2), 4), 0x77);
    assert_dm_quiet(dm);
}

/*
 * Row: nr == 0, a wrapping range, a range beyond the guest's max gfn,
 * mem_type 3 or > 4, pad != 0 -> -EINVAL (pad only on a raw DMOP: the
 * library cannot set it).  Nothing changes.
 */
static void test_set_mem_type_bad_arguments_are_einval(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up(f, 0, f->domid, false);
    xendevicemodel_handle *h = dm->dmod;
    const domid_t d = f->domid;
    struct xen_dm_op op;

    assert_int_equal(dm_claim(dm), 0);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                             GFN_T, 0), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                             ~0ULL, 2), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                             LAST_GFN, 2), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(h, d, HVMMEM_unused,
                                             GFN_T, 1), EINVAL);
    assert_errno(xendevicemodel_set_mem_type(h, d, 5, GFN_T, 1), EINVAL);

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_mem_type;
    op.u.set_mem_type.mem_type = HVMMEM_ioreq_server;
    op.u.set_mem_type.first_pfn = GFN_T;
    op.u.set_mem_type.nr = 1;
    op.u.set_mem_type.pad = 1;
    assert_int_equal(raw_dm_op(&f->ctl, d, &op), -EINVAL);

    assert_types(&f->ctl, d, GFN_T, 1, HVMMEM_ram_rw);
    assert_types(&f->ctl, d, LAST_GFN, 1, HVMMEM_ram_rw);
    /* The last gfn itself is in range. */
    assert_ok(xendevicemodel_set_mem_type(h, d, HVMMEM_ioreq_server,
                                          LAST_GFN, 1));
    assert_types(&f->ctl, d, LAST_GFN, 1, HVMMEM_ioreq_server);
}

/* Row: guest read of a typed page -> from RAM, no ioreq. */
static void test_guest_read_of_typed_page_served_from_ram(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 1);
    struct xensim_guest_access_rsp rsp;
    uint32_t flags;

    ram_store(f, GPA(GFN_T), 8, 0x0807060504030201ULL);
    ram_store(f, GPA(GFN_P) - 4, 8, 0xd4c3b2a1ULL << 32 | 0x44332211);
    assert_int_equal(guest_read(f, GPA(GFN_T), 1, &flags), 0x01);
    assert_int_equal(flags, 0);
    assert_int_equal(guest_read(f, GPA(GFN_T) + 1, 2, NULL), 0x0302);
    assert_int_equal(guest_read(f, GPA(GFN_T) + 4, 4, NULL), 0x08070605);
    assert_int_equal(guest_read(f, GPA(GFN_T), 8, NULL),
                     0x0807060504030201ULL);
    /* Across into the plain page after it, and by the other vCPU. */
    access_start(f, 1, XENSIM_ACCESS_READ, 0, GPA(GFN_P) - 4, 8, 0, 0, 0,
                 0);
    rsp = access_done(f);
    assert_int_equal(rsp.value, 0xd4c3b2a144332211ULL);
    assert_int_equal(rsp.flags, 0);
    assert_int_equal(rsp.retries, 0);
    assert_dm_quiet(dm);
    assert_types(&f->ctl, f->domid, GFN_T, 1, HVMMEM_ioreq_server);
}

/*
 * Row: guest write of a typed page -> one IOREQ_TYPE_COPY write per
 * chunk of at most 8 bytes to the claiming server (count 1, data_is_ptr
 * 0; 16 bytes are two requests), RAM unchanged unless the device model
 * writes it.  Row: the slot goes NONE -> READY -> INPROCESS ->
 * IORESP_READY -> NONE (the hypervisor takes the answer).
 */
static void test_guest_write_of_typed_page_is_one_ioreq_per_chunk(
    void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 1);
    struct xensim_guest_access_rsp rsp;
    ioreq_t req;
    unsigned int v;

    memset(ram(f, GPA(GFN_T)), 0x5a, PAGE);

    write_start(f, GPA(GFN_T) + 0x10, 4, 0xcafef00d);
    v = expect_write(f, dm, GPA(GFN_T) + 0x10, 4, 0xcafef00d, &req);
    assert_int_equal(v, 0);
    assert_int_equal(slot_state(dm_slot(dm, 0)), STATE_IOREQ_READY);
    answer(dm, v, &req, false);
    rsp = access_done(f);
    assert_int_equal(rsp.retries, 0);
    assert_int_equal(rsp.flags, 0);
    assert_int_equal(slot_state(dm_slot(dm, 0)), STATE_IOREQ_NONE);
    /* The device model did not store it: RAM is as it was. */
    assert_int_equal(ram_load(f, GPA(GFN_T) + 0x10, 4), 0x5a5a5a5a);

    /* An SSE store: two 8-byte requests, stored by the device model. */
    access_start(f, 0, XENSIM_ACCESS_WRITE, 0, GPA(GFN_T) + 0x20, 16,
                 0x1122334455667788ULL, 0x99aabbccddeeff00ULL, 0, 0);
    v = expect_write(f, dm, GPA(GFN_T) + 0x20, 8, 0x1122334455667788ULL,
                     &req);
    answer(dm, v, &req, true);
    v = expect_write(f, dm, GPA(GFN_T) + 0x28, 8, 0x99aabbccddeeff00ULL,
                     &req);
    answer(dm, v, &req, true);
    assert_int_equal(access_done(f).retries, 0);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 0x20, 8),
                     0x1122334455667788ULL);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 0x28, 8),
                     0x99aabbccddeeff00ULL);

    /* One byte, unaligned; then vCPU 1's write comes on its own port. */
    write_start(f, GPA(GFN_T) + 0x31, 1, 0xab);
    answer(dm, expect_write(f, dm, GPA(GFN_T) + 0x31, 1, 0xab, &req), &req,
           true);
    access_done(f);
    access_start(f, 1, XENSIM_ACCESS_WRITE, 0, GPA(GFN_T) + 0x3c, 8,
                 0x0123456789abcdefULL, 0, 0, 0);
    v = expect_write(f, dm, GPA(GFN_T) + 0x3c, 8, 0x0123456789abcdefULL,
                     &req);
    assert_int_equal(v, 1);
    answer(dm, v, &req, false);
    access_done(f);

    assert_int_equal(ram_load(f, GPA(GFN_T) + 0x30, 4), 0x5a5aab5a);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 0x3c, 8),
                     0x5a5a5a5a5a5a5a5aULL);
    assert_dm_quiet(dm);
}

/*
 * Row: read-modify-write on a typed page -> the read half from RAM, one
 * write request carrying the final value; cmpxchg compares against RAM.
 */
static void test_rmw_on_typed_page_forwards_final_value(void **state)
{
    static const struct {
        uint32_t op, size;
        uint64_t old, operand, cmp, result;
        bool writes;
    } cases[] = {
        { XENSIM_RMW_ADD, 4, 0xfffffff0, 0x20, 0, 0x10, true },
        { XENSIM_RMW_ADD, 8, 40, 2, 0, 42, true },
        { XENSIM_RMW_OR, 2, 0xf00f, 0x0ff0, 0, 0xffff, true },
        { XENSIM_RMW_AND, 8, 0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL,
          0, 0x0f000f000f000f00ULL, true },
        { XENSIM_RMW_XOR, 1, 0xa5, 0xff, 0, 0x5a, true },
        { XENSIM_RMW_XCHG, 4, 0x11111111, 0x22222222, 0, 0x22222222,
          true },
        { XENSIM_RMW_CMPXCHG, 4, 0x55, 0x66, 0x55, 0x66, true },
        { XENSIM_RMW_CMPXCHG, 4, 0x55, 0x66, 0x54, 0x55, false },
    };
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 1);
    const uint64_t gpa = GPA(GFN_T) + 0x80;
    struct xensim_guest_access_rsp rsp;
    unsigned int i;
    ioreq_t req;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ram_store(f, gpa, 8, 0);
        ram_store(f, gpa, cases[i].size, cases[i].old);
        access_start(f, 0, XENSIM_ACCESS_RMW, cases[i].op, gpa,
                     cases[i].size, cases[i].operand, 0, cases[i].cmp, 0);
        /* No read request: the first (and only) one is the write. */
        if (cases[i].writes)
            answer(dm, expect_write(f, dm, gpa, cases[i].size,
                                    cases[i].result, &req), &req, true);
        rsp = access_done(f);
        assert_int_equal(rsp.value, cases[i].old);
        assert_int_equal(rsp.retries, 0);
        if (cases[i].op == XENSIM_RMW_CMPXCHG)
            assert_int_equal(!!(rsp.flags & XENSIM_ACCESS_CMPXCHG_OK),
                             cases[i].writes);
        assert_int_equal(ram_load(f, gpa, 8), cases[i].result);
        assert_dm_quiet(dm);
    }
}

/*
 * Row: a write straddling a typed and an untyped page is split at the
 * boundary; only the typed part is forwarded; the hypervisor writes the
 * untyped part after the request completes when the typed part comes
 * first, before it otherwise.
 */
static void test_write_straddling_typed_and_untyped_pages(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 1);
    const uint64_t v = 0x8877665544332211ULL;
    ioreq_t req;
    unsigned int vcpu;

    assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                          HVMMEM_ioreq_server, GFN_T2, 1));
    memset(ram(f, GPA(GFN_T)), 0xaa, 3 * PAGE);

    /* Typed first: the plain half waits for the answer. */
    write_start(f, GPA(GFN_P) - 4, 8, v);
    vcpu = expect_write(f, dm, GPA(GFN_P) - 4, 4, 0x44332211, &req);
    assert_int_equal(ram_load(f, GPA(GFN_P), 4), 0xaaaaaaaa);
    answer(dm, vcpu, &req, false);
    assert_int_equal(access_done(f).retries, 0);
    assert_int_equal(ram_load(f, GPA(GFN_P), 4), 0x88776655);
    assert_int_equal(ram_load(f, GPA(GFN_P) - 4, 4), 0xaaaaaaaa);

    /* Plain first: it is already in RAM while the request waits. */
    write_start(f, GPA(GFN_T2) - 4, 8, v);
    vcpu = expect_write(f, dm, GPA(GFN_T2), 4, 0x88776655, &req);
    assert_int_equal(ram_load(f, GPA(GFN_T2) - 4, 4), 0x44332211);
    answer(dm, vcpu, &req, false);
    assert_int_equal(access_done(f).retries, 0);
    assert_int_equal(ram_load(f, GPA(GFN_T2), 4), 0xaaaaaaaa);
    assert_dm_quiet(dm);
}

/* Row: a repeated string store into a typed page -> one request each. */
static void test_rep_store_into_typed_page_one_ioreq_per_element(
    void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 1);
    const uint64_t gpa = GPA(GFN_T) + 0x40;
    struct xensim_guest_access_rsp rsp;
    unsigned int i;
    ioreq_t req;

    memset(ram(f, gpa), 0, 16);
    access_start(f, 0, XENSIM_ACCESS_WRITE, 0, gpa, 4, 0xdeadbeef, 0, 0, 3);
    for (i = 0; i < 3; i++) {
        unsigned int v = expect_write(f, dm, gpa + 4 * i, 4, 0xdeadbeef,
                                      &req);

        /* Only what the device model stores reaches RAM. */
        answer(dm, v, &req, i == 1);
    }
    rsp = access_done(f);
    assert_int_equal(rsp.retries, 0);
    assert_int_equal(ram_load(f, gpa, 4), 0);
    assert_int_equal(ram_load(f, gpa + 4, 4), 0xdeadbeef);
    assert_int_equal(ram_load(f, gpa + 8, 4), 0);
    assert_dm_quiet(dm);
}

/*
 * Row: an access outside guest RAM and every server's ranges -> the null
 * handler (reads all ones, writes dropped, no error); inside a server's
 * MMIO range, the server is asked.
 */
static void test_access_outside_ram_and_ranges_is_null_handler(
    void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up(f, 0, f->domid, false);
    const uint64_t mmio = GPA(GFN_MMIO);
    struct xensim_guest_access_rsp rsp;
    uint32_t flags;
    ioreq_t req;
    unsigned int v;

    assert_int_equal(guest_read(f, GPA(GFN_HOLE), 4, &flags), 0xffffffff);
    assert_int_equal(flags, XENSIM_ACCESS_UNHANDLED);
    assert_int_equal(guest_read(f, GPA(LAST_GFN + 1), 8, &flags), ~0ULL);
    assert_int_equal(flags, XENSIM_ACCESS_UNHANDLED);
    assert_int_equal(guest_read(f, GPA(GFN_BEYOND) + 2, 2, &flags),
                     0xffff);
    assert_int_equal(flags, XENSIM_ACCESS_UNHANDLED);
    assert_int_equal(guest_write(f, GPA(GFN_HOLE), 4, 0x1234),
                     XENSIM_ACCESS_UNHANDLED);
    assert_int_equal(guest_read(f, GPA(GFN_HOLE), 4, NULL), 0xffffffff);
    assert_dm_quiet(dm);
    /* RAM is not the null handler's. */
    assert_int_equal(guest_write(f, GPA(GFN_P), 4, 0x1234), 0);
    assert_int_equal(guest_read(f, GPA(GFN_P), 4, &flags), 0x1234);
    assert_int_equal(flags, 0);

    assert_ok(xendevicemodel_map_io_range_to_ioreq_server(
                  dm->dmod, f->domid, dm->id, 1, mmio, mmio + PAGE - 1));
    access_start(f, 0, XENSIM_ACCESS_READ, 0, mmio + 8, 4, 0, 0, 0, 0);
    v = wait_req(f, dm, &req);
    assert_int_equal(req.type, IOREQ_TYPE_COPY);
    assert_int_equal(req.dir, IOREQ_READ);
    assert_int_equal(req.addr, mmio + 8);
    assert_int_equal(req.size, 4);
    assert_ok(dm_respond(dm, v, 0x12345678));
    rsp = access_done(f);
    assert_int_equal(rsp.value, 0x12345678);
    assert_int_equal(rsp.flags, 0);
    write_start(f, mmio + 2, 2, 0x4321);
    answer(dm, expect_write(f, dm, mmio + 2, 2, 0x4321, &req), &req, false);
    assert_int_equal(access_done(f).flags, 0);

    /* Out of the range again: back to the null handler. */
    assert_ok(xendevicemodel_unmap_io_range_from_ioreq_server(
                  dm->dmod, f->domid, dm->id, 1, mmio, mmio + PAGE - 1));
    assert_int_equal(guest_read(f, mmio + 8, 4, &flags), 0xffffffff);
    assert_int_equal(flags, XENSIM_ACCESS_UNHANDLED);
    assert_dm_quiet(dm);
}

/*
 * Row (ours): destroying the claiming server is a full release; a write
 * in flight on it is retried (the no-claim row: retried until reset,
 * then it lands in RAM; nothing is lost).
 */
static void test_destroy_claiming_server_is_full_release(void **state)
{
    struct fixture *f = *state;
    struct dm *holder = dm_up_claimed(f, 0, GFN_T, 4);
    struct dm *next = dm_up(f, 1, f->domid, false);
    struct xensim_guest_access_rsp rsp;
    ioreq_t req;

    ram_store(f, GPA(GFN_T) + 8, 4, 0x11111111);
    write_start(f, GPA(GFN_T) + 8, 4, 0x22222222);
    expect_write(f, holder, GPA(GFN_T) + 8, 4, 0x22222222, &req);
    assert_ok(xendevicemodel_destroy_ioreq_server(holder->dmod, f->domid,
                                                  holder->id));
    rsp = access_done(f);
    assert_true(rsp.retries >= 1);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 8, 4), 0x22222222);

    assert_errno(xendevicemodel_get_ioreq_server_info(
                     holder->dmod, f->domid, holder->id, NULL, NULL, NULL),
                 ENOENT);
    assert_types(&f->ctl, f->domid, GFN_T, 4, HVMMEM_ram_rw);
    assert_int_equal(dm_claim(next), 0);
    /* Destroying a server that does not hold the claim keeps it. */
    dm_server_forget(holder);
    assert_int_equal(dm_server(holder, true), 0);
    assert_ok(xendevicemodel_destroy_ioreq_server(holder->dmod, f->domid,
                                                  holder->id));
    dm_server_forget(holder);
    assert_ok(xendevicemodel_set_mem_type(next->dmod, f->domid,
                                          HVMMEM_ioreq_server, GFN_T, 1));
    write_start(f, GPA(GFN_T), 4, 0x33);
    answer(next, expect_write(f, next, GPA(GFN_T), 4, 0x33, &req), &req,
           true);
    assert_int_equal(access_done(f).retries, 0);
}

/* ================================================================== */
/* 2. Restricted connections                                           */

static int restrict_conn(struct xensim_conn *c, domid_t domid)
{
    struct xensim_restrict r = { .domid = domid };

    return xensim_call_simple(c, XENSIM_OP_RESTRICT, &r, sizeof(r), NULL,
                              0);
}

/*
 * After xendevicemodel_restrict(domid) a connection acts for a device-
 * model domain whose only target is domid: calls for another domain get
 * -EPERM and change nothing there.
 */
static void test_restricted_calls_for_other_domain_are_eperm(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up(f, 0, f->domid, true);
    struct dm *dom0 = &f->dm[1];
    struct xensim_conn c = { .fd = -1 };
    struct xensim_guest_access_rsp rsp;
    xen_pfn_t gfn = GFN_T;
    unsigned int vcpus;
    ioservid_t id;
    uint32_t other;
    void *addr = NULL;
    int rc;

    assert_ok(make_domain(f->xch, GUEST_MIB, NR_VCPUS, true, &other));

    assert_errno(xendevicemodel_create_ioreq_server(
                     dm->dmod, other, HVM_IOREQSRV_BUFIOREQ_OFF, &id),
                 EPERM);
    assert_errno(xendevicemodel_set_mem_type(dm->dmod, other,
                                             HVMMEM_ram_ro, GFN_T, 1),
                 EPERM);
    assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                     dm->dmod, other, 0, HVMMEM_ioreq_server,
                     XEN_DMOP_IOREQ_MEM_ACCESS_WRITE), EPERM);
    assert_errno(xendevicemodel_nr_vcpus(dm->dmod, other, &vcpus), EPERM);
    assert_null(xenforeignmemory_map(dm->fmem, other, PROT_READ, 1, &gfn,
                                     NULL));
    assert_int_equal(errno, EPERM);
    assert_null(xenforeignmemory_map_resource(
                    dm->fmem, other, XENMEM_resource_ioreq_server, 0,
                    XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr,
                    PROT_READ, 0));
    assert_int_equal(errno, EPERM);
    /* Restricted once is restricted for good, to that domain only. */
    assert_errno(xendevicemodel_restrict(dm->dmod, other), EINVAL);
    assert_ok(xendevicemodel_restrict(dm->dmod, f->domid));

    /* The raw calls follow the same identity. */
    assert_int_equal(raw_connect(&c), 0);
    assert_int_equal(restrict_conn(&c, f->domid), 0);
    assert_int_equal(mem_type(&c, other, GFN_T), -EPERM);
    assert_int_equal(mem_type(&c, f->domid, GFN_T), HVMMEM_ram_rw);
    /* Only dom0 plays the guest. */
    guest_send(&c, &(struct xensim_guest_access){
        .domid = f->domid, .op = XENSIM_ACCESS_READ, .gpa = GPA(GFN_T),
        .size = 4 });
    rc = guest_recv(&c, &rsp);
    xensim_disconnect(&c);
    assert_int_equal(rc, -EPERM);

    /* Nothing happened to the other domain. */
    assert_types(&f->ctl, other, GFN_T, 1, HVMMEM_ram_rw);
    assert_int_equal(dm_open(dom0, other, false), 0);
    assert_int_equal(dm_server(dom0, false), 0);
    assert_int_equal(dom0->id, 0);      /* the first server there */
    /* ...while the restricted handles work for their own target. */
    assert_ok(xendevicemodel_nr_vcpus(dm->dmod, f->domid, &vcpus));
    assert_int_equal(vcpus, NR_VCPUS);
    assert_int_equal(dm_claim(dm), 0);
}

/*
 * Servers created by another process's restricted connections (another
 * device-model domain) cannot be operated: -EPERM from the restricted
 * connections of this process and from dom0 alike; its ports cannot be
 * bound (-EINVAL).  They stay as they were until that process exits.
 */
static void test_servers_of_another_process_are_eperm(void **state)
{
    struct fixture *f = *state;
    struct dm *me = dm_up(f, 0, f->domid, true);
    struct dm *dom0 = &f->dm[1];
    struct child_report r;
    struct child ch;
    evtchn_port_t bufport;
    void *addr = NULL;
    int status;

    assert_int_equal(dm_open(dom0, f->domid, false), 0);
    child_start(f, 0, &ch, true, false, CHILD_HOLD, &r);
    assert_true(r.id != me->id);

    assert_errno(xendevicemodel_get_ioreq_server_info(
                     me->dmod, f->domid, r.id, NULL, NULL, &bufport),
                 EPERM);
    assert_errno(xendevicemodel_map_io_range_to_ioreq_server(
                     me->dmod, f->domid, r.id, 1, GPA(GFN_MMIO),
                     GPA(GFN_MMIO) + 3), EPERM);
    assert_errno(xendevicemodel_unmap_io_range_from_ioreq_server(
                     me->dmod, f->domid, r.id, 1, GPA(GFN_MMIO),
                     GPA(GFN_MMIO) + 3), EPERM);
    assert_errno(xendevicemodel_set_ioreq_server_state(me->dmod, f->domid,
                                                       r.id, 0), EPERM);
    assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                     me->dmod, f->domid, r.id, HVMMEM_ioreq_server, 0),
                 EPERM);
    assert_errno(xendevicemodel_destroy_ioreq_server(me->dmod, f->domid,
                                                     r.id), EPERM);
    assert_null(xenforeignmemory_map_resource(
                    me->fmem, f->domid, XENMEM_resource_ioreq_server, r.id,
                    XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr,
                    PROT_READ, 0));
    assert_int_equal(errno, EPERM);
    /* dom0 did not create it either. */
    assert_errno(xendevicemodel_destroy_ioreq_server(dom0->dmod, f->domid,
                                                     r.id), EPERM);
    assert_errno(xendevicemodel_map_mem_type_to_ioreq_server(
                     dom0->dmod, f->domid, r.id, HVMMEM_ioreq_server, 0),
                 EPERM);
    /* Its ports are reserved for the other process's domain. */
    assert_errno(xenevtchn_bind_interdomain(me->xce, f->domid,
                                            r.vp_eport[0]), EINVAL);
    assert_errno(xenevtchn_bind_interdomain(dom0->xce, f->domid,
                                            r.vp_eport[1]), EINVAL);

    /* The child's server still holds the claim and its pages. */
    assert_int_equal(dm_claim(me), -EBUSY);
    assert_types(&f->ctl, f->domid, GFN_T, 4, HVMMEM_ioreq_server);

    status = child_finish(f, 0, &ch, 'q');
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_types_soon(&f->ctl, f->domid, GFN_T, 4, HVMMEM_ram_rw);
    assert_int_equal(dm_claim(me), 0);
}

/*
 * A dom0 connection cannot bind ports reserved for a device-model domain
 * and vice versa (-EINVAL); the refused bind leaves the port for its
 * rightful owner.  The restricted handles of one process share their
 * domain: the server their devicemodel handle made is mapped by their
 * foreignmemory handle and bound by their evtchn handle.
 */
static void test_ports_reserved_for_another_domain_are_einval(void **state)
{
    struct fixture *f = *state;
    struct dm *dom0 = &f->dm[0], *dmd = &f->dm[1];
    ioreq_t req;
    unsigned int v;

    assert_int_equal(dm_open(dom0, f->domid, false), 0);
    assert_int_equal(dm_server(dom0, false), 0);
    assert_int_equal(dm_open(dmd, f->domid, true), 0);
    assert_int_equal(dm_server(dmd, false), 0);

    for (v = 0; v < NR_VCPUS; v++) {
        assert_errno(xenevtchn_bind_interdomain(dmd->xce, f->domid,
                                                dom0->vp_eport[v]), EINVAL);
        assert_errno(xenevtchn_bind_interdomain(dom0->xce, f->domid,
                                                dmd->vp_eport[v]), EINVAL);
    }
    assert_int_equal(dm_bind(dom0), 0);
    assert_int_equal(dm_bind(dmd), 0);
    /* Bound now: a second bind of the same port is refused too. */
    assert_errno(xenevtchn_bind_interdomain(dmd->xce, f->domid,
                                            dmd->vp_eport[0]), EINVAL);

    /* The device-model domain's server works end to end. */
    assert_int_equal(dm_claim(dmd), 0);
    assert_ok(xendevicemodel_set_mem_type(dmd->dmod, f->domid,
                                          HVMMEM_ioreq_server, GFN_T, 1));
    access_start(f, 1, XENSIM_ACCESS_WRITE, 0, GPA(GFN_T), 4, 0x5151, 0, 0,
                 0);
    v = expect_write(f, dmd, GPA(GFN_T), 4, 0x5151, &req);
    assert_int_equal(v, 1);
    answer(dmd, v, &req, true);
    assert_int_equal(access_done(f).retries, 0);
    assert_int_equal(ram_load(f, GPA(GFN_T), 4), 0x5151);
    assert_dm_quiet(dom0);
}

/* ================================================================== */
/* 3. A connection closing destroys its servers: a full release        */

/* What a released claim leaves: ram_rw, re-claimable, RAM writes. */
static void check_released(struct fixture *f, struct dm *next,
                           uint64_t gfn, uint32_t nr)
{
    /* Once the close is seen, the claim is free at once. */
    assert_types_soon(&f->ctl, f->domid, gfn, nr, HVMMEM_ram_rw);
    assert_int_equal(dm_claim(next), 0);
    assert_types(&f->ctl, f->domid, gfn, nr, HVMMEM_ram_rw);
    assert_int_equal(guest_write(f, GPA(gfn) + 0x100, 4, 0xf1f2f3f4), 0);
    assert_int_equal(ram_load(f, GPA(gfn) + 0x100, 4), 0xf1f2f3f4);
    assert_dm_quiet(next);
}

/* Closing the devicemodel handle, with a vCPU waiting on its server. */
static void test_closing_dm_handle_releases_claim(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 4);
    struct dm *next = dm_up(f, 1, f->domid, false);
    struct xensim_guest_access_rsp rsp;
    ioreq_t req;

    assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                          HVMMEM_ioreq_server, LAST_GFN,
                                          1));
    ram_store(f, GPA(GFN_T) + 8, 4, 0x11111111);
    write_start(f, GPA(GFN_T) + 8, 4, 0xabcd1234);
    expect_write(f, dm, GPA(GFN_T) + 8, 4, 0xabcd1234, &req);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 8, 4), 0x11111111);

    xendevicemodel_close(dm->dmod);
    dm->dmod = NULL;

    /* The vCPU re-executed its write once the pages were reset. */
    rsp = access_done(f);
    assert_true(rsp.retries >= 1);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 8, 4), 0xabcd1234);
    check_released(f, next, GFN_T, 4);
    assert_types(&f->ctl, f->domid, LAST_GFN, 1, HVMMEM_ram_rw);
}

/* A device-model process that exits while it holds the claim. */
static void test_child_exit_releases_claim(void **state)
{
    struct fixture *f = *state;
    struct dm *next = dm_up(f, 0, f->domid, false);
    struct child_report r;
    struct child ch;
    int status;

    child_start(f, 0, &ch, false, true, CHILD_EXIT, &r);
    status = child_finish(f, 0, &ch, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    check_released(f, next, GFN_T, 4);
}

/* A device-model process killed while a vCPU waits on its request. */
static void test_child_killed_mid_request_loses_no_write(void **state)
{
    struct fixture *f = *state;
    struct dm *next = dm_up(f, 0, f->domid, false);
    struct xensim_guest_access_rsp rsp;
    struct child_report r;
    struct child ch;
    int status;

    child_start(f, 0, &ch, true, true, CHILD_TAKE_REQUEST, &r);
    ram_store(f, GPA(GFN_T), 8, 0x1111111111111111ULL);
    write_start(f, GPA(GFN_T), 8, 0x2222222222222222ULL);
    if (!read_all(ch.from, &r, sizeof(r)))
        fail_msg("the child device model died before its request");
    assert_int_equal(r.err, 0);
    assert_int_equal(r.req.state, STATE_IOREQ_READY);
    assert_int_equal(r.req.addr, GPA(GFN_T));
    assert_int_equal(r.req.size, 8);
    assert_int_equal(r.req.data, 0x2222222222222222ULL);
    assert_int_equal(ram_load(f, GPA(GFN_T), 8), 0x1111111111111111ULL);

    kill(ch.pid, SIGKILL);
    status = child_finish(f, 0, &ch, 0);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    rsp = access_done(f);
    assert_true(rsp.retries >= 1);
    assert_int_equal(ram_load(f, GPA(GFN_T), 8), 0x2222222222222222ULL);
    check_released(f, next, GFN_T, 4);
}

/* ================================================================== */
/* 4. Log-dirty                                                        */

/*
 * Row: enabling global log-dirty while entry_count != 0 -> -EBUSY (and
 * it stays off); once released it works, and a guest write marks its
 * page dirty.  Row: log-dirty -> ioreq_server is -EINVAL.
 */
static void test_log_dirty_refused_while_typed(void **state)
{
    struct fixture *f = *state;
    /* Typed: GFN_T and the page after it; GFN_PLAIN stays RAM. */
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 2);
    uint8_t bitmap[GUEST_PAGES / 8];
    uint32_t dirty;
    unsigned long gfn;

    assert_errno(xc_shadow_control(f->xch, f->domid,
                                   XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY,
                                   NULL, 0), EBUSY);
    assert_errno(xc_shadow_control(f->xch, f->domid,
                                   XEN_DOMCTL_SHADOW_OP_ENABLE, NULL,
                                   XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY),
                 EBUSY);
    /* Still off: there is no dirty bitmap to peek at. */
    assert_int_equal(peek_dirty(&f->ctl, f->domid, bitmap, GUEST_PAGES,
                                &dirty), -EINVAL);
    assert_types(&f->ctl, f->domid, GFN_T, 2, HVMMEM_ioreq_server);
    assert_types(&f->ctl, f->domid, GFN_PLAIN, 1, HVMMEM_ram_rw);

    assert_int_equal(dm_release(dm), 0);
    assert_ok(xc_shadow_control(f->xch, f->domid,
                                XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, NULL,
                                0));
    assert_int_equal(peek_dirty(&f->ctl, f->domid, bitmap, GUEST_PAGES,
                                &dirty), 0);
    assert_int_equal(dirty, 0);
    /* Log-dirty pages read back as ram_ro until written. */
    assert_types(&f->ctl, f->domid, GFN_T, 2, HVMMEM_ram_ro);

    assert_int_equal(guest_write(f, GPA(GFN_T) + 4, 4, 0xd1d2d3d4), 0);
    assert_int_equal(ram_load(f, GPA(GFN_T) + 4, 4), 0xd1d2d3d4);
    assert_int_equal(peek_dirty(&f->ctl, f->domid, bitmap, GUEST_PAGES,
                                &dirty), 0);
    assert_int_equal(dirty, 1);
    for (gfn = 0; gfn < GUEST_PAGES; gfn++)
        assert_int_equal(test_bit_le(bitmap, gfn), gfn == GFN_T);
    assert_types(&f->ctl, f->domid, GFN_T, 1, HVMMEM_ram_rw);
    assert_types(&f->ctl, f->domid, GFN_T + 1, 1, HVMMEM_ram_ro);

    /* A log-dirty page cannot be typed; a written (ram_rw) one can. */
    assert_int_equal(dm_claim(dm), 0);
    assert_errno(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                             HVMMEM_ioreq_server, GFN_PLAIN,
                                             1), EINVAL);
    assert_types(&f->ctl, f->domid, GFN_PLAIN, 1, HVMMEM_ram_ro);
    assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                          HVMMEM_ioreq_server, GFN_T, 1));
    assert_types(&f->ctl, f->domid, GFN_T, 1, HVMMEM_ioreq_server);
    assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                          HVMMEM_ram_rw, GFN_T, 1));
    assert_int_equal(dm_release(dm), 0);

    assert_ok(xc_shadow_control(f->xch, f->domid,
                                XEN_DOMCTL_SHADOW_OP_OFF, NULL, 0));
    assert_types(&f->ctl, f->domid, GFN_T, 2, HVMMEM_ram_rw);
    assert_types(&f->ctl, f->domid, GFN_PLAIN, 1, HVMMEM_ram_rw);
    assert_dm_quiet(dm);
}

/* ================================================================== */
/* 5. Robustness: a bad client costs only itself                       */

/* The daemon still serves: existing connections and a new one work. */
static void check_serving(struct fixture *f, struct dm *dm,
                          const char *file, int line)
{
    xendevicemodel_handle *h = xendevicemodel_open(NULL, 0);
    ioservid_t id;
    ioreq_t req;
    int t = mem_type(&f->ctl, f->domid, GFN_T);

    if (t != HVMMEM_ioreq_server) {
        print_error("the type of gfn %#lx is now %s\n", GFN_T,
                    type_name(t));
        _fail(file, line);
    }
    if (!h || xendevicemodel_create_ioreq_server(
                  h, f->domid, HVM_IOREQSRV_BUFIOREQ_OFF, &id) ||
        xendevicemodel_destroy_ioreq_server(h, f->domid, id)) {
        print_error("a new client cannot work: %s\n", strerror(errno));
        xendevicemodel_close(h);
        _fail(file, line);
    }
    xendevicemodel_close(h);
    /* The guest and its device model carry on. */
    write_start(f, GPA(GFN_T), 4, 0x600dda7a);
    answer(dm, expect_write(f, dm, GPA(GFN_T), 4, 0x600dda7a, &req), &req,
           true);
    assert_int_equal(access_done(f).retries, 0);
}
#define assert_serving(f, dm) check_serving((f), (dm), __FILE__, __LINE__)

/*
 * Send one bad message on a new connection: the daemon hangs up on it
 * and logs exactly one line, naming this process and saying why.
 */
static void check_dropped(struct fixture *f, const void *msg, size_t len,
                          const char *why, const char *file, int line)
{
    struct xensim_conn c;
    char me[32], buf[64];
    unsigned int before, after, closing;
    ssize_t n;

    snprintf(me, sizeof(me), "(pid %d)", (int)getpid());
    before = log_count(&f->daemon, why, me);
    closing = log_count(&f->daemon, "closing its connection", NULL);
    if (raw_connect(&c))
        _fail(file, line);
    n = send(c.fd, msg, len, MSG_NOSIGNAL);
    if (n != (ssize_t)len) {
        print_error("send: %zd: %s\n", n, strerror(errno));
        xensim_disconnect(&c);
        _fail(file, line);
    }
    do {
        n = recv(c.fd, buf, sizeof(buf), 0);
    } while (n < 0 && errno == EINTR);
    xensim_disconnect(&c);
    if (n != 0) {
        print_error("expected the daemon to hang up (\"%s\"), got %zd\n",
                    why, n);
        _fail(file, line);
    }
    after = log_count(&f->daemon, why, me);
    if (after != before + 1 ||
        log_count(&f->daemon, "closing its connection", NULL) !=
        closing + 1) {
        print_error("expected one log line \"%s\" for %s, got %u; see %s\n",
                    why, me, after - before, f->daemon.log);
        _fail(file, line);
    }
}
#define assert_dropped(f, msg, len, why) \
    check_dropped((f), (msg), (len), (why), __FILE__, __LINE__)

static void test_malformed_messages_cost_only_the_connection(void **state)
{
    static const uint8_t garbage[] = {
        0x13, 0x37, 0xc0, 0xde, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02,
        0xfe, 0xca, 0xad, 0xde, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
        0x42,
    };
    struct fixture *f = *state;
    struct dm *dm = dm_up_claimed(f, 0, GFN_T, 1);
    const char *mismatch = "sent a message whose size does not match its "
                           "header";
    struct {
        struct xensim_req hdr;
        uint8_t body[16];
    } m;
    uint8_t *big;

    /* Shorter than a header. */
    m.hdr = (struct xensim_req){ .op = XENSIM_OP_HELLO, .size = 8 };
    assert_dropped(f, &m, 4, mismatch);
    assert_serving(f, dm);
    /* A header whose size lies: 16 announced, 8 sent. */
    m.hdr = (struct xensim_req){ .op = XENSIM_OP_HELLO, .size = 16 };
    assert_dropped(f, &m, sizeof(m.hdr) + 8, mismatch);
    assert_serving(f, dm);
    /* An op nobody knows, well framed. */
    m.hdr = (struct xensim_req){ .op = 0x7777, .size = 0 };
    assert_dropped(f, &m, sizeof(m.hdr),
                   "sent an unknown request 30583");
    assert_serving(f, dm);
    m.hdr = (struct xensim_req){ .op = 0, .size = 0 };
    assert_dropped(f, &m, sizeof(m.hdr), "sent an unknown request 0");
    /* Garbage. */
    assert_dropped(f, garbage, sizeof(garbage), mismatch);
    assert_serving(f, dm);
    /* A known op with a payload of the wrong size. */
    m.hdr = (struct xensim_req){ .op = XENSIM_OP_HELLO, .size = 4 };
    memset(m.body, 0, sizeof(m.body));
    assert_dropped(f, &m, sizeof(m.hdr) + 4, "sent a malformed request");
    m.hdr = (struct xensim_req){ .op = XENSIM_OP_GUEST_ACCESS, .size = 16 };
    assert_dropped(f, &m, sizeof(m), "sent a malformed request");
    assert_serving(f, dm);
    /* Larger than any message may be. */
    big = calloc(1, XENSIM_MSG_MAX + 1);
    assert_non_null(big);
    memcpy(big, &(struct xensim_req){ .op = XENSIM_OP_HELLO,
                                      .size = XENSIM_MSG_MAX + 1 -
                                              sizeof(struct xensim_req) },
           sizeof(struct xensim_req));
    assert_dropped(f, big, XENSIM_MSG_MAX + 1,
                   "sent a message larger than the protocol allows");
    free(big);
    assert_serving(f, dm);
}

enum corruption {
    BACKWARDS_TO_NONE,          /* READY -> NONE under a request */
    UNKNOWN_STATE,              /* a state Xen does not define */
    BUSY_IDLE_SLOT,             /* READY with no request */
    BAD_PORT_IN_IDLE_SLOT,      /* vp_eport changed */
};

/*
 * Row (ours): a device model that moves its slot backwards or to an
 * unknown state loses its server (a full release); the guest keeps
 * running and its write, retried, lands in RAM.  The device model keeps
 * its connection; the daemon logs one line; everyone else carries on.
 */
static void test_corrupted_ioreq_slot_costs_only_the_server(void **state)
{
    static const enum corruption cases[] = {
        BACKWARDS_TO_NONE, UNKNOWN_STATE, BUSY_IDLE_SLOT,
        BAD_PORT_IN_IDLE_SLOT,
    };
    const char *why = "an ioreq server broke the request protocol";
    struct fixture *f = *state;
    struct dm *dm = &f->dm[0];
    struct dm *bystander = dm_up(f, 1, f->domid, false);
    struct xensim_guest_access_rsp rsp;
    unsigned int i, before;
    ioservid_t old;
    ioreq_t req;

    assert_int_equal(dm_open(dm, f->domid, false), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uint64_t value = 0x0badc0de00 + i;
        volatile ioreq_t *slot;
        unsigned int v;

        /* The same connection makes a new server each time, at once. */
        assert_int_equal(dm_server(dm, true), 0);
        assert_int_equal(dm_claim(dm), 0);
        assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                              HVMMEM_ioreq_server, GFN_T,
                                              2));
        old = dm->id;
        slot = dm_slot(dm, 0);
        ram_store(f, GPA(GFN_T), 8, 0);
        before = log_count(&f->daemon, why, NULL);

        switch (cases[i]) {
        case BACKWARDS_TO_NONE:
        case UNKNOWN_STATE:
            write_start(f, GPA(GFN_T), 8, value);
            v = expect_write(f, dm, GPA(GFN_T), 8, value, &req);
            set_slot_state(dm_slot(dm, v), cases[i] == UNKNOWN_STATE
                                           ? 7 : STATE_IOREQ_NONE);
            assert_ok(xenevtchn_notify(dm->xce, dm->local[v]));
            break;
        case BUSY_IDLE_SLOT:
            set_slot_state(slot, STATE_IOREQ_READY);
            write_start(f, GPA(GFN_T), 8, value);
            break;
        case BAD_PORT_IN_IDLE_SLOT:
            slot->vp_eport = dm->vp_eport[0] + 100;
            write_start(f, GPA(GFN_T), 8, value);
            break;
        }

        rsp = access_done(f);
        assert_true(rsp.retries >= 1);
        assert_int_equal(ram_load(f, GPA(GFN_T), 8), value);
        assert_int_equal(log_count(&f->daemon, why, NULL), before + 1);
        assert_errno(xendevicemodel_get_ioreq_server_info(
                         dm->dmod, f->domid, old, NULL, NULL, NULL),
                     ENOENT);
        assert_types(&f->ctl, f->domid, GFN_T, 2, HVMMEM_ram_rw);
        /* The others are untouched. */
        assert_ok(xendevicemodel_get_ioreq_server_info(
                      bystander->dmod, f->domid, bystander->id, NULL, NULL,
                      NULL));
        assert_dm_quiet(bystander);
        assert_int_equal(guest_read(f, GPA(GFN_T), 8, NULL), value);
        dm_server_forget(dm);
    }
    /* A well-behaved device model is served as before. */
    assert_int_equal(dm_server(dm, true), 0);
    assert_int_equal(dm_claim(dm), 0);
    assert_ok(xendevicemodel_set_mem_type(dm->dmod, f->domid,
                                          HVMMEM_ioreq_server, GFN_T, 1));
    assert_serving(f, dm);
}

/* ================================================================== */
/* 6. Continuations: long operations do not stop the daemon            */

/* A library call in a thread of its own (no cmocka in there). */
struct bg_call {
    pthread_t thread;
    struct dm *dm;
    bool release;               /* else set_mem_type over BIG_PAGES */
    pid_t tid;
    int rc;
    bool done;
};

static void *bg_main(void *arg)
{
    struct bg_call *c = arg;

    __atomic_store_n(&c->tid, gettid(), __ATOMIC_RELEASE);
    if (c->release)
        c->rc = dm_release(c->dm);
    else
        c->rc = xendevicemodel_set_mem_type(c->dm->dmod, c->dm->domid,
                                            HVMMEM_ioreq_server, 0,
                                            BIG_PAGES) ? -errno : 0;
    __atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
    return NULL;
}

static bool bg_done(struct bg_call *c)
{
    return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

/* Thread tid sleeps in recvmsg: its request is sent, it waits. */
static bool in_recvmsg(pid_t tid)
{
    char path[64], buf[64];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    return strtol(buf, NULL, 10) == SYS_recvmsg;
}

/* Start the call and return once its request waits in the daemon. */
static void bg_start(struct bg_call *c)
{
    struct timespec pause = { 0, 100000 };
    pid_t tid;

    assert_int_equal(pthread_create(&c->thread, NULL, bg_main, c), 0);
    while (!(tid = __atomic_load_n(&c->tid, __ATOMIC_ACQUIRE)))
        sched_yield();
    while (!in_recvmsg(tid) && !bg_done(c))
        nanosleep(&pause, NULL);
}

static int bg_finish(struct bg_call *c)
{
    assert_int_equal(pthread_join(c->thread, NULL), 0);
    return c->rc;
}

/*
 * Rows: set_mem_type over many pages is preemptible, the caller never
 * sees the continuation; a release sweeps in chunks with a cursor; a
 * claim while entry_count != 0 (nobody holding it: a release half done)
 * is -EBUSY; HVMOP_get_mem_type reports the effective type.
 *
 * 1M pages of a 4 GiB guest are typed, then released, each in one
 * library call.  Other connections' requests, queued behind the call
 * while the daemon is frozen, are answered between its slices: they see
 * the operation half done.  Then the other connection keeps asking
 * while the call runs on; every answer is consistent (pages are typed
 * in order: the last never before the first).
 */
static void test_long_operations_let_others_run(void **state)
{
    struct fixture *f = *state;
    struct dm *dm = &f->dm[0], *other = &f->dm[1];
    struct xensim_conn c[3] = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 } };
    struct xensim_hello hello = { .version = XENSIM_PROTOCOL_VERSION };
    struct bg_call bg = { .dm = dm };
    struct xen_dm_op claim;
    struct {
        struct xensim_dm_op hdr;
        struct xen_dm_op op;
    } raw_claim;
    unsigned long served = 0;
    unsigned int i;
    uint32_t big;
    ioreq_t req;
    int first, last;

    assert_ok(make_domain(f->xch, BIG_MIB, NR_VCPUS, true, &big));
    assert_int_equal(dm_open(dm, big, false), 0);
    assert_int_equal(dm_server(dm, true), 0);
    assert_int_equal(dm_open(other, big, false), 0);
    assert_int_equal(dm_server(other, false), 0);
    assert_int_equal(dm_claim(dm), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(raw_connect(&c[i]), 0);
        assert_int_equal(xensim_call_simple(&c[i], XENSIM_OP_HELLO, &hello,
                                            sizeof(hello), &hello,
                                            sizeof(hello)), 0);
    }
    /* One more round, so the daemon has settled every connection above. */
    assert_int_equal(mem_type(&f->ctl, big, 0), HVMMEM_ram_rw);

    daemon_freeze(&f->daemon);
    bg_start(&bg);
    mem_type_send(&c[0], big, 0);
    mem_type_send(&c[1], big, BIG_PAGES - 1);
    daemon_thaw(&f->daemon);
    first = mem_type_recv(&c[0]);
    last = mem_type_recv(&c[1]);
    assert_int_equal(first, HVMMEM_ioreq_server);
    assert_int_equal(last, HVMMEM_ram_rw);

    while (!bg_done(&bg)) {
        /* The last page first: if it is typed, all are. */
        last = mem_type(&c[0], big, BIG_PAGES - 1);
        first = mem_type(&c[1], big, 0);
        assert_true(last == HVMMEM_ram_rw || last == HVMMEM_ioreq_server);
        assert_int_equal(first, HVMMEM_ioreq_server);
        served++;
    }
    assert_int_equal(bg_finish(&bg), 0);
    print_message("# set_mem_type of %lu pages: %lu more rounds of "
                  "another client answered meanwhile\n", BIG_PAGES,
                  served);

    check_types(&c[0], big, 0, BIG_PAGES, 4099, HVMMEM_ioreq_server,
                __FILE__, __LINE__);
    assert_types(&c[0], big, BIG_PAGES - 1, 1, HVMMEM_ioreq_server);
    assert_errno(xc_shadow_control(f->xch, big,
                                   XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY,
                                   NULL, 0), EBUSY);
    /* The last page is forwarded like any other. */
    access_start_dom(f, big, 1, XENSIM_ACCESS_WRITE, 0,
                     GPA(BIG_PAGES - 1) + 8, 4, 0xb16, 0, 0, 0);
    answer(dm, expect_write(f, dm, GPA(BIG_PAGES - 1) + 8, 4, 0xb16, &req),
           &req, false);
    access_done(f);

    /*
     * The release, with a claim for the other server queued behind it
     * (by dom0, which made that server): the first slice drops the claim
     * and marks every entry; the claim then finds entries left.
     */
    memset(&claim, 0, sizeof(claim));
    claim.op = XEN_DMOP_map_mem_type_to_ioreq_server;
    claim.u.map_mem_type_to_ioreq_server.id = other->id;
    claim.u.map_mem_type_to_ioreq_server.type = HVMMEM_ioreq_server;
    claim.u.map_mem_type_to_ioreq_server.flags =
        XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    raw_claim.hdr = (struct xensim_dm_op){
        .domid = big, .nr_bufs = 1, .size = { sizeof(claim) },
    };
    raw_claim.op = claim;
    assert_int_equal(mem_type(&f->ctl, big, 0), HVMMEM_ioreq_server);

    bg = (struct bg_call){ .dm = dm, .release = true };
    daemon_freeze(&f->daemon);
    bg_start(&bg);
    mem_type_send(&c[2], big, BIG_PAGES - 1);
    raw_send(&c[1], XENSIM_OP_DM_OP, &raw_claim, sizeof(raw_claim));
    daemon_thaw(&f->daemon);
    /* Reset at once as far as anyone can see... */
    assert_int_equal(mem_type_recv(&c[2]), HVMMEM_ram_rw);
    /* ...but not yet swept: nobody may claim before the call returns. */
    assert_int_equal(raw_recv(&c[1], &claim, sizeof(claim)), -EBUSY);
    assert_int_equal(bg_finish(&bg), 0);

    /* Complete when the call returned: the claim is free at once. */
    assert_int_equal(dm_claim(other), 0);
    check_types(&c[0], big, 0, BIG_PAGES, 4099, HVMMEM_ram_rw, __FILE__,
                __LINE__);
    assert_types(&c[0], big, BIG_PAGES - 1, 1, HVMMEM_ram_rw);
    assert_int_equal(dm_claim(dm), -EBUSY);
    assert_int_equal(dm_release(other), 0);
    /* Nothing left typed: log-dirty may start, and stop. */
    assert_ok(xc_shadow_control(f->xch, big,
                                XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, NULL,
                                0));
    assert_ok(xc_shadow_control(f->xch, big, XEN_DOMCTL_SHADOW_OP_OFF,
                                NULL, 0));
    for (i = 0; i < 3; i++)
        xensim_disconnect(&c[i]);
    dm_close(dm);
    dm_close(other);
    assert_ok(xc_domain_destroy(f->xch, big));
}

/* ================================================================== */

/* Every daemon of the group: no sanitizer report in its log. */
static int group_setup(void **state)
{
    struct sigaction sa = { .sa_handler = watchdog_fired,
                            .sa_flags = SA_RESTART };

    (void)state;
    if (!mkdtemp(group_dir)) {
        print_error("mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    /* A device model that dies must not take the test with it. */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    return 0;
}

static int remove_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char sub[PATH_MAX];

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        struct stat st;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            remove_dir(sub);
        else
            unlink(sub);
    }
    closedir(d);
    return rmdir(path);
}

static int group_teardown(void **state)
{
    unsigned int i, bad = 0;

    (void)state;
    for (i = 1; i <= nr_daemons; i++) {
        char path[PATH_MAX];
        char *log;

        snprintf(path, sizeof(path), "%s/%02u/xensimd.log", group_dir, i);
        log = read_file(path);
        if (log && has_sanitizer_report(log)) {
            print_error("sanitizer report from xensimd in %s:\n%s\n", path,
                        log);
            bad++;
        }
        free(log);
    }
    if (bad)
        return -1;              /* keep the logs */
    remove_dir(group_dir);
    return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* 1. DESIGN.md section 4 */
        T(test_claim_without_hap_is_eopnotsupp),
        T(test_claim_bad_type_or_flags_refused_in_client),
        T(test_claim_bad_flags_refused_by_hypervisor),
        T(test_claim_unknown_server_is_enoent),
        T(test_claim_by_non_creator_is_eperm),
        T(test_claim_while_held_is_ebusy),
        T(test_release_by_non_holder_is_einval),
        T(test_release_by_holder_resets_every_entry),
        T(test_set_mem_type_without_claim_is_einval),
        T(test_set_mem_type_transitions),
        T(test_set_mem_type_bad_arguments_are_einval),
        T(test_guest_read_of_typed_page_served_from_ram),
        T(test_access_channel_reads_and_writes_ram),
        T(test_access_channel_refused_to_restricted_clients),
        T(test_access_channel_write_to_typed_page_reaches_dm),
        T(test_guest_write_of_typed_page_is_one_ioreq_per_chunk),
        T(test_rmw_on_typed_page_forwards_final_value),
        T(test_write_straddling_typed_and_untyped_pages),
        T(test_rep_store_into_typed_page_one_ioreq_per_element),
        T(test_access_outside_ram_and_ranges_is_null_handler),
        T(test_destroy_claiming_server_is_full_release),
        /* 2. restricted connections */
        T(test_restricted_calls_for_other_domain_are_eperm),
        T(test_servers_of_another_process_are_eperm),
        T(test_ports_reserved_for_another_domain_are_einval),
        /* 3. connections closing */
        T(test_closing_dm_handle_releases_claim),
        T(test_child_exit_releases_claim),
        T(test_child_killed_mid_request_loses_no_write),
        /* 4. log-dirty */
        T(test_log_dirty_refused_while_typed),
        /* 5. robustness */
        T(test_malformed_messages_cost_only_the_connection),
        T(test_corrupted_ioreq_slot_costs_only_the_server),
        /* 6. continuations */
        T(test_long_operations_let_others_run),
    };

    return cmocka_run_group_tests_name("xensimd", tests, group_setup,
                                       group_teardown);
}
