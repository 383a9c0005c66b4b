/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory the hypervisor shares: each domain's RAM in a memfd, each ioreq
 * server's pages in a memfd of their own (so a device model can be given
 * its server's pages and nothing else), and the calls that hand them out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim.h"

#define SERVER_BYTES    (IOREQ_SERVER_PAGES * PAGE_SIZE)

struct sim_domain *sim_domain(struct xensim *sim, domid_t domid)
{
    return domid < DOMID_FIRST_RESERVED ? sim->dom[domid] : NULL;
}

/* A fresh, zeroed file behind server slot i's pages. */
static int new_server_file(struct sim_domain *sd, unsigned int i)
{
    char name[32];
    void *where = (uint8_t *)sd->ioreq_base + i * SERVER_BYTES;
    int fd;

    snprintf(name, sizeof(name), "xensim-d%u-ioreq%u", sd->domid, i);
    fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (ftruncate(fd, SERVER_BYTES) < 0 ||
        mmap(where, SERVER_BYTES, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
        close(fd);
        return -1;
    }
    return fd;
}

static void free_sim_domain(struct sim_domain *sd)
{
    unsigned int i;

    sim_records_free(sd);
    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++)
        if (sd->server_fd[i] >= 0)
            close(sd->server_fd[i]);
    if (sd->ioreq_base && sd->ioreq_base != MAP_FAILED)
        munmap(sd->ioreq_base, DOMAIN_IOREQ_PAGES * PAGE_SIZE);
    if (sd->ram && sd->ram != MAP_FAILED)
        munmap(sd->ram, sd->ram_size);
    if (sd->ram_fd >= 0)
        close(sd->ram_fd);
    free(sd);
}

static int alloc_domain_memory(void *opaque, domid_t domid,
                               unsigned long max_gfn,
                               struct domain_memory *mem)
{
    struct xensim *sim = opaque;
    struct sim_domain *sd = calloc(1, sizeof(*sd));
    char name[32];
    unsigned int i;

    if (!sd)
        return -ENOMEM;
    sd->domid = domid;
    sd->ram_fd = -1;
    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++)
        sd->server_fd[i] = -1;

    /* Sparse: pages cost memory only once written. */
    sd->ram_size = (max_gfn + 1) * PAGE_SIZE;
    snprintf(name, sizeof(name), "xensim-d%u-ram", domid);
    sd->ram_fd = memfd_create(name, MFD_CLOEXEC);
    if (sd->ram_fd < 0 || ftruncate(sd->ram_fd, sd->ram_size) < 0)
        goto fail;
    sd->ram = mmap(NULL, sd->ram_size, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_NORESERVE, sd->ram_fd, 0);
    if (sd->ram == MAP_FAILED)
        goto fail;

    sd->ioreq_base = mmap(NULL, DOMAIN_IOREQ_PAGES * PAGE_SIZE, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sd->ioreq_base == MAP_FAILED)
        goto fail;
    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
        sd->server_fd[i] = new_server_file(sd, i);
        if (sd->server_fd[i] < 0)
            goto fail;
    }

    *mem = (struct domain_memory){
        .ram = sd->ram,
        .ram_size = sd->ram_size,
        .ioreq_pages = sd->ioreq_base,
        .ioreq_size = DOMAIN_IOREQ_PAGES * PAGE_SIZE,
    };
    sim->dom[domid] = sd;
    return 0;

 fail:
    sim_log("cannot allocate the memory of domain %u: %s", domid,
            strerror(errno));
    free_sim_domain(sd);
    return -ENOMEM;
}

static void free_domain_memory(void *opaque, domid_t domid,
                               struct domain_memory *mem)
{
    struct xensim *sim = opaque;
    struct sim_domain *sd = sim_domain(sim, domid);

    (void)mem;
    if (!sd)
        return;
    sim->dom[domid] = NULL;
    free_sim_domain(sd);
}

const struct hypervisor_host_ops sim_host_ops = {
    .alloc_domain_memory = alloc_domain_memory,
    .free_domain_memory = free_domain_memory,
};

/*
 * After anything that may have destroyed servers: a gone server's pages
 * get a new file (its old device model may still map the old one and
 * must not reach a new server's slots), its event channels are unbound,
 * and vCPUs that waited on it re-execute their access.
 */
void sim_servers_changed(struct xensim *sim, struct domain *d)
{
    struct sim_domain *sd = sim_domain(sim, d->domain_id);
    unsigned int i, v;

    if (!sd)
        return;
    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
        bool exists = d->ioreq.server[i].exists;

        if (sd->server_seen[i] && !exists) {
            int fd = new_server_file(sd, i);

            if (fd >= 0) {
                close(sd->server_fd[i]);
                sd->server_fd[i] = fd;
            } else {
                sim_log("cannot renew the pages of ioreq server %u of "
                        "domain %u: %s", i, d->domain_id, strerror(errno));
            }
            sd->server_owner[i] = NULL;
        }
        sd->server_seen[i] = exists;
    }
    sim_drop_stale_bindings(sim, d);
    for (v = 0; v < d->max_vcpus; v++) {
        ioservid_t s;

        if (sd->run[v].state == RUN_IOREQ &&
            hvm_vcpu_waiting(d, v, &s) && !d->ioreq.server[s].exists)
            vcpu_resume(sim, d, v);
    }
}

int op_map_foreign(struct conn *c, const void *p, size_t len)
{
    struct xensim_map_foreign hdr;
    const uint8_t *gfns = (const uint8_t *)p + sizeof(hdr);
    struct sim_domain *sd;
    struct domain *d;
    int32_t *err;
    uint32_t i;

    if (len < sizeof(hdr))
        return SIM_MALFORMED;
    memcpy(&hdr, p, sizeof(hdr));
    if ((len - sizeof(hdr)) / sizeof(uint64_t) != hdr.num ||
        (len - sizeof(hdr)) % sizeof(uint64_t))
        return SIM_MALFORMED;
    if (hdr.num == 0)
        return -EINVAL;
    d = domain_lookup(&c->sim->hv, hdr.domid);
    sd = sim_domain(c->sim, hdr.domid);
    if (!d || !sd)
        return -ESRCH;
    if (!xsm_dm_priv(&c->caller, d))
        return -EPERM;

    err = calloc(hdr.num, sizeof(*err));
    if (!err)
        return -ENOMEM;
    for (i = 0; i < hdr.num; i++) {
        uint64_t gfn;

        memcpy(&gfn, gfns + i * sizeof(gfn), sizeof(gfn));
        err[i] = gfn <= d->p2m.max_gfn &&
                 p2m_is_ram(p2m_get_type(&d->p2m, gfn)) ? 0 : -EINVAL;
    }
    conn_reply(c, 0, err, hdr.num * sizeof(*err), &sd->ram_fd, 1);
    free(err);
    return SIM_REPLIED;
}

int op_map_resource(struct conn *c, const void *p, size_t len)
{
    struct xensim_map_resource req;
    struct xensim_map_resource_rsp rsp = { 0 };
    struct sim_domain *sd;
    struct domain *d;
    uint32_t f;

    if (len != sizeof(req))
        return SIM_MALFORMED;
    memcpy(&req, p, sizeof(req));
    d = domain_lookup(&c->sim->hv, req.domid);
    sd = sim_domain(c->sim, req.domid);
    if (!d || !sd)
        return -ESRCH;
    if (!xsm_dm_priv(&c->caller, d))
        return -EPERM;
    if (req.type != XENMEM_resource_ioreq_server)
        return -EOPNOTSUPP;
    if (req.id >= MAX_NR_IOREQ_SERVERS || !ioreq_server_get(d, req.id))
        return -ENOENT;

    if (req.nr_frames == 0) {
        /* The size of the resource: the buffered page and one more. */
        rsp.nr_frames = IOREQ_SERVER_PAGES;
        conn_reply(c, 0, &rsp, sizeof(rsp), NULL, 0);
        return SIM_REPLIED;
    }
    if (req.frame >= IOREQ_SERVER_PAGES ||
        req.nr_frames > IOREQ_SERVER_PAGES - req.frame)
        return -EINVAL;
    for (f = req.frame; f < req.frame + req.nr_frames; f++) {
        void *page;
        int rc = ioreq_server_get_frame(d, req.id, c->caller.domid, f, &page);

        if (rc)
            return rc;
    }
    rsp.offset = (uint64_t)req.frame * PAGE_SIZE;
    rsp.nr_frames = req.nr_frames;
    conn_reply(c, 0, &rsp, sizeof(rsp), &sd->server_fd[req.id], 1);
    return SIM_REPLIED;
}
