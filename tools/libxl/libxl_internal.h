/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxl's internals: the context, logging, and the seam between the
 * generic toolstack and the backend (the simulator, or real Xen).
 */
#ifndef LIBXL_INTERNAL_H
#define LIBXL_INTERNAL_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xen/hvm/hvm_op.h>

#include "libxl.h"

#define _hidden __attribute__((visibility("hidden")))

struct libxl__backend;

struct libxl__ctx {
    xentoollog_logger *lg;
    xc_interface *xch;
    xendevicemodel_handle *dmod;
    struct libxl__backend *be;      /* libxl_backend_{sim,xen}.c */
};

/*
 * Logging, as libxl does it: LOG(ERROR, ...) in a function with `ctx` in
 * scope; LOGE appends errno's text; the D forms prefix "Domain N: ".
 * LEVEL is the XTL_ suffix: DEBUG, DETAIL, INFO, WARN, ERROR.
 */
#define LIBXL__LOG(ctx, level, errnoval, domid, fmt, ...)                  \
    libxl__log((ctx), XTL_##level, (errnoval), __FILE__, __LINE__,         \
               __func__, (domid), fmt, ##__VA_ARGS__)
#define LOG(l, f, ...)          LIBXL__LOG(ctx, l, -1, INVALID_DOMID, f,   \
                                           ##__VA_ARGS__)
#define LOGE(l, f, ...)         LIBXL__LOG(ctx, l, errno, INVALID_DOMID, f,\
                                           ##__VA_ARGS__)
#define LOGEV(l, e, f, ...)     LIBXL__LOG(ctx, l, (e), INVALID_DOMID, f,  \
                                           ##__VA_ARGS__)
#define LOGD(l, d, f, ...)      LIBXL__LOG(ctx, l, -1, (d), f,             \
                                           ##__VA_ARGS__)
#define LOGED(l, d, f, ...)     LIBXL__LOG(ctx, l, errno, (d), f,          \
                                           ##__VA_ARGS__)
#define LOGEVD(l, e, d, f, ...) LIBXL__LOG(ctx, l, (e), (d), f,            \
                                           ##__VA_ARGS__)

_hidden void libxl__log(libxl_ctx *ctx, xentoollog_level level, int errnoval,
                        const char *file, int line, const char *func,
                        uint32_t domid, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* ---- The backend: what the simulator and real Xen do differently ---- */

/*
 * One implementation per backend (libxl_backend_sim.c, chosen by
 * configure, or libxl_backend_xen.c with --with-xen), so that nothing
 * else in libxl knows which hypervisor it talks to.  All return 0 or an
 * ERROR_* code and log why.
 */
_hidden int libxl__backend_open(libxl_ctx *ctx);
_hidden void libxl__backend_close(libxl_ctx *ctx);

/*
 * What libxl keeps about a domain (its name, its configuration, its
 * device model), kept with the domain.  With unique, ERROR_DEVICE_EXISTS
 * if another domain has the same value for key.  get: ERROR_NOTFOUND if
 * the domain has no such record; the value is the caller's to free.
 * find: the domain whose record key is value, ERROR_NOTFOUND if none.
 */
_hidden int libxl__record_set(libxl_ctx *ctx, uint32_t domid,
                              const char *key, const char *value,
                              bool unique);
_hidden int libxl__record_get(libxl_ctx *ctx, uint32_t domid,
                              const char *key, char **value);
_hidden int libxl__record_find(libxl_ctx *ctx, const char *key,
                               const char *value, uint32_t *domid);
/* Forget a domain's records (when destroying it). */
_hidden void libxl__records_clear(libxl_ctx *ctx, uint32_t domid);

/* Who holds HVMMEM_ioreq_server, and how many entries are typed. */
_hidden int libxl__ioreq_claim(libxl_ctx *ctx, uint32_t domid,
                               bool *claimed, libxl_ioreq_claim *claim,
                               uint64_t *entry_count);
/* The domain's ioreq servers, by id. */
_hidden int libxl__ioreq_servers(libxl_ctx *ctx, uint32_t domid,
                                 libxl_ioreq_server_info **list, int *nr);

/*
 * The effective types (hvmmem_type_t) of [first, last], as runs given in
 * order to fn; fn returns non-zero to stop (that value is returned).
 */
typedef int libxl__type_run_fn(void *opaque, uint64_t first, uint64_t last,
                               unsigned int type);
_hidden int libxl__mem_type_runs(libxl_ctx *ctx, uint32_t domid,
                                 uint64_t first, uint64_t last,
                                 libxl__type_run_fn *fn, void *opaque);

/*
 * Release the claim held by server (a full reset); async: return once the
 * pages read back as ram_rw, the sweep finishing in the background.
 */
_hidden int libxl__ioreq_release(libxl_ctx *ctx, uint32_t domid,
                                 uint32_t server, bool async);

/* Where the output of domid's device model goes (caller frees). */
_hidden char *libxl__dm_log_path(libxl_ctx *ctx, uint32_t domid);

/* ---- Shared helpers --------------------------------------------------- */

/* hvmmem_type_t in words ("ram_rw", "ioreq_server", ...). */
_hidden const char *libxl__mem_type_name(unsigned int type);

/*
 * Ranges of gfns well-formed, disjoint and at most max_gfn, or
 * ERROR_INVAL with a message naming the range (prefixed "what: ").
 */
_hidden int libxl__gfn_ranges_check(libxl_ctx *ctx, uint32_t domid,
                                    const char *what,
                                    const libxl_gfn_range *ranges, int nr,
                                    uint64_t max_gfn);

/* Whether domid exists (ERROR_DOMAIN_NOTFOUND if not). */
_hidden int libxl__domain_exists(libxl_ctx *ctx, uint32_t domid);

/*
 * The device model libxl started for domid: spawn, wait, stop.  It gets
 * the write end of a pipe in LIBXL_DM_READY_FD and writes a line there
 * once it has claimed HVMMEM_ioreq_server: the only sign of readiness on
 * real Xen, where the claim cannot be read.  *ready_fd is the read end.
 */
#define LIBXL_DM_READY_ENV "LIBXL_DM_READY_FD"
_hidden int libxl__dm_spawn(libxl_ctx *ctx, uint32_t domid,
                            const libxl_domain_build_info *b_info,
                            int *pid, int *ready_fd);
_hidden int libxl__dm_wait_claim(libxl_ctx *ctx, uint32_t domid, int pid,
                                 int ready_fd, uint32_t timeout_ms);
_hidden void libxl__dm_stop(libxl_ctx *ctx, uint32_t domid);

#define MIN_U64(a, b) ((uint64_t)(a) < (uint64_t)(b) ? (uint64_t)(a) \
                                                   : (uint64_t)(b))

/* malloc that aborts the process on failure, as libxl does. */
_hidden void *libxl__zalloc(size_t size);
_hidden char *libxl__strdup(const char *s);
_hidden char *libxl__sprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif /* LIBXL_INTERNAL_H */
