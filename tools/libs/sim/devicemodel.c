/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxendevicemodel over xensimd.  Each call builds the struct xen_dm_op
 * buffers Xen's library builds and hands them to the simulated
 * HYPERVISOR_dm_op (XENSIM_OP_DM_OP); what the hypervisor copies back
 * lands in the caller's buffers, as it would through privcmd.
 */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <xendevicemodel.h>

#include "sim-private.h"

struct xendevicemodel_handle {
    xentoollog_logger *logger;
    xentoollog_logger *logger_tofree;
    struct xensim_conn conn;
};

/* One buffer of a DM op, as Xen's xen_dm_op_buf_t describes it. */
struct dm_buf {
    void *ptr;
    size_t size;
};

/* Room for extents in one message, next to the headers and the op. */
#define DM_OP_PAYLOAD_MAX (XENSIM_MSG_MAX - sizeof(struct xensim_req) - \
                           sizeof(struct xensim_dm_op) - \
                           sizeof(struct xen_dm_op))
#define DM_EXTENTS_MAX (DM_OP_PAYLOAD_MAX / \
                        sizeof(struct xen_dm_op_modified_memory_extent))

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
                                           unsigned int open_flags)
{
    xendevicemodel_handle *dmod = calloc(1, sizeof(*dmod));
    int rc;

    (void)open_flags;           /* Xen defines none */
    if (!dmod)
        return NULL;
    dmod->logger = sim_logger(logger, &dmod->logger_tofree);
    if (!dmod->logger) {
        free(dmod);
        errno = ENOMEM;
        return NULL;
    }
    rc = xensim_connect(&dmod->conn);
    if (rc < 0) {
        /* Where Xen's library reports a missing privcmd. */
        xtl_log(dmod->logger, XTL_ERROR, -rc, "xendevicemodel",
                "could not connect to xensimd at %s", xensim_socket_path());
        xtl_logger_destroy(dmod->logger_tofree);
        free(dmod);
        errno = -rc;
        return NULL;
    }
    return dmod;
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
    if (!dmod)
        return 0;
    xensim_disconnect(&dmod->conn);
    xtl_logger_destroy(dmod->logger_tofree);
    free(dmod);
    return 0;
}

/*
 * HYPERVISOR_dm_op(domid, nr, bufs): the buffers travel in order after
 * their sizes, and come back in the same layout.  The daemon may leave
 * the reply empty (nothing copied back); anything else but the full
 * layout is a protocol error.
 */
static int dm_op(xendevicemodel_handle *dmod, domid_t domid,
                 unsigned int nr, const struct dm_buf *bufs)
{
    struct xensim_dm_op hdr = { .domid = domid, .nr_bufs = nr };
    struct iovec iov[3];
    struct xensim_reply reply = { 0 };
    size_t total = 0, off = 0;
    unsigned int i;
    int rc;

    if (nr > sizeof(iov) / sizeof(iov[0]) - 1) {
        errno = E2BIG;
        return -1;
    }
    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof(hdr);
    for (i = 0; i < nr; i++) {
        hdr.size[i] = bufs[i].size;
        iov[i + 1].iov_base = bufs[i].ptr;
        iov[i + 1].iov_len = bufs[i].size;
        total += bufs[i].size;
    }
    if (total > DM_OP_PAYLOAD_MAX + sizeof(struct xen_dm_op)) {
        /* Could never fit one message: say so before allocating. */
        errno = E2BIG;
        return -1;
    }
    reply.buf = malloc(total ? total : 1);
    reply.size = total;
    if (!reply.buf)
        return -1;

    rc = xensim_call(&dmod->conn, XENSIM_OP_DM_OP, iov, nr + 1, &reply);
    sim_close_fds(&reply);
    if (reply.len == total) {
        for (i = 0; i < nr; i++) {
            memcpy(bufs[i].ptr, (uint8_t *)reply.buf + off, bufs[i].size);
            off += bufs[i].size;
        }
    } else if (reply.len != 0 && rc >= 0) {
        rc = -EPROTO;
    }
    free(reply.buf);
    return sim_result(rc);
}

/* The common case: a single struct xen_dm_op. */
static int dm_op1(xendevicemodel_handle *dmod, domid_t domid,
                  struct xen_dm_op *op)
{
    struct dm_buf buf = { op, sizeof(*op) };

    return dm_op(dmod, domid, 1, &buf);
}

int xendevicemodel_create_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, int handle_bufioreq,
    ioservid_t *id)
{
    struct xen_dm_op op;
    struct xen_dm_op_create_ioreq_server *data = &op.u.create_ioreq_server;
    int rc;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_create_ioreq_server;
    data->handle_bufioreq = handle_bufioreq;

    rc = dm_op1(dmod, domid, &op);
    if (rc)
        return rc;
    *id = data->id;
    return 0;
}

int xendevicemodel_get_ioreq_server_info(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    xen_pfn_t *ioreq_gfn, xen_pfn_t *bufioreq_gfn,
    evtchn_port_t *bufioreq_port)
{
    struct xen_dm_op op;
    struct xen_dm_op_get_ioreq_server_info *data =
        &op.u.get_ioreq_server_info;
    int rc;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_get_ioreq_server_info;
    data->id = id;
    /* A caller that wants no gfn must not make Xen map the pages. */
    if (!ioreq_gfn && !bufioreq_gfn)
        data->flags |= XEN_DMOP_no_gfns;

    rc = dm_op1(dmod, domid, &op);
    if (rc)
        return rc;
    if (ioreq_gfn)
        *ioreq_gfn = data->ioreq_gfn;
    if (bufioreq_gfn)
        *bufioreq_gfn = data->bufioreq_gfn;
    if (bufioreq_port)
        *bufioreq_port = data->bufioreq_port;
    return 0;
}

static int io_range(xendevicemodel_handle *dmod, domid_t domid,
                    uint32_t dmop, ioservid_t id, uint32_t type,
                    uint64_t start, uint64_t end)
{
    struct xen_dm_op op;
    /* map and unmap share the layout. */
    struct xen_dm_op_ioreq_server_range *data =
        &op.u.map_io_range_to_ioreq_server;

    memset(&op, 0, sizeof(op));
    op.op = dmop;
    data->id = id;
    data->type = type;
    data->start = start;
    data->end = end;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_map_io_range_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int is_mmio,
    uint64_t start, uint64_t end)
{
    return io_range(dmod, domid, XEN_DMOP_map_io_range_to_ioreq_server, id,
                    is_mmio ? XEN_DMOP_IO_RANGE_MEMORY
                            : XEN_DMOP_IO_RANGE_PORT, start, end);
}

int xendevicemodel_unmap_io_range_from_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int is_mmio,
    uint64_t start, uint64_t end)
{
    return io_range(dmod, domid, XEN_DMOP_unmap_io_range_from_ioreq_server,
                    id, is_mmio ? XEN_DMOP_IO_RANGE_MEMORY
                                : XEN_DMOP_IO_RANGE_PORT, start, end);
}

int xendevicemodel_map_mem_type_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, uint16_t type,
    uint32_t flags)
{
    struct xen_dm_op op;
    struct xen_dm_op_map_mem_type_to_ioreq_server *data =
        &op.u.map_mem_type_to_ioreq_server;

    /* Xen's library refuses these itself, without a hypercall. */
    if (type != HVMMEM_ioreq_server ||
        (flags & ~XEN_DMOP_IOREQ_MEM_ACCESS_WRITE)) {
        errno = EINVAL;
        return -1;
    }

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_map_mem_type_to_ioreq_server;
    data->id = id;
    data->type = type;
    data->flags = flags;
    data->opaque = 0;           /* the continuation cursor starts at 0 */
    return dm_op1(dmod, domid, &op);
}

static int pcidev(xendevicemodel_handle *dmod, domid_t domid, uint32_t dmop,
                  ioservid_t id, uint16_t segment, uint8_t bus,
                  uint8_t device, uint8_t function)
{
    uint64_t sbdf;

    /* XEN_DMOP_PCI_SBDF would silently mask these: refuse instead. */
    if (device > 0x1f || function > 0x7) {
        errno = EINVAL;
        return -1;
    }
    sbdf = XEN_DMOP_PCI_SBDF(segment, bus, device, function);
    return io_range(dmod, domid, dmop, id, XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf);
}

int xendevicemodel_map_pcidev_to_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    uint16_t segment, uint8_t bus, uint8_t device, uint8_t function)
{
    return pcidev(dmod, domid, XEN_DMOP_map_io_range_to_ioreq_server, id,
                  segment, bus, device, function);
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
    uint16_t segment, uint8_t bus, uint8_t device, uint8_t function)
{
    return pcidev(dmod, domid, XEN_DMOP_unmap_io_range_from_ioreq_server, id,
                  segment, bus, device, function);
}

int xendevicemodel_destroy_ioreq_server(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_destroy_ioreq_server;
    op.u.destroy_ioreq_server.id = id;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_set_ioreq_server_state(
    xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int enabled)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_ioreq_server_state;
    op.u.set_ioreq_server_state.id = id;
    op.u.set_ioreq_server_state.enabled = !!enabled;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_set_pci_intx_level(
    xendevicemodel_handle *dmod, domid_t domid, uint16_t segment,
    uint8_t bus, uint8_t device, uint8_t intx, unsigned int level)
{
    struct xen_dm_op op;
    struct xen_dm_op_set_pci_intx_level *data = &op.u.set_pci_intx_level;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_pci_intx_level;
    data->domain = segment;
    data->bus = bus;
    data->device = device;
    data->intx = intx;
    data->level = level;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_set_isa_irq_level(
    xendevicemodel_handle *dmod, domid_t domid, uint8_t irq,
    unsigned int level)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_isa_irq_level;
    op.u.set_isa_irq_level.isa_irq = irq;
    op.u.set_isa_irq_level.level = level;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_set_irq_level(
    xendevicemodel_handle *dmod, domid_t domid, unsigned int irq,
    unsigned int level)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_irq_level;
    op.u.set_irq_level.irq = irq;
    op.u.set_irq_level.level = level;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_set_pci_link_route(
    xendevicemodel_handle *dmod, domid_t domid, uint8_t link, uint8_t irq)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_pci_link_route;
    op.u.set_pci_link_route.link = link;
    op.u.set_pci_link_route.isa_irq = irq;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_inject_msi(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t msi_addr,
    uint32_t msi_data)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_inject_msi;
    op.u.inject_msi.addr = msi_addr;
    op.u.inject_msi.data = msi_data;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_track_dirty_vram(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
    uint32_t nr, unsigned long *dirty_bitmap)
{
    struct xen_dm_op op;
    struct dm_buf bufs[2] = {
        { &op, sizeof(op) },
        /* One bit a page, in bytes as Xen sizes it. */
        { dirty_bitmap, ((size_t)nr + 7) / 8 },
    };

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_track_dirty_vram;
    op.u.track_dirty_vram.first_pfn = first_pfn;
    op.u.track_dirty_vram.nr = nr;
    return dm_op(dmod, domid, 2, bufs);
}

int xendevicemodel_modified_memory_bulk(
    xendevicemodel_handle *dmod, domid_t domid,
    struct xen_dm_op_modified_memory_extent extents[], uint32_t nr)
{
    struct xen_dm_op op;
    uint32_t done = 0, n;
    int rc;

    /*
     * Xen takes any number of extents in one hypercall; a message holds
     * DM_EXTENTS_MAX, so larger arrays go in several ops.  Marking pages
     * dirty commutes, so the split changes nothing but the error a
     * failing extent reports (the first failing batch's).
     */
    do {
        struct dm_buf bufs[2];

        n = nr - done;
        if (n > DM_EXTENTS_MAX)
            n = DM_EXTENTS_MAX;
        memset(&op, 0, sizeof(op));
        op.op = XEN_DMOP_modified_memory;
        op.u.modified_memory.nr_extents = n;
        op.u.modified_memory.opaque = 0;
        bufs[0] = (struct dm_buf){ &op, sizeof(op) };
        /* No arithmetic on a NULL array (nr 0 allows one). */
        bufs[1] = (struct dm_buf){ n ? extents + done : extents,
                                   n * sizeof(*extents) };
        rc = dm_op(dmod, domid, 2, bufs);
        if (rc)
            return rc;
        done += n;
    } while (done < nr);
    return 0;
}

int xendevicemodel_modified_memory(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
    uint32_t nr)
{
    struct xen_dm_op_modified_memory_extent extent = {
        .first_pfn = first_pfn,
        .nr = nr,
    };

    return xendevicemodel_modified_memory_bulk(dmod, domid, &extent, 1);
}

int xendevicemodel_set_mem_type(
    xendevicemodel_handle *dmod, domid_t domid, hvmmem_type_t mem_type,
    uint64_t first_pfn, uint32_t nr)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_set_mem_type;
    op.u.set_mem_type.mem_type = mem_type;
    op.u.set_mem_type.first_pfn = first_pfn;
    op.u.set_mem_type.nr = nr;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_inject_event(
    xendevicemodel_handle *dmod, domid_t domid, int vcpu, uint8_t vector,
    uint8_t type, uint32_t error_code, uint8_t insn_len, uint64_t extra)
{
    struct xen_dm_op op;
    struct xen_dm_op_inject_event *data = &op.u.inject_event;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_inject_event;
    data->vcpuid = vcpu;
    data->vector = vector;
    data->type = type;
    data->error_code = error_code;
    data->insn_len = insn_len;
    data->cr2 = extra;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_shutdown(
    xendevicemodel_handle *dmod, domid_t domid, unsigned int reason)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_remote_shutdown;
    op.u.remote_shutdown.reason = reason;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_relocate_memory(
    xendevicemodel_handle *dmod, domid_t domid, uint32_t size,
    uint64_t src_gfn, uint64_t dst_gfn)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_relocate_memory;
    op.u.relocate_memory.size = size;
    op.u.relocate_memory.src_gfn = src_gfn;
    op.u.relocate_memory.dst_gfn = dst_gfn;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_pin_memory_cacheattr(
    xendevicemodel_handle *dmod, domid_t domid, uint64_t start, uint64_t end,
    uint32_t type)
{
    struct xen_dm_op op;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_pin_memory_cacheattr;
    op.u.pin_memory_cacheattr.start = start;
    op.u.pin_memory_cacheattr.end = end;
    op.u.pin_memory_cacheattr.type = type;
    return dm_op1(dmod, domid, &op);
}

int xendevicemodel_nr_vcpus(
    xendevicemodel_handle *dmod, domid_t domid, unsigned int *vcpus)
{
    struct xen_dm_op op;
    int rc;

    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_nr_vcpus;
    rc = dm_op1(dmod, domid, &op);
    if (rc)
        return rc;
    *vcpus = op.u.nr_vcpus.vcpus;
    return 0;
}

int xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid)
{
    struct xensim_restrict req = { .domid = domid };

    return sim_result(xensim_call_simple(&dmod->conn, XENSIM_OP_RESTRICT,
                                         &req, sizeof(req), NULL, 0));
}
