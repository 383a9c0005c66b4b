/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * demu: a demonstration device model for HVMMEM_ioreq_server.  It claims
 * the type for one domain, retypes the pages given with --map, and logs
 * every guest write to them as one JSON line, storing it into guest RAM
 * (write-through) or dropping it (discard).
 *
 * Written only against Xen's libraries (xendevicemodel, xenforeignmemory,
 * xenevtchn, xentoollog) so that the same source runs on real Xen and on
 * the simulator.  Single-threaded: one poll loop serves every vCPU.
 */
#ifndef DEMU_H
#define DEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <xenctrl.h>            /* XC_PAGE_SHIFT only; libxenctrl unused */
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoollog.h>
#include <xen/hvm/ioreq.h>

#include "gfn-range.h"

/* Exit statuses. */
#define DEMU_EXIT_OK 0
#define DEMU_EXIT_FAIL 1
#define DEMU_EXIT_USAGE 2

enum demu_mode {
    DEMU_MODE_WRITE_THROUGH,    /* store each write into guest RAM */
    DEMU_MODE_DISCARD,          /* acknowledge each write, store nothing */
};

/* The command line, validated. */
struct demu_options {
    domid_t domid;
    enum demu_mode mode;
    const char *log_path;       /* NULL: the log is stdout */
    size_t nr_ranges;
    gfn_range *ranges;          /* --map, in the order given */
    const char **range_args;    /* the same as typed, for messages */
};

/* What demu_parse_options decided. */
enum demu_opts_result {
    DEMU_OPTS_RUN,
    DEMU_OPTS_HELP,             /* usage printed on stdout */
    DEMU_OPTS_USAGE_ERROR,      /* message printed on stderr */
    DEMU_OPTS_FAIL,             /* out of memory, message printed */
};

/*
 * Mappings of guest frames for write-through, kept because a device model
 * that tracks a page usually sees many writes to it.  Direct-mapped by
 * gfn; a collision unmaps the older frame.
 */
#define DEMU_RAM_CACHE_SLOTS 64

struct demu_ram_slot {
    uint64_t gfn;
    uint8_t *va;                /* NULL: empty */
};

struct demu_ram_cache {
    struct demu_ram_slot slot[DEMU_RAM_CACHE_SLOTS];
};

/* Everything demu holds; main owns the only instance. */
struct demu {
    const struct demu_options *opts;
    FILE *log;
    xentoollog_logger *logger;
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenevtchn_handle *xce;
    xenforeignmemory_resource_handle *iores;
    shared_iopage_t *iopage;    /* one ioreq_t slot per vCPU */
    ioservid_t id;
    bool created;               /* the ioreq server exists */
    bool claimed;               /* we hold HVMMEM_ioreq_server */
    bool domain_gone;           /* nothing left to release or destroy */
    unsigned int nr_vcpus;
    xenevtchn_port_or_error_t *ports;   /* local port per vCPU, or -1 */
    struct demu_ram_cache ram;
    bool log_failed;            /* a log line could not be written */
};

/* options.c */
enum demu_opts_result demu_parse_options(int argc, char **argv,
                                         struct demu_options *o);
void demu_options_dispose(struct demu_options *o);
void demu_usage(FILE *f);

/* The steps that can fail, for turning errno values into words. */
enum demu_step {
    DEMU_STEP_OPEN,
    DEMU_STEP_CREATE,
    DEMU_STEP_MAP_IOPAGE,
    DEMU_STEP_NR_VCPUS,
    DEMU_STEP_ENABLE,
    DEMU_STEP_BIND,
    DEMU_STEP_CLAIM,
    DEMU_STEP_RETYPE,
    DEMU_STEP_RELEASE,
    DEMU_STEP_DESTROY,
    DEMU_STEP_MAP_GUEST,
};

/* log.c */
void demu_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *demu_explain(enum demu_step step, int e, unsigned int domid,
                         char *buf, size_t len);
int demu_log_write(struct demu *d, unsigned int vcpu, uint64_t gpa,
                   uint32_t size, uint64_t data);

/* setup.c */
int demu_setup(struct demu *d);
int demu_teardown(struct demu *d);

/* ioreq.c */
int demu_serve(struct demu *d, int sfd);
int demu_drain(struct demu *d);
void demu_ram_cache_flush(struct demu *d);

#endif /* DEMU_H */
