/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest accesses (see emulate.h for the routing rules).
 *
 * An access runs as a small state machine kept in the vCPU, so that it can
 * stop at any part that needs a server and carry on when the answer comes:
 * for each element (a rep store has several), a read phase (READ, and the
 * read half of RMW), then the computation, then a write phase (WRITE, and
 * the write half of RMW).  io->offset is how far the current phase got.
 */
#include <string.h>

#include <xen/domain.h>

enum { PHASE_READ, PHASE_WRITE };

static bool valid_size(unsigned int size, bool wide_ok)
{
    return size == 1 || size == 2 || size == 4 || size == 8 ||
           (wide_ok && size == 16);
}

static bool access_valid(const struct hvm_access *a)
{
    unsigned int reps = a->reps ? a->reps : 1;
    uint64_t span;

    switch (a->op) {
    case HVM_ACCESS_READ:
        if (!valid_size(a->size, false) || reps != 1)
            return false;
        break;
    case HVM_ACCESS_WRITE:
        if (!valid_size(a->size, true) || reps > HVM_ACCESS_MAX_REPS)
            return false;
        break;
    case HVM_ACCESS_RMW:
        if (!valid_size(a->size, false) || reps != 1 ||
            a->rmw > HVM_RMW_CMPXCHG)
            return false;
        break;
    default:
        return false;
    }
    span = (uint64_t)a->size * reps;
    return a->gpa + (span - 1) >= a->gpa;   /* no wrap-around */
}

static uint64_t size_mask(unsigned int size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static uint64_t load_le(const uint8_t *p, unsigned int size)
{
    uint64_t v = 0;
    unsigned int i;

    for (i = 0; i < size && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned int size)
{
    unsigned int i;

    for (i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Largest power of two <= n, at most 8 (Xen's MMIO chunking). */
static unsigned int chunk_size(unsigned int n)
{
    unsigned int c = 8;

    while (c > n)
        c >>= 1;
    return c;
}

static void reset_io(struct hvm_vcpu_io *io)
{
    memset(io, 0, sizeof(*io));
}

static unsigned int initial_phase(const struct hvm_access *a)
{
    return a->op == HVM_ACCESS_WRITE ? PHASE_WRITE : PHASE_READ;
}

/* Load the element's write data for a plain write. */
static void start_element(struct hvm_vcpu_io *io)
{
    const struct hvm_access *a = &io->access;

    io->phase = initial_phase(a);
    io->offset = 0;
    io->write_needed = a->op != HVM_ACCESS_READ;
    if (a->op == HVM_ACCESS_WRITE) {
        store_le(io->wbuf, a->data[0], MIN(a->size, 8U));
        if (a->size > 8)
            store_le(io->wbuf + 8, a->data[1], a->size - 8);
    }
}

/* Ask server s for the next chunk; the vCPU then waits. */
static enum hvm_access_status send_chunk(struct domain *d, struct vcpu *v,
                                         struct ioreq_server *s,
                                         uint64_t addr, unsigned int piece,
                                         uint8_t dir,
                                         struct hvm_access_result *r,
                                         int *rc)
{
    struct hvm_vcpu_io *io = &v->io;
    unsigned int chunk = chunk_size(piece);
    ioreq_t p = {
        .addr = addr,
        .count = 1,
        .size = chunk,
        .dir = dir,
        .type = IOREQ_TYPE_COPY,
    };

    if (dir == IOREQ_WRITE)
        p.data = load_le(io->wbuf + io->offset, chunk);
    if (ioreq_send(s, v->vcpu_id, &p)) {
        /* The emulator corrupted its idle slot (ours: tear it down). */
        ioreq_server_teardown(d, s);
        *rc = -EPROTO;
        return HVM_ACCESS_RETRY;
    }
    io->waiting = true;
    io->server = s->id;
    io->seen = STATE_IOREQ_READY;
    io->chunk = chunk;
    r->server = s->id;
    r->port = s->vp_eport[v->vcpu_id];
    r->sent = true;
    return HVM_ACCESS_IOREQ;
}

static void ram_part(struct domain *d, struct hvm_vcpu_io *io, uint64_t addr,
                     unsigned int piece, uint8_t dir)
{
    if (dir == IOREQ_READ)
        memcpy(io->rbuf + io->offset, d->ram + addr, piece);
    else
        memcpy(d->ram + addr, io->wbuf + io->offset, piece);
}

/*
 * Carry the current phase of the current element as far as it goes.
 * DONE when the phase is complete.
 */
static enum hvm_access_status run_phase(struct domain *d, struct vcpu *v,
                                        uint64_t gpa,
                                        struct hvm_access_result *r, int *rc)
{
    struct hvm_vcpu_io *io = &v->io;
    uint8_t dir = io->phase == PHASE_READ ? IOREQ_READ : IOREQ_WRITE;

    while (io->offset < io->access.size) {
        uint64_t addr = gpa + io->offset;
        unsigned int piece = MIN(io->access.size - io->offset,
                                 (unsigned int)(PAGE_SIZE - PAGE_OFFSET(addr)));
        unsigned long gfn = addr >> PAGE_SHIFT;
        struct ioreq_server *s;
        ioservid_t holder;
        p2m_type_t t;

        /* The fault resolves pending recalculation on the page's path. */
        t = p2m_recalc(&d->p2m, gfn);

        switch (t) {
        case p2m_ram_rw:
            ram_part(d, io, addr, piece, dir);
            break;
        case p2m_ram_logdirty:
            if (dir == IOREQ_WRITE) {
                paging_mark_pfn_dirty(d, gfn);
                p2m_change_type_one(&d->p2m, gfn, p2m_ram_logdirty,
                                    p2m_ram_rw);
            }
            ram_part(d, io, addr, piece, dir);
            break;
        case p2m_ram_ro:
            if (dir == IOREQ_READ)
                ram_part(d, io, addr, piece, dir);
            break;
        case p2m_ioreq_server:
            /* Plain reads never fault: the page is readable. */
            if (dir == IOREQ_READ && io->access.op == HVM_ACCESS_READ) {
                ram_part(d, io, addr, piece, dir);
                break;
            }
            /* No claim: a release is in progress; re-execute later. */
            if (!p2m_get_ioreq_server(&d->p2m, &holder, NULL))
                return HVM_ACCESS_RETRY;
            /* The read half of a read-modify-write is served here. */
            if (dir == IOREQ_READ) {
                ram_part(d, io, addr, piece, dir);
                break;
            }
            return send_chunk(d, v, &d->ioreq.server[holder], addr, piece,
                              dir, r, rc);
        default:
            s = ioreq_server_select(d, IOREQ_TYPE_COPY, addr,
                                    chunk_size(piece));
            if (s)
                return send_chunk(d, v, s, addr, piece, dir, r, rc);
            /*
             * The null handler, for this chunk only: a server is chosen
             * chunk by chunk, and the next one may lie in its range.
             */
            piece = chunk_size(piece);
            if (dir == IOREQ_READ)
                memset(io->rbuf + io->offset, 0xff, piece);
            io->unhandled = true;
            break;
        }
        io->offset += piece;
    }
    return HVM_ACCESS_DONE;
}

/* Between the phases of a read-modify-write: compute what to write. */
static void compute(struct hvm_vcpu_io *io)
{
    const struct hvm_access *a = &io->access;
    uint64_t mask = size_mask(a->size);
    uint64_t old = load_le(io->rbuf, a->size);
    uint64_t val = a->data[0] & mask;
    uint64_t nv = old;

    if (a->op != HVM_ACCESS_RMW) {
        io->write_needed = false;
        return;
    }
    switch (a->rmw) {
    case HVM_RMW_ADD:
        nv = (old + val) & mask;
        break;
    case HVM_RMW_OR:
        nv = old | val;
        break;
    case HVM_RMW_AND:
        nv = old & val;
        break;
    case HVM_RMW_XOR:
        nv = old ^ val;
        break;
    case HVM_RMW_XCHG:
        nv = val;
        break;
    case HVM_RMW_CMPXCHG:
        /* The compare is made against RAM; a mismatch writes nothing. */
        io->cmpxchg_ok = old == (a->cmp & mask);
        io->write_needed = io->cmpxchg_ok;
        nv = val;
        break;
    }
    store_le(io->wbuf, nv, a->size);
}

static enum hvm_access_status run(struct domain *d, struct vcpu *v,
                                  struct hvm_access_result *r, int *rc)
{
    struct hvm_vcpu_io *io = &v->io;
    const struct hvm_access *a = &io->access;
    unsigned int reps = a->reps ? a->reps : 1;
    enum hvm_access_status st;

    while (io->rep < reps) {
        uint64_t gpa = a->gpa + (uint64_t)io->rep * a->size;

        if (io->phase == PHASE_READ) {
            st = run_phase(d, v, gpa, r, rc);
            if (st != HVM_ACCESS_DONE)
                return st;
            compute(io);
            io->phase = PHASE_WRITE;
            io->offset = 0;
        }
        if (io->write_needed) {
            st = run_phase(d, v, gpa, r, rc);
            if (st != HVM_ACCESS_DONE)
                return st;
        }
        io->rep++;
        if (io->rep < reps)
            start_element(io);
    }
    return HVM_ACCESS_DONE;
}

/* Report st; the vCPU's state is cleared unless it waits. */
static int finish(struct vcpu *v, enum hvm_access_status st,
                  struct hvm_access_result *r, int rc)
{
    struct hvm_vcpu_io *io = &v->io;

    r->status = st;
    r->reps_done = io->rep;
    if (st == HVM_ACCESS_IOREQ)
        return rc;
    if (st == HVM_ACCESS_DONE) {
        r->value = load_le(io->rbuf, MIN(io->access.size, 8U));
        r->cmpxchg_ok = io->cmpxchg_ok;
        r->unhandled = io->unhandled;
    }
    reset_io(io);
    return rc;
}

int hvm_access(struct domain *d, unsigned int vcpu,
               const struct hvm_access *a, struct hvm_access_result *r)
{
    enum hvm_access_status st;
    struct vcpu *v;
    int rc = 0;

    memset(r, 0, sizeof(*r));
    if (vcpu >= d->nr_online_vcpus)
        return -ENOENT;
    if (!d->is_hvm || !access_valid(a))
        return -EINVAL;
    /* A paused domain's vCPUs do not run. */
    if (d->pause_count)
        return -EAGAIN;
    v = &d->vcpu[vcpu];
    if (v->io.waiting)
        return -EBUSY;

    reset_io(&v->io);
    v->io.access = *a;
    start_element(&v->io);
    /* run() sets rc: call it before rc is read. */
    st = run(d, v, r, &rc);
    return finish(v, st, r, rc);
}

int hvm_access_resume(struct domain *d, unsigned int vcpu,
                      struct hvm_access_result *r)
{
    enum hvm_access_status st;
    struct hvm_vcpu_io *io;
    struct ioreq_server *s;
    uint64_t data = 0;
    int rc = 0;

    memset(r, 0, sizeof(*r));
    if (vcpu >= d->max_vcpus)
        return -ENOENT;
    io = &d->vcpu[vcpu].io;
    if (!io->waiting)
        return -ENOENT;

    if (io->server_gone)
        return finish(&d->vcpu[vcpu], HVM_ACCESS_RETRY, r, 0);

    s = &d->ioreq.server[io->server];
    switch (ioreq_check_response(s, vcpu, &io->seen, &data)) {
    case IOREQ_PENDING:
        r->status = HVM_ACCESS_IOREQ;
        r->server = s->id;
        r->port = s->vp_eport[vcpu];
        return 0;
    case IOREQ_BROKEN:
        /* Ours: the server goes, the guest stays (Xen: XSA-262 crash). */
        ioreq_server_teardown(d, s);
        return finish(&d->vcpu[vcpu], HVM_ACCESS_RETRY, r, -EPROTO);
    case IOREQ_ANSWERED:
        break;
    }

    /*
     * The answer completes the outstanding chunk whatever the page's type
     * is now: the emulator may have retyped it meanwhile (Xen 522a2f3c5c).
     */
    io->waiting = false;
    if (io->phase == PHASE_READ)
        store_le(io->rbuf + io->offset, data, io->chunk);
    io->offset += io->chunk;
    st = run(d, &d->vcpu[vcpu], r, &rc);
    return finish(&d->vcpu[vcpu], st, r, rc);
}

bool hvm_vcpu_waiting(const struct domain *d, unsigned int vcpu,
                      ioservid_t *server)
{
    if (vcpu >= d->max_vcpus || !d->vcpu[vcpu].io.waiting)
        return false;
    if (server)
        *server = d->vcpu[vcpu].io.server;
    return true;
}

void hvm_io_server_gone(struct domain *d, ioservid_t id)
{
    unsigned int i;

    for (i = 0; i < d->max_vcpus; i++) {
        struct hvm_vcpu_io *io = &d->vcpu[i].io;

        if (io->waiting && io->server == id)
            io->server_gone = true;
    }
}

/* Check every page of [gpa, gpa + len) before touching any. */
static int copy_check(struct domain *d, uint64_t gpa, size_t len, bool write)
{
    uint64_t gfn, last;

    if (len == 0)
        return 0;
    if (gpa + (len - 1) < gpa)
        return -EFAULT;
    last = (gpa + len - 1) >> PAGE_SHIFT;
    for (gfn = gpa >> PAGE_SHIFT; gfn <= last; gfn++) {
        p2m_type_t t = p2m_recalc(&d->p2m, gfn);

        if (!p2m_is_ram(t))
            return -EFAULT;
        /* Xen 4.12+ (d7bff2bc00): never write around the emulator. */
        if (write && t == p2m_ioreq_server)
            return -EFAULT;
    }
    return 0;
}

int hvm_copy_to_guest_phys(struct domain *d, uint64_t gpa, const void *buf,
                           size_t len)
{
    const uint8_t *src = buf;
    int rc = copy_check(d, gpa, len, true);

    if (rc)
        return rc;
    while (len) {
        size_t piece = MIN(len, PAGE_SIZE - PAGE_OFFSET(gpa));
        unsigned long gfn = gpa >> PAGE_SHIFT;
        p2m_type_t t = p2m_get_type(&d->p2m, gfn);

        if (t == p2m_ram_logdirty)
            paging_mark_pfn_dirty(d, gfn);
        if (t != p2m_ram_ro)        /* read-only RAM discards writes */
            memcpy(d->ram + gpa, src, piece);
        gpa += piece;
        src += piece;
        len -= piece;
    }
    return 0;
}

int hvm_copy_from_guest_phys(struct domain *d, void *buf, uint64_t gpa,
                             size_t len)
{
    int rc = copy_check(d, gpa, len, false);

    if (rc)
        return rc;
    if (len)
        memcpy(buf, d->ram + gpa, len);
    return 0;
}
