/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run (build dir): make tools/tests/fuzz-dm-op tools/tests/fuzz-dm-op-replay && tools/tests/fuzz-dm-op-replay --write-seeds CORPUS && tools/tests/fuzz-dm-op -max_total_time=180 CORPUS
 *
 * Fuzz target of the DMOP decoder, HYPERVISOR_dm_op in the core (libFuzzer:
 * LLVMFuzzerTestOneInput).
 *
 * A hypervisor holds an HVM guest whose RAM has holes and a PV domain.
 * The input is a byte of SETUP_* flags and a u32 preemption pattern
 * (fuzz.h), then a sequence of dm_op calls, each with its caller,
 * target, nr_bufs and buffers of any size and content (a buffer may be
 * NULL), re-issued after -ERESTART as a host does, or abandoned there,
 * or re-issued with bytes changed in between as a hostile device model
 * may (run_call).  Buffers are allocated to exactly their size, so ASan
 * sees any access past one.
 *
 * After each call it checks what Xen's dm_op promises and the model's
 * invariants: the header of buffer 0 and what lies past the op's struct
 * are never written; other buffers are never written; a failure of a
 * call that never continued writes nothing, nor does an op Xen marks
 * const; continuations make progress (an honest caller is done within a
 * bound); -ERESTART is all a caller sees of a continuation; and in every
 * domain the invariants hold, entry_count is the number of leaves stored
 * p2m_ioreq_server, a page reads as p2m_ioreq_server only while a server
 * holds the claim, HVMOP_get_mem_type agrees with the p2m, and dm_op
 * populates or frees no page.
 *
 * Built with -DFUZZ_REPLAY_MAIN and fuzz-replay.c, it runs its seeds in
 * make check and writes them as a corpus (see fuzz.h).
 */
#include <sys/mman.h>

#include <xen/dm.h>

#include "fuzz.h"

#define GUEST           1
#define PV_GUEST        2
#define NO_DOMAIN       3
#define DM_DOMAIN       5
/*
 * RAM in three blocks with holes between, across leaf tables, and
 * capacity past the last block: ranges can start, end or lie in a hole.
 */
#define GUEST_MAX_GFN   0x7ffUL
static const struct {
    unsigned long first, nr;
} ram_blocks[] = {
    { 0x000, 0x100 },
    { 0x180, 0x300 },
    { 0x600, 0x100 },
};

/* Buffers are at most this big: enough for every op, and quick to run. */
#define BUF_MAX         4096
/* The buffers given contents; more descriptors are passed, empty. */
#define BUFS_FILLED     3
/* A continuation run this often without finishing makes no progress. */
#define MAX_RESTARTS    4096
/* A hostile caller gives up after this many rewrites. */
#define MAX_REWRITES    8

/* The input's first byte. */
#define SETUP_SHADOW    (1U << 0)   /* the guest has no HAP */
#define SETUP_LOGDIRTY  (1U << 1)   /* the guest starts in log-dirty mode */

enum mode {
    MODE_FINISH,                /* re-issue until it is done */
    MODE_ONCE,                  /* abandon a continuation */
    MODE_REWRITE,               /* change buffer 0 between re-issues */
    MODE_FINISH2,               /* as MODE_FINISH: a mode is two bits */
};

struct fuzz {
    struct hypervisor hv;
    struct domain *d, *pv;
    void *ram, *ioreq, *pv_ram, *pv_ioreq;
    struct fuzz_preempt preempt;
    struct fuzz_reader in;
};

/* ---- Setting up --------------------------------------------------------- */

static struct domain *make_domain(struct fuzz *f, domid_t domid, bool hvm,
                                  bool hap, unsigned long max_gfn,
                                  void **ram, void **ioreq)
{
    size_t ram_size = (max_gfn + 1) * PAGE_SIZE;
    struct domain_config cfg = {
        .hvm = hvm, .hap = hap, .max_vcpus = 2, .max_gfn = max_gfn,
    };
    struct domain_memory mem;
    struct domain *d;

    *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(*ram != MAP_FAILED);
    *ioreq = aligned_alloc(PAGE_SIZE, DOMAIN_IOREQ_PAGES * PAGE_SIZE);
    CHECK(*ioreq);
    mem = (struct domain_memory){
        .ram = *ram, .ram_size = ram_size,
        .ioreq_pages = *ioreq, .ioreq_size = DOMAIN_IOREQ_PAGES * PAGE_SIZE,
    };
    CHECK(domain_create(&f->hv, domid, &cfg, &mem, &d) == 0);
    return d;
}

static void setup(struct fuzz *f, uint8_t flags)
{
    size_t i;

    CHECK(hypervisor_init(&f->hv) == 0);
    f->hv.preempt_check = fuzz_preempt_check;
    f->hv.preempt_opaque = &f->preempt;
    f->d = make_domain(f, GUEST, true, !(flags & SETUP_SHADOW),
                       GUEST_MAX_GFN, &f->ram, &f->ioreq);
    for (i = 0; i < ARRAY_SIZE(ram_blocks); i++) {
        CHECK(p2m_add_ram(&f->d->p2m, ram_blocks[i].first,
                          ram_blocks[i].nr) == 0);
        f->d->tot_pages += ram_blocks[i].nr;
    }
    if (flags & SETUP_LOGDIRTY)
        CHECK(paging_log_dirty_enable(f->d) == 0);
    f->pv = make_domain(f, PV_GUEST, false, false, 15, &f->pv_ram,
                        &f->pv_ioreq);
    CHECK(p2m_add_ram(&f->pv->p2m, 0, 16) == 0);
}

static void teardown(struct fuzz *f)
{
    hypervisor_teardown(&f->hv);
    munmap(f->ram, (GUEST_MAX_GFN + 1) * PAGE_SIZE);
    munmap(f->pv_ram, 16 * PAGE_SIZE);
    free(f->ioreq);
    free(f->pv_ioreq);
}

/* ---- Checks ------------------------------------------------------------- */

/* The size of op's struct, for the ops the model decodes; else 0. */
static size_t op_struct_size(uint32_t op)
{
    switch (op) {
    case XEN_DMOP_create_ioreq_server:
        return sizeof(struct xen_dm_op_create_ioreq_server);
    case XEN_DMOP_get_ioreq_server_info:
        return sizeof(struct xen_dm_op_get_ioreq_server_info);
    case XEN_DMOP_map_io_range_to_ioreq_server:
    case XEN_DMOP_unmap_io_range_from_ioreq_server:
        return sizeof(struct xen_dm_op_ioreq_server_range);
    case XEN_DMOP_set_ioreq_server_state:
        return sizeof(struct xen_dm_op_set_ioreq_server_state);
    case XEN_DMOP_destroy_ioreq_server:
        return sizeof(struct xen_dm_op_destroy_ioreq_server);
    case XEN_DMOP_modified_memory:
        return sizeof(struct xen_dm_op_modified_memory);
    case XEN_DMOP_set_mem_type:
        return sizeof(struct xen_dm_op_set_mem_type);
    case XEN_DMOP_map_mem_type_to_ioreq_server:
        return sizeof(struct xen_dm_op_map_mem_type_to_ioreq_server);
    case XEN_DMOP_nr_vcpus:
        return sizeof(struct xen_dm_op_nr_vcpus);
    default:
        return 0;
    }
}

/* Xen's const ops: their buffer is never copied back. */
static bool op_is_const(uint32_t op)
{
    return op == XEN_DMOP_map_io_range_to_ioreq_server ||
        op == XEN_DMOP_unmap_io_range_from_ioreq_server ||
        op == XEN_DMOP_set_ioreq_server_state ||
        op == XEN_DMOP_destroy_ioreq_server;
}

struct call {
    unsigned int nr_bufs;
    xen_dm_op_buf_t *bufs;
    uint8_t *before[BUFS_FILLED];   /* the buffers as the caller wrote them */
    size_t size[BUFS_FILLED];
};

/* What dm_op may have written into the buffers, and what not. */
static void check_buffers(const struct call *c, int rc, bool continued,
                          bool rewritten)
{
    const size_t header = offsetof(struct xen_dm_op, u);
    unsigned int i, n = MIN(c->nr_bufs, BUFS_FILLED);
    const uint8_t *now, *was;
    uint32_t op = 0;
    size_t end;

    for (i = 0; i < n; i++) {
        now = c->bufs[i].h.p;
        was = c->before[i];
        if (!now || !c->size[i])
            continue;
        if (i > 0) {
            CHECK(!memcmp(now, was, c->size[i]));
            continue;
        }
        if (rewritten)
            continue;
        if (c->size[i] < header) {
            CHECK(!memcmp(now, was, c->size[i]));
            continue;
        }
        CHECK(!memcmp(now, was, header));
        memcpy(&op, was, sizeof(op));
        end = header + op_struct_size(op);
        if (c->size[i] > end)
            CHECK(!memcmp(now + end, was + end, c->size[i] - end));
        if ((rc && !continued) || op_is_const(op) || !op_struct_size(op))
            CHECK(!memcmp(now, was, c->size[i]));
    }
}

static void check_domain(struct fuzz *f, struct domain *d,
                         unsigned long tot_pages, uint16_t probe)
{
    struct caller dom0 = { .domid = 0, .is_control = true,
                           .target = DOMID_INVALID };
    struct xen_hvm_get_mem_type arg = { .domid = d->domain_id };
    unsigned long gfn, end;
    p2m_type_t t;

    /* Among them: entry_count counts the leaves stored p2m_ioreq_server. */
    CHECK(domain_check_invariants(d));
    CHECK(d->tot_pages == tot_pages);
    if (!p2m_get_ioreq_server(&d->p2m, NULL, NULL)) {
        for (gfn = 0; gfn <= d->p2m.max_gfn; gfn = end + 1) {
            end = p2m_type_run(&d->p2m, gfn, d->p2m.max_gfn, &t);
            CHECK(end >= gfn && t != p2m_ioreq_server);
        }
    }
    arg.pfn = probe % (d->p2m.max_gfn + 2);
    if (d->is_hvm) {
        CHECK(hvmop_get_mem_type(&f->hv, &dom0, &arg) == 0);
        CHECK(arg.mem_type ==
              p2m_to_hvmmem_type(p2m_get_type(&d->p2m, arg.pfn)));
    }
}

/* ---- One call ----------------------------------------------------------- */

static const struct caller callers[] = {
    { .domid = 0, .is_control = true, .target = DOMID_INVALID },
    { .domid = DM_DOMAIN, .target = GUEST },
    { .domid = DM_DOMAIN, .target = GUEST },
    { .domid = DM_DOMAIN + 1, .target = GUEST },
    { .domid = GUEST, .target = DOMID_INVALID },    /* the guest itself */
    { .domid = DM_DOMAIN + 2, .target = PV_GUEST },
    { .domid = 9, .target = DOMID_INVALID },        /* a stranger */
    { .domid = 0, .is_control = true, .target = DOMID_INVALID },
};

static const domid_t targets[] = {
    GUEST, GUEST, GUEST, PV_GUEST, NO_DOMAIN, DOMID_SELF, 0, GUEST,
};

/*
 * One call: a byte (caller in bits 0-2, target in bits 3-5, mode in bits
 * 6-7), nr_bufs (a byte), then for each of the first BUFS_FILLED
 * buffers a u16 (bit 15: a NULL handle; the rest: the size, modulo
 * BUF_MAX + 1) and size bytes of contents (zeros past the input's end).
 * Then a u16, the gfn whose type HVMOP_get_mem_type is asked after the
 * call.  MODE_REWRITE reads two more bytes (offset, value) before each
 * re-issue.
 */
static void run_call(struct fuzz *f)
{
    uint8_t a = fuzz_take_u8(&f->in);
    const struct caller *caller = &callers[a & 7];
    domid_t domid = targets[(a >> 3) & 7];
    enum mode mode = a >> 6;
    struct call c = { .nr_bufs = fuzz_take_u8(&f->in) };
    unsigned long tot = f->d->tot_pages, pv_tot = f->pv->tot_pages;
    unsigned int i, restarts = 0;
    bool rewritten = false;
    uint16_t probe;
    uint8_t *p;
    int rc;

    c.bufs = calloc(c.nr_bufs ? c.nr_bufs : 1, sizeof(*c.bufs));
    CHECK(c.bufs);
    for (i = 0; i < MIN(c.nr_bufs, BUFS_FILLED); i++) {
        uint16_t s = fuzz_take_u16(&f->in);

        c.size[i] = (s & 0x7fff) % (BUF_MAX + 1);
        c.bufs[i].size = c.size[i];
        if (s & 0x8000)
            continue;
        /* Exactly the size (at least one byte, for malloc's sake). */
        p = malloc(c.size[i] ? c.size[i] : 1);
        c.before[i] = malloc(c.size[i] ? c.size[i] : 1);
        CHECK(p && c.before[i]);
        fuzz_take(&f->in, p, c.size[i]);
        memcpy(c.before[i], p, c.size[i]);
        set_xen_guest_handle(c.bufs[i].h, p);
    }

    probe = fuzz_take_u16(&f->in);

    rc = dm_op(&f->hv, caller, domid, c.nr_bufs, c.bufs);
    while (rc == -ERESTART && mode != MODE_ONCE) {
        if (mode == MODE_REWRITE) {
            uint8_t off = fuzz_take_u8(&f->in), val = fuzz_take_u8(&f->in);

            if (restarts == MAX_REWRITES)
                break;
            p = c.bufs[0].h.p;
            if (p && c.size[0]) {
                p[off % c.size[0]] = val;
                rewritten = true;
            }
        }
        CHECK(++restarts <= MAX_RESTARTS);
        rc = dm_op(&f->hv, caller, domid, c.nr_bufs, c.bufs);
    }
    CHECK(rc <= 0 && rc >= -4095);
    if (mode != MODE_ONCE && mode != MODE_REWRITE)
        CHECK(rc != -ERESTART);

    check_buffers(&c, rc, restarts > 0 || rc == -ERESTART, rewritten);
    check_domain(f, f->d, tot, probe);
    check_domain(f, f->pv, pv_tot, probe);

    for (i = 0; i < MIN(c.nr_bufs, BUFS_FILLED); i++) {
        free(c.bufs[i].h.p);
        free(c.before[i]);
    }
    free(c.bufs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz *f = calloc(1, sizeof(*f));

    CHECK(f);
    f->in = (struct fuzz_reader){ .p = data, .left = size };
    setup(f, fuzz_take_u8(&f->in));
    f->preempt.pattern = fuzz_take_u32(&f->in);
    while (f->in.left)
        run_call(f);
    teardown(f);
    free(f);
    return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* ---- Seeds -------------------------------------------------------------- */

static void put_header(struct fuzz_input *s, uint8_t flags, uint32_t preempt)
{
    fuzz_put_u8(s, flags);
    fuzz_put_u32(s, preempt);
}

/* Indices into callers[] and targets[]. */
enum { BY_DOM0 = 0, BY_DM = 1, BY_OTHER_DM = 3, BY_GUEST = 4, BY_PV_DM = 5,
       BY_STRANGER = 6 };
enum { TO_GUEST = 0, TO_PV = 3, TO_NOBODY = 4, TO_SELF = 5, TO_DOM0 = 6 };

/* A call with op in buffer 0 (size0 bytes of it) and buf1, if any. */
static void put_call(struct fuzz_input *s, unsigned int by, unsigned int to,
                     enum mode mode, unsigned int nr_bufs,
                     const struct xen_dm_op *op, size_t size0,
                     const void *buf1, size_t size1)
{
    fuzz_put_u8(s, by | to << 3 | mode << 6);
    fuzz_put_u8(s, nr_bufs);
    if (nr_bufs >= 1) {
        fuzz_put_u16(s, op ? size0 : 0x8000 | size0);
        if (op)
            fuzz_put(s, op, size0);
    }
    if (nr_bufs >= 2) {
        fuzz_put_u16(s, buf1 ? size1 : 0x8000 | size1);
        if (buf1)
            fuzz_put(s, buf1, size1);
    }
    if (nr_bufs >= 3)
        fuzz_put_u16(s, 0);
    fuzz_put_u16(s, 0x100);
}

static void put_op(struct fuzz_input *s, unsigned int by, enum mode mode,
                   const struct xen_dm_op *op)
{
    put_call(s, by, TO_GUEST, mode, 1, op, sizeof(*op), NULL, 0);
}

static void put_create(struct fuzz_input *s, unsigned int by)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };

    put_op(s, by, MODE_FINISH, &op);
}

static void put_claim(struct fuzz_input *s, unsigned int by, ioservid_t id,
                      uint32_t flags, enum mode mode)
{
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };

    op.u.map_mem_type_to_ioreq_server.id = id;
    op.u.map_mem_type_to_ioreq_server.type = HVMMEM_ioreq_server;
    op.u.map_mem_type_to_ioreq_server.flags = flags;
    put_op(s, by, mode, &op);
}

/* What MODE_REWRITE reads before a re-issue: buffer 0's byte at. */
static void put_rewrite(struct fuzz_input *s, size_t at, uint8_t value)
{
    fuzz_put_u8(s, at);
    fuzz_put_u8(s, value);
}

static void put_set_mem_type(struct fuzz_input *s, unsigned int by,
                             uint16_t type, uint64_t first, uint32_t nr,
                             enum mode mode)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_mem_type };

    op.u.set_mem_type.mem_type = type;
    op.u.set_mem_type.first_pfn = first;
    op.u.set_mem_type.nr = nr;
    put_op(s, by, mode, &op);
}

/* Every op the model decodes, each once right, by its device model. */
static void seed_ops(struct fuzz_input *s)
{
    struct xen_dm_op op = { .op = XEN_DMOP_get_ioreq_server_info };

    put_header(s, 0, 0);
    op.u.get_ioreq_server_info.flags = XEN_DMOP_no_gfns;
    put_create(s, BY_DM);
    put_op(s, BY_DM, MODE_FINISH, &op);
    op = (struct xen_dm_op){ .op = XEN_DMOP_map_io_range_to_ioreq_server };
    op.u.map_io_range_to_ioreq_server.type = XEN_DMOP_IO_RANGE_MEMORY;
    op.u.map_io_range_to_ioreq_server.start = 0xfe000000;
    op.u.map_io_range_to_ioreq_server.end = 0xfe000fff;
    put_op(s, BY_DM, MODE_FINISH, &op);
    op.op = XEN_DMOP_unmap_io_range_from_ioreq_server;
    put_op(s, BY_DM, MODE_FINISH, &op);
    op = (struct xen_dm_op){ .op = XEN_DMOP_set_ioreq_server_state };
    op.u.set_ioreq_server_state.enabled = 1;
    put_op(s, BY_DM, MODE_FINISH, &op);
    put_claim(s, BY_DM, 0, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, MODE_FINISH);
    put_set_mem_type(s, BY_DM, HVMMEM_ioreq_server, 0xf0, 0x20,
                     MODE_FINISH);
    put_set_mem_type(s, BY_DM, HVMMEM_ioreq_server, 0x180, 0x300,
                     MODE_FINISH);
    put_set_mem_type(s, BY_DM, HVMMEM_ram_rw, 0x200, 4, MODE_FINISH);
    op = (struct xen_dm_op){ .op = XEN_DMOP_nr_vcpus };
    put_op(s, BY_DM, MODE_FINISH, &op);
    op = (struct xen_dm_op){ .op = XEN_DMOP_destroy_ioreq_server };
    put_op(s, BY_OTHER_DM, MODE_FINISH, &op);
    put_op(s, BY_DM, MODE_FINISH, &op);
}

/*
 * Preempted at every check: continuations finished, abandoned, and
 * tampered with by a device model that rewrites its buffer in between.
 */
static void seed_continuations(struct fuzz_input *s)
{
    const size_t first_pfn = offsetof(struct xen_dm_op,
                                      u.set_mem_type.first_pfn);
    const size_t opaque = offsetof(struct xen_dm_op,
                                   u.map_mem_type_to_ioreq_server.opaque);
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };

    put_header(s, 0, 0xffffffff);
    put_create(s, BY_DOM0);
    put_claim(s, BY_DOM0, 0, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, MODE_FINISH);
    put_set_mem_type(s, BY_DOM0, HVMMEM_ioreq_server, 0x180, 0x300,
                     MODE_FINISH);
    put_set_mem_type(s, BY_DOM0, HVMMEM_ram_rw, 0x180, 0x300, MODE_ONCE);
    put_set_mem_type(s, BY_DOM0, HVMMEM_ioreq_server, 0x600, 0x100,
                     MODE_FINISH);
    put_claim(s, BY_DOM0, 0, 0, MODE_ONCE);
    /* The abandoned sweep, taken up again where it stopped. */
    op.u.map_mem_type_to_ioreq_server.type = HVMMEM_ioreq_server;
    op.u.map_mem_type_to_ioreq_server.opaque = 0x100;
    put_op(s, BY_DOM0, MODE_FINISH, &op);
    put_create(s, BY_DM);
    put_claim(s, BY_DM, 1, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, MODE_FINISH);
    put_set_mem_type(s, BY_DM, HVMMEM_ioreq_server, 0x180, 0x300,
                     MODE_REWRITE);
    /* Back to gfn 0x180, already typed: refused. */
    put_rewrite(s, first_pfn + 1, 0x01);
    /* A sweep that skips ahead: typed entries are left behind. */
    put_claim(s, BY_DM, 1, 0, MODE_REWRITE);
    put_rewrite(s, opaque + 1, 0x06);
    put_claim(s, BY_DM, 1, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, MODE_FINISH);
    put_claim(s, BY_DM, 1, 0, MODE_FINISH);
}

/* modified_memory in log-dirty mode, extents read backwards. */
static void seed_modified_memory(struct fuzz_input *s)
{
    struct xen_dm_op op = { .op = XEN_DMOP_modified_memory };
    struct xen_dm_op_modified_memory_extent ext[3] = {
        { .first_pfn = 0, .nr = 0x100 },
        { .first_pfn = 0x180, .nr = 0x300 },
        { .first_pfn = 0x6e0, .nr = 0x10 },
    };

    put_header(s, SETUP_LOGDIRTY, 0x0f0f0f0f);
    op.u.modified_memory.nr_extents = 3;
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 2, &op, sizeof(op), ext,
             sizeof(ext));
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 1, &op, sizeof(op), NULL,
             0);
    op.u.modified_memory.nr_extents = 4;
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 2, &op, sizeof(op), ext,
             sizeof(ext));
    op.u.modified_memory.nr_extents = 1;
    op.u.modified_memory.opaque = 0x10;
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 2, &op, sizeof(op), ext,
             sizeof(ext[0]));
    op.u.modified_memory.opaque = 0;
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 2, &op, sizeof(op), NULL,
             sizeof(ext));
}

/* The decoder's refusals: who, where, how many buffers, how big. */
static void seed_refusals(struct fuzz_input *s)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };

    put_header(s, SETUP_SHADOW, 0);
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 0, NULL, 0, NULL, 0);
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 3, &op, sizeof(op), &op,
             sizeof(op));
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 255, &op, sizeof(op), &op,
             sizeof(op));
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 1, NULL, sizeof(op), NULL,
             0);
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 1, &op, 4, NULL, 0);
    put_call(s, BY_DOM0, TO_GUEST, MODE_FINISH, 1, &op,
             offsetof(struct xen_dm_op, u) + 1, NULL, 0);
    put_call(s, BY_DOM0, TO_PV, MODE_FINISH, 1, &op, sizeof(op), NULL, 0);
    put_call(s, BY_DOM0, TO_NOBODY, MODE_FINISH, 1, &op, sizeof(op), NULL,
             0);
    put_call(s, BY_DOM0, TO_SELF, MODE_FINISH, 1, &op, sizeof(op), NULL,
             0);
    put_call(s, BY_DOM0, TO_DOM0, MODE_FINISH, 1, &op, sizeof(op), NULL,
             0);
    put_op(s, BY_GUEST, MODE_FINISH, &op);
    put_op(s, BY_STRANGER, MODE_FINISH, &op);
    put_op(s, BY_PV_DM, MODE_FINISH, &op);
    op.pad = 1;
    put_op(s, BY_DOM0, MODE_FINISH, &op);
    op.pad = 0;
    op.u.create_ioreq_server.pad[1] = 1;
    put_op(s, BY_DOM0, MODE_FINISH, &op);
    op = (struct xen_dm_op){ .op = 99 };
    put_op(s, BY_DOM0, MODE_FINISH, &op);
    op.op = XEN_DMOP_inject_msi;
    put_op(s, BY_DOM0, MODE_FINISH, &op);
    /* Shadow paging: no p2m_ioreq_server. */
    put_create(s, BY_DOM0);
    put_claim(s, BY_DOM0, 0, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, MODE_FINISH);
    put_set_mem_type(s, BY_DOM0, HVMMEM_ioreq_server, 0, 1, MODE_FINISH);
    put_set_mem_type(s, BY_DOM0, HVMMEM_unused, 0, 1, MODE_FINISH);
    put_set_mem_type(s, BY_DOM0, HVMMEM_mmio_dm, 0x100, 0x10, MODE_FINISH);
    put_set_mem_type(s, BY_DOM0, HVMMEM_ram_rw, 0x7ff, 2, MODE_FINISH);
    put_set_mem_type(s, BY_DOM0, 77, 0, 1, MODE_FINISH);
}

static fuzz_seed_fn *const seeds[] = {
    seed_ops,
    seed_continuations,
    seed_modified_memory,
    seed_refusals,
};

bool fuzz_seed(size_t i, struct fuzz_input *in)
{
    return fuzz_seed_built(seeds, ARRAY_SIZE(seeds), i, in);
}
#endif
