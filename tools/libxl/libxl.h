/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxl: the toolstack library of this project.  It follows the shape and
 * rules of Xen's libxl (tools/include/libxl.h in Xen), for the part of it
 * this project needs: domains on the simulator (or, --with-xen, on real
 * Xen) and the management of p2m_ioreq_server pages, which upstream libxl
 * does not have.
 *
 * API compatibility: within a release, additions only; every addition is
 * announced by a LIBXL_HAVE_* macro below.  The ABI is not promised.
 *
 * Memory: what a function returns through a pointer is the caller's, in
 * ordinary malloc memory; types with _init/_dispose are freed with
 * _dispose, lists with the matching _list_free.
 *
 * Types: call libxl_<type>_init before using a value and
 * libxl_<type>_dispose exactly once afterwards, on success or failure;
 * both are idempotent (dispose leaves the value as _init does).
 * libxl_<type>_to_json returns the value as JSON (the caller frees it);
 * libxl_<type>_from_json parses JSON into an _init'ed value.  What
 * _from_json reads, _to_json writes back identically.
 *
 * Errors: functions return int rc, 0 on success or an ERROR_* code
 * (negative), and log the reason through the context's xentoollog logger.
 */

/*
 * LIBXL_HAVE_IOREQ_PAGES
 *
 * libxl_ioreq_pages_map, libxl_ioreq_pages_unmap, libxl_ioreq_pages_list,
 * libxl_ioreq_server_list and libxl_ioreq_reset exist, and
 * libxl_domain_build_info has ioreq_pages (applied at creation once the
 * device model has claimed HVMMEM_ioreq_server).
 */
#define LIBXL_HAVE_IOREQ_PAGES 1

#ifndef LIBXL_H
#define LIBXL_H

#include <stdbool.h>
#include <stdint.h>

#include <xentoollog.h>

/* ---- Context ---------------------------------------------------------- */

typedef struct libxl__ctx libxl_ctx;

#define LIBXL_VERSION 0

/* version must be LIBXL_VERSION and flags 0; lg may not be NULL. */
int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags,
                    xentoollog_logger *lg);
/* NULL is fine. */
int libxl_ctx_free(libxl_ctx *ctx);

/* ---- Errors (Xen 4.17's values) --------------------------------------- */

typedef enum libxl_error {
    ERROR_NONSPECIFIC = -1,
    ERROR_VERSION = -2,
    ERROR_FAIL = -3,
    ERROR_NI = -4,
    ERROR_NOMEM = -5,
    ERROR_INVAL = -6,
    ERROR_BADFAIL = -7,
    ERROR_GUEST_TIMEDOUT = -8,
    ERROR_TIMEDOUT = -9,
    ERROR_NOT_READY = -11,
    ERROR_LOCK_FAIL = -15,
    ERROR_JSON_CONFIG_EMPTY = -16,
    ERROR_DEVICE_EXISTS = -17,
    ERROR_DOMAIN_NOTFOUND = -21,
    ERROR_ABORTED = -22,
    ERROR_NOTFOUND = -23,
    ERROR_DOMAIN_DESTROYED = -24,
    ERROR_FEATURE_REMOVED = -25,
} libxl_error;

/* A short description of rc ("invalid argument", ...). */
const char *libxl_error_to_string(int rc);

/* ---- Basic types ------------------------------------------------------ */

typedef uint32_t libxl_domid;
#define INVALID_DOMID ((libxl_domid)~0U)

/* A boolean that can also be "not set" (the default is decided later). */
typedef struct {
    int val;                    /* 0 default, 1 true, -1 false */
} libxl_defbool;

void libxl_defbool_set(libxl_defbool *db, bool b);
void libxl_defbool_unset(libxl_defbool *db);
void libxl_defbool_setdefault(libxl_defbool *db, bool b);
bool libxl_defbool_is_default(libxl_defbool db);
/* The value; must not be called on a default. */
bool libxl_defbool_val(libxl_defbool db);

/* NULL-terminated array of strings. */
typedef char **libxl_string_list;
void libxl_string_list_dispose(libxl_string_list *sl);
int libxl_string_list_length(const libxl_string_list *sl);

typedef enum libxl_domain_type {
    LIBXL_DOMAIN_TYPE_INVALID = -1,
    LIBXL_DOMAIN_TYPE_HVM = 1,
    LIBXL_DOMAIN_TYPE_PV = 2,
    LIBXL_DOMAIN_TYPE_PVH = 3,
} libxl_domain_type;

const char *libxl_domain_type_to_string(libxl_domain_type t);
/* ERROR_INVAL for an unknown name; case-insensitive. */
int libxl_domain_type_from_string(const char *s, libxl_domain_type *t);

/* An inclusive range of guest frame numbers; count is last - first + 1. */
typedef struct libxl_gfn_range {
    uint64_t first;
    uint64_t last;
} libxl_gfn_range;

void libxl_gfn_range_init(libxl_gfn_range *p);
void libxl_gfn_range_dispose(libxl_gfn_range *p);
char *libxl_gfn_range_to_json(libxl_ctx *ctx, const libxl_gfn_range *p);
int libxl_gfn_range_from_json(libxl_ctx *ctx, libxl_gfn_range *p,
                              const char *s);

/* ---- Domain configuration ---------------------------------------------- */

typedef struct libxl_domain_create_info {
    libxl_domain_type type;     /* default LIBXL_DOMAIN_TYPE_HVM */
    libxl_defbool hap;          /* default true */
    char *name;
} libxl_domain_create_info;

/* Marks "not set" in memory fields. */
#define LIBXL_MEMKB_DEFAULT (~(uint64_t)0)

typedef struct libxl_domain_build_info {
    int max_vcpus;              /* default 1 */
    uint64_t max_memkb;         /* default 128 MiB */
    uint64_t target_memkb;      /* default max_memkb */
    /*
     * The device model to start (xl.cfg device_model_override), run as
     * `device_model --domain DOMID extra...`, and how long it may take to
     * claim HVMMEM_ioreq_server (default 10000 ms).  NULL: none.
     */
    char *device_model;
    libxl_string_list extra;    /* xl.cfg device_model_args */
    uint32_t device_model_timeout_ms;
    /* Pages to type HVMMEM_ioreq_server once the type is claimed. */
    libxl_gfn_range *ioreq_pages;
    int num_ioreq_pages;
} libxl_domain_build_info;

typedef struct libxl_domain_config {
    libxl_domain_create_info c_info;
    libxl_domain_build_info b_info;
} libxl_domain_config;

void libxl_domain_create_info_init(libxl_domain_create_info *p);
void libxl_domain_create_info_dispose(libxl_domain_create_info *p);
char *libxl_domain_create_info_to_json(libxl_ctx *ctx,
                                       const libxl_domain_create_info *p);
int libxl_domain_create_info_from_json(libxl_ctx *ctx,
                                       libxl_domain_create_info *p,
                                       const char *s);

void libxl_domain_build_info_init(libxl_domain_build_info *p);
void libxl_domain_build_info_dispose(libxl_domain_build_info *p);
char *libxl_domain_build_info_to_json(libxl_ctx *ctx,
                                      const libxl_domain_build_info *p);
int libxl_domain_build_info_from_json(libxl_ctx *ctx,
                                      libxl_domain_build_info *p,
                                      const char *s);

void libxl_domain_config_init(libxl_domain_config *p);
void libxl_domain_config_dispose(libxl_domain_config *p);
char *libxl_domain_config_to_json(libxl_ctx *ctx,
                                  const libxl_domain_config *p);
int libxl_domain_config_from_json(libxl_ctx *ctx, libxl_domain_config *p,
                                  const char *s);

/* ---- Domains ------------------------------------------------------------ */

/*
 * Create a domain from d_config: build it paused, start its device model
 * (if any) and wait for it to claim HVMMEM_ioreq_server, type the
 * ioreq_pages, then unpause it unless paused.  On failure nothing is left
 * behind: no domain, no server, no process.  The configuration is kept
 * with the domain (libxl_retrieve_domain_configuration).
 */
int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config,
                            uint32_t *domid, bool paused);
/* Destroy domid, and stop the device model libxl started for it. */
int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid);
int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid);
int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid);

typedef struct libxl_dominfo {
    uint32_t domid;
    libxl_domain_type domain_type;
    bool running;
    bool blocked;
    bool paused;
    bool dying;
    uint64_t current_memkb;
    uint64_t max_memkb;
    uint64_t cpu_time;          /* ns */
    uint32_t vcpu_max_id;
    uint32_t vcpu_online;
} libxl_dominfo;

void libxl_dominfo_init(libxl_dominfo *p);
void libxl_dominfo_dispose(libxl_dominfo *p);
/* ERROR_DOMAIN_NOTFOUND if domid does not exist. */
int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info, uint32_t domid);
/* Every domain, by domid; NULL on error. */
libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain);
void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain);

/* The name of domid (the caller frees it), or NULL. */
char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid);
/* ERROR_INVAL if no domain is called name. */
int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid);
/* A domid (decimal) or a name. */
int libxl_domain_qualifier_to_domid(libxl_ctx *ctx, const char *name,
                                    uint32_t *domid);
/*
 * The configuration the domain was created with; ERROR_JSON_CONFIG_EMPTY
 * (logged only at debug level) for a domain libxl did not create.
 */
int libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
                                        libxl_domain_config *d_config);

/* ---- p2m_ioreq_server pages --------------------------------------------- */

/*
 * Type every page of ranges[0..nr) HVMMEM_ioreq_server (map) or back to
 * HVMMEM_ram_rw (unmap).  Every range is checked first (inside the
 * guest's memory; map: a server holds the claim); a failure part-way is
 * rolled back, so the call does everything or nothing.  ERROR_INVAL for a
 * bad range, ERROR_NOT_READY if no server holds the claim.
 */
int libxl_ioreq_pages_map(libxl_ctx *ctx, uint32_t domid,
                          const libxl_gfn_range *ranges, int nr);
int libxl_ioreq_pages_unmap(libxl_ctx *ctx, uint32_t domid,
                            const libxl_gfn_range *ranges, int nr);

typedef struct libxl_ioreq_claim {
    uint32_t server;
    uint32_t flags;             /* XEN_DMOP_IOREQ_MEM_ACCESS_* */
} libxl_ioreq_claim;

/*
 * A domain's typed pages: the ranges sorted and coalesced, the claim (if
 * claimed) and the hypervisor's entry_count.
 */
typedef struct libxl_ioreq_pages_info {
    uint32_t domid;
    bool claimed;
    libxl_ioreq_claim claim;
    /*
     * Real Xen does not say who holds the claim or how many entries are
     * typed: there claim_unknown is set, claimed is false and entry_count
     * is the number of pages found typed.  (Not part of the JSON.)
     */
    bool claim_unknown;
    uint64_t entry_count;
    libxl_gfn_range *ranges;
    int num_ranges;
} libxl_ioreq_pages_info;

void libxl_ioreq_pages_info_init(libxl_ioreq_pages_info *p);
void libxl_ioreq_pages_info_dispose(libxl_ioreq_pages_info *p);
/*
 * Exactly {"domid":N,"claim":{"server":N,"flags":["write"]} or null,
 * "entry_count":N,"ranges":[{"first":N,"last":N,"count":N},...]}.
 */
char *libxl_ioreq_pages_info_to_json(libxl_ctx *ctx,
                                     const libxl_ioreq_pages_info *p);
int libxl_ioreq_pages_info_from_json(libxl_ctx *ctx,
                                     libxl_ioreq_pages_info *p,
                                     const char *s);
int libxl_ioreq_pages_list(libxl_ctx *ctx, uint32_t domid,
                           libxl_ioreq_pages_info *info);

/* An inclusive range an ioreq server emulates (ports, MMIO, PCI SBDFs). */
typedef struct libxl_io_range {
    uint64_t start;
    uint64_t end;
} libxl_io_range;

typedef struct libxl_ioreq_server_info {
    uint32_t id;
    /*
     * Real Xen only says which servers exist: there details_unknown is
     * set and the rest is not known (false, no ranges).  (Not part of
     * the JSON.)
     */
    bool details_unknown;
    bool enabled;
    bool claim;                 /* holds HVMMEM_ioreq_server */
    libxl_io_range *ports;
    int num_ports;
    libxl_io_range *mmio;
    int num_mmio;
    libxl_io_range *pci;
    int num_pci;
} libxl_ioreq_server_info;

void libxl_ioreq_server_info_init(libxl_ioreq_server_info *p);
void libxl_ioreq_server_info_dispose(libxl_ioreq_server_info *p);
char *libxl_ioreq_server_info_to_json(libxl_ctx *ctx,
                                      const libxl_ioreq_server_info *p);
int libxl_ioreq_server_info_from_json(libxl_ctx *ctx,
                                      libxl_ioreq_server_info *p,
                                      const char *s);
/*
 * The domain's ioreq servers by id.  NULL only on error; with no server
 * the list is empty (*nr 0) but not NULL.
 */
libxl_ioreq_server_info *libxl_ioreq_server_list(libxl_ctx *ctx,
                                                 uint32_t domid, int *nr);
void libxl_ioreq_server_info_list_free(libxl_ioreq_server_info *list,
                                       int nr);

/*
 * Release the claim of HVMMEM_ioreq_server, so every typed page goes back
 * to HVMMEM_ram_rw.  The holder must have been made by the control
 * domain (a restricted device model's claim only it can release).  Synchronously, the call returns once no entry is
 * left typed; asynchronously, once the pages read back as ram_rw, the
 * hypervisor finishing its sweep in the background.  ERROR_NOT_READY if
 * no server holds the claim.
 */
int libxl_ioreq_reset(libxl_ctx *ctx, uint32_t domid, bool async);

#endif /* LIBXL_H */
