/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypercalls that carry Xen's own ABI structs: dm_op, hvm_op, domctl,
 * memory_op; and the caller's identity (hello, restrict).
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

int op_hello(struct conn *c, const void *p, size_t len)
{
    struct xensim_hello hello;

    if (len != sizeof(hello))
        return SIM_MALFORMED;
    memcpy(&hello, p, sizeof(hello));
    if (hello.version != XENSIM_PROTOCOL_VERSION)
        return -EPROTONOSUPPORT;
    hello.version = XENSIM_PROTOCOL_VERSION;
    conn_reply(c, 0, &hello, sizeof(hello), NULL, 0);
    return SIM_REPLIED;
}

/* The device-model domain of (pid, target), made on first use. */
static int dm_domid(struct xensim *sim, pid_t pid, domid_t target,
                    domid_t *domid)
{
    struct dm_identity *id;
    unsigned int i;

    for (i = 0; i < sim->nr_ident; i++) {
        if (sim->ident[i].pid == pid && sim->ident[i].target == target) {
            *domid = sim->ident[i].domid;
            return 0;
        }
    }
    /*
     * The lowest id not in use: an identity is forgotten when its process
     * closes its last restricted connection, with every server it made.
     */
    for (*domid = XENSIM_DM_DOMID_FIRST; *domid < DOMID_FIRST_RESERVED;
         (*domid)++) {
        for (i = 0; i < sim->nr_ident; i++)
            if (sim->ident[i].domid == *domid)
                break;
        if (i == sim->nr_ident)
            break;
    }
    if (*domid >= DOMID_FIRST_RESERVED)
        return -ENOSPC;
    id = realloc(sim->ident, (sim->nr_ident + 1) * sizeof(*id));
    if (!id)
        return -ENOMEM;
    sim->ident = id;
    id[sim->nr_ident++] = (struct dm_identity){
        .pid = pid, .target = target, .domid = *domid,
    };
    return 0;
}

int op_restrict(struct conn *c, const void *p, size_t len)
{
    struct xensim_restrict r;
    domid_t domid;
    int rc;

    if (len != sizeof(r))
        return SIM_MALFORMED;
    memcpy(&r, p, sizeof(r));
    /*
     * As Linux's privcmd: restricting again to the same domain is fine,
     * to another one EINVAL; the domain need not exist (yet).
     */
    if (!c->caller.is_control)
        return c->caller.target == r.domid ? 0 : -EINVAL;
    rc = dm_domid(c->sim, c->pid, r.domid, &domid);
    if (rc)
        return rc;
    c->caller = (struct caller){
        .domid = domid, .is_control = false, .target = r.domid,
    };
    return 0;
}

/* Note the creator of a server, so its servers go when it does. */
static void note_created(struct conn *c, domid_t domid,
                         const struct xen_dm_op *op)
{
    struct sim_domain *sd = sim_domain(c->sim, domid);

    if (sd && op->op == XEN_DMOP_create_ioreq_server &&
        op->u.create_ioreq_server.id < MAX_NR_IOREQ_SERVERS) {
        sd->server_owner[op->u.create_ioreq_server.id] = c;
        c->made_servers = true;
    }
}

/* A copy of c's DM op that the daemon finishes by itself. */
static struct conn *detach_job(struct conn *c)
{
    struct conn *job = calloc(1, sizeof(*job));
    unsigned int i;

    if (!job)
        return NULL;
    job->msg = malloc(XENSIM_MSG_MAX);
    if (!job->msg) {
        free(job);
        return NULL;
    }
    job->watch.kind = WATCH_CONN;
    job->sim = c->sim;
    job->detached = true;
    job->fd = -1;
    job->id = c->id;
    job->pid = c->pid;
    job->caller = c->caller;
    memcpy(job->msg, c->msg, c->msg_len);
    job->msg_len = c->msg_len;
    job->dm_domid = c->dm_domid;
    job->dm_nr_bufs = c->dm_nr_bufs;
    for (i = 0; i < c->dm_nr_bufs; i++) {
        size_t at = (uint8_t *)c->dm_bufs[i].h.p - c->msg;

        set_xen_guest_handle(job->dm_bufs[i].h, job->msg + at);
        job->dm_bufs[i].size = c->dm_bufs[i].size;
    }
    job->next = c->sim->jobs;
    c->sim->jobs = job;
    return job;
}

static void job_done(struct conn *job)
{
    struct conn **pp;

    for (pp = &job->sim->jobs; *pp; pp = &(*pp)->next) {
        if (*pp == job) {
            *pp = job->next;
            break;
        }
    }
    free(job->msg);
    free(job);
}

void sim_jobs_free(struct xensim *sim)
{
    while (sim->jobs)
        job_done(sim->jobs);
}

/* Issue (or re-issue) the dm_op held in c; reply unless it continues. */
static void dm_op_step(struct conn *c)
{
    struct xensim *sim = c->sim;
    struct domain *d;
    size_t offset = sizeof(struct xensim_req) + sizeof(struct xensim_dm_op);
    int rc;

    rc = dm_op(&sim->hv, &c->caller, c->dm_domid, c->dm_nr_bufs,
               c->dm_bufs);
    d = domain_lookup(&sim->hv, c->dm_domid);
    if (d)
        sim_servers_changed(sim, d);
    if (rc == -ERESTART && (c->dm_flags & XENSIM_DM_OP_DETACH) &&
        !c->detached) {
        struct conn *job = detach_job(c);

        if (job) {
            /* The caller goes on; the job finishes the op. */
            runq_add(sim, job, 0, 0);
            rc = 0;
        }
    }
    if (rc == -ERESTART) {
        /* Let other clients run before the next slice. */
        conn_set_pending(c, PENDING_DM_OP);
        runq_add(sim, c, 0, 0);
        return;
    }
    if (c->detached) {
        if (rc)
            sim_log("domain %u: a detached DM op ended with %s",
                    c->dm_domid, strerror(-rc));
        job_done(c);
        return;
    }
    if (rc == 0 && c->dm_nr_bufs >= 1 &&
        c->dm_bufs[0].size >= sizeof(struct xen_dm_op))
        note_created(c, c->dm_domid, c->dm_bufs[0].h.p);
    conn_set_pending(c, PENDING_NONE);
    /* The buffers, as the hypervisor left them. */
    conn_reply(c, rc, c->msg + offset, c->msg_len - offset, NULL, 0);
}

void dm_op_continue(struct conn *c)
{
    dm_op_step(c);
}

int op_dm_op(struct conn *c, const void *p, size_t len)
{
    struct xensim_dm_op hdr;
    uint8_t *data = (uint8_t *)p + sizeof(hdr);
    size_t total = 0;
    unsigned int i;

    if (len < sizeof(hdr))
        return SIM_MALFORMED;
    memcpy(&hdr, p, sizeof(hdr));
    if (hdr.nr_bufs > XENSIM_DM_OP_MAX_BUFS)
        return -E2BIG;
    if (hdr.flags & ~XENSIM_DM_OP_DETACH)
        return -EINVAL;
    for (i = 0; i < XENSIM_DM_OP_MAX_BUFS; i++) {
        if (i >= hdr.nr_bufs && hdr.size[i])
            return SIM_MALFORMED;
        if (hdr.size[i] > len)
            return SIM_MALFORMED;
        total += hdr.size[i];
    }
    if (total != len - sizeof(hdr))
        return SIM_MALFORMED;

    /* The buffers live in the request message until the reply. */
    c->dm_domid = hdr.domid;
    c->dm_flags = hdr.flags;
    c->dm_nr_bufs = hdr.nr_bufs;
    for (i = 0; i < hdr.nr_bufs; i++) {
        set_xen_guest_handle(c->dm_bufs[i].h, data);
        c->dm_bufs[i].size = hdr.size[i];
        data += hdr.size[i];
    }
    dm_op_step(c);
    return SIM_REPLIED;
}

int op_hvm_op(struct conn *c, const void *p, size_t len)
{
    struct xensim_hvm_op hdr;
    struct xen_hvm_get_mem_type arg;
    int rc;

    if (len < sizeof(hdr))
        return SIM_MALFORMED;
    memcpy(&hdr, p, sizeof(hdr));
    if (hdr.cmd != HVMOP_get_mem_type)
        return -ENOSYS;
    if (len != sizeof(hdr) + sizeof(arg))
        return SIM_MALFORMED;
    memcpy(&arg, (const uint8_t *)p + sizeof(hdr), sizeof(arg));
    rc = hvmop_get_mem_type(&c->sim->hv, &c->caller, &arg);
    conn_reply(c, rc, &arg, sizeof(arg), NULL, 0);
    return SIM_REPLIED;
}

/* Room for a dirty bitmap in a reply after the domctl struct. */
#define BITMAP_MAX_BYTES \
    (XENSIM_MSG_MAX - sizeof(struct xensim_rsp) - sizeof(struct xen_domctl))

int op_domctl(struct conn *c, const void *p, size_t len)
{
    struct xensim *sim = c->sim;
    uint8_t reply[XENSIM_MSG_MAX];
    struct xen_domctl *op = (struct xen_domctl *)reply;
    unsigned long *bitmap = NULL;
    size_t bitmap_bytes = 0;
    int rc;

    if (len != sizeof(*op))
        return SIM_MALFORMED;
    memcpy(op, p, sizeof(*op));

    if (op->cmd == XEN_DOMCTL_shadow_op &&
        (op->u.shadow_op.op == XEN_DOMCTL_SHADOW_OP_CLEAN ||
         op->u.shadow_op.op == XEN_DOMCTL_SHADOW_OP_PEEK) &&
        op->u.shadow_op.pages) {
        size_t words;

        /*
         * pages is the client's, any 64-bit value: bound it before
         * rounding it up, which would wrap to a tiny bitmap that the
         * model then writes past.
         */
        if (op->u.shadow_op.pages > BITMAP_MAX_BYTES * 8)
            return -E2BIG;
        /* Whole words, as the model writes them. */
        words = (op->u.shadow_op.pages + 63) / 64;
        bitmap = calloc(words, sizeof(*bitmap));
        if (!bitmap)
            return -ENOMEM;
        bitmap_bytes = (op->u.shadow_op.pages + 7) / 8;
    }
    if (op->cmd == XEN_DOMCTL_destroydomain && c->caller.is_control &&
        op->interface_version == XEN_DOMCTL_INTERFACE_VERSION)
        vcpu_domain_gone(sim, sim_domain(sim, op->domain));

    rc = do_domctl(&sim->hv, &c->caller, op, bitmap);
    if (rc == 0 && op->cmd == XEN_DOMCTL_unpausedomain)
        vcpu_domain_unpaused(sim, sim_domain(sim, op->domain));
    if (rc == 0 && op->cmd == XEN_DOMCTL_destroydomain)
        sim_drop_domain_bindings(sim, op->domain);
    if (rc == 0 && bitmap) {
        bitmap_bytes = MIN(bitmap_bytes, (op->u.shadow_op.pages + 7) / 8);
        memcpy(reply + sizeof(*op), bitmap, bitmap_bytes);
    } else {
        bitmap_bytes = 0;
    }
    free(bitmap);
    conn_reply(c, rc, reply, sizeof(*op) + bitmap_bytes, NULL, 0);
    return SIM_REPLIED;
}

int op_memory_op(struct conn *c, const void *p, size_t len)
{
    struct xensim_memory_op hdr;
    struct xen_memory_reservation r;
    const size_t fixed = sizeof(hdr) + sizeof(r);
    xen_pfn_t *gfns;
    long rc;

    if (len < sizeof(hdr))
        return SIM_MALFORMED;
    memcpy(&hdr, p, sizeof(hdr));
    if (hdr.cmd == XENMEM_maximum_gpfn) {
        struct xensim_domid req;
        uint64_t gpfn = 0;

        if (len != sizeof(hdr) + sizeof(req))
            return SIM_MALFORMED;
        memcpy(&req, (const uint8_t *)p + sizeof(hdr), sizeof(req));
        rc = memory_op_maximum_gpfn(&c->sim->hv, &c->caller, req.domid,
                                    &gpfn);
        conn_reply(c, (int)rc, &gpfn, rc ? 0 : sizeof(gpfn), NULL, 0);
        return SIM_REPLIED;
    }
    if (len < fixed)
        return SIM_MALFORMED;
    memcpy(&r, (const uint8_t *)p + sizeof(hdr), sizeof(r));
    if ((len - fixed) % sizeof(xen_pfn_t) ||
        (len - fixed) / sizeof(xen_pfn_t) != r.nr_extents)
        return SIM_MALFORMED;
    gfns = malloc(len - fixed + 1);
    if (!gfns)
        return -ENOMEM;
    memcpy(gfns, (const uint8_t *)p + fixed, len - fixed);
    rc = do_memory_op(&c->sim->hv, &c->caller, hdr.cmd, &r, gfns);
    conn_reply(c, (int)rc, gfns, len - fixed, NULL, 0);
    free(gfns);
    return SIM_REPLIED;
}
