/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen-conformance: the rules of DESIGN.md section 4 that need no running
 * guest, one TAP test per rule, through Xen's libraries only
 * (libxenctrl, libxendevicemodel, libxenforeignmemory, libxenevtchn and
 * libxencall), so that the same program runs on the simulator (the
 * simulator's libraries over xensimd) and on the real Xen 4.17
 * hypervisor (Debian's libraries, in dom0).  It is not a cmocka test: it
 * must run in a minimal dom0 initramfs, so it prints TAP itself.
 *
 * Each rule gets its own guests (HVM with HAP, vCPUs created before any
 * page is typed: without a vCPU, Xen 4.17's p2m-pt.c does not count
 * typed entries) and its own ioreq servers, set up the way a device
 * model sets them up on Xen: create, map the ioreq page with
 * xenforeignmemory_map_resource, enable (Xen writes each vCPU's event
 * channel into the page only when it is enabled with the page mapped),
 * bind the channels.  After each call the rule checks the state, not
 * only the return code: page types read back with HVMOP_get_mem_type
 * (through libxencall: no library wraps it), who holds the claim by
 * trying to claim, guest RAM through xenforeignmemory.  Everything a
 * rule made is destroyed after it, whether it passed or not.
 *
 * Where the project deliberately differs from upstream Xen, a rule
 * expects each backend's own behaviour and prints, after its result,
 *   # differs from upstream Xen: <rule>: <simulator> / <Xen>
 * The backend is chosen at run time: --backend sim|xen, by default sim
 * when XENSIM_SOCKET is set (the simulator's libraries read it) and xen
 * otherwise.  Rules that need a running guest (accesses, the ioreq state
 * machine) are test-sim's and the real-Xen guest's, not this program's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xencall.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/xen.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "guest-build.h"

#define PAGE            4096UL

/* Every rule's guest: 16 MiB from gfn 0, two vCPUs, paused. */
#define NR_VCPUS        2
#define GUEST_MIB       16UL
#define GUEST_PAGES     (GUEST_MIB << 8)
#define LAST_GFN        (GUEST_PAGES - 1)

/*
 * The guest of the many-pages rule: 32 MiB, 32 chunks of 256 gfns,
 * every page read back (a few seconds under QEMU's TCG).
 */
#define BIG_MIB         32UL
#define BIG_PAGES       (BIG_MIB << 8)

/* Pages laid out as in test-sim (and the measurement on real Xen). */
#define GFN_T           0x100UL     /* typed */
#define GFN_PLAIN       0x104UL     /* never typed */
#define GFN_RO          0x110UL     /* made ram_ro */
#define GFN_MMIO        0x111UL     /* RAM made mmio_dm: Xen never lets */
                                    /* it back (mmio_dm -> ram_rw EINVAL) */
#define GFN_RANGE       0x120UL     /* a range with a refused page */
#define GFN_LEAF2       0x800UL     /* another leaf table */
#define GFN_BEYOND      0x400000UL  /* beyond every gfn a guest has */

/* A domid no rule creates (below DOMID_FIRST_RESERVED). */
#define DOMID_NONE      0x7fefU

#define WRITE           XEN_DMOP_IOREQ_MEM_ACCESS_WRITE

#define MAX_DOMS        3
#define MAX_DMS         2
#define MAX_SERVERS     6

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

/* A signal asks to stop after the current rule, cleaning up first. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* ------------------------------------------------------------------ */
/* Handles, servers, rules                                             */

/* A device model's handles: dom0's own, or restricted to one domain. */
struct dm {
    bool open;
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenevtchn_handle *xce;
    char who[48];               /* in messages: "dom0's handles" */
    const char *tag;            /* in server names: "dom0's" */
};

/* An ioreq server set up as a device model sets one up. */
struct server {
    struct dm *dm;              /* the handles that created it */
    domid_t domid;
    ioservid_t id;
    bool live;                  /* not destroyed, as far as we know */
    xenforeignmemory_resource_handle *fres;
    shared_iopage_t *iopage;
    evtchn_port_t vp_eport[NR_VCPUS];
    evtchn_port_t local[NR_VCPUS];
    bool bound[NR_VCPUS];
    char name[64];              /* in messages */
};

struct env {
    bool sim;                   /* the backend: simulator or real Xen */
    bool verbose;
    xc_interface *xch;
    xencall_handle *xcall;
    xen_hvm_get_mem_type_t *mt; /* HVMOP_get_mem_type's hypercall buffer */
    struct dm dom0;             /* the toolstack's handles, as dom0 */
};

/* One rule being run: what it made, and how it went. */
struct row {
    struct env *env;
    bool sim;
    const char *name;
    unsigned int failed;        /* checks that failed */
    char why[200];              /* the first one, for the TAP line */
    char skip[200];             /* non-empty: skipped, and why */
    uint32_t dom[MAX_DOMS];
    unsigned int nr_dom;
    struct dm dm[MAX_DMS];
    unsigned int nr_dm;
    struct server srv[MAX_SERVERS];
    unsigned int nr_srv;
};

struct rule {
    const char *name;
    void (*run)(struct row *r);
    const char *text;           /* the row of DESIGN.md section 4 */
    const char *differs;        /* NULL, or "<simulator> / <Xen>" */
    bool finding;               /* a difference nobody chose */
};

/* ------------------------------------------------------------------ */
/* Reporting                                                           */

static const char *errno_name(int e)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {
        { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
        { EINTR, "EINTR" }, { EIO, "EIO" }, { E2BIG, "E2BIG" },
        { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
        { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
        { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
        { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
        { ENODATA, "ENODATA" }, { EPROTO, "EPROTO" },
        { EOPNOTSUPP, "EOPNOTSUPP" }, { ECONNREFUSED, "ECONNREFUSED" },
        { ENOTTY, "ENOTTY" }, { EPIPE, "EPIPE" },
    };
    static char buf[32];
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].e == e)
            return names[i].name;
    snprintf(buf, sizeof(buf), "errno %d", e);
    return buf;
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
    case HVMMEM_unused:
        return "unused";
    case HVMMEM_ioreq_server:
        return "ioreq_server";
    default:
        return t < 0 ? errno_name(-t) : "?";
    }
}

/* A check failed: say so now, and keep the first for the TAP line. */
static void __attribute__((format(printf, 3, 4)))
fail_at(struct row *r, int line, const char *fmt, ...)
{
    char msg[sizeof(r->why)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("# %s: FAILED (line %d): %s\n", r->name, line, msg);
    if (!r->failed++)
        snprintf(r->why, sizeof(r->why), "%s", msg);
}

static void __attribute__((format(printf, 2, 3)))
skip_row(struct row *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->skip, sizeof(r->skip), fmt, ap);
    va_end(ap);
}

/* "success" or the errno that is expected. */
static const char *want_name(int want)
{
    return want ? errno_name(want) : "success";
}

/*
 * A call's outcome against what is expected: want 0 is success (a
 * result >= 0), otherwise -1 with errno want.
 */
static bool check_call(struct row *r, int line, int want, long rc, int err,
                       const char *what)
{
    bool ok = want ? rc == -1 && err == want : rc >= 0;

    if (r->env->verbose)
        printf("# %s: %s -> %s%s\n", r->name, what,
               rc >= 0 ? "success" : errno_name(err),
               ok ? "" : " (unexpected)");
    if (ok)
        return true;
    if (rc >= 0)
        fail_at(r, line, "%s: succeeded (%ld); expected %s", what, rc,
                want_name(want));
    else
        fail_at(r, line, "%s: failed with %s (%s); expected %s", what,
                errno_name(err), strerror(err), want_name(want));
    return false;
}

/*
 * The checks of a rule.  A rule's context is always called r; a check
 * that fails reports and ends the rule (the runner cleans up).
 * EXPECT(want, call, description...): want 0 for success, or an errno.
 */
#define EXPECT(want, call, ...) do {                                    \
        char what_[160];                                                \
        long rc_;                                                       \
        int err_;                                                       \
        errno = 0;                                                      \
        rc_ = (call);                                                   \
        err_ = errno;                                                   \
        snprintf(what_, sizeof(what_), __VA_ARGS__);                    \
        if (!check_call(r, __LINE__, (want), rc_, err_, what_))         \
            return;                                                     \
    } while (0)

/* A helper that reports its own failure returned false. */
#define TRY(helper) do {                                                \
        if (!(helper))                                                  \
            return;                                                     \
    } while (0)

/* ------------------------------------------------------------------ */
/* HVMOP_get_mem_type, through libxencall                              */

/* The type of pfn in domid, or -errno. */
static int mem_type(struct env *env, domid_t domid, uint64_t pfn)
{
    xen_hvm_get_mem_type_t *a = env->mt;
    int rc;

    memset(a, 0, sizeof(*a));
    a->domid = domid;
    a->pfn = pfn;
    rc = xencall2(env->xcall, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                  (uint64_t)(uintptr_t)a);
    return rc < 0 ? -errno : a->mem_type;
}

/* Pages [gfn, gfn + nr) of domid read back as type want (step apart). */
static bool check_types(struct row *r, int line, domid_t domid,
                        uint64_t gfn, uint64_t nr, uint64_t step, int want)
{
    uint64_t i;

    for (i = 0; i < nr; i += step) {
        int t = mem_type(r->env, domid, gfn + i);

        if (t != want) {
            fail_at(r, line, "domain %u gfn %#" PRIx64 ": "
                    "HVMOP_get_mem_type says %s, expected %s", domid,
                    gfn + i, type_name(t), type_name(want));
            return false;
        }
    }
    if (r->env->verbose)
        printf("# %s: domain %u gfns %#" PRIx64 "-%#" PRIx64 " read %s\n",
               r->name, domid, gfn, gfn + nr - 1, type_name(want));
    return true;
}

#define EXPECT_TYPES(domid, gfn, nr, want) \
    TRY(check_types(r, __LINE__, (domid), (gfn), (nr), 1, (want)))

/* HVMOP_get_mem_type itself fails with want. */
#define EXPECT_TYPE_ERRNO(domid, gfn, want) do {                        \
        int t_ = mem_type(r->env, (domid), (gfn));                      \
        if (t_ != -(want)) {                                            \
            fail_at(r, __LINE__, "HVMOP_get_mem_type of domain %u: %s;" \
                    " expected %s", (domid), type_name(t_),             \
                    errno_name(want));                                  \
            return;                                                     \
        }                                                               \
    } while (0)

/* ------------------------------------------------------------------ */
/* Guests, built with libxenctrl as mkdomain builds them               */

enum dom_kind { DOM_HAP, DOM_SHADOW, DOM_PV };

/*
 * A paused guest of kind, with mib MiB of RAM from gfn 0 (none for PV).
 * 0, or -1 with errno and *step saying what failed.  Once created, the
 * domain is the row's, destroyed after it.
 */
static int build_domain(struct row *r, enum dom_kind kind, unsigned long mib,
                        uint32_t *domid, const char **step)
{
    xc_interface *xch = r->env->xch;
    struct xen_domctl_createdomain config;

    guest_config(&config, kind == DOM_PV ? GUEST_PV :
                          kind == DOM_SHADOW ? GUEST_SHADOW : GUEST_HVM,
                 NR_VCPUS);
    *domid = 0;
    *step = "xc_domain_create";
    if (r->nr_dom == MAX_DOMS) {
        errno = ENOSPC;
        return -1;
    }
    if (xc_domain_create(xch, domid, &config))
        return -1;
    r->dom[r->nr_dom++] = *domid;
    /*
     * Before any page is typed: without a vCPU, Xen 4.17's p2m-pt.c does
     * not count typed entries, and a release leaves them typed.
     */
    *step = "xc_domain_max_vcpus";
    if (xc_domain_max_vcpus(xch, *domid, NR_VCPUS))
        return -1;
    if (kind == DOM_PV)
        return 0;
    /* 1 MiB more than the RAM, as room for what Xen itself allocates. */
    *step = "xc_domain_setmaxmem";
    if (xc_domain_setmaxmem(xch, *domid, (mib << 10) + 1024))
        return -1;
    *step = "xc_domain_populate_physmap_exact";
    return guest_populate(xch, *domid, mib << 8);
}

static bool new_domain(struct row *r, int line, enum dom_kind kind,
                       unsigned long mib, uint32_t *domid)
{
    const char *step;

    if (build_domain(r, kind, mib, domid, &step) == 0) {
        if (r->env->verbose)
            printf("# %s: built domain %u (%lu MiB)\n", r->name, *domid,
                   mib);
        return true;
    }
    fail_at(r, line, "cannot build a guest: %s: %s (%s)", step,
            errno_name(errno), strerror(errno));
    return false;
}

#define NEW_DOMAIN(kind, mib, domid) \
    TRY(new_domain(r, __LINE__, (kind), (mib), (domid)))

/*
 * An HVM guest without HAP.  Debian's Xen 4.17 is built without shadow
 * paging and refuses to create one (EOPNOTSUPP, measured; later Xen
 * refuses it earlier with EINVAL): on real Xen that skips the rule.
 */
static bool shadow_domain(struct row *r, int line, uint32_t *domid)
{
    unsigned int before = r->nr_dom;
    const char *step;
    int err;

    if (build_domain(r, DOM_SHADOW, GUEST_MIB, domid, &step) == 0)
        return true;
    err = errno;
    if (!r->sim && (err == EOPNOTSUPP || err == EINVAL) &&
        r->nr_dom == before) {
        skip_row(r, "this Xen cannot create an HVM domain without HAP "
                 "(xc_domain_create: %s): Debian builds Xen 4.17 without "
                 "shadow paging", errno_name(err));
        return false;
    }
    fail_at(r, line, "cannot build a guest without HAP: %s: %s (%s)", step,
            errno_name(err), strerror(err));
    return false;
}

/* ------------------------------------------------------------------ */
/* Device models and their ioreq servers                               */

/*
 * Open a device model's handles (restricted to domid if restricted).
 * On the simulator, restricted handles of one process with one target
 * act as one device-model domain; on Xen they stay dom0's.
 */
static bool dm_open(struct row *r, int line, bool restricted,
                    domid_t domid, struct dm **out)
{
    struct dm *dm;

    if (r->nr_dm == MAX_DMS) {
        fail_at(r, line, "too many device models in one rule");
        return false;
    }
    dm = &r->dm[r->nr_dm++];
    memset(dm, 0, sizeof(*dm));
    dm->open = true;
    if (restricted) {
        snprintf(dm->who, sizeof(dm->who), "handles restricted to "
                 "domain %u", domid);
        dm->tag = "restricted handles'";
    } else {
        snprintf(dm->who, sizeof(dm->who), "other dom0 handles");
        dm->tag = "other dom0 handles'";
    }
    dm->dmod = xendevicemodel_open(NULL, 0);
    dm->fmem = xenforeignmemory_open(NULL, 0);
    dm->xce = xenevtchn_open(NULL, 0);
    if (!dm->dmod || !dm->fmem || !dm->xce) {
        fail_at(r, line, "cannot open a device model's handles: %s",
                errno_name(errno));
        return false;
    }
    if (restricted &&
        (xendevicemodel_restrict(dm->dmod, domid) ||
         xenforeignmemory_restrict(dm->fmem, domid) ||
         xenevtchn_restrict(dm->xce, domid))) {
        fail_at(r, line, "cannot restrict the handles to domain %u: %s",
                domid, errno_name(errno));
        return false;
    }
    *out = dm;
    return true;
}

#define DM_OPEN(restricted, domid, out) \
    TRY(dm_open(r, __LINE__, (restricted), (domid), (out)))

/* Unbind a server's ports and unmap its page (it may be gone). */
static void server_forget(struct server *s)
{
    unsigned int v;

    for (v = 0; v < NR_VCPUS; v++) {
        if (s->bound[v])
            (void)xenevtchn_unbind(s->dm->xce, s->local[v]);
        s->bound[v] = false;
    }
    if (s->fres)
        xenforeignmemory_unmap_resource(s->dm->fmem, s->fres);
    s->fres = NULL;
    s->iopage = NULL;
}

/* Close a device model's handles, as its process exiting would. */
static void dm_close(struct row *r, struct dm *dm)
{
    unsigned int i;

    if (!dm->open)
        return;
    for (i = 0; i < r->nr_srv; i++)
        if (r->srv[i].dm == dm)
            server_forget(&r->srv[i]);
    if (dm->xce)
        xenevtchn_close(dm->xce);
    if (dm->fmem)
        xenforeignmemory_close(dm->fmem);
    if (dm->dmod)
        xendevicemodel_close(dm->dmod);
    dm->xce = NULL;
    dm->fmem = NULL;
    dm->dmod = NULL;
    dm->open = false;
}

static bool server_bind(struct row *r, int line, struct server *s,
                        unsigned int v)
{
    int port = xenevtchn_bind_interdomain(s->dm->xce, s->domid,
                                          s->vp_eport[v]);

    if (port < 0) {
        fail_at(r, line, "%s: binding vCPU %u's port %u: %s", s->name, v,
                s->vp_eport[v], errno_name(errno));
        return false;
    }
    s->local[v] = port;
    s->bound[v] = true;
    return true;
}

/*
 * A server of dm's for domid, set up as demu and QEMU do on Xen: create,
 * map its ioreq page, enable (which writes each vCPU's port into the
 * page), then bind every vCPU's port if bind.
 */
static bool server_new(struct row *r, int line, struct dm *dm,
                       domid_t domid, bool bind, struct server **out)
{
    struct server *s;
    void *addr = NULL;
    unsigned int v;

    if (r->nr_srv == MAX_SERVERS) {
        fail_at(r, line, "too many servers in one rule");
        return false;
    }
    s = &r->srv[r->nr_srv];
    memset(s, 0, sizeof(*s));
    s->dm = dm;
    s->domid = domid;
    if (xendevicemodel_create_ioreq_server(dm->dmod, domid,
                                           HVM_IOREQSRV_BUFIOREQ_OFF,
                                           &s->id)) {
        fail_at(r, line, "creating an ioreq server for domain %u with %s: "
                "%s", domid, dm->who, errno_name(errno));
        return false;
    }
    r->nr_srv++;
    s->live = true;
    snprintf(s->name, sizeof(s->name), "server %u (%s)", s->id, dm->tag);
    s->fres = xenforeignmemory_map_resource(
        dm->fmem, domid, XENMEM_resource_ioreq_server, s->id,
        XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr,
        PROT_READ | PROT_WRITE, 0);
    if (!s->fres) {
        fail_at(r, line, "%s: mapping its ioreq page "
                "(xenforeignmemory_map_resource): %s", s->name,
                errno_name(errno));
        return false;
    }
    s->iopage = addr;
    if (xendevicemodel_set_ioreq_server_state(dm->dmod, domid, s->id, 1)) {
        fail_at(r, line, "%s: enabling it: %s", s->name, errno_name(errno));
        return false;
    }
    for (v = 0; v < NR_VCPUS; v++) {
        s->vp_eport[v] = s->iopage->vcpu_ioreq[v].vp_eport;
        if (!s->vp_eport[v]) {
            fail_at(r, line, "%s: vCPU %u has no port in the ioreq page",
                    s->name, v);
            return false;
        }
        if (bind && !server_bind(r, line, s, v))
            return false;
    }
    if (r->env->verbose)
        printf("# %s: %s for domain %u is up\n", r->name, s->name, domid);
    *out = s;
    return true;
}

#define SERVER_NEW(dm, domid, bind, out) \
    TRY(server_new(r, __LINE__, (dm), (domid), (bind), (out)))

/* Most rules' start: a guest of mib MiB, one or two servers of dom0's. */
static bool guest_with_servers(struct row *r, int line, unsigned long mib,
                               uint32_t *domid, struct server **s1,
                               struct server **s2)
{
    struct dm *dom0 = &r->env->dom0;

    return new_domain(r, line, DOM_HAP, mib, domid) &&
           server_new(r, line, dom0, *domid, true, s1) &&
           (!s2 || server_new(r, line, dom0, *domid, true, s2));
}

#define GUEST_WITH_SERVERS(mib, domid, s1, s2) \
    TRY(guest_with_servers(r, __LINE__, (mib), (domid), (s1), (s2)))

/* The calls a rule makes, 0 or -1 with errno. */
static int claim_id(struct dm *dm, domid_t domid, ioservid_t id,
                    uint32_t flags)
{
    return xendevicemodel_map_mem_type_to_ioreq_server(
        dm->dmod, domid, id, HVMMEM_ioreq_server, flags);
}

static int claim_as(struct dm *dm, const struct server *s, uint32_t flags)
{
    return claim_id(dm, s->domid, s->id, flags);
}

static int claim(const struct server *s)
{
    return claim_as(s->dm, s, WRITE);
}

static int release(const struct server *s)
{
    return claim_as(s->dm, s, 0);
}

static int set_type(struct dm *dm, domid_t domid, hvmmem_type_t type,
                    uint64_t gfn, uint32_t nr)
{
    return xendevicemodel_set_mem_type(dm->dmod, domid, type, gfn, nr);
}

static int get_info_as(struct dm *dm, const struct server *s)
{
    return xendevicemodel_get_ioreq_server_info(dm->dmod, s->domid, s->id,
                                                NULL, NULL, NULL);
}

/* Destroy s through dm's handles; forget its page and ports first. */
static int destroy_as(struct dm *dm, struct server *s)
{
    int rc;

    server_forget(s);
    rc = xendevicemodel_destroy_ioreq_server(dm->dmod, s->domid, s->id);
    if (rc == 0)
        s->live = false;
    return rc;
}

static int destroy(struct server *s)
{
    return destroy_as(s->dm, s);
}

/* Map s's ioreq page through dm's handles, and unmap it at once. */
static int map_resource_as(struct dm *dm, const struct server *s)
{
    xenforeignmemory_resource_handle *h;
    void *addr = NULL;

    h = xenforeignmemory_map_resource(
        dm->fmem, s->domid, XENMEM_resource_ioreq_server, s->id,
        XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr, PROT_READ,
        0);
    if (!h)
        return -1;
    xenforeignmemory_unmap_resource(dm->fmem, h);
    return 0;
}

/* Bind s's port of vCPU v through dm's handles, and unbind it at once. */
static int bind_as(struct dm *dm, const struct server *s, unsigned int v)
{
    int port = xenevtchn_bind_interdomain(dm->xce, s->domid, s->vp_eport[v]);

    if (port < 0)
        return -1;
    (void)xenevtchn_unbind(dm->xce, port);
    return 0;
}

/* Map one page of domid's RAM through dm's handles, and unmap it. */
static int map_ram_as(struct dm *dm, domid_t domid, uint64_t gfn)
{
    xen_pfn_t pfn = gfn;
    void *p = xenforeignmemory_map(dm->fmem, domid, PROT_READ, 1, &pfn,
                                   NULL);

    if (!p)
        return -1;
    xenforeignmemory_unmap(dm->fmem, p, 1);
    return 0;
}

static int log_dirty(struct row *r, uint32_t domid, unsigned int op,
                     unsigned int mode)
{
    return xc_shadow_control(r->env->xch, domid, op, NULL, mode);
}

#define LOGDIRTY_ON     XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY
#define LOGDIRTY_OFF    XEN_DOMCTL_SHADOW_OP_OFF

/* ------------------------------------------------------------------ */
/* Guest RAM, through xenforeignmemory                                 */

/* What word i of page gfn holds after ram_fill(seed). */
static uint64_t pattern(uint64_t seed, uint64_t gfn, unsigned int i)
{
    return (seed * 0x9e3779b97f4a7c15ULL) ^ (gfn << 12 | i);
}

/*
 * Write (fill) or compare (!fill) the pattern of seed over pages [gfn,
 * gfn + nr) of domid, through dm's foreign mapping: how a device model
 * reaches RAM, typed pages included.
 */
static bool ram_pattern(struct row *r, int line, struct dm *dm,
                        domid_t domid, uint64_t gfn, unsigned int nr,
                        uint64_t seed, bool fill)
{
    xen_pfn_t pfns[16];
    int err[16];
    uint64_t *p;
    unsigned int i, w;

    if (nr > ARRAY_SIZE(pfns)) {
        fail_at(r, line, "ram_pattern: at most %zu pages",
                ARRAY_SIZE(pfns));
        return false;
    }
    for (i = 0; i < nr; i++)
        pfns[i] = gfn + i;
    p = xenforeignmemory_map(dm->fmem, domid, PROT_READ | PROT_WRITE, nr,
                             pfns, err);
    if (!p) {
        fail_at(r, line, "mapping domain %u gfns %#" PRIx64 "+%u: %s",
                domid, gfn, nr, errno_name(errno));
        return false;
    }
    for (i = 0; i < nr; i++) {
        if (err[i]) {
            fail_at(r, line, "mapping domain %u gfn %#" PRIx64 ": %s",
                    domid, gfn + i, errno_name(-err[i]));
            xenforeignmemory_unmap(dm->fmem, p, nr);
            return false;
        }
    }
    for (i = 0; i < nr; i++) {
        uint64_t *page = p + i * (PAGE / 8);

        for (w = 0; w < PAGE / 8; w++) {
            uint64_t want = pattern(seed, gfn + i, w);

            if (fill) {
                page[w] = want;
            } else if (page[w] != want) {
                fail_at(r, line, "domain %u gfn %#" PRIx64 " offset %#x: "
                        "RAM holds %#" PRIx64 ", expected %#" PRIx64,
                        domid, gfn + i, w * 8, page[w], want);
                xenforeignmemory_unmap(dm->fmem, p, nr);
                return false;
            }
        }
    }
    xenforeignmemory_unmap(dm->fmem, p, nr);
    return true;
}

#define RAM_FILL(dm, domid, gfn, nr, seed) \
    TRY(ram_pattern(r, __LINE__, (dm), (domid), (gfn), (nr), (seed), true))
#define RAM_CHECK(dm, domid, gfn, nr, seed) \
    TRY(ram_pattern(r, __LINE__, (dm), (domid), (gfn), (nr), (seed), false))

/* ================================================================== */
/* The rules                                                           */

/* claim on a domain without HAP -> -EOPNOTSUPP, checked first. */
static void claim_without_hap(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s;
    ioservid_t none;
    uint32_t d;

    TRY(shadow_domain(r, __LINE__, &d));
    SERVER_NEW(dom0, d, true, &s);
    /* Before the server id is looked at: even a server that is not. */
    none = (s->id + 1) % 8;
    EXPECT(EOPNOTSUPP, claim_id(dom0, d, none, WRITE), "claim for server "
           "%u (none) of domain %u without HAP", none, d);
    EXPECT(EOPNOTSUPP, claim(s), "claim by %s of domain %u without HAP",
           s->name, d);
    EXPECT(EOPNOTSUPP, release(s), "release by %s of domain %u without "
           "HAP", s->name, d);
    /* Nothing claimed, nothing typed; other types still work. */
    EXPECT(EOPNOTSUPP, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server without HAP");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_rw);
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_ro, GFN_T, 1),
           "set_mem_type to ram_ro without HAP");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_ro);
}

/* type other than ioreq_server; flags other than WRITE or 0 -> EINVAL. */
static void claim_bad_type_or_flags(struct row *r)
{
    static const struct {
        uint16_t type;
        uint32_t flags;
    } bad[] = {
        { HVMMEM_ram_rw, WRITE },
        { HVMMEM_mmio_dm, WRITE },
        { HVMMEM_unused, WRITE },
        { 5, WRITE },
        { HVMMEM_ioreq_server, XEN_DMOP_IOREQ_MEM_ACCESS_READ },
        { HVMMEM_ioreq_server, XEN_DMOP_IOREQ_MEM_ACCESS_READ | WRITE },
        { HVMMEM_ioreq_server, 1u << 2 },
        { HVMMEM_ioreq_server, 0x80000000u | WRITE },
    };
    struct dm *dom0 = &r->env->dom0;
    struct server *s;
    unsigned int i;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s, NULL);
    for (i = 0; i < ARRAY_SIZE(bad); i++)
        EXPECT(EINVAL, xendevicemodel_map_mem_type_to_ioreq_server(
                   dom0->dmod, d, s->id, bad[i].type, bad[i].flags),
               "claim by %s with type %u, flags %#x", s->name,
               bad[i].type, bad[i].flags);
    /* Nothing was claimed: typing is refused, a proper claim works. */
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server after the refused claims");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_rw);
    EXPECT(0, claim(s), "claim by %s with flags WRITE", s->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server once claimed");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ioreq_server);
}

/* server id >= 8 or not existing -> -ENOENT. */
static void claim_unknown_server(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s, *gone;
    ioservid_t ids[4];
    unsigned int i;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s, NULL);
    SERVER_NEW(dom0, d, false, &gone);
    EXPECT(0, destroy(gone), "destroying %s", gone->name);
    ids[0] = 8;
    ids[1] = 0xffff;
    ids[2] = gone->id;
    ids[3] = 7;
    if (ids[3] == s->id)
        ids[3] = 6;
    for (i = 0; i < ARRAY_SIZE(ids); i++)
        EXPECT(ENOENT, claim_id(dom0, d, ids[i], WRITE), "claim for server "
               "id %u (%s) of domain %u", ids[i], ids[i] >= 8 ? ">= 8" :
               ids[i] == gone->id ? "destroyed" : "never created", d);
    /* Nobody holds the claim; the real server can take it. */
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server after the refused claims");
    EXPECT(0, claim(s), "claim by %s", s->name);
}

/*
 * caller did not create the server -> -EPERM.  The other caller is a
 * restricted connection: a device-model domain of its own on the
 * simulator, still dom0 (the creator of both servers) on Xen.
 */
static void claim_by_non_creator(struct row *r)
{
    struct dm *dom0 = &r->env->dom0, *dmr;
    struct server *s0, *s1;
    int want = r->sim ? EPERM : 0;
    uint32_t d;

    NEW_DOMAIN(DOM_HAP, GUEST_MIB, &d);
    DM_OPEN(true, d, &dmr);
    SERVER_NEW(dom0, d, true, &s0);
    SERVER_NEW(dmr, d, true, &s1);

    EXPECT(want, claim_as(dmr, s0, WRITE), "claim through handles "
           "restricted to domain %u for %s", d, s0->name);
    if (!r->sim)
        EXPECT(0, claim_as(dmr, s0, 0), "release it again");
    EXPECT(want, claim_as(dom0, s1, WRITE), "claim by dom0 for %s",
           s1->name);
    if (!r->sim)
        EXPECT(0, claim_as(dom0, s1, 0), "release it again");
    /* Nobody holds the claim. */
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server with no claim held");

    /* Each creator claims for its own; set_mem_type checks no owner. */
    EXPECT(0, claim(s1), "claim by %s for itself", s1->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type by dom0 while %s holds the claim", s1->name);
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ioreq_server);
    EXPECT(EBUSY, claim(s0), "claim by %s while %s holds it", s0->name,
           s1->name);
    EXPECT(0, release(s1), "release by %s", s1->name);
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_rw);
    EXPECT(0, claim(s0), "claim by %s once released", s0->name);
}

/* claim while any server (the same one too) holds it -> -EBUSY. */
static void claim_while_held(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s1, *s2;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s1, &s2);
    EXPECT(0, claim(s1), "claim by %s", s1->name);
    EXPECT(EBUSY, claim(s1), "claim by %s again", s1->name);
    EXPECT(EBUSY, claim(s2), "claim by %s while %s holds it", s2->name,
           s1->name);
    /* The first still holds it: typing works, only it can release. */
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 2),
           "set_mem_type to ioreq_server");
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ioreq_server);
    EXPECT(EINVAL, release(s2), "release by %s", s2->name);
    EXPECT(0, release(s1), "release by %s", s1->name);
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ram_rw);
    EXPECT(0, claim(s2), "claim by %s once released", s2->name);
}

/* release (flags 0) by a server that does not hold the claim -> -EINVAL. */
static void release_by_non_holder(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s1, *s2;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s1, &s2);
    EXPECT(0, claim(s1), "claim by %s", s1->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 2),
           "set_mem_type to ioreq_server");
    RAM_FILL(dom0, d, GFN_T, 2, 1);

    EXPECT(EINVAL, release(s2), "release by %s while %s holds it",
           s2->name, s1->name);
    /* Nothing changed: typed, and still held by the first. */
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ioreq_server);
    EXPECT(EBUSY, claim(s2), "claim by %s", s2->name);
    RAM_CHECK(dom0, d, GFN_T, 2, 1);

    /* With nobody holding it, every release is refused. */
    EXPECT(0, release(s1), "release by %s", s1->name);
    EXPECT(EINVAL, release(s1), "release by %s again", s1->name);
    EXPECT(EINVAL, release(s2), "release by %s, nobody holding it",
           s2->name);
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ram_rw);
    RAM_CHECK(dom0, d, GFN_T, 2, 1);
}

/*
 * release by the holder: claim dropped, every typed entry reset (marked,
 * then swept in chunks of 256 gfns); when it returns entry_count is 0
 * and a re-claim works.
 */
static void release_by_holder(struct row *r)
{
    static const struct {
        uint64_t gfn;
        uint32_t nr;
    } typed[] = {
        { 0, 1 }, { GFN_T, 16 }, { GFN_LEAF2, 1 }, { LAST_GFN, 1 },
    };
    struct dm *dom0 = &r->env->dom0;
    struct server *s1, *s2;
    unsigned int i;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s1, &s2);
    EXPECT(0, claim(s1), "claim by %s", s1->name);
    /* Typed pages in several leaf tables, from the first to the last. */
    for (i = 0; i < ARRAY_SIZE(typed); i++) {
        EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, typed[i].gfn,
                           typed[i].nr),
               "set_mem_type of gfns %#" PRIx64 "+%u to ioreq_server",
               typed[i].gfn, typed[i].nr);
        EXPECT_TYPES(d, typed[i].gfn, typed[i].nr, HVMMEM_ioreq_server);
    }
    EXPECT_TYPES(d, GFN_T + 16, 1, HVMMEM_ram_rw);
    /* A device model writes typed pages through its foreign mapping. */
    RAM_FILL(dom0, d, GFN_T, 16, 2);
    RAM_CHECK(dom0, d, GFN_T, 16, 2);

    EXPECT(0, release(s1), "release by %s, the holder", s1->name);
    for (i = 0; i < ARRAY_SIZE(typed); i++)
        EXPECT_TYPES(d, typed[i].gfn, typed[i].nr, HVMMEM_ram_rw);
    RAM_CHECK(dom0, d, GFN_T, 16, 2);
    /* entry_count is 0: another server claims at once... */
    EXPECT(0, claim(s2), "claim by %s right after the release", s2->name);
    EXPECT(EINVAL, release(s1), "release by %s, no longer the holder",
           s1->name);
    EXPECT(0, release(s2), "release by %s", s2->name);
    /* ...and global log-dirty may start. */
    EXPECT(0, log_dirty(r, d, LOGDIRTY_ON, 0), "enabling log-dirty");
    EXPECT(0, log_dirty(r, d, LOGDIRTY_OFF, 0), "disabling log-dirty");
}

/* set_mem_type to ioreq_server without HAP -> -EOPNOTSUPP. */
static void set_mem_type_without_hap(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    uint32_t d;

    TRY(shadow_domain(r, __LINE__, &d));
    EXPECT(EOPNOTSUPP, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 4),
           "set_mem_type to ioreq_server without HAP");
    /* The range and the type come first, as in Xen. */
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 0),
           "set_mem_type of 0 pages to ioreq_server without HAP");
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, LAST_GFN, 2),
           "set_mem_type beyond the last gfn without HAP");
    EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
    /* The other types work without HAP. */
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_ro, GFN_T, 4),
           "set_mem_type to ram_ro without HAP");
    EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_ro);
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T, 4),
           "set_mem_type back to ram_rw without HAP");
    EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
}

/* set_mem_type to ioreq_server without a claim -> -EINVAL. */
static void set_mem_type_without_claim(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s, NULL);
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 4),
           "set_mem_type to ioreq_server, a server but no claim");
    EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
    /* Back to ram_rw needs no claim. */
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T, 4),
           "set_mem_type to ram_rw without a claim");
    /* Once the claim is released, refused again. */
    EXPECT(0, claim(s), "claim by %s", s->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server while claimed");
    EXPECT(0, release(s), "release by %s", s->name);
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 4),
           "set_mem_type to ioreq_server after the release");
    EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
}

/*
 * set_mem_type: only ram_rw -> ioreq_server and back; ioreq_server ->
 * itself, and ram_ro / mmio_dm / log-dirty <-> ioreq_server are EINVAL.
 * A range stops at its first refused page; the pages before it stay
 * changed.
 */
static void set_mem_type_transitions(struct row *r)
{
    static const hvmmem_type_t from_typed[] = {
        HVMMEM_ioreq_server, HVMMEM_ram_ro, HVMMEM_mmio_dm,
    };
    struct dm *dom0 = &r->env->dom0;
    struct server *s;
    unsigned int i;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s, NULL);
    EXPECT(0, claim(s), "claim by %s", s->name);
    RAM_FILL(dom0, d, GFN_T, 1, 3);

    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "ram_rw -> ioreq_server");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ioreq_server);
    for (i = 0; i < ARRAY_SIZE(from_typed); i++)
        EXPECT(EINVAL, set_type(dom0, d, from_typed[i], GFN_T, 1),
               "ioreq_server -> %s", type_name(from_typed[i]));
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ioreq_server);

    EXPECT(0, set_type(dom0, d, HVMMEM_ram_ro, GFN_RO, 1),
           "ram_rw -> ram_ro");
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_RO, 1),
           "ram_ro -> ioreq_server");
    EXPECT_TYPES(d, GFN_RO, 1, HVMMEM_ram_ro);
    EXPECT(0, set_type(dom0, d, HVMMEM_mmio_dm, GFN_MMIO, 1),
           "ram_rw -> mmio_dm");
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_MMIO, 1),
           "mmio_dm -> ioreq_server");
    EXPECT_TYPES(d, GFN_MMIO, 1, HVMMEM_mmio_dm);

    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T, 1),
           "ioreq_server -> ram_rw");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_rw);
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T, 1),
           "ram_rw -> ram_rw");
    RAM_CHECK(dom0, d, GFN_T, 1, 3);

    /* [GFN_RANGE, +4) with a ram_ro page third: the first two change. */
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_ro, GFN_RANGE + 2, 1),
           "ram_rw -> ram_ro");
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_RANGE, 4),
           "ram_rw, ram_rw, ram_ro, ram_rw -> ioreq_server");
    EXPECT_TYPES(d, GFN_RANGE, 2, HVMMEM_ioreq_server);
    EXPECT_TYPES(d, GFN_RANGE + 2, 1, HVMMEM_ram_ro);
    EXPECT_TYPES(d, GFN_RANGE + 3, 1, HVMMEM_ram_rw);
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_RANGE, 4),
           "ioreq_server, ioreq_server, ram_ro, ram_rw -> ram_rw");
    EXPECT_TYPES(d, GFN_RANGE, 4, HVMMEM_ram_rw);

    /* Log-dirty pages (typed ones refuse log-dirty: their own rule). */
    EXPECT(0, log_dirty(r, d, LOGDIRTY_ON, 0),
           "enabling log-dirty with no page typed");
    EXPECT_TYPES(d, GFN_PLAIN, 1, HVMMEM_ram_ro);
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_PLAIN, 1),
           "log-dirty -> ioreq_server");
    EXPECT_TYPES(d, GFN_PLAIN, 1, HVMMEM_ram_ro);
    EXPECT(0, log_dirty(r, d, LOGDIRTY_OFF, 0), "disabling log-dirty");
    EXPECT_TYPES(d, GFN_PLAIN, 1, HVMMEM_ram_rw);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_PLAIN, 1),
           "ram_rw -> ioreq_server once log-dirty is off");
    EXPECT_TYPES(d, GFN_PLAIN, 1, HVMMEM_ioreq_server);
}

/*
 * set_mem_type with nr == 0, a range that wraps or ends beyond the max
 * gfn, mem_type 3 or > 4 -> EINVAL.  (pad != 0 cannot be sent through
 * libxendevicemodel; test-sim sends it raw.)
 */
static void set_mem_type_bad_arguments(struct row *r)
{
    static const unsigned int bad_types[] = { HVMMEM_unused, 5, 0xffff };
    struct dm *dom0 = &r->env->dom0;
    struct server *s;
    xen_pfn_t max = 0;
    unsigned int i;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s, NULL);
    EXPECT(0, claim(s), "claim by %s", s->name);
    EXPECT(0, xc_domain_maximum_gpfn(r->env->xch, d, &max),
           "xc_domain_maximum_gpfn");
    if (max != LAST_GFN)
        printf("# %s: note: the highest gfn is %#" PRIx64 ", not the last "
               "populated one (%#lx)\n", r->name, (uint64_t)max, LAST_GFN);

    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 0),
           "set_mem_type of 0 pages");
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, ~0ULL, 2),
           "set_mem_type of a range that wraps");
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, max + 1, 1),
           "set_mem_type of the gfn after the highest (%#" PRIx64 ")",
           (uint64_t)max + 1);
    EXPECT(EINVAL, set_type(dom0, d, HVMMEM_ioreq_server, max, 2),
           "set_mem_type of a range ending after the highest gfn");
    for (i = 0; i < ARRAY_SIZE(bad_types); i++)
        EXPECT(EINVAL, set_type(dom0, d, (hvmmem_type_t)bad_types[i],
                                GFN_T, 1),
               "set_mem_type to type %u", bad_types[i]);
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_rw);
    if (max != LAST_GFN)
        return;                 /* not RAM of ours: leave it alone */
    EXPECT_TYPES(d, max, 1, HVMMEM_ram_rw);
    /* The highest gfn itself is in range. */
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, max, 1),
           "set_mem_type of the highest gfn");
    EXPECT_TYPES(d, max, 1, HVMMEM_ioreq_server);
}

/*
 * set_mem_type over many pages: preemptible every 256 pages, progress in
 * first_pfn/nr, the caller never sees the continuation.  The release's
 * sweep of many chunks (cursor in opaque) is just as invisible.
 */
static void set_mem_type_many_pages(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s1, *s2;
    uint32_t d;

    GUEST_WITH_SERVERS(BIG_MIB, &d, &s1, &s2);
    RAM_FILL(dom0, d, 0, 1, 4);
    RAM_FILL(dom0, d, BIG_PAGES / 2, 1, 4);
    RAM_FILL(dom0, d, BIG_PAGES - 1, 1, 4);
    EXPECT(0, claim(s1), "claim by %s", s1->name);

    /* check_call takes any result >= 0; this one must be 0 exactly. */
    errno = 0;
    if (set_type(dom0, d, HVMMEM_ioreq_server, 0, BIG_PAGES) != 0) {
        fail_at(r, __LINE__, "set_mem_type of %lu pages to ioreq_server "
                "in one call: %s", BIG_PAGES, errno_name(errno));
        return;
    }
    EXPECT_TYPES(d, 0, BIG_PAGES, HVMMEM_ioreq_server);
    EXPECT(EBUSY, log_dirty(r, d, LOGDIRTY_ON, 0),
           "enabling log-dirty with every page typed");
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, 1, BIG_PAGES - 2),
           "set_mem_type of %lu pages back to ram_rw", BIG_PAGES - 2);
    EXPECT_TYPES(d, 0, 1, HVMMEM_ioreq_server);
    TRY(check_types(r, __LINE__, d, 1, BIG_PAGES - 2, 97, HVMMEM_ram_rw));
    EXPECT_TYPES(d, BIG_PAGES - 2, 1, HVMMEM_ram_rw);
    EXPECT_TYPES(d, BIG_PAGES - 1, 1, HVMMEM_ioreq_server);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, 1, BIG_PAGES - 2),
           "set_mem_type of %lu pages to ioreq_server again",
           BIG_PAGES - 2);

    EXPECT(0, release(s1), "release by %s of %lu typed pages", s1->name,
           BIG_PAGES);
    EXPECT_TYPES(d, 0, BIG_PAGES, HVMMEM_ram_rw);
    EXPECT(0, claim(s2), "claim by %s right after the release", s2->name);
    RAM_CHECK(dom0, d, 0, 1, 4);
    RAM_CHECK(dom0, d, BIG_PAGES / 2, 1, 4);
    RAM_CHECK(dom0, d, BIG_PAGES - 1, 1, 4);
}

/* enable global log-dirty while entry_count != 0 -> -EBUSY. */
static void log_dirty_while_typed(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s, NULL);
    EXPECT(0, claim(s), "claim by %s", s->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 2),
           "set_mem_type to ioreq_server");

    EXPECT(EBUSY, log_dirty(r, d, LOGDIRTY_ON, 0),
           "SHADOW_OP_ENABLE_LOGDIRTY with 2 pages typed");
    EXPECT(EBUSY, log_dirty(r, d, XEN_DOMCTL_SHADOW_OP_ENABLE,
                            XEN_DOMCTL_SHADOW_ENABLE_LOG_DIRTY),
           "SHADOW_OP_ENABLE with LOG_DIRTY with 2 pages typed");
    /* Still off: untyped RAM reads ram_rw, not log-dirty's ram_ro. */
    EXPECT_TYPES(d, GFN_PLAIN, 1, HVMMEM_ram_rw);
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ioreq_server);

    /* Typed pages, not the claim, are what refuses it. */
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T, 1),
           "set_mem_type of one page back to ram_rw");
    EXPECT(EBUSY, log_dirty(r, d, LOGDIRTY_ON, 0),
           "SHADOW_OP_ENABLE_LOGDIRTY with 1 page typed");
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T + 1, 1),
           "set_mem_type of the other page back to ram_rw");
    EXPECT(0, log_dirty(r, d, LOGDIRTY_ON, 0),
           "SHADOW_OP_ENABLE_LOGDIRTY with none typed, the claim held");
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ram_ro);
    EXPECT_TYPES(d, GFN_PLAIN, 1, HVMMEM_ram_ro);
    EXPECT(0, log_dirty(r, d, LOGDIRTY_OFF, 0), "disabling log-dirty");
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ram_rw);
    EXPECT(0, release(s), "release by %s", s->name);
}

/*
 * destroy of the claiming server: ours, a full release; upstream only
 * drops the claim and leaves the pages typed (hazard H1).
 */
static void destroy_claiming_server(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s1, *s2, *s3;
    uint32_t d;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s1, &s2);
    EXPECT(0, claim(s1), "claim by %s", s1->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 4),
           "set_mem_type to ioreq_server");
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, LAST_GFN, 1),
           "set_mem_type of the last gfn to ioreq_server");
    RAM_FILL(dom0, d, GFN_T, 4, 5);

    EXPECT(0, destroy(s1), "destroying %s, the holder", s1->name);
    EXPECT(ENOENT, get_info_as(dom0, s1), "asking for the info of %s, "
           "destroyed", s1->name);
    if (r->sim) {
        EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
        EXPECT_TYPES(d, LAST_GFN, 1, HVMMEM_ram_rw);
        EXPECT(0, log_dirty(r, d, LOGDIRTY_ON, 0), "enabling log-dirty");
        EXPECT(0, log_dirty(r, d, LOGDIRTY_OFF, 0), "disabling log-dirty");
        EXPECT(0, claim(s2), "claim by %s", s2->name);
    } else {
        /* Nobody holds the claim, yet entry_count is not 0. */
        EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ioreq_server);
        EXPECT_TYPES(d, LAST_GFN, 1, HVMMEM_ioreq_server);
        EXPECT(EBUSY, claim(s2), "claim by %s with pages left typed",
               s2->name);
        EXPECT(EBUSY, log_dirty(r, d, LOGDIRTY_ON, 0),
               "enabling log-dirty with pages left typed");
        EXPECT(EINVAL, release(s2), "release by %s", s2->name);
        /* The way out: each page back to ram_rw, which needs no claim. */
        EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T, 4),
               "set_mem_type of the left pages back to ram_rw");
        EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, LAST_GFN, 1),
               "set_mem_type of the last gfn back to ram_rw");
        EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
        EXPECT(0, claim(s2), "claim by %s once every page is reset",
               s2->name);
    }
    RAM_CHECK(dom0, d, GFN_T, 4, 5);

    /* Destroying a server that does not hold the claim keeps it. */
    SERVER_NEW(dom0, d, true, &s3);
    EXPECT(0, destroy(s3), "destroying %s (not the holder)", s3->name);
    EXPECT(EBUSY, claim(s2), "claim by %s again: it still holds it",
           s2->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ioreq_server);
    EXPECT(0, release(s2), "release by %s", s2->name);
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_rw);
}

/*
 * ...or its connection closing (the device model exiting): ours, a full
 * release; on Xen a server outlives its creator's descriptor.
 */
static void closing_claiming_connection(struct row *r)
{
    struct dm *dom0 = &r->env->dom0, *dmx;
    struct server *s1, *s2;
    uint32_t d;

    NEW_DOMAIN(DOM_HAP, GUEST_MIB, &d);
    DM_OPEN(false, d, &dmx);
    SERVER_NEW(dmx, d, true, &s1);
    SERVER_NEW(dom0, d, true, &s2);
    EXPECT(0, claim(s1), "claim by %s", s1->name);
    EXPECT(0, set_type(dmx, d, HVMMEM_ioreq_server, GFN_T, 4),
           "set_mem_type to ioreq_server");
    RAM_FILL(dom0, d, GFN_T, 4, 6);

    dm_close(r, dmx);
    if (r->sim) {
        EXPECT(ENOENT, get_info_as(dom0, s1), "asking for the info of %s "
               "after its handles closed", s1->name);
        s1->live = false;
        EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
        EXPECT(0, claim(s2), "claim by %s", s2->name);
    } else {
        EXPECT(0, get_info_as(dom0, s1), "asking for the info of %s after "
               "its handles closed", s1->name);
        EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ioreq_server);
        EXPECT(EBUSY, claim(s2), "claim by %s while %s holds it",
               s2->name, s1->name);
        /* dom0, its creator, can still release and destroy it. */
        EXPECT(0, claim_as(dom0, s1, 0), "release of %s by dom0",
               s1->name);
        EXPECT_TYPES(d, GFN_T, 4, HVMMEM_ram_rw);
        EXPECT(0, destroy_as(dom0, s1), "destroying %s by dom0", s1->name);
        EXPECT(0, claim(s2), "claim by %s", s2->name);
    }
    RAM_CHECK(dom0, d, GFN_T, 4, 6);
}

/* HVMOP_get_mem_type -> the effective type (pending recalc applied). */
static void get_mem_type_effective(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    struct server *s;
    uint32_t d, pv;

    GUEST_WITH_SERVERS(GUEST_MIB, &d, &s, NULL);
    EXPECT(0, claim(s), "claim by %s", s->name);
    EXPECT(0, set_type(dom0, d, HVMMEM_ioreq_server, GFN_T, 2),
           "set_mem_type to ioreq_server");
    EXPECT(0, set_type(dom0, d, HVMMEM_ram_ro, GFN_RO, 1),
           "set_mem_type to ram_ro");
    EXPECT(0, set_type(dom0, d, HVMMEM_mmio_dm, GFN_MMIO, 1),
           "set_mem_type to mmio_dm");
    EXPECT_TYPES(d, 0, 1, HVMMEM_ram_rw);
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ioreq_server);
    EXPECT_TYPES(d, GFN_RO, 1, HVMMEM_ram_ro);
    EXPECT_TYPES(d, GFN_MMIO, 1, HVMMEM_mmio_dm);
    EXPECT_TYPES(d, LAST_GFN, 1, HVMMEM_ram_rw);
    /* Not RAM: what is not RAM reads mmio_dm. */
    EXPECT_TYPES(d, LAST_GFN + 1, 1, HVMMEM_mmio_dm);
    EXPECT_TYPES(d, GFN_BEYOND, 1, HVMMEM_mmio_dm);

    /* A release: reset as soon as it returns. */
    EXPECT(0, release(s), "release by %s", s->name);
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ram_rw);
    /* Log-dirty marks every RAM entry for recalc: read as recalculated. */
    EXPECT(0, log_dirty(r, d, LOGDIRTY_ON, 0), "enabling log-dirty");
    EXPECT_TYPES(d, 0, 1, HVMMEM_ram_ro);
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ram_ro);
    EXPECT_TYPES(d, LAST_GFN, 1, HVMMEM_ram_ro);
    EXPECT_TYPES(d, GFN_RO, 1, HVMMEM_ram_ro);
    EXPECT_TYPES(d, GFN_MMIO, 1, HVMMEM_mmio_dm);
    EXPECT(0, log_dirty(r, d, LOGDIRTY_OFF, 0), "disabling log-dirty");
    EXPECT_TYPES(d, 0, 1, HVMMEM_ram_rw);
    EXPECT_TYPES(d, GFN_T, 2, HVMMEM_ram_rw);
    EXPECT_TYPES(d, GFN_RO, 1, HVMMEM_ram_ro);

    /* Errors: no such domain; a domain that is not HVM. */
    EXPECT_TYPE_ERRNO(DOMID_NONE, GFN_T, ESRCH);
    NEW_DOMAIN(DOM_PV, 0, &pv);
    EXPECT_TYPE_ERRNO(pv, 0, EINVAL);
}

/*
 * xendevicemodel_restrict(domid) confines a connection to one target
 * domain, as privcmd does (DESIGN.md section 3): the same on both.
 */
static void restricted_handle_confined(struct row *r)
{
    struct dm *dom0 = &r->env->dom0, *dmr;
    struct server *s, *sb;
    ioservid_t id;
    uint32_t a, b;

    NEW_DOMAIN(DOM_HAP, GUEST_MIB, &a);
    NEW_DOMAIN(DOM_HAP, GUEST_MIB, &b);
    DM_OPEN(true, a, &dmr);
    SERVER_NEW(dom0, b, true, &sb);

    EXPECT(EPERM, xendevicemodel_create_ioreq_server(
               dmr->dmod, b, HVM_IOREQSRV_BUFIOREQ_OFF, &id),
           "creating a server for domain %u through handles restricted "
           "to domain %u", b, a);
    EXPECT(EPERM, set_type(dmr, b, HVMMEM_ram_ro, GFN_T, 1),
           "set_mem_type for domain %u through handles restricted to %u",
           b, a);
    EXPECT(EPERM, claim_as(dmr, sb, WRITE), "claim for %s of domain %u "
           "through handles restricted to %u", sb->name, b, a);
    EXPECT(EPERM, map_ram_as(dmr, b, GFN_T), "mapping RAM of domain %u "
           "through handles restricted to %u", b, a);
    EXPECT(EPERM, map_resource_as(dmr, sb), "mapping the ioreq page of "
           "%s of domain %u through handles restricted to %u", sb->name,
           b, a);
    /* Restricted once is restricted for good, to that domain only. */
    EXPECT(0, xendevicemodel_restrict(dmr->dmod, a),
           "restricting again to domain %u", a);
    EXPECT(EINVAL, xendevicemodel_restrict(dmr->dmod, b),
           "restricting again, to domain %u", b);
    EXPECT(EPERM, set_type(dmr, b, HVMMEM_ram_ro, GFN_T, 1),
           "set_mem_type for domain %u after that", b);

    /* Nothing happened to domain b. */
    EXPECT_TYPES(b, GFN_T, 1, HVMMEM_ram_rw);
    EXPECT(EINVAL, set_type(dom0, b, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server for domain %u, never claimed", b);
    EXPECT(0, claim(sb), "claim by %s for domain %u", sb->name, b);

    /* The restricted handles serve their own domain, end to end. */
    SERVER_NEW(dmr, a, true, &s);
    EXPECT(0, claim(s), "claim by %s for domain %u", s->name, a);
    EXPECT(0, set_type(dmr, a, HVMMEM_ioreq_server, GFN_T, 2),
           "set_mem_type for domain %u through its restricted handles", a);
    EXPECT_TYPES(a, GFN_T, 2, HVMMEM_ioreq_server);
    RAM_FILL(dmr, a, GFN_T, 2, 7);
    RAM_CHECK(dom0, a, GFN_T, 2, 7);
    EXPECT(0, release(s), "release by %s", s->name);
    EXPECT_TYPES(a, GFN_T, 2, HVMMEM_ram_rw);
}

/*
 * Restricted connections as separate device-model domains (DESIGN.md
 * section 3): ours; on Xen the caller behind a restricted fd is dom0.
 */
static void restricted_handle_separate_dm(struct row *r)
{
    struct dm *dom0 = &r->env->dom0, *dmr;
    struct server *s;
    int want = r->sim ? EPERM : 0;
    uint32_t d;

    NEW_DOMAIN(DOM_HAP, GUEST_MIB, &d);
    DM_OPEN(true, d, &dmr);
    SERVER_NEW(dmr, d, false, &s);
    TRY(server_bind(r, __LINE__, s, 0));

    EXPECT(want, get_info_as(dom0, s), "dom0 asks for the info of %s",
           s->name);
    EXPECT(want, claim_as(dom0, s, WRITE), "claim by dom0 for %s",
           s->name);
    if (!r->sim)
        EXPECT(0, claim_as(dom0, s, 0), "release it again");
    EXPECT(want, map_resource_as(dom0, s), "dom0 maps the ioreq page of "
           "%s", s->name);
    EXPECT(r->sim ? EINVAL : 0, bind_as(dom0, s, 1), "dom0 binds vCPU 1's "
           "port of %s", s->name);
    EXPECT(want, xendevicemodel_set_ioreq_server_state(dom0->dmod, d,
                                                       s->id, 1),
           "dom0 enables %s", s->name);

    /* Its own handles can do all of it. */
    EXPECT(0, get_info_as(dmr, s), "%s asks for its own info", s->name);
    TRY(server_bind(r, __LINE__, s, 1));
    EXPECT(0, claim(s), "claim by %s", s->name);
    EXPECT(0, set_type(dmr, d, HVMMEM_ioreq_server, GFN_T, 1),
           "set_mem_type to ioreq_server");
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ioreq_server);
    EXPECT(want, destroy_as(dom0, s), "dom0 destroys %s", s->name);
    if (r->sim) {
        EXPECT(0, get_info_as(dmr, s), "%s is still there", s->name);
        EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ioreq_server);
        EXPECT(0, release(s), "release by %s", s->name);
    } else {
        EXPECT(ENOENT, get_info_as(dmr, s), "%s is gone", s->name);
        /* Hazard H1, as in destroy_claiming_server. */
        EXPECT(0, set_type(dom0, d, HVMMEM_ram_rw, GFN_T, 1),
               "set_mem_type of the left page back to ram_rw");
    }
    EXPECT_TYPES(d, GFN_T, 1, HVMMEM_ram_rw);
}

static const struct rule rules[] = {
    { "claim_without_hap_is_eopnotsupp", claim_without_hap,
      "claim on a domain without HAP: -EOPNOTSUPP, checked first",
      "the simulator builds HVM domains without HAP (shadow paging) and "
      "refuses the claim with EOPNOTSUPP / Debian's Xen 4.17 has no shadow "
      "paging (creating the domain fails with EOPNOTSUPP): skipped" },
    { "claim_bad_type_or_flags_is_einval", claim_bad_type_or_flags,
      "claim with a type other than ioreq_server, or flags other than "
      "WRITE or 0: -EINVAL", NULL },
    { "claim_unknown_server_is_enoent", claim_unknown_server,
      "claim for a server id >= 8 or not existing: -ENOENT", NULL },
    { "claim_by_non_creator_is_eperm", claim_by_non_creator,
      "claim by a caller that did not create the server: -EPERM",
      "a restricted handle is a device-model domain of its own: it and "
      "dom0 get EPERM claiming each other's servers / a restricted handle "
      "still acts as dom0, the creator of both servers: both claims "
      "succeed (the EPERM rule needs a second device-model domain)" },
    { "claim_while_held_is_ebusy", claim_while_held,
      "claim while any server (the same one too) holds it: -EBUSY", NULL },
    { "release_by_non_holder_is_einval", release_by_non_holder,
      "release (flags 0) by a server that does not hold the claim: "
      "-EINVAL", NULL },
    { "release_by_holder_resets_every_entry", release_by_holder,
      "release by the holder: every typed entry back to ram_rw when it "
      "returns; entry_count 0, a re-claim works", NULL },
    { "set_mem_type_without_hap_is_eopnotsupp", set_mem_type_without_hap,
      "set_mem_type to ioreq_server without HAP: -EOPNOTSUPP",
      "the simulator builds HVM domains without HAP and refuses "
      "ioreq_server with EOPNOTSUPP / Debian's Xen 4.17 has no shadow "
      "paging (creating the domain fails with EOPNOTSUPP): skipped" },
    { "set_mem_type_without_claim_is_einval", set_mem_type_without_claim,
      "set_mem_type to ioreq_server without a claim: -EINVAL", NULL },
    { "set_mem_type_transitions", set_mem_type_transitions,
      "set_mem_type: only ram_rw <-> ioreq_server; ioreq_server -> "
      "itself, ram_ro/mmio_dm/log-dirty <-> ioreq_server: -EINVAL", NULL },
    { "set_mem_type_bad_arguments_are_einval", set_mem_type_bad_arguments,
      "set_mem_type with nr 0, a range that wraps or ends beyond the max "
      "gfn, mem_type 3 or > 4: -EINVAL", NULL },
    { "set_mem_type_many_pages_continues_unseen", set_mem_type_many_pages,
      "set_mem_type over many pages: preempted every 256 pages, the "
      "caller never sees the continuation", NULL },
    { "log_dirty_while_typed_is_ebusy", log_dirty_while_typed,
      "enable global log-dirty while entry_count != 0: -EBUSY", NULL },
    { "destroy_claiming_server_is_full_release", destroy_claiming_server,
      "destroy of the claiming server: a full release (ours)",
      "destroying the claiming server is a full release: pages ram_rw, "
      "entry_count 0, a new claim and log-dirty work / only the claim is "
      "dropped: pages stay ioreq_server and new claims and log-dirty get "
      "EBUSY until each page is set back to ram_rw (hazard H1)" },
    { "closing_claiming_connection_is_full_release",
      closing_claiming_connection,
      "the claiming server's connection closing: a full release (ours)",
      "closing the handles that created the claiming server destroys it "
      "with a full release / a server outlives its creator's descriptor: "
      "it keeps the claim and the pages stay typed (new claims get "
      "EBUSY) until dom0 releases or destroys it" },
    { "get_mem_type_reports_effective_type", get_mem_type_effective,
      "HVMOP_get_mem_type: the effective type (pending recalc applied)",
      NULL },
    { "restricted_handle_confined_to_its_domain",
      restricted_handle_confined,
      "xendevicemodel_restrict(domid) confines a connection to one "
      "target domain",
      NULL },
    { "restricted_handle_is_separate_dm_domain",
      restricted_handle_separate_dm,
      "a restricted connection acts as a device-model domain of its own",
      "servers created through a restricted handle belong to a "
      "device-model domain: dom0 gets EPERM for their info, claim, state, "
      "ioreq page and destroy, and EINVAL binding their ports / restrict "
      "only filters the descriptor: the caller stays dom0, which may do "
      "all of that" },
};

/* ================================================================== */
/* The runner                                                          */

/*
 * Whether domid is gone.  Xen frees a destroyed domain once its last
 * reference goes (after an RCU grace period), so a dying one counts.
 */
static bool domain_gone(xc_interface *xch, uint32_t domid)
{
    xc_domaininfo_t info;
    int n = xc_domain_getinfolist(xch, domid, 1, &info);

    return n == 0 || (n == 1 && (info.domain != domid ||
                                 (info.flags & XEN_DOMINF_dying)));
}

/* Destroy what a rule made, whatever happened; a failure fails it. */
static void row_cleanup(struct row *r)
{
    struct dm *dom0 = &r->env->dom0;
    unsigned int i;

    for (i = r->nr_srv; i-- > 0;) {
        struct server *s = &r->srv[i];
        struct dm *by = s->dm->open ? s->dm : dom0;

        server_forget(s);
        if (!s->live)
            continue;
        /* Gone with its connection (the simulator): nothing to do. */
        if (xendevicemodel_destroy_ioreq_server(by->dmod, s->domid, s->id) &&
            errno != ENOENT)
            fail_at(r, __LINE__, "cleanup: destroying %s of domain %u: %s",
                    s->name, s->domid, errno_name(errno));
    }
    for (i = r->nr_dm; i-- > 0;)
        dm_close(r, &r->dm[i]);
    for (i = r->nr_dom; i-- > 0;) {
        if (xc_domain_destroy(r->env->xch, r->dom[i]))
            fail_at(r, __LINE__, "cleanup: destroying domain %u: %s",
                    r->dom[i], errno_name(errno));
        else if (!domain_gone(r->env->xch, r->dom[i]))
            fail_at(r, __LINE__, "cleanup: domain %u is still there after "
                    "xc_domain_destroy", r->dom[i]);
    }
}

/* Run rule n (TAP number) and print its result; true if it passed. */
static bool run_rule(struct env *env, const struct rule *rule,
                     unsigned int n, bool *skipped)
{
    struct row *r = calloc(1, sizeof(*r));
    bool ok;

    if (!r) {
        printf("not ok %u - %s # failed: out of memory\n", n, rule->name);
        return false;
    }
    r->env = env;
    r->sim = env->sim;
    r->name = rule->name;
    if (env->verbose)
        printf("# %s: %s\n", rule->name, rule->text);
    rule->run(r);
    row_cleanup(r);

    ok = !r->failed;
    *skipped = ok && r->skip[0];
    if (!ok)
        printf("not ok %u - %s # failed: %s\n", n, rule->name, r->why);
    else if (r->skip[0])
        printf("ok %u - %s # SKIP %s\n", n, rule->name, r->skip);
    else
        printf("ok %u - %s\n", n, rule->name);
    if (!ok)
        printf("#   the rule: %s\n", rule->text);
    if (rule->differs)
        printf("# differs from upstream Xen: %s: %s\n", rule->name,
               rule->differs);
    free(r);
    return ok;
}

/* The selected rules that differ from upstream Xen, chosen or found. */
static void print_differing(const struct rule *list, const bool *selected,
                            bool finding)
{
    unsigned int i, n = 0;

    printf("# differing from upstream Xen %s:",
           finding ? "but not by design" : "by design");
    for (i = 0; i < ARRAY_SIZE(rules); i++) {
        if (selected[i] && list[i].differs && list[i].finding == finding) {
            printf(" %s", list[i].name);
            n++;
        }
    }
    printf("%s\n", n ? "" : " none");
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: xen-conformance [--backend sim|xen] [--verbose] [RULE...]\n"
"       xen-conformance --list\n"
"Checks the rules of DESIGN.md section 4 that need no running guest\n"
"through Xen's libraries, and prints TAP.  Run it in dom0 on real Xen,\n"
"or against xensimd with the simulator's libraries.\n"
"  --backend sim|xen  whose behaviour to expect where the project\n"
"                     deliberately differs from upstream Xen (default:\n"
"                     sim if $XENSIM_SOCKET is set, else xen)\n"
"  -v, --verbose      print every call and its result as TAP comments\n"
"  --list             print the rules and exit\n"
"  RULE...            run only these rules\n"
"Exit status: 0 all passed, 1 a rule failed, 2 usage error.\n");
}

/* Open dom0's handles; NULL, or the name of the one that failed. */
static const char *env_open(struct env *env)
{
    struct dm *dom0 = &env->dom0;

    dom0->open = true;
    snprintf(dom0->who, sizeof(dom0->who), "dom0's handles");
    dom0->tag = "dom0's";
    if (!(env->xch = xc_interface_open(NULL, NULL, 0)))
        return "xc_interface_open";
    if (!(env->xcall = xencall_open(NULL, 0)))
        return "xencall_open";
    if (!(dom0->dmod = xendevicemodel_open(NULL, 0)))
        return "xendevicemodel_open";
    if (!(dom0->fmem = xenforeignmemory_open(NULL, 0)))
        return "xenforeignmemory_open";
    if (!(dom0->xce = xenevtchn_open(NULL, 0)))
        return "xenevtchn_open";
    if (!(env->mt = xencall_alloc_buffer(env->xcall, sizeof(*env->mt))))
        return "xencall_alloc_buffer";
    return NULL;
}

static void env_close(struct env *env)
{
    struct dm *dom0 = &env->dom0;

    if (env->mt)
        xencall_free_buffer(env->xcall, env->mt);
    if (dom0->xce)
        xenevtchn_close(dom0->xce);
    if (dom0->fmem)
        xenforeignmemory_close(dom0->fmem);
    if (dom0->dmod)
        xendevicemodel_close(dom0->dmod);
    if (env->xcall)
        xencall_close(env->xcall);
    if (env->xch)
        xc_interface_close(env->xch);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "backend", required_argument, NULL, 'b' },
        { "verbose", no_argument, NULL, 'v' },
        { "list", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *sock = getenv("XENSIM_SOCKET");
    bool selected[ARRAY_SIZE(rules)];
    unsigned int i, n = 0, nr = 0, failed = 0, skipped = 0;
    struct env env = { .sim = sock && *sock };
    struct sigaction sa = { .sa_handler = on_signal };
    const char *failed_open;
    bool list = false;
    int opt;

    setvbuf(stdout, NULL, _IOLBF, 0);
    while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'b':
            if (!strcmp(optarg, "sim") || !strcmp(optarg, "xen")) {
                env.sim = !strcmp(optarg, "sim");
                break;
            }
            fprintf(stderr, "xen-conformance: unknown backend '%s': "
                    "expected sim or xen\n", optarg);
            return 2;
        case 'v':
            env.verbose = true;
            break;
        case 'l':
            list = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (list) {
        for (i = 0; i < ARRAY_SIZE(rules); i++)
            printf("%s\n    %s%s%s\n", rules[i].name, rules[i].text,
                   rules[i].differs ? "\n    differs: " : "",
                   rules[i].differs ? rules[i].differs : "");
        return 0;
    }
    for (i = 0; i < ARRAY_SIZE(rules); i++)
        selected[i] = optind == argc;
    for (; optind < argc; optind++) {
        for (i = 0; i < ARRAY_SIZE(rules); i++)
            if (!strcmp(argv[optind], rules[i].name))
                break;
        if (i == ARRAY_SIZE(rules)) {
            fprintf(stderr, "xen-conformance: no rule '%s' (--list shows "
                    "them)\n", argv[optind]);
            return 2;
        }
        selected[i] = true;
    }
    for (i = 0; i < ARRAY_SIZE(rules); i++)
        nr += selected[i];

    printf("# xen-conformance: DESIGN.md section 4 through Xen's "
           "libraries\n");
    if (env.sim)
        printf("# backend: sim (the simulator; XENSIM_SOCKET=%s)\n",
               sock && *sock ? sock : "(unset: the default socket)");
    else
        printf("# backend: xen (the real hypervisor; XENSIM_SOCKET is %s)"
               "\n", sock && *sock ? "set but --backend xen was given" :
               "not set");
    printf("# expected: upstream Xen 4.17, except where a rule says "
           "\"differs from upstream Xen\"\n");
    printf("# not here (they need a running guest): guest reads, writes, "
           "read-modify-write, straddling and string writes, the null "
           "handler, writes without a claim, hypercall output on typed "
           "pages, the ioreq state machine\n");
    printf("1..%u\n", nr);
    failed_open = env_open(&env);
    if (failed_open) {
        printf("Bail out! %s: %s (%s)%s\n", failed_open, errno_name(errno),
               strerror(errno), env.sim ? "" : ": run this in dom0 with "
               "xenfs mounted and privcmd loaded, or with --backend sim "
               "and XENSIM_SOCKET");
        env_close(&env);
        return 1;
    }
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    for (i = 0; i < ARRAY_SIZE(rules); i++) {
        bool skip = false;

        if (!selected[i])
            continue;
        if (!run_rule(&env, &rules[i], ++n, &skip))
            failed++;
        skipped += skip;
        if (stop_signal) {
            printf("Bail out! stopped by signal %d after %s (its guests "
                   "and servers were cleaned up)\n", (int)stop_signal,
                   rules[i].name);
            env_close(&env);
            return 1;
        }
    }
    printf("# %u rule%s: %u passed, %u failed, %u skipped\n", nr,
           nr == 1 ? "" : "s", nr - failed - skipped, failed, skipped);
    print_differing(rules, selected, false);
    print_differing(rules, selected, true);
    env_close(&env);
    return failed ? 1 : 0;
}
