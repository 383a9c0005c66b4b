/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioreq servers (common/ioreq.c): up to MAX_NR_IOREQ_SERVERS emulators per
 * domain, each with its port/MMIO/PCI rangesets, a shared page holding one
 * ioreq_t slot per vCPU, and one event channel per vCPU.
 *
 * Each slot's vp_eport is written when the server is first enabled, as
 * in Xen 4.17, so a device model binds its ports after enabling.
 *
 * Slot protocol, for each request: the hypervisor fills the slot and moves
 * it NONE -> READY; the emulator moves it READY -> INPROCESS ->
 * IORESP_READY; the hypervisor takes the answer and moves it back to NONE.
 * Nothing else is accepted (see ioreq_check_response).
 */
#ifndef XEN_IOREQ_H
#define XEN_IOREQ_H

#include <xen/lib.h>
#include <xen/rangeset.h>

#define MAX_NR_IOREQ_SERVERS    8
#define NR_IO_RANGE_TYPES       (XEN_DMOP_IO_RANGE_PCI + 1)
/* One shared page of ioreq_t slots, one per vCPU. */
#define HVM_MAX_VCPUS           (PAGE_SIZE / sizeof(ioreq_t))
/* Per server: the buffered ioreq page, then the synchronous one. */
#define IOREQ_SERVER_PAGES      2
#define DOMAIN_IOREQ_PAGES      (MAX_NR_IOREQ_SERVERS * IOREQ_SERVER_PAGES)

struct domain;

struct ioreq_server {
    bool exists;
    ioservid_t id;
    domid_t emulator;           /* the domain that created it */
    uint8_t bufioreq_handling;  /* HVM_IOREQSRV_BUFIOREQ_* */
    bool enabled;
    struct rangeset range[NR_IO_RANGE_TYPES];
    shared_iopage_t *ioreq;     /* in the host-provided ioreq memory */
    void *bufioreq;
    evtchn_port_t bufioreq_port;
    evtchn_port_t vp_eport[HVM_MAX_VCPUS];
};

struct ioreq_domain {
    struct ioreq_server server[MAX_NR_IOREQ_SERVERS];
};

struct ioreq_server *ioreq_server_get(struct domain *d, unsigned int id);

int ioreq_server_create(struct domain *d, uint8_t bufioreq_handling,
                        domid_t emulator, ioservid_t *id);
/*
 * Destroy server id.  If it holds the claim of p2m_ioreq_server, the
 * claim is released and every typed entry reset (ours: Xen only drops the
 * claim and leaves the pages write-protected).  vCPUs waiting on it will
 * retry.
 */
int ioreq_server_destroy(struct domain *d, ioservid_t id, domid_t caller);
void ioreq_server_destroy_all(struct domain *d);
/*
 * Tear server s down whoever made it, with the same full release: for a
 * server that broke the request protocol (ours: Xen crashes the guest).
 */
void ioreq_server_teardown(struct domain *d, struct ioreq_server *s);

int ioreq_server_get_info(struct domain *d, ioservid_t id, domid_t caller,
                          bool want_gfns, uint64_t *ioreq_gfn,
                          uint64_t *bufioreq_gfn,
                          evtchn_port_t *bufioreq_port);
int ioreq_server_map_io_range(struct domain *d, ioservid_t id,
                              domid_t caller, uint32_t type, uint64_t start,
                              uint64_t end);
int ioreq_server_unmap_io_range(struct domain *d, ioservid_t id,
                                domid_t caller, uint32_t type,
                                uint64_t start, uint64_t end);
int ioreq_server_set_state(struct domain *d, ioservid_t id, domid_t caller,
                           bool enabled);
/* Claim (flags WRITE) or release (flags 0) p2m_ioreq_server; no reset. */
int ioreq_server_map_mem_type(struct domain *d, ioservid_t id,
                              domid_t caller, uint32_t type, uint32_t flags);
/*
 * A frame of server id for XENMEM_acquire_resource: frame 0 is the
 * buffered ioreq page (only with buffered ioreqs on), frame 1 the
 * synchronous one.
 */
int ioreq_server_get_frame(struct domain *d, ioservid_t id, domid_t caller,
                           unsigned int frame, void **page);

/* The enabled server whose ranges hold [addr, addr + size - 1], or NULL. */
struct ioreq_server *ioreq_server_select(struct domain *d, uint8_t type,
                                         uint64_t addr, uint32_t size);

/*
 * Put request p in vCPU vcpu's slot of s and mark it READY.  -EPROTO if
 * the emulator left the slot in a state other than NONE or changed its
 * event channel.
 */
int ioreq_send(struct ioreq_server *s, unsigned int vcpu, const ioreq_t *p);

enum ioreq_response {
    IOREQ_PENDING,              /* READY or INPROCESS: not answered yet */
    IOREQ_ANSWERED,             /* IORESP_READY: *data taken, slot NONE */
    IOREQ_BROKEN,               /* moved backwards or to an unknown state */
};

/*
 * Look at vCPU vcpu's slot of s.  *seen is the last state observed for
 * this request (READY when it was sent); a state below it moved backwards.
 */
enum ioreq_response ioreq_check_response(struct ioreq_server *s,
                                         unsigned int vcpu, uint8_t *seen,
                                         uint64_t *data);

#endif /* XEN_IOREQ_H */
