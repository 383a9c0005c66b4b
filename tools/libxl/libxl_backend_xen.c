/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The real-Xen backend: what real Xen lets a toolstack read and keep,
 * and how, where the simulator is more forthcoming.
 *
 * - Records: a domain's name in xenstore (/local/domain/N/name, where
 *   Xen's own tools look), the others under /libxl-ioreq/N/ in xenstore,
 *   removed when libxl destroys the domain.
 * - Page types: HVMOP_get_mem_type, one gfn at a time, through libxencall
 *   (no Xen library wraps it).
 * - The claim: Xen has no call that says who holds HVMMEM_ioreq_server or
 *   how many entries are typed; libxl__ioreq_claim says ERROR_NI, and a
 *   device model's readiness comes from LIBXL_DM_READY_FD (libxl_dm.c).
 * - Servers: probed by id with get_ioreq_server_info; only a server's
 *   existence and creator are visible, not its state or ranges.
 * - Release: only the holder's release succeeds, so each server is tried.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xencall.h>
#include <xenstore.h>

#include "libxl_internal.h"

#define RECORDS_ROOT    "/libxl-ioreq"
#define MAX_SERVERS     8
#define LOG_DIR         "/var/log/xen"

struct libxl__backend {
    struct xs_handle *xsh;
    xencall_handle *xcall;
    struct xen_hvm_get_mem_type *arg;   /* a hypercall buffer */
};

int libxl__backend_open(libxl_ctx *ctx)
{
    struct libxl__backend *be = libxl__zalloc(sizeof(*be));

    be->xsh = xs_open(0);
    if (!be->xsh) {
        LOGE(ERROR, "cannot reach xenstore (is xenstored running?)");
        goto fail;
    }
    be->xcall = xencall_open(ctx->lg, 0);
    if (!be->xcall) {
        LOGE(ERROR, "cannot open the hypercall interface");
        goto fail;
    }
    be->arg = xencall_alloc_buffer(be->xcall, sizeof(*be->arg));
    if (!be->arg) {
        LOGE(ERROR, "cannot allocate a hypercall buffer");
        goto fail;
    }
    ctx->be = be;
    return 0;

 fail:
    ctx->be = be;
    libxl__backend_close(ctx);
    return ERROR_FAIL;
}

void libxl__backend_close(libxl_ctx *ctx)
{
    struct libxl__backend *be = ctx->be;

    if (!be)
        return;
    if (be->arg)
        xencall_free_buffer(be->xcall, be->arg);
    if (be->xcall)
        xencall_close(be->xcall);
    if (be->xsh)
        xs_close(be->xsh);
    free(be);
    ctx->be = NULL;
}

static char *record_path(uint32_t domid, const char *key)
{
    if (!strcmp(key, "name"))
        return libxl__sprintf("/local/domain/%u/name", domid);
    return libxl__sprintf(RECORDS_ROOT "/%u/%s", domid, key);
}

/* The domain whose name is value, or ERROR_NOTFOUND (in transaction t). */
static int find_name(libxl_ctx *ctx, xs_transaction_t t, const char *value,
                     uint32_t *domid)
{
    unsigned int n, i;
    char **doms = xs_directory(ctx->be->xsh, t, "/local/domain", &n);
    int rc = ERROR_NOTFOUND;

    for (i = 0; doms && i < n && rc == ERROR_NOTFOUND; i++) {
        char *path = libxl__sprintf("/local/domain/%s/name", doms[i]);
        unsigned int len;
        char *name = xs_read(ctx->be->xsh, t, path, &len);

        if (name && !strcmp(name, value)) {
            *domid = strtoul(doms[i], NULL, 10);
            rc = 0;
        }
        free(name);
        free(path);
    }
    free(doms);
    return rc;
}

int libxl__record_set(libxl_ctx *ctx, uint32_t domid, const char *key,
                      const char *value, bool unique)
{
    char *path = record_path(domid, key);
    xs_transaction_t t;
    uint32_t other;
    int rc;

    for (;;) {
        t = xs_transaction_start(ctx->be->xsh);
        if (!t) {
            LOGED(ERROR, domid, "cannot start a xenstore transaction");
            rc = ERROR_FAIL;
            goto out;
        }
        if (unique && !find_name(ctx, t, value, &other) && other != domid) {
            xs_transaction_end(ctx->be->xsh, t, true);
            rc = ERROR_DEVICE_EXISTS;
            goto out;
        }
        if (!xs_write(ctx->be->xsh, t, path, value, strlen(value))) {
            LOGED(ERROR, domid, "cannot write %s to xenstore", path);
            xs_transaction_end(ctx->be->xsh, t, true);
            rc = ERROR_FAIL;
            goto out;
        }
        if (xs_transaction_end(ctx->be->xsh, t, false))
            break;
        if (errno != EAGAIN) {
            LOGED(ERROR, domid, "cannot commit %s to xenstore", path);
            rc = ERROR_FAIL;
            goto out;
        }
    }
    rc = 0;

 out:
    free(path);
    return rc;
}

int libxl__record_get(libxl_ctx *ctx, uint32_t domid, const char *key,
                      char **value)
{
    char *path = record_path(domid, key);
    unsigned int len;
    char *v = xs_read(ctx->be->xsh, XBT_NULL, path, &len);

    free(path);
    if (!v)
        return errno == ENOENT ? ERROR_NOTFOUND : ERROR_FAIL;
    *value = v;
    return 0;
}

int libxl__record_find(libxl_ctx *ctx, const char *key, const char *value,
                       uint32_t *domid)
{
    if (strcmp(key, "name")) {
        LOG(ERROR, "records other than names cannot be searched");
        return ERROR_NI;
    }
    return find_name(ctx, XBT_NULL, value, domid);
}

void libxl__records_clear(libxl_ctx *ctx, uint32_t domid)
{
    char *path = libxl__sprintf(RECORDS_ROOT "/%u", domid);

    xs_rm(ctx->be->xsh, XBT_NULL, path);
    free(path);
}

int libxl__ioreq_claim(libxl_ctx *ctx, uint32_t domid, bool *claimed,
                       libxl_ioreq_claim *claim, uint64_t *entry_count)
{
    (void)claimed;
    (void)claim;
    (void)entry_count;
    LOGD(DEBUG, domid, "real Xen does not say who holds "
         "HVMMEM_ioreq_server");
    return ERROR_NI;
}

int libxl__ioreq_servers(libxl_ctx *ctx, uint32_t domid,
                         libxl_ioreq_server_info **list, int *nr)
{
    libxl_ioreq_server_info *servers =
        libxl__zalloc(MAX_SERVERS * sizeof(*servers));
    int n = 0, id;

    for (id = 0; id < MAX_SERVERS; id++) {
        evtchn_port_t port;
        int r = xendevicemodel_get_ioreq_server_info(ctx->dmod, domid, id,
                                                     NULL, NULL, &port);

        /* ENOENT: no server; EPERM: one made by another domain. */
        if (r && errno == ENOENT)
            continue;
        if (r && errno != EPERM) {
            LOGED(ERROR, domid, "cannot probe ioreq server %d", id);
            libxl_ioreq_server_info_list_free(servers, n);
            return ERROR_FAIL;
        }
        libxl_ioreq_server_info_init(&servers[n]);
        servers[n].id = id;
        servers[n].details_unknown = true;
        n++;
    }
    *list = servers;
    *nr = n;
    return 0;
}

static int get_mem_type(libxl_ctx *ctx, uint32_t domid, uint64_t gfn,
                        unsigned int *type)
{
    struct xen_hvm_get_mem_type *arg = ctx->be->arg;

    memset(arg, 0, sizeof(*arg));
    arg->domid = domid;
    arg->pfn = gfn;
    if (xencall2(ctx->be->xcall, __HYPERVISOR_hvm_op, HVMOP_get_mem_type,
                 (uint64_t)(uintptr_t)arg))
        return -errno;
    *type = arg->mem_type;
    return 0;
}

int libxl__mem_type_runs(libxl_ctx *ctx, uint32_t domid, uint64_t first,
                         uint64_t last, libxl__type_run_fn *fn,
                         void *opaque)
{
    uint64_t gfn = first, run_first = first;
    unsigned int type, run_type = 0;
    int r, stop;

    for (;;) {
        r = get_mem_type(ctx, domid, gfn, &type);
        if (r) {
            LOGEVD(ERROR, -r, domid, "cannot read the type of gfn 0x%"
                   PRIx64, gfn);
            return r == -ESRCH ? ERROR_DOMAIN_NOTFOUND : ERROR_FAIL;
        }
        if (gfn == first) {
            run_type = type;
        } else if (type != run_type) {
            stop = fn(opaque, run_first, gfn - 1, run_type);
            if (stop)
                return stop;
            run_first = gfn;
            run_type = type;
        }
        if (gfn == last)
            break;
        gfn++;
    }
    return fn(opaque, run_first, last, run_type);
}

/* The server holding the claim is the one whose release succeeds. */
static int release_any(libxl_ctx *ctx, uint32_t domid, int *holder)
{
    int id;

    for (id = 0; id < MAX_SERVERS; id++) {
        if (!xendevicemodel_map_mem_type_to_ioreq_server(ctx->dmod, domid,
                                                         id,
                                                         HVMMEM_ioreq_server,
                                                         0)) {
            *holder = id;
            return 0;
        }
    }
    return ERROR_NOT_READY;
}

/* A typed page of the domain (to watch a release), or ERROR_NOTFOUND. */
static int find_type(void *opaque, uint64_t first, uint64_t last,
                     unsigned int type)
{
    uint64_t *gfn = opaque;

    (void)last;
    if (type != HVMMEM_ioreq_server)
        return 0;
    *gfn = first;
    return 1;
}

int libxl__ioreq_release(libxl_ctx *ctx, uint32_t domid, uint32_t server,
                         bool async)
{
    xen_pfn_t max_gpfn;
    uint64_t typed = 0;
    unsigned int type;
    int holder, rc, status;
    pid_t pid;

    (void)server;           /* unknown here: see release_any */
    if (!async) {
        rc = release_any(ctx, domid, &holder);
        if (rc)
            LOGD(ERROR, domid, "no ioreq server released HVMMEM_ioreq_server:"
                 " none holds it, or the holder was made by another domain");
        return rc;
    }

    /*
     * The release hypercall returns only once its sweep is done.  So a
     * child makes it, and the call returns once a typed page reads back
     * ram_rw: the asynchronous reset has happened, the sweep goes on.
     */
    if (xc_domain_maximum_gpfn(ctx->xch, domid, &max_gpfn) ||
        libxl__mem_type_runs(ctx, domid, 0, max_gpfn, find_type, &typed) <
        0)
        typed = 0;
    pid = fork();
    if (pid < 0) {
        LOGED(ERROR, domid, "cannot start the release");
        return ERROR_FAIL;
    }
    if (pid == 0) {
        xendevicemodel_handle *dmod = xendevicemodel_open(NULL, 0);
        int id;

        for (id = 0; dmod && id < MAX_SERVERS; id++)
            if (!xendevicemodel_map_mem_type_to_ioreq_server(
                    dmod, domid, id, HVMMEM_ioreq_server, 0))
                _exit(0);
        _exit(1);
    }
    for (;;) {
        struct timespec ts = { .tv_nsec = 1000000 };

        if (waitpid(pid, &status, WNOHANG) == pid) {
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
            LOGD(ERROR, domid, "no ioreq server released "
                 "HVMMEM_ioreq_server: none holds it, or the holder was "
                 "made by another domain");
            return ERROR_NOT_READY;
        }
        if (typed && !get_mem_type(ctx, domid, typed, &type) &&
            type == HVMMEM_ram_rw)
            return 0;           /* the child finishes the sweep */
        nanosleep(&ts, NULL);
    }
}

char *libxl__dm_log_path(libxl_ctx *ctx, uint32_t domid)
{
    (void)ctx;
    return libxl__sprintf(LOG_DIR "/dm-ioreq-%u.log", domid);
}
