/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the simulator can tell a toolstack that real Xen cannot: who holds
 * the claim, which servers exist with which ranges, and the effective
 * types of many pages at once.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* The domain a caller may look into: dom0, or the domain's DM. */
static int lookup(struct conn *c, domid_t domid, struct domain **d)
{
    *d = domain_lookup(&c->sim->hv, domid);
    if (!*d)
        return -ESRCH;
    return xsm_dm_priv(&c->caller, *d) ? 0 : -EPERM;
}

int op_ioreq_state(struct conn *c, const void *p, size_t len)
{
    struct xensim_ioreq_state st = { 0 };
    struct xensim_domid req;
    struct domain *d;
    ioservid_t holder;
    uint32_t flags;
    unsigned int i, t;
    int rc;

    if (len != sizeof(req))
        return SIM_MALFORMED;
    memcpy(&req, p, sizeof(req));
    rc = lookup(c, req.domid, &d);
    if (rc)
        return rc;
    if (p2m_get_ioreq_server(&d->p2m, &holder, &flags)) {
        st.claimed = 1;
        st.holder = holder;
        st.flags = flags;
    }
    st.entry_count = d->p2m.ioreq.entry_count;
    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
        const struct ioreq_server *s = &d->ioreq.server[i];

        if (!s->exists)
            continue;
        st.servers[i].exists = 1;
        st.servers[i].enabled = s->enabled;
        st.servers[i].emulator = s->emulator;
        for (t = 0; t < NR_IO_RANGE_TYPES; t++)
            st.servers[i].nr_ranges[t] = s->range[t].nr;
    }
    conn_reply(c, 0, &st, sizeof(st), NULL, 0);
    return SIM_REPLIED;
}

int op_ioreq_ranges(struct conn *c, const void *p, size_t len)
{
    struct xensim_ioreq_ranges_req req;
    const struct ioreq_server *s;
    const struct rangeset *r;
    uint64_t pairs[2 * MAX_NR_IO_RANGES];
    struct domain *d;
    unsigned int i;
    int rc;

    if (len != sizeof(req))
        return SIM_MALFORMED;
    memcpy(&req, p, sizeof(req));
    rc = lookup(c, req.domid, &d);
    if (rc)
        return rc;
    s = ioreq_server_get(d, req.id);
    if (!s)
        return -ENOENT;
    if (req.type >= NR_IO_RANGE_TYPES)
        return -EINVAL;
    r = &s->range[req.type];
    for (i = 0; i < r->nr; i++) {
        pairs[2 * i] = r->r[i].s;
        pairs[2 * i + 1] = r->r[i].e;
    }
    conn_reply(c, 0, pairs, r->nr * 2 * sizeof(uint64_t), NULL, 0);
    return SIM_REPLIED;
}

#define MAX_RUNS \
    ((XENSIM_MSG_MAX - sizeof(struct xensim_rsp)) / \
     sizeof(struct xensim_mem_type_run))

int op_mem_types(struct conn *c, const void *p, size_t len)
{
    struct xensim_mem_types_req req;
    struct xensim_mem_type_run *runs;
    uint64_t gfn;
    unsigned int n = 0;
    struct domain *d;
    int rc;

    if (len != sizeof(req))
        return SIM_MALFORMED;
    memcpy(&req, p, sizeof(req));
    rc = lookup(c, req.domid, &d);
    if (rc)
        return rc;
    if (req.first > req.last || req.max_runs == 0)
        return -EINVAL;
    runs = calloc(MAX_RUNS, sizeof(*runs));
    if (!runs)
        return -ENOMEM;
    gfn = req.first;
    while (n < MIN(req.max_runs, MAX_RUNS)) {
        uint64_t end;
        p2m_type_t t;
        hvmmem_type_t ht;

        /* Beyond the table, everything is a hole (mmio_dm). */
        if (gfn > d->p2m.max_gfn) {
            t = p2m_invalid;
            end = req.last;
        } else {
            end = p2m_type_run(&d->p2m, gfn, req.last, &t);
            if (end == d->p2m.max_gfn && t == p2m_invalid)
                end = req.last;
        }
        ht = p2m_to_hvmmem_type(t);
        /* Runs of different p2m types may read the same. */
        if (n && runs[n - 1].type == ht && runs[n - 1].last + 1 == gfn) {
            runs[n - 1].last = end;
        } else {
            runs[n] = (struct xensim_mem_type_run){
                .first = gfn, .last = end, .type = ht,
            };
            n++;
        }
        if (end >= req.last)
            break;
        gfn = end + 1;
    }
    conn_reply(c, (int)n, runs, n * sizeof(*runs), NULL, 0);
    free(runs);
    return SIM_REPLIED;
}
