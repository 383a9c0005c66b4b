/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The simulator backend: what xensimd can tell and keep that real Xen
 * cannot, through its own calls (xen/include/public/xensim.h).  Domain
 * records live in the daemon, with the domain they describe, so two
 * daemons on one machine never see each other's domains.
 */
#include <libgen.h>

#include "libxl_internal.h"
#include "transport.h"

struct libxl__backend {
    struct xensim_conn conn;
    char *socket_dir;
};

int libxl__backend_open(libxl_ctx *ctx)
{
    struct libxl__backend *be = libxl__zalloc(sizeof(*be));
    char *path = libxl__strdup(xensim_socket_path());
    int r;

    r = xensim_connect(&be->conn);
    if (r) {
        LOGEV(ERROR, -r, "cannot reach the simulated hypervisor at %s "
              "(is xensimd running? XENSIM_SOCKET selects another one)",
              path);
        free(path);
        free(be);
        return ERROR_FAIL;
    }
    be->socket_dir = libxl__strdup(dirname(path));
    free(path);
    ctx->be = be;
    return 0;
}

void libxl__backend_close(libxl_ctx *ctx)
{
    if (!ctx->be)
        return;
    xensim_disconnect(&ctx->be->conn);
    free(ctx->be->socket_dir);
    free(ctx->be);
    ctx->be = NULL;
}

static int record_call(libxl_ctx *ctx, uint32_t op, uint32_t domid,
                       uint16_t flags, const char *key, const char *value,
                       struct xensim_reply *reply)
{
    struct xensim_record hdr = {
        .domid = domid,
        .flags = flags,
        .key_len = strlen(key),
        .value_len = value ? strlen(value) : 0,
    };
    struct iovec iov[3] = {
        { &hdr, sizeof(hdr) },
        { (void *)key, hdr.key_len },
        { (void *)value, hdr.value_len },
    };
    unsigned int i;
    int rc = xensim_call(&ctx->be->conn, op, iov, value ? 3 : 2, reply);

    for (i = 0; i < reply->nr_fds; i++)
        close(reply->fds[i]);
    return rc;
}

int libxl__record_set(libxl_ctx *ctx, uint32_t domid, const char *key,
                      const char *value, bool unique)
{
    struct xensim_reply reply = { 0 };
    int r = record_call(ctx, XENSIM_OP_RECORD_SET, domid,
                        unique ? XENSIM_RECORD_UNIQUE : 0, key, value,
                        &reply);

    if (r == -EEXIST)
        return ERROR_DEVICE_EXISTS;
    if (r == -ESRCH)
        return ERROR_DOMAIN_NOTFOUND;
    if (r) {
        LOGEVD(ERROR, -r, domid, "cannot record %s", key);
        return ERROR_FAIL;
    }
    return 0;
}

int libxl__record_get(libxl_ctx *ctx, uint32_t domid, const char *key,
                      char **value)
{
    char *buf = libxl__zalloc(XENSIM_MSG_MAX + 1);
    struct xensim_reply reply = { .buf = buf, .size = XENSIM_MSG_MAX };
    int r = record_call(ctx, XENSIM_OP_RECORD_GET, domid, 0, key, NULL,
                        &reply);

    if (r) {
        free(buf);
        if (r == -ENOENT)
            return ERROR_NOTFOUND;
        if (r == -ESRCH)
            return ERROR_DOMAIN_NOTFOUND;
        LOGEVD(ERROR, -r, domid, "cannot read the record %s", key);
        return ERROR_FAIL;
    }
    buf[reply.len] = '\0';
    *value = buf;
    return 0;
}

int libxl__record_find(libxl_ctx *ctx, const char *key, const char *value,
                       uint32_t *domid)
{
    struct xensim_reply reply = { 0 };
    int r = record_call(ctx, XENSIM_OP_RECORD_FIND, 0, 0, key, value,
                        &reply);

    if (r == -ENOENT)
        return ERROR_NOTFOUND;
    if (r < 0) {
        LOGEV(ERROR, -r, "cannot look up %s %s", key, value);
        return ERROR_FAIL;
    }
    *domid = (uint32_t)r;
    return 0;
}

void libxl__records_clear(libxl_ctx *ctx, uint32_t domid)
{
    /* The daemon drops a domain's records with the domain. */
    (void)ctx;
    (void)domid;
}

static int ioreq_state(libxl_ctx *ctx, uint32_t domid,
                       struct xensim_ioreq_state *st)
{
    struct xensim_domid req = { .domid = domid };
    int r;

    if (domid > 0xffff)
        return ERROR_DOMAIN_NOTFOUND;
    r = xensim_call_simple(&ctx->be->conn, XENSIM_OP_IOREQ_STATE, &req,
                           sizeof(req), st, sizeof(*st));
    if (r == -ESRCH)
        return ERROR_DOMAIN_NOTFOUND;
    if (r) {
        LOGEVD(ERROR, -r, domid, "cannot read the state of its ioreq "
               "servers");
        return ERROR_FAIL;
    }
    return 0;
}

int libxl__ioreq_claim(libxl_ctx *ctx, uint32_t domid, bool *claimed,
                       libxl_ioreq_claim *claim, uint64_t *entry_count)
{
    struct xensim_ioreq_state st;
    int rc = ioreq_state(ctx, domid, &st);

    if (rc)
        return rc;
    *claimed = st.claimed;
    claim->server = st.claimed ? st.holder : 0;
    claim->flags = st.claimed ? st.flags : 0;
    *entry_count = st.entry_count;
    return 0;
}

/* The ranges of one type of server id, into *list / *nr. */
static int server_ranges(libxl_ctx *ctx, uint32_t domid, uint32_t id,
                         uint32_t type, uint32_t expected,
                         libxl_io_range **list, int *nr)
{
    struct xensim_ioreq_ranges_req req = {
        .domid = domid, .id = id, .type = type,
    };
    uint64_t *pairs;
    uint32_t i;
    int r;

    *list = NULL;
    *nr = 0;
    if (!expected)
        return 0;
    pairs = libxl__zalloc(expected * 2 * sizeof(*pairs));
    r = xensim_call_simple(&ctx->be->conn, XENSIM_OP_IOREQ_RANGES, &req,
                           sizeof(req), pairs,
                           expected * 2 * sizeof(*pairs));
    if (r) {
        free(pairs);
        /* The server went away between the two calls: no ranges. */
        if (r == -ENOENT)
            return 0;
        LOGEVD(ERROR, -r, domid, "cannot read the ranges of ioreq server "
               "%u", id);
        return ERROR_FAIL;
    }
    *list = libxl__zalloc(expected * sizeof(**list));
    for (i = 0; i < expected; i++) {
        (*list)[i].start = pairs[2 * i];
        (*list)[i].end = pairs[2 * i + 1];
    }
    *nr = (int)expected;
    free(pairs);
    return 0;
}

int libxl__ioreq_servers(libxl_ctx *ctx, uint32_t domid,
                         libxl_ioreq_server_info **list, int *nr)
{
    libxl_ioreq_server_info *servers = NULL;
    struct xensim_ioreq_state st;
    int n = 0, i, rc;

    rc = ioreq_state(ctx, domid, &st);
    if (rc)
        goto out;
    servers = libxl__zalloc(XENSIM_MAX_SERVERS * sizeof(*servers));
    for (i = 0; i < XENSIM_MAX_SERVERS; i++) {
        libxl_ioreq_server_info *s = &servers[n];

        if (!st.servers[i].exists)
            continue;
        libxl_ioreq_server_info_init(s);
        n++;
        s->id = i;
        s->enabled = st.servers[i].enabled;
        s->claim = st.claimed && st.holder == i;
        rc = server_ranges(ctx, domid, i, XEN_DMOP_IO_RANGE_PORT,
                           st.servers[i].nr_ranges[XEN_DMOP_IO_RANGE_PORT],
                           &s->ports, &s->num_ports);
        if (!rc)
            rc = server_ranges(ctx, domid, i, XEN_DMOP_IO_RANGE_MEMORY,
                        st.servers[i].nr_ranges[XEN_DMOP_IO_RANGE_MEMORY],
                        &s->mmio, &s->num_mmio);
        if (!rc)
            rc = server_ranges(ctx, domid, i, XEN_DMOP_IO_RANGE_PCI,
                           st.servers[i].nr_ranges[XEN_DMOP_IO_RANGE_PCI],
                           &s->pci, &s->num_pci);
        if (rc)
            goto out;
    }
    *list = servers;
    *nr = n;
    servers = NULL;
    rc = 0;

 out:
    if (servers)
        libxl_ioreq_server_info_list_free(servers, n);
    return rc;
}

int libxl__mem_type_runs(libxl_ctx *ctx, uint32_t domid, uint64_t first,
                         uint64_t last, libxl__type_run_fn *fn,
                         void *opaque)
{
    enum { MAX_RUNS = 1024 };
    struct xensim_mem_type_run *runs =
        libxl__zalloc(MAX_RUNS * sizeof(*runs));
    struct xensim_mem_types_req req = {
        .domid = domid, .max_runs = MAX_RUNS, .first = first, .last = last,
    };
    int r, i, stop = 0;

    for (;;) {
        r = xensim_call_simple(&ctx->be->conn, XENSIM_OP_MEM_TYPES, &req,
                               sizeof(req), runs, MAX_RUNS * sizeof(*runs));
        if (r <= 0)
            break;
        for (i = 0; i < r && !stop; i++)
            stop = fn(opaque, runs[i].first, runs[i].last, runs[i].type);
        if (stop || runs[r - 1].last >= req.last)
            break;
        req.first = runs[r - 1].last + 1;
    }
    free(runs);
    if (r == -ESRCH)
        return ERROR_DOMAIN_NOTFOUND;
    if (r < 0) {
        LOGEVD(ERROR, -r, domid, "cannot read its memory types");
        return ERROR_FAIL;
    }
    return stop;
}

int libxl__ioreq_release(libxl_ctx *ctx, uint32_t domid, uint32_t server,
                         bool async)
{
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };
    struct xensim_dm_op hdr = {
        .domid = domid,
        .flags = async ? XENSIM_DM_OP_DETACH : 0,
        .nr_bufs = 1,
        .size = { sizeof(op) },
    };
    struct iovec iov[2] = { { &hdr, sizeof(hdr) }, { &op, sizeof(op) } };
    struct xensim_reply reply = { .buf = &op, .size = sizeof(op) };
    unsigned int i;
    int r;

    op.u.map_mem_type_to_ioreq_server.id = server;
    op.u.map_mem_type_to_ioreq_server.type = HVMMEM_ioreq_server;
    op.u.map_mem_type_to_ioreq_server.flags = 0;
    r = xensim_call(&ctx->be->conn, XENSIM_OP_DM_OP, iov, 2, &reply);
    for (i = 0; i < reply.nr_fds; i++)
        close(reply.fds[i]);
    if (r == -EPERM) {
        LOGD(ERROR, domid, "ioreq server %u holds HVMMEM_ioreq_server and "
             "was created by a restricted device model: only it can "
             "release the claim", server);
        return ERROR_FAIL;
    }
    if (r) {
        LOGEVD(ERROR, -r, domid, "cannot release the claim of ioreq server "
               "%u", server);
        return ERROR_FAIL;
    }
    return 0;
}

char *libxl__dm_log_path(libxl_ctx *ctx, uint32_t domid)
{
    return libxl__sprintf("%s/dm-%u.log", ctx->be->socket_dir, domid);
}
