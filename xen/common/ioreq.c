/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioreq servers: Xen 4.17's common/ioreq.c semantics (4.11+ ownership
 * checks, no default server, servers in an array of 8 searched from the
 * highest id down).
 */
#include <string.h>

#include <xen/domain.h>

struct ioreq_server *ioreq_server_get(struct domain *d, unsigned int id)
{
    if (id >= MAX_NR_IOREQ_SERVERS || !d->ioreq.server[id].exists)
        return NULL;
    return &d->ioreq.server[id];
}

/* The server id for an operation by caller: -ENOENT, -EPERM (4.11+). */
static int get_owned(struct domain *d, ioservid_t id, domid_t caller,
                     struct ioreq_server **sp)
{
    struct ioreq_server *s = ioreq_server_get(d, id);

    if (!s)
        return -ENOENT;
    if (s->emulator != caller)
        return -EPERM;
    *sp = s;
    return 0;
}

static void *server_page(struct domain *d, ioservid_t id, unsigned int frame)
{
    return d->ioreq_pages + ((size_t)id * IOREQ_SERVER_PAGES + frame) *
                            PAGE_SIZE;
}

static void free_ports(struct domain *d, struct ioreq_server *s)
{
    unsigned int v;

    for (v = 0; v < d->max_vcpus; v++)
        if (s->vp_eport[v])
            evtchn_close(&d->evtchn, s->vp_eport[v]);
    if (s->bufioreq_port)
        evtchn_close(&d->evtchn, s->bufioreq_port);
}

int ioreq_server_create(struct domain *d, uint8_t bufioreq_handling,
                        domid_t emulator, ioservid_t *id)
{
    struct ioreq_server *s = NULL;
    unsigned int i, v;
    int rc;

    if (bufioreq_handling > HVM_IOREQSRV_BUFIOREQ_ATOMIC)
        return -EINVAL;
    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
        if (!d->ioreq.server[i].exists) {
            s = &d->ioreq.server[i];
            break;
        }
    }
    if (!s)
        return -ENOSPC;

    memset(s, 0, sizeof(*s));
    s->id = i;
    s->emulator = emulator;
    s->bufioreq_handling = bufioreq_handling;
    for (i = 0; i < NR_IO_RANGE_TYPES; i++)
        rangeset_init(&s->range[i]);
    s->ioreq = server_page(d, s->id, XENMEM_resource_ioreq_server_frame_ioreq(0));
    s->bufioreq = server_page(d, s->id,
                              XENMEM_resource_ioreq_server_frame_bufioreq);
    memset(s->ioreq, 0, PAGE_SIZE);
    memset(s->bufioreq, 0, PAGE_SIZE);

    /* The slots learn their ports when the server is enabled (below). */
    for (v = 0; v < d->max_vcpus; v++) {
        rc = evtchn_alloc_unbound(&d->evtchn, emulator, &s->vp_eport[v]);
        if (rc)
            goto fail;
    }
    if (bufioreq_handling != HVM_IOREQSRV_BUFIOREQ_OFF) {
        rc = evtchn_alloc_unbound(&d->evtchn, emulator, &s->bufioreq_port);
        if (rc)
            goto fail;
    }
    s->exists = true;
    *id = s->id;
    return 0;

 fail:
    free_ports(d, s);
    memset(s, 0, sizeof(*s));
    return rc;
}

void ioreq_server_teardown(struct domain *d, struct ioreq_server *s)
{
    /* Ours: a full release, so no page stays write-protected (H1). */
    p2m_ioreq_release_all(&d->p2m, s->id);
    s->exists = false;
    hvm_io_server_gone(d, s->id);
    free_ports(d, s);
    memset(s->ioreq, 0, PAGE_SIZE);
    memset(s->bufioreq, 0, PAGE_SIZE);
    memset(s, 0, sizeof(*s));
}

int ioreq_server_destroy(struct domain *d, ioservid_t id, domid_t caller)
{
    struct ioreq_server *s;
    int rc = get_owned(d, id, caller, &s);

    if (rc)
        return rc;
    ioreq_server_teardown(d, s);
    return 0;
}

void ioreq_server_destroy_all(struct domain *d)
{
    unsigned int i;

    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++)
        if (d->ioreq.server[i].exists)
            ioreq_server_teardown(d, &d->ioreq.server[i]);
}

int ioreq_server_get_info(struct domain *d, ioservid_t id, domid_t caller,
                          bool want_gfns, uint64_t *ioreq_gfn,
                          uint64_t *bufioreq_gfn,
                          evtchn_port_t *bufioreq_port)
{
    struct ioreq_server *s;
    int rc = get_owned(d, id, caller, &s);

    if (rc)
        return rc;
    /*
     * Legacy gfn mapping needs the guest's reserved ioreq gfns, which the
     * model's domains do not have (Xen fails the same way when
     * HVM_PARAM_NR_IOREQ_SERVER_PAGES is 0).  Use
     * XENMEM_acquire_resource instead.
     */
    if (want_gfns)
        return -ENOMEM;
    *ioreq_gfn = 0;
    *bufioreq_gfn = 0;
    *bufioreq_port = s->bufioreq_port;
    return 0;
}

static int range_op(struct domain *d, ioservid_t id, domid_t caller,
                    uint32_t type, uint64_t start, uint64_t end, bool map)
{
    struct ioreq_server *s;
    struct rangeset *r;
    int rc;

    if (start > end)
        return -EINVAL;             /* XSA-238 */
    rc = get_owned(d, id, caller, &s);
    if (rc)
        return rc;
    if (type >= NR_IO_RANGE_TYPES)
        return -EINVAL;
    r = &s->range[type];
    if (map) {
        if (rangeset_overlaps_range(r, start, end))
            return -EEXIST;
        return rangeset_add_range(r, start, end);
    }
    if (!rangeset_contains_range(r, start, end))
        return -ENOENT;
    return rangeset_remove_range(r, start, end);
}

int ioreq_server_map_io_range(struct domain *d, ioservid_t id,
                              domid_t caller, uint32_t type, uint64_t start,
                              uint64_t end)
{
    return range_op(d, id, caller, type, start, end, true);
}

int ioreq_server_unmap_io_range(struct domain *d, ioservid_t id,
                                domid_t caller, uint32_t type,
                                uint64_t start, uint64_t end)
{
    return range_op(d, id, caller, type, start, end, false);
}

int ioreq_server_set_state(struct domain *d, ioservid_t id, domid_t caller,
                           bool enabled)
{
    struct ioreq_server *s;
    int rc = get_owned(d, id, caller, &s);

    if (rc)
        return rc;
    /*
     * As Xen 4.17 does: enabling writes each vCPU's port into its slot.
     * Until then a slot holds port 0, so a request sent to a server that
     * was never enabled fails the port check in ioreq_send.
     */
    if (enabled && !s->enabled) {
        unsigned int v;

        for (v = 0; v < d->max_vcpus; v++)
            s->ioreq->vcpu_ioreq[v].vp_eport = s->vp_eport[v];
    }
    s->enabled = enabled;
    return 0;
}

int ioreq_server_map_mem_type(struct domain *d, ioservid_t id,
                              domid_t caller, uint32_t type, uint32_t flags)
{
    struct ioreq_server *s;
    int rc;

    if (type != HVMMEM_ioreq_server)
        return -EINVAL;
    if (flags & ~XEN_DMOP_IOREQ_MEM_ACCESS_WRITE)
        return -EINVAL;
    rc = get_owned(d, id, caller, &s);
    if (rc)
        return rc;
    return p2m_set_ioreq_server(&d->p2m, flags, id);
}

int ioreq_server_get_frame(struct domain *d, ioservid_t id, domid_t caller,
                           unsigned int frame, void **page)
{
    struct ioreq_server *s;
    int rc = get_owned(d, id, caller, &s);

    if (rc)
        return rc;
    if (frame == XENMEM_resource_ioreq_server_frame_bufioreq) {
        if (s->bufioreq_handling == HVM_IOREQSRV_BUFIOREQ_OFF)
            return -EINVAL;
        *page = s->bufioreq;
        return 0;
    }
    if (frame == XENMEM_resource_ioreq_server_frame_ioreq(0)) {
        *page = s->ioreq;
        return 0;
    }
    return -EINVAL;
}

struct ioreq_server *ioreq_server_select(struct domain *d, uint8_t type,
                                         uint64_t addr, uint32_t size)
{
    unsigned int i = MAX_NR_IOREQ_SERVERS, rtype;
    uint64_t start = addr, end;

    switch (type) {
    case IOREQ_TYPE_PIO:
        rtype = XEN_DMOP_IO_RANGE_PORT;
        break;
    case IOREQ_TYPE_COPY:
        rtype = XEN_DMOP_IO_RANGE_MEMORY;
        break;
    case IOREQ_TYPE_PCI_CONFIG:
        /* addr holds the SBDF in bits 63-32, the register below. */
        rtype = XEN_DMOP_IO_RANGE_PCI;
        start = addr >> 32;
        size = 1;
        break;
    default:
        return NULL;
    }
    if (size == 0 || start + size - 1 < start)
        return NULL;
    end = start + size - 1;

    /* Newer servers take precedence (Xen walks the array downwards). */
    while (i-- > 0) {
        struct ioreq_server *s = &d->ioreq.server[i];

        if (s->exists && s->enabled &&
            rangeset_contains_range(&s->range[rtype], start, end))
            return s;
    }
    return NULL;
}

/*
 * The slot is shared with the emulator, which may write it at any time:
 * read the state once through a volatile access, and order the rest of
 * the slot around it as Xen does with its barriers.
 */
static uint8_t slot_state(const ioreq_t *slot)
{
    uint8_t state = ((const volatile ioreq_t *)slot)->state;

    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return state;
}

static void set_slot_state(ioreq_t *slot, uint8_t state)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ((volatile ioreq_t *)slot)->state = state;
}

int ioreq_send(struct ioreq_server *s, unsigned int vcpu, const ioreq_t *p)
{
    ioreq_t *slot = &s->ioreq->vcpu_ioreq[vcpu];

    if (slot_state(slot) != STATE_IOREQ_NONE ||
        ((volatile ioreq_t *)slot)->vp_eport != s->vp_eport[vcpu])
        return -EPROTO;             /* "device model set bad IO state" */

    slot->addr = p->addr;
    slot->data = p->data;
    slot->count = p->count;
    slot->size = p->size;
    slot->dir = p->dir;
    slot->df = p->df;
    slot->data_is_ptr = p->data_is_ptr;
    slot->type = p->type;
    set_slot_state(slot, STATE_IOREQ_READY);
    return 0;
}

enum ioreq_response ioreq_check_response(struct ioreq_server *s,
                                         unsigned int vcpu, uint8_t *seen,
                                         uint64_t *data)
{
    ioreq_t *slot = &s->ioreq->vcpu_ioreq[vcpu];
    uint8_t state = slot_state(slot);

    switch (state) {
    case STATE_IORESP_READY:
        *data = ((volatile ioreq_t *)slot)->data;
        set_slot_state(slot, STATE_IOREQ_NONE);
        return IOREQ_ANSWERED;
    case STATE_IOREQ_READY:
    case STATE_IOREQ_INPROCESS:
        if (state < *seen)
            return IOREQ_BROKEN;    /* moved backwards (XSA-262) */
        *seen = state;
        return IOREQ_PENDING;
    default:
        return IOREQ_BROKEN;        /* NONE while pending, or unknown */
    }
}
