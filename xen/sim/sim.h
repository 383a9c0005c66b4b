/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xensimd: the process that hosts the hypervisor model (xen/) and serves
 * its call interface (xen/include/public/xensim.h).  One state object,
 * one epoll loop, no threads; the model makes every decision, this layer
 * only moves bytes, memory and notifications.
 */
#ifndef XENSIM_SIM_H
#define XENSIM_SIM_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include <xen/dm.h>
#include <xen/hypercall.h>

#include "xensim.h"

/* What an epoll event points at. */
enum watch_kind {
    WATCH_LISTEN,
    WATCH_SIGNAL,
    WATCH_CONN,
    WATCH_BINDING,
    WATCH_CHANNEL,
    WATCH_GONE,                 /* released: see sim_release */
};

struct watch {
    enum watch_kind kind;
    struct watch *next_gone;
};

struct xensim;
struct record;
struct access_channel;

/* A request that has not been answered yet. */
enum pending_kind {
    PENDING_NONE,
    PENDING_DM_OP,              /* a continuation to run */
    PENDING_ACCESS,             /* a guest access in progress */
};

struct conn {
    struct watch watch;         /* first: epoll data points here */
    struct xensim *sim;
    struct conn *next;
    /*
     * A detached job (a DM op finishing after its caller got its reply)
     * has no socket: fd -1, no reply, freed when the op ends.
     */
    bool detached;
    int fd;
    unsigned int id;            /* for the log */
    pid_t pid;
    struct caller caller;
    bool made_servers;          /* conn_close looks for them only then */
    enum pending_kind pending;
    uint8_t *msg;               /* the request being served */
    size_t msg_len;
    /* PENDING_DM_OP: the call to re-issue */
    domid_t dm_domid;
    uint16_t dm_flags;          /* XENSIM_DM_OP_* */
    unsigned int dm_nr_bufs;
    xen_dm_op_buf_t dm_bufs[XENSIM_DM_OP_MAX_BUFS];
    /* PENDING_ACCESS: the vCPU working for this client */
    domid_t access_domid;
    unsigned int access_vcpu;
    struct access_channel *chan;    /* channel.c */
};

/* An event channel bound by a client to a port of a guest. */
struct binding {
    struct watch watch;
    struct binding *next;
    struct conn *owner;
    uint32_t local_port;
    domid_t domid;              /* the guest, and its port */
    evtchn_port_t port;
    int to_dm;                  /* we signal the client */
    int to_xen;                 /* the client signals us */
};

enum run_state {
    RUN_IDLE,
    RUN_IOREQ,                  /* waiting on a server */
    RUN_RETRY,                  /* to be re-executed */
};

/*
 * Guest accesses requested through a shared mailbox (channel.c), without
 * the socket.
 */
struct access_channel {
    struct watch watch;         /* first: epoll data points here */
    struct conn *owner;
    struct xensim_access_mailbox *mb;
    int memfd;
    int kick;                   /* the client signals a request */
    int done;                   /* we signal its result */
    bool busy;                  /* a request is running */
    uint32_t seq;               /* of the request running or last done */
    domid_t domid;              /* ...and its vCPU */
    unsigned int vcpu;
};

/* The guest access a vCPU performs for a client. */
struct vcpu_run {
    enum run_state state;
    struct conn *client;        /* NULL once the client went away */
    struct access_channel *chan;    /* or the channel asking */
    struct hvm_access access;
    uint32_t retries;
};

/* The host side of a domain: its shared memory and its vCPUs' work. */
struct sim_domain {
    domid_t domid;
    int ram_fd;
    void *ram;
    size_t ram_size;
    void *ioreq_base;           /* DOMAIN_IOREQ_PAGES pages */
    int server_fd[MAX_NR_IOREQ_SERVERS];
    bool server_seen[MAX_NR_IOREQ_SERVERS];
    struct conn *server_owner[MAX_NR_IOREQ_SERVERS];
    struct vcpu_run run[HVM_MAX_VCPUS];
    struct record *records;     /* records.c */
};

/* A device-model domain: restricted connections of one process. */
struct dm_identity {
    pid_t pid;
    domid_t target;
    domid_t domid;
};

struct run_item {
    struct conn *conn;          /* a continuation, or */
    domid_t domid;              /* a vCPU to re-execute */
    unsigned int vcpu;
};

struct xensim {
    struct hypervisor hv;
    int epfd;
    int listen_fd;
    int signal_fd;
    struct watch listen_watch;
    struct watch signal_watch;
    struct conn *conns;
    struct conn *jobs;          /* detached DM ops still running */
    unsigned int next_conn_id;
    struct binding *bindings;
    uint32_t next_local_port;
    struct sim_domain **dom;    /* indexed by domid */
    struct dm_identity *ident;
    unsigned int nr_ident;
    struct run_item *runq;
    unsigned int runq_len, runq_cap;
    uint64_t slice_start;       /* when the current step began (ns) */
    struct watch *gone;         /* released, freed after the round */
    bool quit;
};

/* log.c */
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t sim_now_ns(void);

/*
 * What a request handler returns besides an rc to reply with (no payload):
 * it has replied (or will, later), or the request was malformed and costs
 * the client its connection.
 */
#define SIM_REPLIED     INT_MIN         /* no rc is ever this */
#define SIM_MALFORMED   (-EBADMSG)

/* conn.c */
void conn_accept(struct xensim *sim);
/*
 * Serve the client at the other end of fd (a SOCK_SEQPACKET socket,
 * non-blocking), as the control domain; NULL (fd closed) on failure.
 */
struct conn *conn_new(struct xensim *sim, int fd);
void conn_event(struct conn *c, uint32_t events);
void conn_close(struct conn *c, const char *why);
int conn_reply(struct conn *c, int rc, const void *payload, size_t len,
               const int *fds, unsigned int nr_fds);
/* Note what c waits for (PENDING_NONE: nothing, read its next request). */
void conn_set_pending(struct conn *c, enum pending_kind pending);

/* hypercall.c */
int op_hello(struct conn *c, const void *p, size_t len);
int op_restrict(struct conn *c, const void *p, size_t len);
int op_dm_op(struct conn *c, const void *p, size_t len);
int op_hvm_op(struct conn *c, const void *p, size_t len);
int op_domctl(struct conn *c, const void *p, size_t len);
int op_memory_op(struct conn *c, const void *p, size_t len);
void dm_op_continue(struct conn *c);
void sim_jobs_free(struct xensim *sim);

/* shm.c */
extern const struct hypervisor_host_ops sim_host_ops;
int op_map_foreign(struct conn *c, const void *p, size_t len);
int op_map_resource(struct conn *c, const void *p, size_t len);
void sim_servers_changed(struct xensim *sim, struct domain *d);
struct sim_domain *sim_domain(struct xensim *sim, domid_t domid);

/* evtchn.c */
int op_evtchn_bind(struct conn *c, const void *p, size_t len);
int op_evtchn_unbind(struct conn *c, const void *p, size_t len);
void binding_event(struct binding *b);
void binding_drop(struct xensim *sim, struct binding *b);
void sim_notify(struct xensim *sim, domid_t domid, evtchn_port_t port);
void sim_drop_stale_bindings(struct xensim *sim, struct domain *d);
void sim_drop_domain_bindings(struct xensim *sim, domid_t domid);

/* records.c */
int op_record_set(struct conn *c, const void *p, size_t len);
int op_record_get(struct conn *c, const void *p, size_t len);
int op_record_find(struct conn *c, const void *p, size_t len);
void sim_records_free(struct sim_domain *sd);

/* introspect.c */
int op_ioreq_state(struct conn *c, const void *p, size_t len);
int op_ioreq_ranges(struct conn *c, const void *p, size_t len);
int op_mem_types(struct conn *c, const void *p, size_t len);

/* channel.c */
int op_access_channel(struct conn *c, const void *p, size_t len);
void channel_event(struct access_channel *chan);
void channel_close(struct xensim *sim, struct access_channel *chan);
void channel_post(struct access_channel *chan, int rc,
                  const struct xensim_guest_access_rsp *rsp);

/* vcpu.c */
int op_guest_access(struct conn *c, const void *p, size_t len);
/*
 * Start access w for a client (c) or a channel (chan): negative -errno
 * when it cannot start (nothing to undo), else 0 and the result goes to
 * the client or the channel when the access completes.
 */
int vcpu_start(struct xensim *sim, const struct caller *caller,
               const struct xensim_guest_access *w, struct conn *c,
               struct access_channel *chan);
void vcpu_forget_channel(struct xensim *sim, struct access_channel *chan);
void vcpu_reexecute(struct xensim *sim, domid_t domid, unsigned int vcpu);
void vcpu_resume(struct xensim *sim, struct domain *d, unsigned int vcpu);
void vcpu_forget_client(struct xensim *sim, struct conn *c);
void vcpu_domain_gone(struct xensim *sim, struct sim_domain *sd);
void vcpu_domain_unpaused(struct xensim *sim, struct sim_domain *sd);

/* state.c */
/* Everything but the socket and the signals; -errno on failure. */
int sim_state_init(struct xensim *sim);
/* Closes every connection and destroys every domain; after any init. */
void sim_state_teardown(struct xensim *sim);
/*
 * One round of the event loop: wait up to timeout_ms for events, serve
 * them, then run what the run queue held.  The number of events and
 * queued items served, or -1 if epoll fails.
 */
int sim_poll(struct xensim *sim, int timeout_ms);
/*
 * Free the connection, binding or channel whose watch (its first member)
 * is w, once the round is over: the round's batch of events may still
 * point at it, and must find it gone rather than freed or reused.  Its
 * descriptors are closed and it is off every list already.
 */
void sim_release(struct xensim *sim, struct watch *w);
/* The run queue of work that yields to the event loop. */
void runq_add(struct xensim *sim, struct conn *c, domid_t domid,
              unsigned int vcpu);

#endif /* XENSIM_SIM_H */
