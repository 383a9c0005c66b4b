/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest vCPUs driven by clients: a client asks for one access, the model
 * runs it, and the answer goes back once the access completed, after any
 * device model answered.  An access the model asks to retry is
 * re-executed from the run queue, as the guest would re-execute its
 * instruction; if the client goes away meanwhile the access still
 * completes, so nothing the guest wrote is lost.
 */
#include <string.h>

#include "sim.h"

static struct vcpu_run *run_of(struct xensim *sim, domid_t domid,
                               unsigned int vcpu)
{
    struct sim_domain *sd = sim_domain(sim, domid);

    return sd && vcpu < HVM_MAX_VCPUS ? &sd->run[vcpu] : NULL;
}

static void finish(struct vcpu_run *run, int rc,
                   const struct hvm_access_result *r)
{
    struct xensim_guest_access_rsp rsp = { 0 };
    struct conn *c = run->client;

    if (rc == 0) {
        rsp.value = r->value;
        rsp.flags = (r->cmpxchg_ok ? XENSIM_ACCESS_CMPXCHG_OK : 0) |
                    (r->unhandled ? XENSIM_ACCESS_UNHANDLED : 0);
        rsp.retries = run->retries;
    }
    if (c) {
        conn_set_pending(c, PENDING_NONE);
        conn_reply(c, rc, &rsp, rc == 0 ? sizeof(rsp) : 0, NULL, 0);
    }
    if (run->chan)
        channel_post(run->chan, rc, &rsp);
    memset(run, 0, sizeof(*run));
}

static void handle(struct xensim *sim, struct domain *d, unsigned int v,
                   int rc, const struct hvm_access_result *r)
{
    struct vcpu_run *run = run_of(sim, d->domain_id, v);
    struct hvm_access *a = &run->access;

    if (rc == -EPROTO) {
        sim_log("domain %u: an ioreq server broke the request protocol on "
                "vCPU %u's slot; the server is torn down and its pages "
                "reset", d->domain_id, v);
        sim_servers_changed(sim, d);
    } else if (rc < 0) {
        finish(run, rc, r);
        return;
    }

    switch (r->status) {
    case HVM_ACCESS_DONE:
        finish(run, 0, r);
        break;
    case HVM_ACCESS_IOREQ:
        run->state = RUN_IOREQ;
        if (r->sent)
            sim_notify(sim, d->domain_id, r->port);
        break;
    case HVM_ACCESS_RETRY:
        /* Elements already done stay done, as rcx/rdi would record. */
        if (r->reps_done) {
            a->gpa += (uint64_t)r->reps_done * a->size;
            a->reps = (a->reps ? a->reps : 1) - r->reps_done;
        }
        run->state = RUN_RETRY;
        run->retries++;
        if (!d->pause_count)
            runq_add(sim, NULL, d->domain_id, v);
        break;
    }
}

static void execute(struct xensim *sim, struct domain *d, unsigned int v)
{
    struct vcpu_run *run = run_of(sim, d->domain_id, v);
    struct hvm_access_result r;
    int rc = hvm_access(d, v, &run->access, &r);

    handle(sim, d, v, rc, &r);
}

void vcpu_reexecute(struct xensim *sim, domid_t domid, unsigned int vcpu)
{
    struct domain *d = domain_lookup(&sim->hv, domid);
    struct vcpu_run *run = run_of(sim, domid, vcpu);

    if (!d || !run || run->state != RUN_RETRY)
        return;
    if (d->pause_count)
        return;                 /* taken up again at unpause */
    execute(sim, d, vcpu);
}

void vcpu_resume(struct xensim *sim, struct domain *d, unsigned int vcpu)
{
    struct vcpu_run *run = run_of(sim, d->domain_id, vcpu);
    struct hvm_access_result r;
    int rc;

    if (!run || run->state != RUN_IOREQ)
        return;
    rc = hvm_access_resume(d, vcpu, &r);
    if (rc == -ENOENT)
        return;                 /* not waiting: a stray notification */
    handle(sim, d, vcpu, rc, &r);
}

static int decode(const struct xensim_guest_access *w, struct hvm_access *a)
{
    static const enum hvm_access_op ops[] = {
        [XENSIM_ACCESS_READ] = HVM_ACCESS_READ,
        [XENSIM_ACCESS_WRITE] = HVM_ACCESS_WRITE,
        [XENSIM_ACCESS_RMW] = HVM_ACCESS_RMW,
    };
    static const enum hvm_rmw_op rmws[] = {
        [XENSIM_RMW_ADD] = HVM_RMW_ADD,
        [XENSIM_RMW_OR] = HVM_RMW_OR,
        [XENSIM_RMW_AND] = HVM_RMW_AND,
        [XENSIM_RMW_XOR] = HVM_RMW_XOR,
        [XENSIM_RMW_XCHG] = HVM_RMW_XCHG,
        [XENSIM_RMW_CMPXCHG] = HVM_RMW_CMPXCHG,
    };

    if (w->op >= ARRAY_SIZE(ops) || w->rmw >= ARRAY_SIZE(rmws))
        return -EINVAL;
    *a = (struct hvm_access){
        .op = ops[w->op],
        .rmw = rmws[w->rmw],
        .gpa = w->gpa,
        .size = w->size,
        .reps = w->reps,
        .data = { w->data[0], w->data[1] },
        .cmp = w->cmp,
    };
    return 0;
}

int vcpu_start(struct xensim *sim, const struct caller *caller,
               const struct xensim_guest_access *w, struct conn *c,
               struct access_channel *chan)
{
    struct vcpu_run *run;
    struct domain *d;
    int rc;

    if (!caller->is_control)
        return -EPERM;
    d = domain_lookup(&sim->hv, w->domid);
    if (!d)
        return -ESRCH;
    if (w->vcpu >= d->nr_online_vcpus)
        return -ENOENT;
    run = run_of(sim, w->domid, w->vcpu);
    if (!run)
        return -ESRCH;
    if (run->state != RUN_IDLE)
        return -EBUSY;
    rc = decode(w, &run->access);
    if (rc)
        return rc;

    run->client = c;
    run->chan = chan;
    run->retries = 0;
    if (c) {
        c->access_domid = w->domid;
        c->access_vcpu = w->vcpu;
        conn_set_pending(c, PENDING_ACCESS);
    }
    execute(sim, d, w->vcpu);
    return 0;
}

int op_guest_access(struct conn *c, const void *p, size_t len)
{
    struct xensim_guest_access w;
    int rc;

    if (len != sizeof(w))
        return SIM_MALFORMED;
    memcpy(&w, p, sizeof(w));
    rc = vcpu_start(c->sim, &c->caller, &w, c, NULL);
    return rc ? rc : SIM_REPLIED;
}

void vcpu_forget_client(struct xensim *sim, struct conn *c)
{
    struct vcpu_run *run;

    if (c->pending != PENDING_ACCESS)
        return;
    run = run_of(sim, c->access_domid, c->access_vcpu);
    if (run && run->client == c)
        run->client = NULL;
}

void vcpu_forget_channel(struct xensim *sim, struct access_channel *chan)
{
    struct vcpu_run *run;

    if (!chan->busy)
        return;
    run = run_of(sim, chan->domid, chan->vcpu);
    if (run && run->chan == chan)
        run->chan = NULL;
}

void vcpu_domain_gone(struct xensim *sim, struct sim_domain *sd)
{
    unsigned int v, i;

    if (!sd)
        return;
    for (v = 0; v < HVM_MAX_VCPUS; v++)
        if (sd->run[v].state != RUN_IDLE)
            finish(&sd->run[v], -ESRCH, NULL);
    i = 0;
    while (i < sim->runq_len) {
        if (!sim->runq[i].conn && sim->runq[i].domid == sd->domid)
            sim->runq[i] = sim->runq[--sim->runq_len];
        else
            i++;
    }
}

void vcpu_domain_unpaused(struct xensim *sim, struct sim_domain *sd)
{
    unsigned int v;

    if (!sd)
        return;
    for (v = 0; v < HVM_MAX_VCPUS; v++)
        if (sd->run[v].state == RUN_RETRY)
            runq_add(sim, NULL, sd->domid, v);
}
