/* SPDX-License-Identifier: MIT */
/*
 * The simulated hypervisor's call interface: what privcmd, /dev/xen/evtchn
 * and the foreign-mapping ioctls are on real Xen.  xensimd serves it on a
 * UNIX socket; tools/libs/sim/ implements Xen's libraries over it.  It
 * carries Xen's own ABI structs (struct xen_dm_op buffers, struct
 * xen_domctl, struct xen_memory_reservation, struct
 * xen_hvm_get_mem_type) wherever Xen has one.
 *
 * Transport: a SOCK_SEQPACKET socket (XENSIM_SOCKET, default
 * XENSIM_DEFAULT_SOCKET), mode 0600.  Every message is one packet of at
 * most XENSIM_MSG_MAX bytes.  A client sends one request and waits for
 * its reply before sending the next; replies come in order.  A request is
 * a struct xensim_req followed by `size` payload bytes; a reply is a
 * struct xensim_rsp followed by `size` bytes, with file descriptors
 * attached (SCM_RIGHTS) where an op says so.  rc is 0 or a positive count
 * on success and -errno on failure, errno values being Linux's (which are
 * Xen's).  A malformed request (short, oversized, unknown op, payload of
 * the wrong size) costs the client its connection.
 *
 * Identity: a connection acts as dom0 (the control domain) until it sends
 * XENSIM_OP_RESTRICT; from then on it acts as a device-model domain whose
 * only target is the given domain.  All restricted connections of one
 * process (SO_PEERCRED) with the same target share that domain id, so a
 * device model's devicemodel, evtchn and foreignmemory handles agree; two
 * processes never do.  When a connection closes, the ioreq servers it
 * created are destroyed.
 */
#ifndef XENSIM_PUBLIC_H
#define XENSIM_PUBLIC_H

#include <stdint.h>

#define XENSIM_DEFAULT_SOCKET   "/run/xensim/xensimd.sock"
#define XENSIM_SOCKET_ENV       "XENSIM_SOCKET"
#define XENSIM_PROTOCOL_VERSION 1
#define XENSIM_MSG_MAX          65536

/* Guest domids are allocated below, device-model domain ids above. */
#define XENSIM_DM_DOMID_FIRST   0x7000

struct xensim_req {
    uint32_t op;                /* XENSIM_OP_* */
    uint32_t size;              /* payload bytes after this header */
};

struct xensim_rsp {
    int32_t rc;
    uint32_t size;              /* payload bytes after this header */
};

/*
 * XENSIM_OP_HELLO: req struct xensim_hello (version = the client's);
 * rsp struct xensim_hello (the daemon's version).  -EPROTONOSUPPORT if
 * they differ.  Optional.
 */
#define XENSIM_OP_HELLO             1
struct xensim_hello {
    uint32_t version;
    uint32_t pad;
};

/*
 * XENSIM_OP_RESTRICT: req struct xensim_restrict.  The connection becomes
 * a device-model domain for domid (see above); -EINVAL if it already is
 * one for another domain.  As with Linux's privcmd, domid need not exist.
 */
#define XENSIM_OP_RESTRICT          2
struct xensim_restrict {
    uint16_t domid;
    uint16_t pad[3];
};

/*
 * XENSIM_OP_DM_OP: HYPERVISOR_dm_op.  req: struct xensim_dm_op, then the
 * contents of each buffer in order (size[i] bytes each).  rsp: the
 * contents of each buffer after the call, same sizes (copied back by the
 * hypervisor only where Xen does).  Continuations are handled inside the
 * daemon; -ERESTART never reaches the client.
 */
#define XENSIM_OP_DM_OP             3
#define XENSIM_DM_OP_MAX_BUFS       16
struct xensim_dm_op {
    uint16_t domid;
    uint16_t flags;             /* XENSIM_DM_OP_* */
    uint32_t nr_bufs;           /* passed through: Xen refuses > 2 */
    uint64_t size[XENSIM_DM_OP_MAX_BUFS];
};
/*
 * Reply as soon as the call first returns a continuation (rc 0 and the
 * buffers as they are then), and let the daemon finish it on its own:
 * how a release returns after its asynchronous reset, the sweep going on.
 */
#define XENSIM_DM_OP_DETACH         (1U << 0)

/*
 * XENSIM_OP_HVM_OP: HYPERVISOR_hvm_op.  req: struct xensim_hvm_op, then
 * the op's argument struct; rsp: the argument struct after the call.
 * Only HVMOP_get_mem_type (struct xen_hvm_get_mem_type).
 */
#define XENSIM_OP_HVM_OP            4
struct xensim_hvm_op {
    uint32_t cmd;               /* HVMOP_* */
    uint32_t pad;
};

/*
 * XENSIM_OP_DOMCTL: HYPERVISOR_domctl.  req: struct xen_domctl
 * (interface_version XEN_DOMCTL_INTERFACE_VERSION), then for
 * XEN_DOMCTL_shadow_op CLEAN/PEEK nothing more; rsp: struct xen_domctl
 * after the call, then for shadow_op CLEAN/PEEK with a non-zero pages the
 * dirty bitmap (one bit per page, (pages + 7) / 8 bytes).  Supported:
 * createdomain, destroydomain, pausedomain, unpausedomain, getdomaininfo,
 * max_mem, max_vcpus, shadow_op (OFF, ENABLE with LOG_DIRTY,
 * ENABLE_LOGDIRTY, CLEAN, PEEK).  Others: -EOPNOTSUPP.
 */
#define XENSIM_OP_DOMCTL            5

/*
 * XENSIM_OP_MEMORY_OP: HYPERVISOR_memory_op.  req: struct
 * xensim_memory_op, then struct xen_memory_reservation (extent_start
 * ignored), then nr_extents xen_pfn_t gfns; rsp: the number of extents
 * done in rc (as Xen returns it), and the gfns array.  Also
 * XENMEM_maximum_gpfn: req struct xensim_memory_op then struct
 * xensim_domid; rsp a uint64_t, the domain's highest populated gfn.
 */
#define XENSIM_OP_MEMORY_OP         6
struct xensim_memory_op {
    uint32_t cmd;               /* XENMEM_* */
    uint32_t pad;
};

/*
 * XENSIM_OP_MAP_FOREIGN: map guest frames.  req: struct xensim_map_foreign
 * then num uint64_t gfns; rsp: num int32_t per-frame errors (0 or
 * -errno: -EINVAL for a frame that is not guest RAM), with one file
 * descriptor attached (unless rc < 0): the guest's RAM, in which gfn g is
 * at offset g * 4096.  -EPERM unless the caller may map domid.
 */
#define XENSIM_OP_MAP_FOREIGN       7
struct xensim_map_foreign {
    uint16_t domid;
    uint16_t pad;
    uint32_t prot;              /* PROT_READ / PROT_WRITE */
    uint32_t num;
    uint32_t pad2;
};

/*
 * XENSIM_OP_MAP_RESOURCE: XENMEM_acquire_resource.  req: struct
 * xensim_map_resource; rsp: struct xensim_map_resource_rsp with one file
 * descriptor attached, in which frame f of the resource is at offset
 * offset + (f - frame) * 4096.  Only XENMEM_resource_ioreq_server:
 * -ENOENT / -EPERM as the server's owner checks say, -EINVAL for a frame
 * the server does not have.  nr_frames 0 asks for the resource's size
 * (rsp nr_frames).
 */
#define XENSIM_OP_MAP_RESOURCE      8
struct xensim_map_resource {
    uint16_t domid;
    uint16_t pad;
    uint32_t type;              /* XENMEM_resource_* */
    uint32_t id;
    uint32_t frame;
    uint32_t nr_frames;
    uint32_t pad2;
};
struct xensim_map_resource_rsp {
    uint64_t offset;
    uint32_t nr_frames;
    uint32_t pad;
};

/*
 * XENSIM_OP_EVTCHN_BIND: bind an interdomain event channel to the remote
 * domain's port.  req: struct xensim_evtchn_bind; rsp: struct
 * xensim_evtchn_bound with two eventfds attached: fd[0] is signalled by
 * the hypervisor when the remote end notifies (read it to consume),
 * fd[1] is written by the client to notify the remote end.  Neither
 * direction goes through the socket.  -EINVAL if the port is not unbound
 * and reserved for the caller's domain.
 */
#define XENSIM_OP_EVTCHN_BIND       9
struct xensim_evtchn_bind {
    uint16_t remote_dom;
    uint16_t pad;
    uint32_t remote_port;
};
struct xensim_evtchn_bound {
    uint32_t local_port;
    uint32_t pad;
};

/* XENSIM_OP_EVTCHN_UNBIND: req struct xensim_evtchn_unbind. */
#define XENSIM_OP_EVTCHN_UNBIND     10
struct xensim_evtchn_unbind {
    uint32_t local_port;
    uint32_t pad;
};

/*
 * XENSIM_OP_GUEST_ACCESS: make vCPU vcpu of domid perform one access, as
 * the guest would.  req: struct xensim_guest_access; rsp (once the access
 * completed, after any device model answered): struct
 * xensim_guest_access_rsp.  An access the hypervisor asks to retry is
 * re-executed by the daemon.  -ESRCH no such domain, -ENOENT no such
 * vCPU, -EBUSY the vCPU is busy with another client's access, -EAGAIN the
 * domain is paused, -EINVAL a malformed access.  Only dom0 may do this.
 */
#define XENSIM_OP_GUEST_ACCESS      11
#define XENSIM_ACCESS_READ          0
#define XENSIM_ACCESS_WRITE         1
#define XENSIM_ACCESS_RMW           2
#define XENSIM_RMW_ADD              0
#define XENSIM_RMW_OR               1
#define XENSIM_RMW_AND              2
#define XENSIM_RMW_XOR              3
#define XENSIM_RMW_XCHG             4
#define XENSIM_RMW_CMPXCHG          5
struct xensim_guest_access {
    uint16_t domid;
    uint16_t pad;
    uint32_t vcpu;
    uint32_t op;                /* XENSIM_ACCESS_* */
    uint32_t rmw;               /* XENSIM_RMW_* */
    uint64_t gpa;
    uint32_t size;              /* 1, 2, 4, 8; writes also 16 */
    uint32_t reps;              /* writes: repeat count, 0 means 1 */
    uint64_t data[2];           /* write data / operand, little endian */
    uint64_t cmp;               /* CMPXCHG expected value */
};
#define XENSIM_ACCESS_CMPXCHG_OK    (1U << 0)
#define XENSIM_ACCESS_UNHANDLED     (1U << 1)   /* the null handler */
struct xensim_guest_access_rsp {
    uint64_t value;             /* read value / RMW old value */
    uint32_t flags;             /* XENSIM_ACCESS_CMPXCHG_OK | ... */
    uint32_t retries;           /* times the access was re-executed */
};

struct xensim_domid {
    uint16_t domid;
    uint16_t pad[3];
};

/*
 * XENSIM_OP_ACCESS_CHANNEL: a way to issue guest accesses without the
 * socket, for a client that makes many.  req: nothing; rsp: no payload,
 * three descriptors: [0] a memfd holding a struct xensim_access_mailbox,
 * [1] an eventfd the client writes after placing a request, [2] an
 * eventfd the daemon writes once the request's result is in the mailbox.
 * To issue an access: fill req (domid and vcpu included), increment seq,
 * write 1 to [1]; wait on [2] until done_seq equals seq; then rc (0 or
 * -errno, as for XENSIM_OP_GUEST_ACCESS) and rsp hold the result.  One
 * request at a time; the channel lives as long as the connection.  The
 * daemon copies and checks the request: a mailbox is never trusted.
 * Only dom0.
 */
#define XENSIM_OP_ACCESS_CHANNEL    18
struct xensim_access_mailbox {
    uint32_t seq;               /* client: one more per request */
    uint32_t done_seq;          /* daemon: seq of the last result */
    int32_t rc;
    uint32_t pad;
    struct xensim_guest_access req;
    struct xensim_guest_access_rsp rsp;
};

/*
 * What a toolstack keeps about a domain, kept with the domain in the
 * hypervisor it describes, so two daemons never see each other's, and
 * gone when the domain goes.  Only dom0.
 *
 * XENSIM_OP_RECORD_SET: req struct xensim_record then key_len bytes of
 * key and value_len bytes of value.  With XENSIM_RECORD_UNIQUE, -EEXIST
 * if another domain has the same value for key (atomic: how names stay
 * unique).  -ESRCH no such domain.
 * XENSIM_OP_RECORD_GET: req struct xensim_record (value_len 0) then the
 * key; rsp the value.  -ENOENT if the domain has no such record.
 * XENSIM_OP_RECORD_FIND: req struct xensim_record (domid ignored), key,
 * value; rc the domid of the domain whose record key is value, -ENOENT.
 */
#define XENSIM_OP_RECORD_SET        12
#define XENSIM_OP_RECORD_GET        13
#define XENSIM_OP_RECORD_FIND       14
#define XENSIM_RECORD_UNIQUE        (1U << 0)
#define XENSIM_RECORD_KEY_MAX       64
struct xensim_record {
    uint16_t domid;
    uint16_t flags;             /* XENSIM_RECORD_* */
    uint32_t key_len;
    uint32_t value_len;
    uint32_t pad;
};

/*
 * What real Xen cannot tell a toolstack, and the simulator can.  Only
 * dom0 (or the domain's device model).
 *
 * XENSIM_OP_IOREQ_STATE: req struct xensim_domid; rsp struct
 * xensim_ioreq_state: the claim, entry_count, and each server slot.
 */
#define XENSIM_OP_IOREQ_STATE       15
#define XENSIM_MAX_SERVERS          8
struct xensim_ioreq_state {
    uint8_t claimed;
    uint8_t pad;
    uint16_t holder;            /* the claiming server, if claimed */
    uint32_t flags;             /* XEN_DMOP_IOREQ_MEM_ACCESS_* */
    uint64_t entry_count;
    struct {
        uint8_t exists;
        uint8_t enabled;
        uint16_t emulator;      /* the domain that created it */
        uint32_t nr_ranges[3];  /* XEN_DMOP_IO_RANGE_* */
    } servers[XENSIM_MAX_SERVERS];
};

/*
 * XENSIM_OP_IOREQ_RANGES: req struct xensim_ioreq_ranges_req; rsp the
 * ranges of type `type` of server id, as pairs of uint64_t (start, end
 * inclusive).  -ENOENT no such server.
 */
#define XENSIM_OP_IOREQ_RANGES      16
struct xensim_ioreq_ranges_req {
    uint16_t domid;
    uint16_t id;
    uint32_t type;              /* XEN_DMOP_IO_RANGE_* */
};

/*
 * XENSIM_OP_MEM_TYPES: the effective types of [first, last] as runs.
 * req struct xensim_mem_types_req; rsp up to max_runs struct
 * xensim_mem_type_run in order from first (fewer if last is reached);
 * rc the number of runs.  Holes read as HVMMEM_mmio_dm, as
 * HVMOP_get_mem_type says.
 */
#define XENSIM_OP_MEM_TYPES         17
struct xensim_mem_types_req {
    uint16_t domid;
    uint16_t pad;
    uint32_t max_runs;
    uint64_t first;
    uint64_t last;
};
struct xensim_mem_type_run {
    uint64_t first;
    uint64_t last;
    uint32_t type;              /* hvmmem_type_t */
    uint32_t pad;
};

#endif /* XENSIM_PUBLIC_H */
