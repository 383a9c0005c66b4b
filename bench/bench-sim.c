/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Benchmarks through the simulator (DESIGN.md section 6):
 *
 *   roundtrip  a guest write to a typed page, guest -> xensimd -> demu ->
 *              xensimd -> guest, against a bare two-process eventfd
 *              ping-pong, measured in the same run.
 *
 * Runs from the build directory (`make bench`): it starts its own
 * xensimd and demu from there, on a private socket, and stops them.
 * Every figure is the best of REPS passes (noise only adds time).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>

#include "transport.h"

#define REPS            5
#define ROUND_TRIPS     20000
#define TYPED_GFN       0x100
#define MIN_D(a, b)     ((a) < (b) ? (a) : (b))

static char tmpdir[] = "/tmp/bench-sim.XXXXXX";
static char socket_path[64];
static pid_t daemon_pid = -1, demu_pid = -1;

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void stop(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGTERM);
        waitpid(*pid, NULL, 0);
        *pid = -1;
    }
}

static void cleanup(void)
{
    char path[96];

    stop(&demu_pid);
    stop(&daemon_pid);
    snprintf(path, sizeof(path), "%s/demu.err", tmpdir);
    unlink(path);
    rmdir(tmpdir);
}

static void die(const char *what)
{
    fprintf(stderr, "bench-sim: %s: %s\n", what, strerror(errno));
    cleanup();
    exit(1);
}

static pid_t spawn(char *const argv[], const char *err_path)
{
    pid_t pid = fork();

    if (pid == 0) {
        if (err_path && !freopen(err_path, "w", stderr))
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void wait_for(bool (*ready)(void), const char *what)
{
    int i;

    for (i = 0; i < 1000; i++) {
        if (ready())
            return;
        usleep(10000);
    }
    errno = ETIMEDOUT;
    die(what);
}

static bool socket_ready(void)
{
    struct stat st;

    return stat(socket_path, &st) == 0;
}

static bool demu_ready(void)
{
    char path[96], line[256];
    bool ok = false;
    FILE *f;

    snprintf(path, sizeof(path), "%s/demu.err", tmpdir);
    f = fopen(path, "r");
    if (!f)
        return false;
    while (!ok && fgets(line, sizeof(line), f))
        ok = strstr(line, "demu: serving") != NULL;
    fclose(f);
    return ok;
}

static uint32_t make_domain(void)
{
    struct xen_domctl_createdomain config = {
        .flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap,
        .max_vcpus = 1,
        .max_evtchn_port = 1023,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
        .arch.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI,
    };
    xen_pfn_t gfns[1024];
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    uint32_t domid = 0;
    unsigned int i;

    if (!xch)
        die("xc_interface_open");
    for (i = 0; i < 1024; i++)
        gfns[i] = i;
    if (xc_domain_create(xch, &domid, &config) ||
        xc_domain_max_vcpus(xch, domid, 1) ||
        xc_domain_setmaxmem(xch, domid, 4096) ||
        xc_domain_populate_physmap_exact(xch, domid, 1024, 0, 0, gfns) ||
        xc_domain_unpause(xch, domid))
        die("building the domain");
    xc_interface_close(xch);
    return domid;
}

/* One guest write to the typed page, waiting for its completion. */
static void guest_write(struct xensim_access_channel *chan, uint32_t domid,
                        uint64_t v)
{
    struct xensim_guest_access a = {
        .domid = domid,
        .op = XENSIM_ACCESS_WRITE,
        .gpa = (uint64_t)TYPED_GFN << 12,
        .size = 4,
        .data = { v },
    };
    struct xensim_guest_access_rsp rsp;
    int rc = xensim_access(chan, &a, &rsp);

    if (rc) {
        errno = -rc;
        die("guest write");
    }
}

/* The guest drives its vCPU through an access channel (no socket). */
static double sim_round_trip_ns(uint32_t domid)
{
    struct xensim_access_channel chan;
    struct xensim_conn c;
    uint64_t best = UINT64_MAX, t;
    int r, i, rep;

    r = xensim_connect(&c);
    if (!r)
        r = xensim_access_channel_open(&c, &chan);
    if (r) {
        errno = -r;
        die("opening an access channel");
    }
    for (i = 0; i < 1000; i++)          /* warm up */
        guest_write(&chan, domid, i);
    for (rep = 0; rep < REPS; rep++) {
        t = now_ns();
        for (i = 0; i < ROUND_TRIPS; i++)
            guest_write(&chan, domid, i);
        t = now_ns() - t;
        if (t < best)
            best = t;
    }
    xensim_access_channel_close(&chan);
    xensim_disconnect(&c);
    return (double)best / ROUND_TRIPS;
}

/* A parent and a child bouncing one count through two eventfds. */
static double ping_pong_ns(void)
{
    int ping = eventfd(0, 0), pong = eventfd(0, 0);
    uint64_t best = UINT64_MAX, t, v = 1;
    int i, rep;
    pid_t child;

    if (ping < 0 || pong < 0)
        die("eventfd");
    child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        for (;;) {
            if (read(ping, &v, sizeof(v)) != sizeof(v) ||
                write(pong, &v, sizeof(v)) != sizeof(v))
                _exit(0);
        }
    }
    for (rep = 0; rep <= REPS; rep++) {
        t = now_ns();
        for (i = 0; i < ROUND_TRIPS; i++) {
            if (write(ping, &v, sizeof(v)) != sizeof(v) ||
                read(pong, &v, sizeof(v)) != sizeof(v))
                die("ping-pong");
        }
        t = now_ns() - t;
        if (rep && t < best)            /* the first pass warms up */
            best = t;
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ping);
    close(pong);
    return (double)best / ROUND_TRIPS;
}

int main(void)
{
    char domid_str[16], map[16], err_path[96];
    char *daemon_argv[] = {
        "./xen/sim/xensimd", "--foreground", "--socket", socket_path, NULL,
    };
    char *demu_argv[] = {
        "./tools/demu/demu", "--domain", domid_str, "--map", map,
        "--mode", "discard", "--log", "/dev/null", NULL,
    };
    double sim_ns, pp_ns;
    uint32_t domid;

    if (!mkdtemp(tmpdir))
        die("mkdtemp");
    snprintf(socket_path, sizeof(socket_path), "%s/sock", tmpdir);
    setenv(XENSIM_SOCKET_ENV, socket_path, 1);
    snprintf(err_path, sizeof(err_path), "%s/demu.err", tmpdir);

    daemon_pid = spawn(daemon_argv, "/dev/null");
    wait_for(socket_ready, "starting xensimd");
    domid = make_domain();
    snprintf(domid_str, sizeof(domid_str), "%u", domid);
    snprintf(map, sizeof(map), "0x%x", TYPED_GFN);
    demu_pid = spawn(demu_argv, err_path);
    wait_for(demu_ready, "starting demu");

    /* Interleaved, so that a slow phase of the machine hits both. */
    pp_ns = ping_pong_ns();
    sim_ns = sim_round_trip_ns(domid);
    pp_ns = MIN_D(pp_ns, ping_pong_ns());

    printf("bench roundtrip: guest write via xensimd and demu %.2f us, "
           "eventfd ping-pong %.2f us (%d round trips, best of %d) "
           "ratio %.2f (target <= 3)\n", sim_ns / 1000, pp_ns / 1000,
           ROUND_TRIPS, REPS, sim_ns / pp_ns);
    cleanup();
    return 0;
}
