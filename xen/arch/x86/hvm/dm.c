/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HYPERVISOR_dm_op: decoding, validation and dispatch, in Xen 4.17's order
 * of checks (with XSA-506's -ENODATA for missing buffers).
 */
#include <string.h>

#include <xen/dm.h>

/* Pages between continuation checks, as in Xen. */
#define DMOP_CHUNK      256

struct dmop_args {
    unsigned int nr_bufs;
    xen_dm_op_buf_t *buf;
};

/* Bytes of each sub-op copied after the header (Xen 4.11+). */
static const size_t op_size[] = {
    [XEN_DMOP_create_ioreq_server] =
        sizeof(struct xen_dm_op_create_ioreq_server),
    [XEN_DMOP_get_ioreq_server_info] =
        sizeof(struct xen_dm_op_get_ioreq_server_info),
    [XEN_DMOP_map_io_range_to_ioreq_server] =
        sizeof(struct xen_dm_op_ioreq_server_range),
    [XEN_DMOP_unmap_io_range_from_ioreq_server] =
        sizeof(struct xen_dm_op_ioreq_server_range),
    [XEN_DMOP_set_ioreq_server_state] =
        sizeof(struct xen_dm_op_set_ioreq_server_state),
    [XEN_DMOP_destroy_ioreq_server] =
        sizeof(struct xen_dm_op_destroy_ioreq_server),
    [XEN_DMOP_track_dirty_vram] = sizeof(struct xen_dm_op_track_dirty_vram),
    [XEN_DMOP_set_pci_intx_level] =
        sizeof(struct xen_dm_op_set_pci_intx_level),
    [XEN_DMOP_set_isa_irq_level] = sizeof(struct xen_dm_op_set_isa_irq_level),
    [XEN_DMOP_set_pci_link_route] =
        sizeof(struct xen_dm_op_set_pci_link_route),
    [XEN_DMOP_modified_memory] = sizeof(struct xen_dm_op_modified_memory),
    [XEN_DMOP_set_mem_type] = sizeof(struct xen_dm_op_set_mem_type),
    [XEN_DMOP_inject_event] = sizeof(struct xen_dm_op_inject_event),
    [XEN_DMOP_inject_msi] = sizeof(struct xen_dm_op_inject_msi),
    [XEN_DMOP_map_mem_type_to_ioreq_server] =
        sizeof(struct xen_dm_op_map_mem_type_to_ioreq_server),
    [XEN_DMOP_remote_shutdown] = sizeof(struct xen_dm_op_remote_shutdown),
    [XEN_DMOP_relocate_memory] = sizeof(struct xen_dm_op_relocate_memory),
    [XEN_DMOP_pin_memory_cacheattr] =
        sizeof(struct xen_dm_op_pin_memory_cacheattr),
    [XEN_DMOP_set_irq_level] = sizeof(struct xen_dm_op_set_irq_level),
    [XEN_DMOP_nr_vcpus] = sizeof(struct xen_dm_op_nr_vcpus),
};

static bool preempt(const struct hypervisor *hv)
{
    return hv->preempt_check && hv->preempt_check(hv->preempt_opaque);
}

/* copy_from_guest of bytes [offset, offset + len) of buffer i. */
static int copy_from_buf(void *dst, const struct dmop_args *args,
                         unsigned int i, size_t offset, size_t len)
{
    const xen_dm_op_buf_t *b = &args->buf[i];

    if (i >= args->nr_bufs || !b->h.p || b->size < offset ||
        b->size - offset < len)
        return -EFAULT;
    memcpy(dst, (const uint8_t *)b->h.p + offset, len);
    return 0;
}

static int copy_to_buf(const struct dmop_args *args, unsigned int i,
                       size_t offset, const void *src, size_t len)
{
    xen_dm_op_buf_t *b = &args->buf[i];

    if (i >= args->nr_bufs || !b->h.p || b->size < offset ||
        b->size - offset < len)
        return -EFAULT;
    memcpy((uint8_t *)b->h.p + offset, src, len);
    return 0;
}

/* Xen's allow_p2m_type_change. */
static bool allow_p2m_type_change(p2m_type_t ot, p2m_type_t nt)
{
    if (nt == p2m_ioreq_server)
        return ot == p2m_ram_rw;
    if (ot == p2m_ioreq_server)
        return nt == p2m_ram_rw;
    return p2m_is_ram(ot) || (p2m_is_hole(ot) && nt == p2m_mmio_dm);
}

static uint32_t allowed_old_types(p2m_type_t nt)
{
    uint32_t mask = 0;
    unsigned int t;

    for (t = 0; t < P2M_NR_TYPES; t++)
        if (allow_p2m_type_change(t, nt))
            mask |= p2m_to_mask(t);
    return mask;
}

static int set_mem_type(const struct hypervisor *hv, struct domain *d,
                        struct xen_dm_op_set_mem_type *data)
{
    static const p2m_type_t memtype[] = {
        [HVMMEM_ram_rw] = p2m_ram_rw,
        [HVMMEM_ram_ro] = p2m_ram_ro,
        [HVMMEM_mmio_dm] = p2m_mmio_dm,
        [HVMMEM_unused] = p2m_invalid,
        [HVMMEM_ioreq_server] = p2m_ioreq_server,
    };
    uint64_t last_pfn = data->first_pfn + data->nr - 1;
    uint32_t iter = 0, ot_mask;
    p2m_type_t nt;

    if (data->first_pfn > last_pfn ||
        last_pfn > domain_get_maximum_gpfn(d))
        return -EINVAL;
    if (data->mem_type >= ARRAY_SIZE(memtype) ||
        data->mem_type == HVMMEM_unused)
        return -EINVAL;
    nt = memtype[data->mem_type];
    if (nt == p2m_ioreq_server) {
        if (!d->hap)
            return -EOPNOTSUPP;
        /* Only once a server has claimed the type (checked once). */
        if (!p2m_get_ioreq_server(&d->p2m, NULL, NULL))
            return -EINVAL;
    }

    ot_mask = allowed_old_types(nt);
    while (iter < data->nr) {
        uint32_t chunk = MIN(data->nr - iter,
                             DMOP_CHUNK - (iter % DMOP_CHUNK));
        unsigned long done;
        int rc = p2m_change_type_span(&d->p2m, data->first_pfn + iter, chunk,
                                      ot_mask, nt, &done);

        iter += done;
        /* A refused page stops here; pages before it stay changed. */
        if (rc)
            return rc;
        if (iter < data->nr && iter % DMOP_CHUNK == 0 && preempt(hv)) {
            data->first_pfn += iter;
            data->nr -= iter;
            return -ERESTART;
        }
    }
    return 0;
}

/*
 * Claim or release p2m_ioreq_server.  A release resets every entry the
 * released server left typed: at once by marking the whole table for
 * recalculation (the asynchronous reset), then by a sweep of DMOP_CHUNK
 * gfns at a time with the next gfn in opaque (the synchronous reset).
 * Like Xen, a non-zero opaque means "continue the sweep" and skips the
 * claim checks; with non-zero flags it does nothing.
 */
static int map_mem_type(const struct hypervisor *hv, struct domain *d,
                        const struct caller *caller,
                        struct xen_dm_op_map_mem_type_to_ioreq_server *data)
{
    struct p2m_domain *p2m = &d->p2m;
    uint64_t first_gfn = data->opaque;
    int rc = 0;

    if (!d->hap)
        return -EOPNOTSUPP;

    if (first_gfn == 0) {
        rc = ioreq_server_map_mem_type(d, data->id, caller->domid,
                                       data->type, data->flags);
        if (rc == 0 && data->flags == 0 && p2m->ioreq.entry_count)
            p2m_change_entry_type_global(p2m, p2m_ioreq_server, p2m_ram_rw);
    }

    if (rc == 0 && data->flags == 0) {
        while (p2m->ioreq.entry_count && first_gfn <= p2m->max_mapped_pfn) {
            p2m_finish_type_change(p2m, first_gfn, DMOP_CHUNK);
            first_gfn += DMOP_CHUNK;
            if (first_gfn <= p2m->max_mapped_pfn && preempt(hv)) {
                data->opaque = first_gfn;
                return -ERESTART;
            }
        }
    }
    return rc;
}

/* Pages come from the end of buffer 1's extent array backwards. */
static int modified_memory(const struct hypervisor *hv, struct domain *d,
                           const struct dmop_args *args,
                           struct xen_dm_op_modified_memory *header)
{
    unsigned int batch_left = DMOP_CHUNK;

    if (args->nr_bufs < 2)
        return -ENODATA;            /* XSA-506 */
    if (!paging_mode_log_dirty(d))
        return 0;
    if (args->buf[1].size / sizeof(struct xen_dm_op_modified_memory_extent) <
        header->nr_extents)
        return -EINVAL;

    while (header->nr_extents > 0) {
        struct xen_dm_op_modified_memory_extent extent;
        uint64_t pfn, end_pfn;
        uint32_t batch;
        int rc;

        rc = copy_from_buf(&extent, args, 1,
                           (header->nr_extents - 1) * sizeof(extent),
                           sizeof(extent));
        if (rc)
            return rc;
        if (extent.pad)
            return -EINVAL;
        end_pfn = extent.first_pfn + extent.nr;
        /* Xen's check, including its exclusion of the last gpfn. */
        if (end_pfn <= extent.first_pfn ||
            end_pfn > domain_get_maximum_gpfn(d))
            return -EINVAL;
        if (header->opaque >= extent.nr)
            return -EINVAL;

        pfn = extent.first_pfn + header->opaque;
        batch = extent.nr - header->opaque;
        if (batch > batch_left) {
            batch = batch_left;
            header->opaque += batch;
        } else {
            header->nr_extents--;
            header->opaque = 0;
        }
        batch_left -= batch;
        for (end_pfn = pfn + batch; pfn < end_pfn; pfn++)
            if (p2m_is_ram(p2m_get_type(&d->p2m, pfn)))
                paging_mark_pfn_dirty(d, pfn);

        if (batch_left == 0 && header->nr_extents > 0) {
            if (preempt(hv))
                return -ERESTART;
            batch_left = DMOP_CHUNK;
        }
    }
    return 0;
}

static int dispatch(const struct hypervisor *hv, struct domain *d,
                    const struct caller *caller,
                    const struct dmop_args *args, struct xen_dm_op *op,
                    bool *const_op)
{
    domid_t me = caller->domid;

    *const_op = true;
    switch (op->op) {
    case XEN_DMOP_create_ioreq_server: {
        struct xen_dm_op_create_ioreq_server *data =
            &op->u.create_ioreq_server;

        *const_op = false;
        if (data->pad[0] || data->pad[1] || data->pad[2])
            return -EINVAL;
        return ioreq_server_create(d, data->handle_bufioreq, me, &data->id);
    }
    case XEN_DMOP_get_ioreq_server_info: {
        struct xen_dm_op_get_ioreq_server_info *data =
            &op->u.get_ioreq_server_info;

        *const_op = false;
        if (data->flags & ~XEN_DMOP_no_gfns)
            return -EINVAL;
        return ioreq_server_get_info(d, data->id, me,
                                     !(data->flags & XEN_DMOP_no_gfns),
                                     &data->ioreq_gfn, &data->bufioreq_gfn,
                                     &data->bufioreq_port);
    }
    case XEN_DMOP_map_io_range_to_ioreq_server:
    case XEN_DMOP_unmap_io_range_from_ioreq_server: {
        const struct xen_dm_op_ioreq_server_range *data =
            &op->u.map_io_range_to_ioreq_server;

        if (data->pad)
            return -EINVAL;
        if (op->op == XEN_DMOP_map_io_range_to_ioreq_server)
            return ioreq_server_map_io_range(d, data->id, me, data->type,
                                             data->start, data->end);
        return ioreq_server_unmap_io_range(d, data->id, me, data->type,
                                           data->start, data->end);
    }
    case XEN_DMOP_set_ioreq_server_state: {
        const struct xen_dm_op_set_ioreq_server_state *data =
            &op->u.set_ioreq_server_state;

        if (data->pad)
            return -EINVAL;
        return ioreq_server_set_state(d, data->id, me, !!data->enabled);
    }
    case XEN_DMOP_destroy_ioreq_server: {
        const struct xen_dm_op_destroy_ioreq_server *data =
            &op->u.destroy_ioreq_server;

        if (data->pad)
            return -EINVAL;
        return ioreq_server_destroy(d, data->id, me);
    }
    case XEN_DMOP_modified_memory:
        *const_op = false;
        return modified_memory(hv, d, args, &op->u.modified_memory);
    case XEN_DMOP_set_mem_type:
        *const_op = false;
        if (op->u.set_mem_type.pad)
            return -EINVAL;
        return set_mem_type(hv, d, &op->u.set_mem_type);
    case XEN_DMOP_map_mem_type_to_ioreq_server:
        *const_op = false;
        return map_mem_type(hv, d, caller,
                            &op->u.map_mem_type_to_ioreq_server);
    case XEN_DMOP_nr_vcpus:
        *const_op = false;
        op->u.nr_vcpus.vcpus = d->max_vcpus;
        return 0;
    default:
        /* Interrupt, VRAM and relocation ops are not modelled. */
        return -EOPNOTSUPP;
    }
}

int dm_op(struct hypervisor *hv, const struct caller *caller, domid_t domid,
          unsigned int nr_bufs, xen_dm_op_buf_t bufs[])
{
    const size_t offset = offsetof(struct xen_dm_op, u);
    struct dmop_args args = { .nr_bufs = nr_bufs, .buf = bufs };
    struct xen_dm_op op;
    struct domain *d;
    bool const_op;
    int rc;

    if (nr_bufs == 0)
        return -ENODATA;            /* XSA-506 */
    if (nr_bufs > DMOP_MAX_BUFS)
        return -E2BIG;

    /* rcu_lock_remote_domain_by_id: exists, and is not the caller. */
    d = domain_lookup(hv, domid);
    if (!d)
        return -ESRCH;
    if (domid == caller->domid)
        return -EPERM;
    if (!d->is_hvm)
        return -EINVAL;             /* 615367b527 */
    if (!xsm_dm_priv(caller, d))
        return -EPERM;

    memset(&op, 0, sizeof(op));
    rc = copy_from_buf(&op, &args, 0, 0, offset);
    if (rc)
        return rc;
    if (op.op >= ARRAY_SIZE(op_size))
        return -EOPNOTSUPP;
    rc = copy_from_buf(&op.u, &args, 0, offset, op_size[op.op]);
    if (rc)
        return rc;
    if (op.pad)
        return -EINVAL;

    rc = dispatch(hv, d, caller, &args, &op, &const_op);

    if (!const_op && (rc == 0 || rc == -ERESTART) &&
        copy_to_buf(&args, 0, offset, &op.u, op_size[op.op]))
        rc = -EFAULT;

    ASSERT(domain_check_invariants(d));
    return rc;
}
