/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest accesses to guest-physical memory, as Xen's emulator resolves them
 * (arch/x86/hvm/emulate.c).  An access is split at page boundaries, and a
 * part that goes to an ioreq server into power-of-two chunks of at most
 * eight bytes.  Each part is routed by its page's effective p2m type:
 *
 *   ram_rw          RAM
 *   ram_logdirty    RAM; a write marks the page dirty and makes it ram_rw
 *   ram_ro          reads from RAM, writes dropped
 *   ioreq_server    reads from RAM (the read half of a read-modify-write
 *                   too); writes to the claiming server as IOREQ_TYPE_COPY
 *                   write ioreqs; with no claim (a release in progress)
 *                   writes and read-modify-writes are retried
 *   holes           the enabled server whose MMIO range holds the chunk,
 *                   else the null handler (reads all ones, writes dropped)
 *
 * An access that needs a server leaves its vCPU waiting; the host
 * notifies the server (result->port) and, once the server answers,
 * calls hvm_access_resume, which carries on where the access stopped.
 */
#ifndef XEN_EMULATE_H
#define XEN_EMULATE_H

#include <xen/lib.h>

struct domain;

enum hvm_access_op {
    HVM_ACCESS_READ,
    HVM_ACCESS_WRITE,
    HVM_ACCESS_RMW,
};

enum hvm_rmw_op {
    HVM_RMW_ADD,
    HVM_RMW_OR,
    HVM_RMW_AND,
    HVM_RMW_XOR,
    HVM_RMW_XCHG,
    HVM_RMW_CMPXCHG,
};

#define HVM_ACCESS_MAX_SIZE 16  /* an SSE store */
#define HVM_ACCESS_MAX_REPS 4096

struct hvm_access {
    enum hvm_access_op op;
    enum hvm_rmw_op rmw;        /* RMW only */
    uint64_t gpa;
    /* 1, 2, 4 or 8 bytes; a write may also be 16 */
    unsigned int size;
    /* a write repeated over consecutive elements (rep stos); 0 means 1 */
    unsigned int reps;
    /* write data (little endian, data[1] for bytes 8-15) / RMW operand */
    uint64_t data[2];
    uint64_t cmp;               /* CMPXCHG: the expected value */
};

enum hvm_access_status {
    HVM_ACCESS_DONE,            /* completed */
    HVM_ACCESS_IOREQ,           /* the vCPU waits for server / port */
    HVM_ACCESS_RETRY,           /* nothing more done: re-execute */
};

struct hvm_access_result {
    enum hvm_access_status status;
    uint64_t value;             /* READ: the value; RMW: the old value */
    bool cmpxchg_ok;            /* CMPXCHG: the compare matched */
    bool unhandled;             /* a part went to the null handler */
    unsigned int reps_done;     /* elements completed (RETRY: so far) */
    ioservid_t server;          /* IOREQ: the server asked */
    evtchn_port_t port;         /* IOREQ: the port to notify */
    bool sent;                  /* IOREQ: this call sent a new request */
};

/* The access a vCPU has in progress while it waits on an ioreq server. */
struct hvm_vcpu_io {
    bool waiting;               /* a request is outstanding */
    bool server_gone;           /* ...and its server was destroyed */
    ioservid_t server;
    uint8_t seen;               /* last slot state observed */
    struct hvm_access access;
    unsigned int rep;           /* element in progress */
    unsigned int phase;         /* reading or writing it */
    unsigned int offset;        /* bytes of this phase done */
    unsigned int chunk;         /* bytes in the outstanding request */
    uint8_t rbuf[HVM_ACCESS_MAX_SIZE];
    uint8_t wbuf[HVM_ACCESS_MAX_SIZE];
    bool write_needed;          /* RMW: false after a failed compare */
    bool unhandled;
    bool cmpxchg_ok;
};

/*
 * Start an access by vCPU vcpu.  -EINVAL for a malformed access,
 * -ENOENT for no such vCPU, -EAGAIN while the domain is paused, -EBUSY if
 * the vCPU is still waiting.  -EPROTO if a server had corrupted its idle
 * slot: it is torn down and the access is to be retried.
 */
int hvm_access(struct domain *d, unsigned int vcpu,
               const struct hvm_access *a, struct hvm_access_result *r);

/*
 * Carry on with vCPU vcpu's waiting access: after its server signalled,
 * or after anything that may have ended the wait (the server's
 * destruction).  While the server has not answered, r->status stays
 * HVM_ACCESS_IOREQ.  A server that broke the request protocol (a state
 * moved backwards or to an unknown value) is torn down: -EPROTO, and the
 * access is to be retried.  -ENOENT if the vCPU is not waiting.
 */
int hvm_access_resume(struct domain *d, unsigned int vcpu,
                      struct hvm_access_result *r);

/* Whether vCPU vcpu waits on an ioreq, and for which server. */
bool hvm_vcpu_waiting(const struct domain *d, unsigned int vcpu,
                      ioservid_t *server);

/* Server id went away: its waiting vCPUs will retry when resumed. */
void hvm_io_server_gone(struct domain *d, ioservid_t id);

/*
 * Hypervisor-internal copies to and from guest-physical memory (hypercall
 * arguments).  Writes to a p2m_ioreq_server page are refused with
 * -EFAULT, never a silent bypass of the device model.
 */
int hvm_copy_to_guest_phys(struct domain *d, uint64_t gpa, const void *buf,
                           size_t len);
int hvm_copy_from_guest_phys(struct domain *d, void *buf, uint64_t gpa,
                             size_t len);

#endif /* XEN_EMULATE_H */
