/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Model-based test of the hypervisor core.
 *
 * Long random sequences of operations (ioreq servers made, enabled and
 * destroyed by different callers, their MMIO ranges, the claim and its
 * release, set_mem_type over random ranges, guest reads, writes and
 * read-modify-writes, device-model answers and protocol breaches, global
 * log-dirty, guest hypercalls, forced continuations left pending while
 * other operations run) go to the core and, side by side, to a flat
 * reference model kept in this file.  The reference is written from
 * DESIGN.md section 4, xen-ioreq-spec.md section 3 and the contracts in
 * the core's headers, not from the core's code: arrays of per-gfn types, a
 * copy of guest RAM, the claim, the servers, the log-dirty mode and what
 * each vCPU is doing.  After every step the two must agree on every gfn's
 * effective type, on the number of typed entries, on guest RAM, on the
 * servers and on who waits for what.
 *
 * The reference is eager where the core is lazy: a global type change (a
 * release, log-dirty on or off, a log-dirty clean) is applied to every gfn
 * at once, which is what effective types must show.  A typed entry that a
 * release has reset may stay typed in the core's leaf until the sweep
 * reaches it; the reference calls it stale, and a stale gfn is the only
 * place where the core may still store p2m_ioreq_server for a page the
 * reference says is not typed.
 *
 * Environment: MODEL_SEED=N replays a run (the seed is printed at the
 * start, and with the failing step and the last operations on a failure,
 * a crash in the core included), MODEL_OPS=N sets the number of
 * operations, MODEL_TRACE=1 prints every step.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

#include "harness.h"

/*
 * The guest: RAM in three blocks with holes between, over four leaf tables
 * of 512 entries, so that global marks are pushed down through upper
 * levels and resolved table by table, one table all RAM (its entries can
 * all be of one type) and the others mixed.  Capacity goes past the
 * highest populated gfn, so set_mem_type can be refused beyond it.
 */
#define M_MAX_GFN       0x67fUL
#define M_NR_GFNS       (M_MAX_GFN + 1)
#define M_MAX_MAPPED    0x63fUL
/* gfns past the guest's capacity are checked too: holes. */
#define M_CHECK_GFNS    (M_NR_GFNS + 16)
#define M_VCPUS         4

static const struct {
    unsigned long first, nr;
} ram_blocks[] = {
    { 0x000, 0x0c0 },           /* inside leaf table 0 */
    { 0x1c0, 0x280 },           /* from table 0 over all of 1 into 2 */
    { 0x5e0, 0x060 },           /* across tables 2 and 3, up to M_MAX_MAPPED */
};

#define M_DEFAULT_OPS   100000UL
/* Besides the pages each step touches, all of RAM is compared this often. */
#define M_FULL_CHECK    128
#define M_INFLIGHT      2
#define M_LOG           32
#define M_LOG_LEN       200
/* The rules' continuation granularity (set_mem_type and the sweep). */
#define M_CHUNK         256
/* Ranges per server and type the generator lets a reference set hold. */
#define M_RANGES        12

enum { PH_READ, PH_WRITE };

/* A vCPU of the reference: the access it runs and where it stands. */
struct ref_vcpu {
    bool waiting;               /* an access waits for a write ioreq */
    bool gone;                  /* ...whose server has been destroyed */
    ioservid_t server;
    uint8_t slot;               /* the slot's state, as the DM left it */
    uint8_t seen;               /* the last state the hypervisor saw */
    struct hvm_access a;
    unsigned int rep, phase, off;
    uint8_t rbuf[HVM_ACCESS_MAX_SIZE], wbuf[HVM_ACCESS_MAX_SIZE];
    bool write_needed, unhandled, cmpxchg_ok;
    bool proto_error;           /* its server broke the protocol */
    uint64_t req_addr, req_data;
    unsigned int req_size;
    uint8_t req_dir;            /* IOREQ_READ or IOREQ_WRITE */
    bool req_claim;             /* to the claim's holder, for a typed page */
    bool retry;                 /* the guest must re-execute retry_a */
    struct hvm_access retry_a;
};

/* Sorted, disjoint, non-adjacent inclusive ranges (Xen's rangeset). */
struct ref_rangeset {
    unsigned int nr;
    struct {
        uint64_t s, e;
    } r[M_RANGES];
};

struct ref_server {
    bool exists, enabled;
    domid_t emulator;
    struct ref_rangeset range[XEN_DMOP_IO_RANGE_PCI + 1];
    /*
     * A slot can take a request if its state is NONE and it holds its
     * vCPU's port, which enabling the server writes (ioreq.h).
     */
    bool bad_state[M_VCPUS];    /* the DM wrote a state on an idle slot */
    bool port_ok[M_VCPUS];
};

struct ref {
    uint8_t type[M_CHECK_GFNS];     /* effective p2m type */
    bool stale[M_CHECK_GFNS];
    bool dirty[M_NR_GFNS];
    uint8_t *ram;                   /* M_NR_GFNS pages */
    bool claimed;
    ioservid_t holder;
    unsigned long typed;            /* gfns whose type is ioreq_server */
    bool logdirty;
    struct ref_server server[MAX_NR_IOREQ_SERVERS];
    struct ref_vcpu vcpu[M_VCPUS];
};

/* A DMOP whose continuation is pending while other operations run. */
struct inflight {
    bool busy;
    const struct caller *caller;
    struct xen_dm_op op;
};

struct model {
    struct harness h;
    struct ref ref;
    uint64_t rng;
    uint64_t seed;
    unsigned long step, nr_ops;
    bool trace;
    struct caller stranger;     /* a DM domain with another target */
    struct caller self;         /* the guest itself */
    struct inflight fl[M_INFLIGHT];
    unsigned long touched[16];
    unsigned int nr_touched;
    bool touched_all;
    char log[M_LOG][M_LOG_LEN];
    unsigned long nr_log;
    struct {
        unsigned long accesses, ioreqs, answers, retries, broken;
        unsigned long claims, releases, destroys_holder, refused;
        unsigned long set_mem_type, pages_typed, restarts, stashed;
        unsigned long set_mem_type_restarts, range_ioreqs, null_chunks;
        unsigned long logdirty_on, max_typed, stale_seen;
        unsigned long steps_claimed, steps_typed_logdirty, typed_sum;
    } stats;
};

/* --- randomness: splitmix64, so that a seed replays exactly ----------- */

static uint64_t rnd(struct model *m)
{
    uint64_t z = (m->rng += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* In [0, n); the modulo bias is irrelevant for n this small. */
static uint64_t below(struct model *m, uint64_t n)
{
    return rnd(m) % n;
}

static bool chance(struct model *m, unsigned int percent)
{
    return below(m, 100) < percent;
}

/* --- reporting -------------------------------------------------------- */

static void note(struct model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record what a step did; the last M_LOG lines are printed on failure. */
static void note(struct model *m, const char *fmt, ...)
{
    char *s = m->log[m->nr_log++ % M_LOG];
    int n = snprintf(s, M_LOG_LEN, "%lu: ", m->step);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s + n, M_LOG_LEN - n, fmt, ap);
    va_end(ap);
    if (m->trace)
        printf("# %s\n", s);
}

static void model_fail(struct model *m, const char *file, int line,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));

/*
 * A crash inside the core (one of its assertions, a sanitizer's report,
 * a write to guest RAM it had no business making) must still say which
 * seed and step to replay.  A signal handler or a sanitizer callback can
 * reach the run only through a global: this is the one piece of global
 * state here, set while a run is in progress.
 */
static const int crash_signals[] = { SIGABRT, SIGSEGV, SIGBUS };

static struct {
    const struct model *m;
    /* cmocka's handlers, chained */
    struct sigaction cmocka[ARRAY_SIZE(crash_signals)];
} crash;

static void say(const char *s)
{
    ssize_t r = write(STDOUT_FILENO, s, strlen(s));

    (void)r;
}

static void crash_report(void)
{
    const struct model *m = crash.m;
    char buf[M_LOG_LEN + 96];
    unsigned long i;

    if (!m)
        return;
    crash.m = NULL;
    fflush(stdout);             /* dying anyway: keep the output in order */
    say("# last operations (step: what):\n");
    for (i = m->nr_log > M_LOG ? m->nr_log - M_LOG : 0; i < m->nr_log; i++) {
        snprintf(buf, sizeof(buf), "#   %s\n", m->log[i % M_LOG]);
        say(buf);
    }
    snprintf(buf, sizeof(buf), "# CRASHED in the core: seed %" PRIu64
             " at step %lu (replay: MODEL_SEED=%" PRIu64 ")\n", m->seed,
             m->step, m->seed);
    say(buf);
}

static void on_signal(int sig)
{
    unsigned int i;

    crash_report();
    for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
        if (crash_signals[i] == sig &&
            crash.cmocka[i].sa_handler != SIG_DFL &&
            crash.cmocka[i].sa_handler != SIG_IGN)
            crash.cmocka[i].sa_handler(sig);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void crash_watch(const struct model *m)
{
    struct sigaction sa = { .sa_handler = on_signal };
    unsigned int i;

    sigemptyset(&sa.sa_mask);
    crash.m = m;
    for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
        sigaction(crash_signals[i], &sa, &crash.cmocka[i]);
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_set_death_callback(crash_report);
#endif
}

static void crash_unwatch(void)
{
    unsigned int i;

    if (!crash.m)
        return;
    crash.m = NULL;
    for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
        sigaction(crash_signals[i], &crash.cmocka[i], NULL);
}

static void model_fail(struct model *m, const char *file, int line,
                       const char *fmt, ...)
{
    unsigned long i = m->nr_log > M_LOG ? m->nr_log - M_LOG : 0;
    va_list ap;

    crash_unwatch();
    printf("# last operations (step: what):\n");
    for (; i < m->nr_log; i++)
        printf("#   %s\n", m->log[i % M_LOG]);
    printf("# step %lu: ", m->step);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n# FAILED: seed %" PRIu64 " at step %lu "
           "(replay: MODEL_SEED=%" PRIu64 ")\n", m->seed, m->step, m->seed);
    fflush(stdout);
    _fail(file, line);
    abort();                    /* _fail does not return */
}

#define CHECK(m, cond, ...)                                             \
    do {                                                                \
        if (!(cond))                                                    \
            model_fail(m, __FILE__, __LINE__, __VA_ARGS__);             \
    } while (0)

static const char *type_name(unsigned int t)
{
    switch (t) {
    case p2m_ram_rw:
        return "ram_rw";
    case p2m_invalid:
        return "invalid";
    case p2m_ram_logdirty:
        return "logdirty";
    case p2m_ram_ro:
        return "ram_ro";
    case p2m_mmio_dm:
        return "mmio_dm";
    case p2m_ioreq_server:
        return "ioreq_server";
    default:
        return "?";
    }
}

static const char *caller_name(const struct model *m, const struct caller *c)
{
    if (c == &m->h.dom0)
        return "dom0";
    if (c == &m->h.dm)
        return "dm";
    if (c == &m->h.other_dm)
        return "other_dm";
    if (c == &m->stranger)
        return "stranger";
    return "guest";
}

/* --- little-endian bytes ---------------------------------------------- */

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
    uint64_t v = 0;
    unsigned int i;

    for (i = 0; i < n && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
    unsigned int i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t mask_of(unsigned int size)
{
    return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* --- the reference: types ---------------------------------------------- */

static uint8_t ref_type(const struct ref *r, uint64_t gfn)
{
    return gfn < M_CHECK_GFNS ? r->type[gfn] : p2m_invalid;
}

static bool ref_is_ram(uint8_t t)
{
    return t == p2m_ram_rw || t == p2m_ram_logdirty || t == p2m_ram_ro ||
           t == p2m_ioreq_server;
}

/* Types a global change recalculates (spec 3.8). */
static bool ref_changeable(uint8_t t)
{
    return t == p2m_ram_rw || t == p2m_ram_logdirty ||
           t == p2m_ioreq_server;
}

/* HVMOP_get_mem_type's mapping, in the spec's order (3.14). */
static unsigned int ref_hvmmem(uint8_t t)
{
    switch (t) {
    case p2m_mmio_dm:
        return HVMMEM_mmio_dm;
    case p2m_ioreq_server:
        return HVMMEM_ioreq_server;
    case p2m_ram_ro:
    case p2m_ram_logdirty:
        return HVMMEM_ram_ro;
    case p2m_ram_rw:
        return HVMMEM_ram_rw;
    default:
        return HVMMEM_mmio_dm;
    }
}

/* set_mem_type's allow_p2m_type_change (spec 3.3). */
static bool ref_allowed(uint8_t ot, uint8_t nt)
{
    if (nt == p2m_ioreq_server)
        return ot == p2m_ram_rw;
    if (ot == p2m_ioreq_server)
        return nt == p2m_ram_rw;
    if (ot == p2m_ram_rw || ot == p2m_ram_logdirty || ot == p2m_ram_ro)
        return true;
    return (ot == p2m_invalid || ot == p2m_mmio_dm) && nt == p2m_mmio_dm;
}

/* The plain-RAM type of the current log-dirty mode. */
static uint8_t ref_ram_type(const struct ref *r)
{
    return r->logdirty ? p2m_ram_logdirty : p2m_ram_rw;
}

/* An explicit write of one entry: whatever it held, it now holds t. */
static void ref_write_type(struct ref *r, uint64_t gfn, uint8_t t)
{
    if (r->type[gfn] == p2m_ioreq_server)
        r->typed--;
    if (t == p2m_ioreq_server)
        r->typed++;
    r->type[gfn] = t;
    r->stale[gfn] = false;
}

/*
 * A global type change: every changeable entry becomes plain RAM of the
 * current mode, except typed entries while the claim is held (spec 3.8,
 * p2m_recalc_type_range).  Entries that lose ioreq_server are stale until
 * a sweep is known to have reached them.
 */
static void ref_global_recalc(struct ref *r)
{
    unsigned long gfn;

    for (gfn = 0; gfn < M_CHECK_GFNS; gfn++) {
        uint8_t t = r->type[gfn];

        if (!ref_changeable(t) || (t == p2m_ioreq_server && r->claimed))
            continue;
        if (t == p2m_ioreq_server) {
            r->typed--;
            r->stale[gfn] = true;
        }
        r->type[gfn] = ref_ram_type(r);
    }
}

static void ref_clear_stale(struct ref *r, uint64_t first, uint64_t end)
{
    for (; first < end && first < M_CHECK_GFNS; first++)
        r->stale[first] = false;
}

static bool ref_any_stale(const struct ref *r)
{
    unsigned long gfn;

    for (gfn = 0; gfn < M_CHECK_GFNS; gfn++)
        if (r->stale[gfn])
            return true;
    return false;
}

/*
 * entry_count as the rules use it (claim and log-dirty refusals).  Without
 * stale entries it is the number of typed gfns.  With some, how many the
 * core has resolved so far depends on its laziness; its count is taken,
 * which check_step bounds every step (stored typed entries are typed or
 * stale, and the count matches them).
 */
static unsigned long ref_entry_count(const struct model *m)
{
    if (!ref_any_stale(&m->ref))
        return m->ref.typed;
    return m->h.d->p2m.ioreq.entry_count;
}

/* A full release: claim dropped, every typed entry reset and swept. */
static void ref_release_all(struct ref *r)
{
    r->claimed = false;
    if (r->typed)
        ref_global_recalc(r);
    ref_clear_stale(r, 0, M_CHECK_GFNS);
}

/* Server id goes (destroy, or a protocol breach): ours, a full release. */
static void ref_server_teardown(struct model *m, ioservid_t id)
{
    struct ref *r = &m->ref;
    unsigned int vi;

    if (r->claimed && r->holder == id) {
        ref_release_all(r);
        m->stats.destroys_holder++;
    }
    r->server[id].exists = false;
    for (vi = 0; vi < M_VCPUS; vi++)
        if (r->vcpu[vi].waiting && r->vcpu[vi].server == id)
            r->vcpu[vi].gone = true;
}

/*
 * --- pages touched this step ---------------------------------------------
 *
 * Between steps the core's copy of guest RAM is read-only.  A step opens
 * the pages it may legitimately write (those its access, answer or
 * hypercall addresses) before running, compares them with the reference's
 * after, and closes them again: a write anywhere else faults at once, so
 * all of RAM is checked every step.
 */

static void ram_protect(struct model *m, unsigned long gfn, unsigned long nr,
                        bool writable)
{
    int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;

    CHECK(m, !mprotect((uint8_t *)m->h.ram + gfn * PAGE_SIZE, nr * PAGE_SIZE,
                       prot), "mprotect of guest RAM failed");
}

static void touch(struct model *m, uint64_t gpa, uint64_t len)
{
    uint64_t gfn, last;
    unsigned int i;

    if (len == 0 || m->touched_all)
        return;
    last = gpa + (len - 1) < gpa ? UINT64_MAX : (gpa + len - 1) >> PAGE_SHIFT;
    for (gfn = gpa >> PAGE_SHIFT; gfn <= last && gfn <= M_MAX_GFN; gfn++) {
        for (i = 0; i < m->nr_touched && m->touched[i] != gfn; i++)
            ;
        if (i < m->nr_touched)
            continue;
        if (m->nr_touched == ARRAY_SIZE(m->touched)) {
            m->touched_all = true;
            ram_protect(m, 0, M_NR_GFNS, true);
            return;
        }
        m->touched[m->nr_touched++] = gfn;
        ram_protect(m, gfn, 1, true);
    }
}

static void touch_access(struct model *m, const struct hvm_access *a)
{
    touch(m, a->gpa, (uint64_t)a->size * (a->reps ? a->reps : 1));
}

/* --- the reference: rangesets and server selection (spec 3.6) ---------- */

static bool rs_overlaps(const struct ref_rangeset *rs, uint64_t s, uint64_t e)
{
    unsigned int i;

    for (i = 0; i < rs->nr; i++)
        if (rs->r[i].s <= e && s <= rs->r[i].e)
            return true;
    return false;
}

static bool rs_contains(const struct ref_rangeset *rs, uint64_t s, uint64_t e)
{
    unsigned int i;

    for (i = 0; i < rs->nr; i++)
        if (rs->r[i].s <= s && e <= rs->r[i].e)
            return true;
    return false;
}

/* Insert [s, e] in order; the caller made sure there is room. */
static void rs_insert(struct ref_rangeset *rs, uint64_t s, uint64_t e)
{
    unsigned int i = rs->nr;

    for (; i > 0 && rs->r[i - 1].s > s; i--)
        rs->r[i] = rs->r[i - 1];
    rs->r[i].s = s;
    rs->r[i].e = e;
    rs->nr++;
}

static void rs_drop(struct ref_rangeset *rs, unsigned int i)
{
    memmove(&rs->r[i], &rs->r[i + 1], (rs->nr - i - 1) * sizeof(rs->r[0]));
    rs->nr--;
}

/* Add [s, e], which overlaps nothing, merging it with its neighbours. */
static void rs_add(struct ref_rangeset *rs, uint64_t s, uint64_t e)
{
    unsigned int i = 0;

    while (i < rs->nr) {
        if (rs->r[i].e != UINT64_MAX && rs->r[i].e + 1 == s) {
            s = rs->r[i].s;
            rs_drop(rs, i);
        } else if (e != UINT64_MAX && e + 1 == rs->r[i].s) {
            e = rs->r[i].e;
            rs_drop(rs, i);
        } else {
            i++;
        }
    }
    rs_insert(rs, s, e);
}

/* Remove [s, e], which one range contains. */
static void rs_remove(struct ref_rangeset *rs, uint64_t s, uint64_t e)
{
    unsigned int i;

    for (i = 0; i < rs->nr; i++) {
        uint64_t rs_s = rs->r[i].s, rs_e = rs->r[i].e;

        if (rs_s <= s && e <= rs_e) {
            rs_drop(rs, i);
            if (rs_s < s)
                rs_insert(rs, rs_s, s - 1);
            if (e < rs_e)
                rs_insert(rs, e + 1, rs_e);
            return;
        }
    }
}

/*
 * The server for an MMIO access of [addr, addr + size - 1] outside RAM:
 * the enabled one whose MMIO ranges hold it, newest id first; -1 for the
 * null handler.
 */
static int ref_select(const struct ref *r, uint64_t addr, unsigned int size)
{
    int id;

    for (id = MAX_NR_IOREQ_SERVERS - 1; id >= 0; id--)
        if (r->server[id].exists && r->server[id].enabled &&
            rs_contains(&r->server[id].range[XEN_DMOP_IO_RANGE_MEMORY],
                        addr, addr + size - 1))
            return id;
    return -1;
}

/* --- the reference: guest accesses (emulate.h, DESIGN.md section 4) ---- */

static bool ref_access_valid(const struct hvm_access *a)
{
    unsigned int reps = a->reps ? a->reps : 1;
    bool plain = a->size == 1 || a->size == 2 || a->size == 4 ||
                 a->size == 8;
    uint64_t span;

    switch (a->op) {
    case HVM_ACCESS_READ:
        if (!plain || reps != 1)
            return false;
        break;
    case HVM_ACCESS_WRITE:
        if ((!plain && a->size != 16) || reps > HVM_ACCESS_MAX_REPS)
            return false;
        break;
    case HVM_ACCESS_RMW:
        if (!plain || reps != 1 || a->rmw > HVM_RMW_CMPXCHG)
            return false;
        break;
    default:
        return false;
    }
    span = (uint64_t)a->size * reps;
    return a->gpa + (span - 1) >= a->gpa;
}

static void ref_element_start(struct ref_vcpu *v)
{
    const struct hvm_access *a = &v->a;

    v->phase = a->op == HVM_ACCESS_WRITE ? PH_WRITE : PH_READ;
    v->off = 0;
    v->write_needed = a->op != HVM_ACCESS_READ;
    if (a->op == HVM_ACCESS_WRITE) {
        put_le(v->wbuf, a->data[0], MIN(a->size, 8U));
        if (a->size > 8)
            put_le(v->wbuf + 8, a->data[1], a->size - 8);
    }
}

static void ref_vcpu_begin(struct ref_vcpu *v, const struct hvm_access *a)
{
    memset(v, 0, sizeof(*v));
    v->a = *a;
    ref_element_start(v);
}

/* The largest power of two not above n, at most 8 (an ioreq's size). */
static unsigned int ioreq_chunk(unsigned int n)
{
    unsigned int c = 8;

    while (c > n)
        c >>= 1;
    return c;
}

/*
 * The current part goes to server id as an ioreq of one chunk; -EPROTO
 * and a retry instead if the slot is not ready for it (the DM scribbled on
 * it, or never enabled the server): ours, the server is torn down.
 */
static enum hvm_access_status ref_request(struct model *m, struct ref_vcpu *v,
                                          ioservid_t id, bool claim,
                                          uint64_t addr, unsigned int piece)
{
    struct ref *r = &m->ref;

    if (r->server[id].bad_state[v - r->vcpu] ||
        !r->server[id].port_ok[v - r->vcpu]) {
        v->proto_error = true;
        ref_server_teardown(m, id);
        return HVM_ACCESS_RETRY;
    }
    v->server = id;
    v->req_claim = claim;
    v->req_addr = addr;
    v->req_size = ioreq_chunk(MIN(piece, 8U));
    v->req_dir = v->phase == PH_WRITE ? IOREQ_WRITE : IOREQ_READ;
    v->req_data = v->req_dir == IOREQ_WRITE
                  ? get_le(v->wbuf + v->off, v->req_size) : 0;
    return HVM_ACCESS_IOREQ;
}

/*
 * Carry the current phase of the current element, part by part (split at
 * page boundaries), each part routed by its page's type now.
 */
static enum hvm_access_status ref_phase(struct model *m, struct ref_vcpu *v,
                                        uint64_t gpa)
{
    struct ref *r = &m->ref;
    bool write = v->phase == PH_WRITE;

    while (v->off < v->a.size) {
        uint64_t addr = gpa + v->off;
        unsigned int piece = MIN(v->a.size - v->off,
                                 (unsigned int)(PAGE_SIZE -
                                                PAGE_OFFSET(addr)));
        uint64_t gfn = addr >> PAGE_SHIFT;
        bool ram = false;

        switch (ref_type(r, gfn)) {
        case p2m_ram_logdirty:
            /* The first write marks the page dirty and makes it writable. */
            if (write) {
                r->dirty[gfn] = true;
                ref_write_type(r, gfn, p2m_ram_rw);
            }
            ram = true;
            break;
        case p2m_ram_rw:
            ram = true;
            break;
        case p2m_ram_ro:
            ram = !write;       /* writes are dropped */
            break;
        case p2m_ioreq_server:
            /* Plain reads go to RAM, claimed or not. */
            if (v->a.op == HVM_ACCESS_READ) {
                ram = true;
                break;
            }
            /* No claim: a release is under way; re-execute later. */
            if (!r->claimed)
                return HVM_ACCESS_RETRY;
            /* The read half of a read-modify-write is served from RAM. */
            if (!write) {
                ram = true;
                break;
            }
            /* Range-based selection is bypassed: the holder is asked. */
            return ref_request(m, v, r->holder, true, addr, piece);
        default: {
            unsigned int chunk = ioreq_chunk(MIN(piece, 8U));
            int id = ref_select(r, addr, chunk);

            if (id >= 0)
                return ref_request(m, v, id, false, addr, piece);
            /*
             * Xen's null handler takes this chunk: reads all ones, writes
             * dropped; the next chunk is routed on its own.
             */
            if (!write)
                memset(v->rbuf + v->off, 0xff, chunk);
            v->unhandled = true;
            v->off += chunk;
            m->stats.null_chunks++;
            continue;
        }
        }
        if (ram && write)
            memcpy(r->ram + addr, v->wbuf + v->off, piece);
        else if (ram)
            memcpy(v->rbuf + v->off, r->ram + addr, piece);
        v->off += piece;
    }
    return HVM_ACCESS_DONE;
}

/* Between the halves of a read-modify-write: what to write, if anything. */
static void ref_compute(struct ref_vcpu *v)
{
    const struct hvm_access *a = &v->a;
    uint64_t mask = mask_of(a->size);
    uint64_t old = get_le(v->rbuf, a->size);
    uint64_t arg = a->data[0] & mask;
    uint64_t nv = old;

    if (a->op != HVM_ACCESS_RMW)
        return;
    switch (a->rmw) {
    case HVM_RMW_ADD:
        nv = (old + arg) & mask;
        break;
    case HVM_RMW_OR:
        nv = old | arg;
        break;
    case HVM_RMW_AND:
        nv = old & arg;
        break;
    case HVM_RMW_XOR:
        nv = old ^ arg;
        break;
    case HVM_RMW_XCHG:
        nv = arg;
        break;
    case HVM_RMW_CMPXCHG:
        /* Compared against RAM; a mismatch writes nothing. */
        v->cmpxchg_ok = old == (a->cmp & mask);
        v->write_needed = v->cmpxchg_ok;
        nv = arg;
        break;
    }
    put_le(v->wbuf, nv, a->size);
}

static enum hvm_access_status ref_run(struct model *m, struct ref_vcpu *v)
{
    unsigned int reps = v->a.reps ? v->a.reps : 1;
    enum hvm_access_status st;

    while (v->rep < reps) {
        uint64_t gpa = v->a.gpa + (uint64_t)v->rep * v->a.size;

        if (v->phase == PH_READ) {
            st = ref_phase(m, v, gpa);
            if (st != HVM_ACCESS_DONE)
                return st;
            ref_compute(v);
            v->phase = PH_WRITE;
            v->off = 0;
        }
        if (v->write_needed) {
            st = ref_phase(m, v, gpa);
            if (st != HVM_ACCESS_DONE)
                return st;
        }
        if (++v->rep < reps)
            ref_element_start(v);
    }
    return HVM_ACCESS_DONE;
}

/* --- the device model's view of a slot --------------------------------- */

static ioreq_t *slot_of(struct model *m, ioservid_t id, unsigned int vi)
{
    const unsigned int frame = XENMEM_resource_ioreq_server_frame_ioreq(0);
    void *page = NULL;
    int rc = ioreq_server_get_frame(m->h.d, id, m->ref.server[id].emulator,
                                    frame, &page);

    CHECK(m, rc == 0, "server %u: its ioreq page: rc %d", id, rc);
    return &((shared_iopage_t *)page)->vcpu_ioreq[vi];
}

/* The request in the slot is the one the reference expects. */
static void check_request(struct model *m, unsigned int vi,
                          const ioreq_t *s)
{
    const struct ref_vcpu *v = &m->ref.vcpu[vi];

    CHECK(m, s->state == v->slot && s->addr == v->req_addr &&
             s->size == v->req_size && s->dir == v->req_dir &&
             (s->dir == IOREQ_READ || s->data == v->req_data) &&
             s->count == 1 && s->type == IOREQ_TYPE_COPY &&
             !s->data_is_ptr && !s->df,
          "vcpu %u slot on server %u: state %u addr %#" PRIx64
          " size %u dir %u data %#" PRIx64 " count %u type %u ptr %u; "
          "expected state %u %u bytes dir %u %#" PRIx64 " at %#" PRIx64,
          vi, v->server, s->state, s->addr, s->size, s->dir, s->data,
          s->count, s->type, s->data_is_ptr, v->slot, v->req_size,
          v->req_dir, v->req_data, v->req_addr);
}

/*
 * Compare the core's account of an access (or of its continuation) with
 * the reference's, then settle the reference vCPU: waiting, finished, or
 * to be re-executed by the guest.
 */
static void settle(struct model *m, unsigned int vi, const char *what,
                   int rc, int want_rc, const struct hvm_access_result *res,
                   enum hvm_access_status st)
{
    static const char *const sname[] = { "done", "ioreq", "retry" };
    struct ref_vcpu *v = &m->ref.vcpu[vi];
    uint64_t want_value = get_le(v->rbuf, MIN(v->a.size, 8U));

    note(m, "  %s vcpu %u: rc %d %s, expected rc %d %s", what, vi, rc,
         sname[res->status % 3], want_rc, sname[st]);
    CHECK(m, rc == want_rc && res->status == st,
          "%s vcpu %u: rc %d status %s, expected rc %d status %s",
          what, vi, rc, sname[res->status % 3], want_rc, sname[st]);
    CHECK(m, res->reps_done == v->rep, "%s vcpu %u: reps_done %u, "
          "expected %u", what, vi, res->reps_done, v->rep);

    switch (st) {
    case HVM_ACCESS_DONE:
        CHECK(m, v->a.op == HVM_ACCESS_WRITE || res->value == want_value,
              "%s vcpu %u: value %#" PRIx64 ", expected %#" PRIx64,
              what, vi, res->value, want_value);
        CHECK(m, v->a.op != HVM_ACCESS_RMW || v->a.rmw != HVM_RMW_CMPXCHG ||
                 res->cmpxchg_ok == v->cmpxchg_ok,
              "%s vcpu %u: cmpxchg_ok %d, expected %d", what, vi,
              res->cmpxchg_ok, v->cmpxchg_ok);
        CHECK(m, res->unhandled == v->unhandled,
              "%s vcpu %u: unhandled %d, expected %d", what, vi,
              res->unhandled, v->unhandled);
        memset(v, 0, sizeof(*v));
        break;
    case HVM_ACCESS_IOREQ: {
        ioreq_t *slot;

        CHECK(m, res->server == v->server && res->sent,
              "%s vcpu %u: asked server %u (sent %d), expected %u", what, vi,
              res->server, res->sent, v->server);
        v->waiting = true;
        v->slot = STATE_IOREQ_READY;
        v->seen = STATE_IOREQ_READY;
        slot = slot_of(m, v->server, vi);
        check_request(m, vi, slot);
        CHECK(m, res->port == slot->vp_eport, "%s vcpu %u: port %u, slot "
              "says %u", what, vi, res->port, slot->vp_eport);
        m->stats.ioreqs++;
        m->stats.range_ioreqs += !v->req_claim;
        break;
    }
    case HVM_ACCESS_RETRY: {
        struct hvm_access a = v->a;

        /* The guest re-executes what is left (a rep store resumes). */
        if (v->rep) {
            a.gpa += (uint64_t)v->rep * a.size;
            a.reps -= v->rep;
        }
        memset(v, 0, sizeof(*v));
        v->retry = true;
        v->retry_a = a;
        m->stats.retries++;
        break;
    }
    }
}

/* --- generators -------------------------------------------------------- */

static unsigned long pick_ram_gfn(struct model *m)
{
    unsigned int b = below(m, ARRAY_SIZE(ram_blocks));

    return ram_blocks[b].first + below(m, ram_blocks[b].nr);
}

static unsigned long pick_typed_gfn(struct model *m)
{
    unsigned long start = below(m, M_CHECK_GFNS), i;

    if (!m->ref.typed)
        return pick_ram_gfn(m);
    for (i = 0; i < M_CHECK_GFNS; i++) {
        unsigned long gfn = (start + i) % M_CHECK_GFNS;

        if (m->ref.type[gfn] == p2m_ioreq_server)
            return gfn;
    }
    return pick_ram_gfn(m);
}

/* A page at the edge of a RAM block: accesses there run into a hole. */
static unsigned long pick_edge_gfn(struct model *m)
{
    unsigned int b = below(m, ARRAY_SIZE(ram_blocks));

    if (ram_blocks[b].first && chance(m, 50))
        return ram_blocks[b].first - 1;
    return ram_blocks[b].first + ram_blocks[b].nr - 1;
}

/* An address at an edge of some server's MMIO range, if there is one. */
static bool pick_range_edge(struct model *m, unsigned int span,
                            uint64_t *gpa)
{
    unsigned int start = below(m, MAX_NR_IOREQ_SERVERS), i;

    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
        const struct ref_server *s =
            &m->ref.server[(start + i) % MAX_NR_IOREQ_SERVERS];
        const struct ref_rangeset *rs =
            &s->range[XEN_DMOP_IO_RANGE_MEMORY];
        uint64_t edge, back;
        unsigned int k;

        if (!s->exists || !rs->nr)
            continue;
        k = below(m, rs->nr);
        edge = chance(m, 50) ? rs->r[k].s : rs->r[k].e + 1;
        back = below(m, span + 1);
        *gpa = edge >= back ? edge - back : 0;
        return true;
    }
    return false;
}

/* Offsets cluster so that accesses meet each other's data. */
static uint64_t pick_gpa(struct model *m, unsigned int span)
{
    unsigned int r = below(m, 100);
    unsigned long gfn;
    unsigned int off;
    uint64_t gpa;

    if (r < 42)
        gfn = pick_typed_gfn(m);
    else if (r < 75)
        gfn = pick_ram_gfn(m);
    else if (r < 85)
        gfn = pick_edge_gfn(m);
    else if (r < 92 && pick_range_edge(m, span, &gpa))
        return gpa;
    else
        gfn = below(m, M_CHECK_GFNS + 2);

    r = below(m, 100);
    if (r < 50)
        off = 8 * below(m, 8) + (chance(m, 20) ? below(m, 8) : 0);
    else if (r < 85 && span > 1)
        off = PAGE_SIZE - span + 1 + below(m, span - 1);   /* crosses */
    else
        off = below(m, PAGE_SIZE);
    return ((uint64_t)gfn << PAGE_SHIFT) + off;
}

static void gen_access(struct model *m, struct hvm_access *a)
{
    static const unsigned int sizes[] = { 1, 2, 4, 8 };
    unsigned int r = below(m, 100);

    memset(a, 0, sizeof(*a));
    a->size = sizes[below(m, ARRAY_SIZE(sizes))];
    if (r < 30) {
        a->op = HVM_ACCESS_READ;
    } else if (r < 70) {
        a->op = HVM_ACCESS_WRITE;
        if (chance(m, 10))
            a->size = 16;
        if (chance(m, 10))
            a->reps = 2 + below(m, 3);
    } else {
        a->op = HVM_ACCESS_RMW;
        a->rmw = below(m, HVM_RMW_CMPXCHG + 1);
    }
    a->gpa = pick_gpa(m, a->size * (a->reps ? a->reps : 1));
    a->data[0] = rnd(m);
    a->data[1] = rnd(m);
    if (a->op == HVM_ACCESS_RMW && a->rmw == HVM_RMW_CMPXCHG) {
        /* Half the time the compare can succeed. */
        if (chance(m, 50) && a->gpa <= M_NR_GFNS * PAGE_SIZE - a->size) {
            a->cmp = get_le(m->ref.ram + a->gpa, a->size);
            /* Bits above the operand size must not take part. */
            a->cmp |= rnd(m) & ~mask_of(a->size);
        } else {
            a->cmp = rnd(m);
        }
    }
}

static void gen_bad_access(struct model *m, struct hvm_access *a)
{
    gen_access(m, a);
    switch (below(m, 8)) {
    case 0:
        a->size = 3;
        break;
    case 1:
        a->size = 0;
        break;
    case 2:
        a->op = chance(m, 50) ? HVM_ACCESS_READ : HVM_ACCESS_RMW;
        a->size = 16;
        break;
    case 3:
        a->op = HVM_ACCESS_READ;
        a->size = 4;
        a->reps = 2;
        break;
    case 4:
        a->op = HVM_ACCESS_WRITE;
        a->reps = HVM_ACCESS_MAX_REPS + 1;
        break;
    case 5:
        a->op = HVM_ACCESS_RMW;
        a->size = 4;
        a->rmw = HVM_RMW_CMPXCHG + 1;
        break;
    case 6:
        a->op = 3;
        break;
    default:
        a->size = 8;
        a->gpa = UINT64_MAX - below(m, 6);     /* wraps around */
        break;
    }
}

static const struct caller *pick_caller(struct model *m)
{
    unsigned int r = below(m, 100);

    if (r < 50)
        return &m->h.dom0;
    if (r < 75)
        return &m->h.dm;
    if (r < 94)
        return &m->h.other_dm;
    if (r < 97)
        return &m->stranger;
    return &m->self;
}

/* A caller that may operate server id: its creator, mostly. */
static const struct caller *pick_owner(struct model *m, ioservid_t id)
{
    const struct caller *all[] = { &m->h.dom0, &m->h.dm, &m->h.other_dm };
    unsigned int i;

    if (id < MAX_NR_IOREQ_SERVERS && m->ref.server[id].exists &&
        chance(m, 85))
        for (i = 0; i < ARRAY_SIZE(all); i++)
            if (all[i]->domid == m->ref.server[id].emulator)
                return all[i];
    return pick_caller(m);
}

static ioservid_t pick_server(struct model *m, bool holder)
{
    const struct ref *r = &m->ref;
    unsigned int i, start = below(m, MAX_NR_IOREQ_SERVERS);

    if (holder && r->claimed && chance(m, 75))
        return r->holder;
    if (chance(m, 88))
        for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
            unsigned int id = (start + i) % MAX_NR_IOREQ_SERVERS;

            if (r->server[id].exists)
                return id;
        }
    return chance(m, 80) ? below(m, MAX_NR_IOREQ_SERVERS + 2) : 0xffff;
}

/* --- the reference: DMOPs (spec 3.2, 3.3, 3.13, 3.14) ------------------ */

/* dm_op's generic checks: the target exists, is not the caller, XSM. */
static int ref_dmop_gate(const struct caller *c, domid_t domid)
{
    if (domid != H_GUEST)
        return -ESRCH;
    if (c->domid == domid)
        return -EPERM;
    if (!c->is_control && c->target != domid)
        return -EPERM;
    return 0;
}

/* A server the caller may operate: -ENOENT, -EPERM (4.11+). */
static int ref_owned(const struct ref *r, ioservid_t id,
                     const struct caller *c)
{
    if (id >= MAX_NR_IOREQ_SERVERS || !r->server[id].exists)
        return -ENOENT;
    if (r->server[id].emulator != c->domid)
        return -EPERM;
    return 0;
}

static int ref_create(struct model *m, const struct caller *c,
                      struct xen_dm_op_create_ioreq_server *o)
{
    struct ref *r = &m->ref;
    unsigned int id;

    if (o->pad[0] || o->pad[1] || o->pad[2] ||
        o->handle_bufioreq > HVM_IOREQSRV_BUFIOREQ_ATOMIC)
        return -EINVAL;
    /* The lowest free slot. */
    for (id = 0; id < MAX_NR_IOREQ_SERVERS; id++) {
        if (!r->server[id].exists) {
            r->server[id] = (struct ref_server){
                .exists = true, .emulator = c->domid,
            };
            o->id = id;
            return 0;
        }
    }
    return -ENOSPC;
}

/* The sweep of a release: one call's worth (spec 3.9). */
static int ref_sweep(struct model *m,
                     struct xen_dm_op_map_mem_type_to_ioreq_server *o,
                     bool preempt)
{
    struct ref *r = &m->ref;
    uint64_t first = o->opaque;

    /*
     * The sweep goes from first up, while typed entries remain: what lies
     * below first (a stray continuation) is not its business.
     */
    if (ref_entry_count(m) == 0 || first > M_MAX_MAPPED)
        return 0;
    if (!preempt) {
        ref_clear_stale(r, first, M_CHECK_GFNS);
        return 0;
    }
    /* One chunk, then a continuation if any gfn is left. */
    ref_clear_stale(r, first, first + M_CHUNK);
    first += M_CHUNK;
    if (first > M_MAX_MAPPED)
        return 0;
    o->opaque = first;
    return -ERESTART;
}

static int ref_map_mem_type(struct model *m, const struct caller *c,
                            struct xen_dm_op_map_mem_type_to_ioreq_server *o,
                            bool preempt)
{
    struct ref *r = &m->ref;
    int rc;

    /* A non-zero opaque is a continuation: no checks, no claim change. */
    if (o->opaque == 0) {
        if (o->type != HVMMEM_ioreq_server ||
            (o->flags & ~XEN_DMOP_IOREQ_MEM_ACCESS_WRITE))
            return -EINVAL;
        rc = ref_owned(r, o->id, c);
        if (rc)
            return rc;
        if (o->flags) {
            if (r->claimed || ref_entry_count(m))
                return -EBUSY;
            r->claimed = true;
            r->holder = o->id;
            ref_clear_stale(r, 0, M_CHECK_GFNS);
            m->stats.claims++;
            return 0;
        }
        if (!r->claimed || r->holder != o->id)
            return -EINVAL;
        r->claimed = false;
        m->stats.releases++;
        if (r->typed)
            ref_global_recalc(r);
    }
    if (o->flags)
        return 0;
    return ref_sweep(m, o, preempt);
}

static int ref_set_mem_type(struct model *m,
                            struct xen_dm_op_set_mem_type *o, bool preempt)
{
    static const uint8_t to_p2m[] = {
        [HVMMEM_ram_rw] = p2m_ram_rw,
        [HVMMEM_ram_ro] = p2m_ram_ro,
        [HVMMEM_mmio_dm] = p2m_mmio_dm,
        [HVMMEM_ioreq_server] = p2m_ioreq_server,
    };
    struct ref *r = &m->ref;
    uint64_t last = o->first_pfn + o->nr - 1;
    uint32_t i;
    uint8_t nt;

    if (o->pad)
        return -EINVAL;
    if (o->first_pfn > last || last > M_MAX_MAPPED)
        return -EINVAL;
    if (o->mem_type > HVMMEM_ioreq_server || o->mem_type == HVMMEM_unused)
        return -EINVAL;
    nt = to_p2m[o->mem_type];
    if (nt == p2m_ioreq_server && !r->claimed)
        return -EINVAL;

    for (i = 0; i < o->nr; i++) {
        uint64_t gfn = o->first_pfn + i;

        /* The first refused page stops it; pages before it stay done. */
        if (!ref_allowed(r->type[gfn], nt))
            return -EINVAL;
        if (nt == p2m_ioreq_server)
            m->stats.pages_typed++;
        ref_write_type(r, gfn, nt);
        if (i + 1 < o->nr && (i + 1) % M_CHUNK == 0 && preempt) {
            o->first_pfn += i + 1;
            o->nr -= i + 1;
            return -ERESTART;
        }
    }
    return 0;
}

static int ref_dmop(struct model *m, const struct caller *c, domid_t domid,
                    struct xen_dm_op *op, bool preempt)
{
    struct ref *r = &m->ref;
    int rc = ref_dmop_gate(c, domid);
    unsigned int vi;

    if (rc)
        return rc;
    if (op->pad)
        return -EINVAL;
    switch (op->op) {
    case XEN_DMOP_create_ioreq_server:
        return ref_create(m, c, &op->u.create_ioreq_server);
    case XEN_DMOP_destroy_ioreq_server: {
        const struct xen_dm_op_destroy_ioreq_server *o =
            &op->u.destroy_ioreq_server;

        if (o->pad)
            return -EINVAL;
        rc = ref_owned(r, o->id, c);
        if (!rc)
            ref_server_teardown(m, o->id);
        return rc;
    }
    case XEN_DMOP_set_ioreq_server_state: {
        const struct xen_dm_op_set_ioreq_server_state *o =
            &op->u.set_ioreq_server_state;

        if (o->pad)
            return -EINVAL;
        rc = ref_owned(r, o->id, c);
        if (rc)
            return rc;
        /* Enabling (again) writes every slot's port. */
        if (o->enabled && !r->server[o->id].enabled)
            for (vi = 0; vi < M_VCPUS; vi++)
                r->server[o->id].port_ok[vi] = true;
        r->server[o->id].enabled = o->enabled;
        return 0;
    }
    case XEN_DMOP_map_io_range_to_ioreq_server:
    case XEN_DMOP_unmap_io_range_from_ioreq_server: {
        const struct xen_dm_op_ioreq_server_range *o =
            &op->u.map_io_range_to_ioreq_server;
        struct ref_rangeset *rs;

        if (o->pad || o->start > o->end)    /* XSA-238 */
            return -EINVAL;
        rc = ref_owned(r, o->id, c);
        if (rc)
            return rc;
        if (o->type > XEN_DMOP_IO_RANGE_PCI)
            return -EINVAL;
        rs = &r->server[o->id].range[o->type];
        if (op->op == XEN_DMOP_map_io_range_to_ioreq_server) {
            if (rs_overlaps(rs, o->start, o->end))
                return -EEXIST;
            rs_add(rs, o->start, o->end);
            return 0;
        }
        if (!rs_contains(rs, o->start, o->end))
            return -ENOENT;
        rs_remove(rs, o->start, o->end);
        return 0;
    }
    case XEN_DMOP_set_mem_type:
        return ref_set_mem_type(m, &op->u.set_mem_type, preempt);
    case XEN_DMOP_map_mem_type_to_ioreq_server:
        return ref_map_mem_type(m, c, &op->u.map_mem_type_to_ioreq_server,
                                preempt);
    default:
        return -EOPNOTSUPP;
    }
}

static const char *dmop_name(uint32_t op)
{
    switch (op) {
    case XEN_DMOP_create_ioreq_server:
        return "create";
    case XEN_DMOP_destroy_ioreq_server:
        return "destroy";
    case XEN_DMOP_set_ioreq_server_state:
        return "set_state";
    case XEN_DMOP_map_io_range_to_ioreq_server:
        return "map_io_range";
    case XEN_DMOP_unmap_io_range_from_ioreq_server:
        return "unmap_io_range";
    case XEN_DMOP_set_mem_type:
        return "set_mem_type";
    case XEN_DMOP_map_mem_type_to_ioreq_server:
        return "map_mem_type";
    default:
        return "dmop";
    }
}

static void describe_dmop(const struct xen_dm_op *op, char *buf, size_t n)
{
    switch (op->op) {
    case XEN_DMOP_create_ioreq_server:
        snprintf(buf, n, "bufioreq %u id %u",
                 op->u.create_ioreq_server.handle_bufioreq,
                 op->u.create_ioreq_server.id);
        break;
    case XEN_DMOP_destroy_ioreq_server:
        snprintf(buf, n, "id %u", op->u.destroy_ioreq_server.id);
        break;
    case XEN_DMOP_set_ioreq_server_state:
        snprintf(buf, n, "id %u enabled %u", op->u.set_ioreq_server_state.id,
                 op->u.set_ioreq_server_state.enabled);
        break;
    case XEN_DMOP_map_io_range_to_ioreq_server:
    case XEN_DMOP_unmap_io_range_from_ioreq_server:
        snprintf(buf, n, "id %u type %u [%#" PRIx64 ", %#" PRIx64 "]",
                 op->u.map_io_range_to_ioreq_server.id,
                 op->u.map_io_range_to_ioreq_server.type,
                 op->u.map_io_range_to_ioreq_server.start,
                 op->u.map_io_range_to_ioreq_server.end);
        break;
    case XEN_DMOP_set_mem_type:
        snprintf(buf, n, "type %u first %#" PRIx64 " nr %#x pad %u",
                 op->u.set_mem_type.mem_type, op->u.set_mem_type.first_pfn,
                 op->u.set_mem_type.nr, op->u.set_mem_type.pad);
        break;
    case XEN_DMOP_map_mem_type_to_ioreq_server:
        snprintf(buf, n, "id %u type %u flags %#x opaque %#" PRIx64,
                 op->u.map_mem_type_to_ioreq_server.id,
                 op->u.map_mem_type_to_ioreq_server.type,
                 op->u.map_mem_type_to_ioreq_server.flags,
                 op->u.map_mem_type_to_ioreq_server.opaque);
        break;
    default:
        snprintf(buf, n, "op %u", op->op);
        break;
    }
}

/*
 * One call of a DMOP on both sides: the reference predicts the result and
 * the progress written back from a copy of op, then the core runs it.
 */
static int dmop_call(struct model *m, const struct caller *c, domid_t domid,
                     struct xen_dm_op *op)
{
    struct xen_dm_op want = *op;
    bool preempt = m->h.always_preempt;
    char before[96], after[96], expected[96];
    int want_rc, rc;

    describe_dmop(op, before, sizeof(before));
    note(m, "%s (%s) by %s to d%u%s", dmop_name(op->op), before,
         caller_name(m, c), domid, preempt ? ", preempting" : "");
    want_rc = ref_dmop(m, c, domid, &want, preempt);
    rc = h_dm_op_once(&m->h, c, domid, op);
    describe_dmop(op, after, sizeof(after));
    describe_dmop(&want, expected, sizeof(expected));
    note(m, "  rc %d, expected %d; now (%s)", rc, want_rc, after);
    CHECK(m, rc == want_rc, "%s (%s): rc %d, expected %d",
          dmop_name(op->op), before, rc, want_rc);
    CHECK(m, memcmp(&op->u, &want.u, sizeof(op->u)) == 0,
          "%s: written back (%s), expected (%s)", dmop_name(op->op), after,
          expected);
    if (rc == -ERESTART)
        m->stats.restarts++;
    if (rc == -ERESTART && op->op == XEN_DMOP_set_mem_type)
        m->stats.set_mem_type_restarts++;
    else if (rc && rc != -ERESTART)
        m->stats.refused++;
    return rc;
}

/*
 * Issue op as a host does, call after call while it asks for a
 * continuation; or now and then leave the continuation pending, so that
 * other operations run between its calls, as they can on Xen.
 */
static void dmop_issue(struct model *m, const struct caller *c, domid_t domid,
                       struct xen_dm_op *op)
{
    bool may_stash = chance(m, 40);
    unsigned int i;

    while (dmop_call(m, c, domid, op) == -ERESTART) {
        if (!may_stash)
            continue;
        for (i = 0; i < M_INFLIGHT; i++) {
            if (!m->fl[i].busy) {
                m->fl[i] = (struct inflight){
                    .busy = true, .caller = c, .op = *op,
                };
                m->stats.stashed++;
                return;
            }
        }
    }
}

static domid_t pick_domid(struct model *m)
{
    return chance(m, 98) ? H_GUEST : 3;
}

/* --- operations -------------------------------------------------------- */

static void op_create(struct model *m)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    const struct caller *c = pick_caller(m);
    domid_t domid = pick_domid(m);
    ioservid_t id;

    op.u.create_ioreq_server.handle_bufioreq =
        chance(m, 97) ? below(m, HVM_IOREQSRV_BUFIOREQ_ATOMIC + 1) : 3;
    if (chance(m, 2))
        op.u.create_ioreq_server.pad[below(m, 3)] = 1;
    if (dmop_call(m, c, domid, &op) || chance(m, 15))
        return;
    /* A device model enables what it creates, mostly. */
    id = op.u.create_ioreq_server.id;
    op = (struct xen_dm_op){ .op = XEN_DMOP_set_ioreq_server_state };
    op.u.set_ioreq_server_state.id = id;
    op.u.set_ioreq_server_state.enabled = 1;
    dmop_call(m, c, domid, &op);
}

static void op_destroy(struct model *m)
{
    struct xen_dm_op op = { .op = XEN_DMOP_destroy_ioreq_server };
    ioservid_t id = pick_server(m, chance(m, 15));

    op.u.destroy_ioreq_server.id = id;
    op.u.destroy_ioreq_server.pad = chance(m, 2);
    dmop_issue(m, pick_owner(m, id), pick_domid(m), &op);
}

static void op_set_state(struct model *m)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_ioreq_server_state };
    ioservid_t id = pick_server(m, false);

    op.u.set_ioreq_server_state.id = id;
    op.u.set_ioreq_server_state.enabled = chance(m, 80);
    dmop_issue(m, pick_owner(m, id), pick_domid(m), &op);
}

/*
 * MMIO ranges of a server, mostly in the holes next to RAM and with edges
 * near page boundaries, where an access is split into chunks of which
 * only some lie in the range; sometimes over RAM and typed pages, which
 * must ignore them.  Port and PCI ranges only exercise the bookkeeping.
 */
static void op_io_range(struct model *m, bool map)
{
    struct xen_dm_op op = {
        .op = map ? XEN_DMOP_map_io_range_to_ioreq_server
                  : XEN_DMOP_unmap_io_range_from_ioreq_server,
    };
    struct xen_dm_op_ioreq_server_range *o =
        &op.u.map_io_range_to_ioreq_server;
    unsigned int r = below(m, 100);
    const struct ref_rangeset *rs;
    uint64_t gfn;

    o->id = pick_server(m, false);
    o->type = r < 85 ? XEN_DMOP_IO_RANGE_MEMORY :
              r < 92 ? XEN_DMOP_IO_RANGE_PORT :
              r < 98 ? XEN_DMOP_IO_RANGE_PCI : 3 + below(m, 4);
    if (o->id < MAX_NR_IOREQ_SERVERS && o->type <= XEN_DMOP_IO_RANGE_PCI) {
        rs = &m->ref.server[o->id].range[o->type];
        /* Keep the reference's sets small (a removal may split one). */
        if (rs->nr + 2 > M_RANGES)
            map = false;
        if (!map && rs->nr && chance(m, 75)) {
            /* A piece of an existing range. */
            unsigned int i = below(m, rs->nr);
            uint64_t len = rs->r[i].e - rs->r[i].s;

            op.op = XEN_DMOP_unmap_io_range_from_ioreq_server;
            o->start = rs->r[i].s + (chance(m, 50) ? 0 : below(m, len + 1));
            o->end = chance(m, 50) ? rs->r[i].e
                                   : o->start + below(m, rs->r[i].e -
                                                      o->start + 1);
            goto issue;
        }
    }
    op.op = map ? XEN_DMOP_map_io_range_to_ioreq_server
                : XEN_DMOP_unmap_io_range_from_ioreq_server;
    if (o->type != XEN_DMOP_IO_RANGE_MEMORY) {
        o->start = below(m, 0x10000);
        o->end = o->start + below(m, 16);
    } else {
        r = below(m, 100);
        gfn = r < 60 ? pick_edge_gfn(m) - 1 + below(m, 3) :
              r < 80 ? below(m, M_CHECK_GFNS) : pick_typed_gfn(m);
        r = below(m, 100);
        o->start = (gfn << PAGE_SHIFT) +
                   (r < 50 ? PAGE_SIZE - 1 - below(m, 16) :
                    r < 80 ? 8 * below(m, 8) : 0);
        r = below(m, 100);
        o->end = o->start + (r < 40 ? below(m, 16) :
                             r < 80 ? PAGE_SIZE * (1 + below(m, 2)) - 1 :
                             below(m, 3 * PAGE_SIZE));
    }
    if (chance(m, 3))
        o->end = o->start - 1 - below(m, 4);        /* reversed */
issue:
    o->pad = chance(m, 1);
    dmop_issue(m, pick_owner(m, o->id), pick_domid(m), &op);
}

static void op_map_io_range(struct model *m)
{
    op_io_range(m, true);
}

static void op_unmap_io_range(struct model *m)
{
    op_io_range(m, false);
}

static void op_map_mem_type(struct model *m, bool release)
{
    static const uint32_t bad_flags[] = {
        XEN_DMOP_IOREQ_MEM_ACCESS_READ,
        XEN_DMOP_IOREQ_MEM_ACCESS_READ | XEN_DMOP_IOREQ_MEM_ACCESS_WRITE,
        4, 0x80000000,
    };
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };
    struct xen_dm_op_map_mem_type_to_ioreq_server *o =
        &op.u.map_mem_type_to_ioreq_server;

    o->id = pick_server(m, release);
    o->type = chance(m, 95) ? HVMMEM_ioreq_server : below(m, 6);
    if (release)
        o->flags = 0;
    else if (chance(m, 92))
        o->flags = XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    else
        o->flags = bad_flags[below(m, ARRAY_SIZE(bad_flags))];
    op.pad = chance(m, 1);
    dmop_issue(m, pick_owner(m, o->id), pick_domid(m), &op);
}

/*
 * A map_mem_type call with a non-zero opaque, as only a continuation
 * should make: Xen runs the sweep without any check (flags 0) or does
 * nothing (flags set).  Harmless, but the accounting must survive it.
 */
static void op_stray_continuation(struct model *m)
{
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };
    struct xen_dm_op_map_mem_type_to_ioreq_server *o =
        &op.u.map_mem_type_to_ioreq_server;

    o->id = pick_server(m, false);
    o->type = below(m, 6);
    o->flags = chance(m, 60) ? 0 : XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    o->opaque = 1 + below(m, M_MAX_MAPPED + 300);
    dmop_issue(m, pick_caller(m), H_GUEST, &op);
}

static void op_set_mem_type(struct model *m)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_mem_type };
    struct xen_dm_op_set_mem_type *o = &op.u.set_mem_type;
    unsigned int r = below(m, 100);

    if (r < 50)
        o->mem_type = HVMMEM_ioreq_server;
    else if (r < 74)
        o->mem_type = HVMMEM_ram_rw;
    else if (r < 84)
        o->mem_type = HVMMEM_ram_ro;
    else if (r < 89)
        o->mem_type = HVMMEM_mmio_dm;
    else if (r < 93)
        o->mem_type = HVMMEM_unused;
    else if (r < 96)
        o->mem_type = 5 + below(m, 0xfffb);
    else
        o->mem_type = below(m, 5);

    r = below(m, 100);
    if (r < 35)
        o->first_pfn = pick_ram_gfn(m);
    else if (r < 55)
        o->first_pfn = pick_typed_gfn(m);
    else if (r < 70)
        o->first_pfn = pick_edge_gfn(m) - 2 + below(m, 5);
    else if (r < 85)
        o->first_pfn = below(m, M_MAX_MAPPED + 64);
    else if (r < 93)
        o->first_pfn = M_MAX_MAPPED - 8 +
                       below(m, M_MAX_GFN - M_MAX_MAPPED + 16);
    else
        o->first_pfn = chance(m, 50) ? UINT64_MAX - below(m, 8)
                                     : 1ULL << (32 + below(m, 30));

    r = below(m, 100);
    if (r < 55)
        o->nr = 1 + below(m, 48);
    else if (r < 85)
        o->nr = 1 + below(m, 700);
    else if (r < 91)
        o->nr = 0;
    else if (r < 95)
        o->nr = UINT32_MAX - below(m, 4);
    else if (o->first_pfn <= M_MAX_MAPPED)
        o->nr = M_MAX_MAPPED + 1 - o->first_pfn;    /* to the very end */
    else
        o->nr = 1 + below(m, 64);
    /*
     * mmio_dm is a sink for RAM (nothing turns it back but populating
     * again): short ranges, mostly at the edges of RAM and in holes.
     */
    if (o->mem_type == HVMMEM_mmio_dm) {
        if (chance(m, 80))
            o->first_pfn = pick_edge_gfn(m) + below(m, 16);
        if (o->nr > 8)
            o->nr = 1 + below(m, 8);
    }
    if (chance(m, 8)) {
        /*
         * Long enough for continuations, in the largest block; half the
         * time to its end, over a whole leaf table.
         */
        o->mem_type = chance(m, 50) ? HVMMEM_ram_rw : HVMMEM_ioreq_server;
        o->first_pfn = ram_blocks[1].first + below(m, 64);
        o->nr = chance(m, 50)
                ? ram_blocks[1].first + ram_blocks[1].nr - o->first_pfn
                : M_CHUNK + 1 + below(m, ram_blocks[1].nr - 64 - M_CHUNK);
    }
    o->pad = chance(m, 2);
    m->stats.set_mem_type++;
    dmop_issue(m, pick_caller(m), pick_domid(m), &op);
}

static void op_continue(struct model *m)
{
    unsigned int i = below(m, M_INFLIGHT);
    struct inflight *f = &m->fl[i];

    if (!f->busy)
        f = &m->fl[(i + 1) % M_INFLIGHT];
    if (!f->busy)
        return;
    if (dmop_call(m, f->caller, H_GUEST, &f->op) != -ERESTART)
        f->busy = false;
}

static const char *access_name(const struct hvm_access *a)
{
    static const char *const rmw[] = {
        "add", "or", "and", "xor", "xchg", "cmpxchg",
    };

    switch (a->op) {
    case HVM_ACCESS_READ:
        return "read";
    case HVM_ACCESS_WRITE:
        return "write";
    case HVM_ACCESS_RMW:
        return a->rmw < ARRAY_SIZE(rmw) ? rmw[a->rmw] : "bad rmw";
    default:
        return "bad op";
    }
}

/* vCPU vi (idle) runs its retried access, or a new one. */
static void access_on(struct model *m, unsigned int vi, bool may_be_bad)
{
    struct ref_vcpu *v = &m->ref.vcpu[vi];
    struct hvm_access_result res;
    struct hvm_access a;
    enum hvm_access_status st;
    int rc;

    if (v->retry) {
        a = v->retry_a;
        v->retry = false;
    } else if (may_be_bad && chance(m, 3)) {
        gen_bad_access(m, &a);
    } else {
        gen_access(m, &a);
    }
    note(m, "vcpu %u: %s size %u reps %u at %#" PRIx64 " data %#" PRIx64
         " cmp %#" PRIx64 " (page %s)", vi, access_name(&a), a.size,
         a.reps, a.gpa, a.data[0], a.cmp,
         type_name(ref_type(&m->ref, a.gpa >> PAGE_SHIFT)));
    touch_access(m, &a);
    rc = hvm_access(m->h.d, vi, &a, &res);
    if (!ref_access_valid(&a)) {
        CHECK(m, rc == -EINVAL, "malformed access: rc %d", rc);
        return;
    }
    m->stats.accesses++;
    ref_vcpu_begin(v, &a);
    st = ref_run(m, v);
    settle(m, vi, "access", rc, v->proto_error ? -EPROTO : 0, &res, st);
}

static void op_access(struct model *m)
{
    unsigned int vi = below(m, M_VCPUS), i;
    struct hvm_access_result res;
    struct hvm_access a;
    int rc;

    /* Mostly a vCPU that can run. */
    for (i = 0; i < M_VCPUS && chance(m, 90); i++) {
        if (!m->ref.vcpu[(vi + i) % M_VCPUS].waiting) {
            vi = (vi + i) % M_VCPUS;
            break;
        }
    }

    if (chance(m, 1)) {
        gen_access(m, &a);
        rc = hvm_access(m->h.d, M_VCPUS + below(m, 3), &a, &res);
        note(m, "access by a vcpu that does not exist: rc %d", rc);
        CHECK(m, rc == -ENOENT, "access by vcpu %u of %u: rc %d",
              M_VCPUS, M_VCPUS, rc);
        return;
    }
    if (m->ref.vcpu[vi].waiting) {
        /* Still waiting for its device model: it cannot start another. */
        gen_access(m, &a);
        rc = hvm_access(m->h.d, vi, &a, &res);
        note(m, "access by waiting vcpu %u: rc %d", vi, rc);
        CHECK(m, rc == -EBUSY, "access by waiting vcpu %u: rc %d", vi, rc);
        return;
    }
    access_on(m, vi, true);
}

/* The device model answers vCPU vi's request, as demu would. */
static void dm_answer(struct model *m, unsigned int vi, bool write_through)
{
    struct ref_vcpu *v = &m->ref.vcpu[vi];
    ioreq_t *slot = slot_of(m, v->server, vi);
    struct hvm_access_result res;
    enum hvm_access_status st;
    int rc;

    uint64_t data = rnd(m);

    check_request(m, vi, slot);
    /* Only a typed page's write is stored: other servers emulate devices. */
    write_through &= v->req_claim && v->req_dir == IOREQ_WRITE;
    note(m, "dm %u answers vcpu %u (%s): %s of %u bytes %#" PRIx64
         " at %#" PRIx64, v->server, vi,
         write_through ? "write-through" : "discard",
         v->req_dir == IOREQ_WRITE ? "write" : "read", v->req_size,
         v->req_dir == IOREQ_WRITE ? v->req_data : data, v->req_addr);
    touch_access(m, &v->a);
    slot->state = STATE_IOREQ_INPROCESS;
    if (write_through) {
        /* Through its foreign mapping of guest RAM. */
        h_ram_store(&m->h, slot->addr, slot->size, slot->data);
        put_le(m->ref.ram + v->req_addr, v->req_data, v->req_size);
    }
    if (v->req_dir == IOREQ_READ)
        slot->data = data;
    slot->state = STATE_IORESP_READY;
    rc = hvm_access_resume(m->h.d, vi, &res);
    m->stats.answers++;

    /* The answer completes the chunk whatever the page's type is now. */
    v->waiting = false;
    if (v->req_dir == IOREQ_READ)
        put_le(v->rbuf + v->off, data, v->req_size);
    v->off += v->req_size;
    st = ref_run(m, v);
    settle(m, vi, "answer", rc, v->proto_error ? -EPROTO : 0, &res, st);
}

/* Resume a vCPU whose server was destroyed under it: it retries. */
static void resume_gone(struct model *m, unsigned int vi)
{
    struct ref_vcpu *v = &m->ref.vcpu[vi];
    struct hvm_access_result res;
    int rc = hvm_access_resume(m->h.d, vi, &res);

    v->waiting = false;
    settle(m, vi, "resume after destroy", rc, 0, &res, HVM_ACCESS_RETRY);
}

/* The device model breaks the slot protocol: its server is torn down. */
static void dm_break(struct model *m, unsigned int vi)
{
    struct ref_vcpu *v = &m->ref.vcpu[vi];
    ioreq_t *slot = slot_of(m, v->server, vi);
    struct hvm_access_result res;
    ioservid_t id = v->server;
    uint8_t state;
    int rc;

    if (v->seen == STATE_IOREQ_INPROCESS && chance(m, 80))
        state = STATE_IOREQ_READY;      /* backwards, after being seen */
    else    /* nothing, or a state that does not exist (4 bits) */
        state = chance(m, 50) ? STATE_IOREQ_NONE
                              : STATE_IORESP_READY + 1 + below(m, 12);
    note(m, "dm %u breaks vcpu %u's slot: state %u -> %u", id, vi,
         slot->state, state);
    slot->state = state;
    rc = hvm_access_resume(m->h.d, vi, &res);
    v->waiting = false;
    ref_server_teardown(m, id);
    m->stats.broken++;
    settle(m, vi, "resume after breach", rc, -EPROTO, &res,
           HVM_ACCESS_RETRY);
}

/* Resume while the request is not answered: nothing moves. */
static void resume_pending(struct model *m, unsigned int vi)
{
    struct ref_vcpu *v = &m->ref.vcpu[vi];
    struct hvm_access_result res;
    int rc = hvm_access_resume(m->h.d, vi, &res);

    note(m, "resume unanswered vcpu %u (slot %u): rc %d status %d", vi,
         v->slot, rc, res.status);
    CHECK(m, rc == 0 && res.status == HVM_ACCESS_IOREQ &&
             res.server == v->server && !res.sent,
          "resume of unanswered vcpu %u: rc %d status %d server %u sent %d",
          vi, rc, res.status, res.server, res.sent);
    v->seen = v->slot;
}

static void op_dm(struct model *m)
{
    unsigned int start = below(m, M_VCPUS), i, vi = M_VCPUS;
    struct hvm_access_result res;
    struct ref_vcpu *v;
    unsigned int r;
    int rc;

    for (i = 0; i < M_VCPUS; i++) {
        if (m->ref.vcpu[(start + i) % M_VCPUS].waiting) {
            vi = (start + i) % M_VCPUS;
            break;
        }
    }
    if (vi == M_VCPUS) {
        rc = hvm_access_resume(m->h.d, start, &res);
        note(m, "resume idle vcpu %u: rc %d", start, rc);
        CHECK(m, rc == -ENOENT, "resume of idle vcpu %u: rc %d", start, rc);
        return;
    }
    v = &m->ref.vcpu[vi];
    if (v->gone) {
        resume_gone(m, vi);
        return;
    }
    check_request(m, vi, slot_of(m, v->server, vi));
    r = below(m, 100);
    if (r < 40) {
        dm_answer(m, vi, true);
    } else if (r < 70) {
        dm_answer(m, vi, false);
    } else if (r < 82 && v->slot == STATE_IOREQ_READY) {
        /* The DM takes the request and works on it for a while. */
        slot_of(m, v->server, vi)->state = STATE_IOREQ_INPROCESS;
        v->slot = STATE_IOREQ_INPROCESS;
        note(m, "dm %u takes vcpu %u's request", v->server, vi);
        if (chance(m, 50))
            resume_pending(m, vi);
    } else if (r < 98) {
        resume_pending(m, vi);
    } else {
        dm_break(m, vi);
    }
}

/*
 * The device model writes on the slot of a vCPU that is not waiting on it:
 * the next request for that slot finds it not idle, and the server is torn
 * down (-EPROTO, the access retried).
 */
static void op_scribble(struct model *m)
{
    ioservid_t id = pick_server(m, true);
    unsigned int vi = below(m, M_VCPUS);
    struct ref_vcpu *v = &m->ref.vcpu[vi];
    ioreq_t *slot;

    if (id >= MAX_NR_IOREQ_SERVERS || !m->ref.server[id].exists ||
        (v->waiting && v->server == id))
        return;
    slot = slot_of(m, id, vi);
    if (chance(m, 50)) {
        slot->state = 1 + below(m, 15);
        m->ref.server[id].bad_state[vi] = true;
        note(m, "dm %u scribbles on vcpu %u's idle slot: state %u", id, vi,
             slot->state);
    } else {
        /* No event channel has a number this high. */
        slot->vp_eport = 0x80000000u + below(m, 0x1000);
        m->ref.server[id].port_ok[vi] = false;
        note(m, "dm %u scribbles on vcpu %u's idle slot: port %#x", id, vi,
             slot->vp_eport);
    }
}

static void op_log_dirty(struct model *m)
{
    struct domain *d = m->h.d;
    struct ref *r = &m->ref;
    unsigned int what = below(m, 100);
    int rc, want;

    if (what < 25) {
        unsigned long count = ref_entry_count(m);

        /* Refused while typed entries exist: they would lose protection. */
        want = r->logdirty ? -EINVAL : count ? -EBUSY : 0;
        rc = paging_log_dirty_enable(d);
        note(m, "log-dirty on (%lu typed entries): rc %d, expected %d",
             count, rc, want);
        CHECK(m, rc == want, "log-dirty on: rc %d, expected %d", rc, want);
        if (!rc) {
            r->logdirty = true;
            memset(r->dirty, 0, sizeof(r->dirty));
            ref_global_recalc(r);
            m->stats.logdirty_on++;
        }
    } else if (what < 65) {
        rc = paging_log_dirty_disable(d);
        note(m, "log-dirty off: rc %d", rc);
        CHECK(m, rc == 0, "log-dirty off: rc %d", rc);
        if (r->logdirty) {
            r->logdirty = false;
            ref_global_recalc(r);
        }
    } else {
        bool clean = what >= 85;
        unsigned long bitmap[M_NR_GFNS / 64 + 1] = { 0 };
        unsigned long count = 0, want_count = 0, gfn;

        rc = paging_log_dirty_op(d, clean, bitmap, M_NR_GFNS, &count);
        note(m, "log-dirty %s: rc %d", clean ? "clean" : "peek", rc);
        CHECK(m, rc == (r->logdirty ? 0 : -EINVAL), "log-dirty %s: rc %d",
              clean ? "clean" : "peek", rc);
        if (rc)
            return;
        for (gfn = 0; gfn < M_NR_GFNS; gfn++) {
            bool bit = bitmap[gfn / 64] >> (gfn % 64) & 1;

            CHECK(m, bit == r->dirty[gfn], "gfn %#lx: dirty %d, expected %d",
                  gfn, bit, r->dirty[gfn]);
            want_count += r->dirty[gfn];
        }
        CHECK(m, count == want_count, "dirty count %lu, expected %lu",
              count, want_count);
        if (clean) {
            /* Cleaned pages must fault again on their next write. */
            memset(r->dirty, 0, sizeof(r->dirty));
            ref_global_recalc(r);
        }
    }
}

/* Populate part of a RAM block again: whatever was there is replaced. */
static void op_repopulate(struct model *m)
{
    unsigned int b = below(m, ARRAY_SIZE(ram_blocks));
    unsigned long first = ram_blocks[b].first + below(m, ram_blocks[b].nr);
    unsigned long end = ram_blocks[b].first + ram_blocks[b].nr;
    unsigned long nr = 1 + below(m, MIN(end - first, 96UL)), gfn;
    int rc;

    if (chance(m, 20)) {
        first = ram_blocks[b].first;
        nr = ram_blocks[b].nr;
    }
    rc = p2m_add_ram(&m->h.d->p2m, first, nr);

    note(m, "populate [%#lx, %#lx): rc %d", first, first + nr, rc);
    CHECK(m, rc == 0, "populate [%#lx, %#lx): rc %d", first, first + nr, rc);
    for (gfn = first; gfn < first + nr; gfn++)
        ref_write_type(&m->ref, gfn, ref_ram_type(&m->ref));
}

/*
 * The guest's own HVMOP_get_mem_type with its argument in guest memory:
 * the result is written back by the hypervisor, which must never write a
 * typed page behind the device model's back (-EFAULT).
 */
static void op_guest_hypercall(struct model *m)
{
    static const domid_t domids[] = { DOMID_SELF, H_GUEST, 0, 3, DOMID_IO };
    struct ref *r = &m->ref;
    unsigned int off = chance(m, 25) ? PAGE_SIZE - 8 : 8 * below(m, 8);
    uint64_t gpa, gfn, last;
    struct xen_hvm_get_mem_type arg = { 0 };
    uint8_t bytes[sizeof(arg)];
    int rc, want = 0;

    gfn = chance(m, 40) ? pick_typed_gfn(m) :
          chance(m, 80) ? pick_ram_gfn(m) : below(m, M_CHECK_GFNS);
    gpa = (gfn << PAGE_SHIFT) + off;
    last = (gpa + sizeof(arg) - 1) >> PAGE_SHIFT;
    arg.domid = chance(m, 85) ? domids[below(m, 2)] : domids[below(m, 5)];
    arg.pfn = chance(m, 95) ? below(m, M_CHECK_GFNS) : 1ULL << 40;
    arg.mem_type = below(m, 5);
    touch(m, gpa, sizeof(arg));
    if (last <= M_MAX_GFN) {
        /* The argument is put in place as the DM would, on both sides. */
        memcpy((uint8_t *)m->h.ram + gpa, &arg, sizeof(arg));
        memcpy(r->ram + gpa, &arg, sizeof(arg));
    }

    /* Reading the argument needs RAM under all of it. */
    for (gfn = gpa >> PAGE_SHIFT; gfn <= last && !want; gfn++)
        if (!ref_is_ram(ref_type(r, gfn)))
            want = -EFAULT;
    if (!want && arg.domid != DOMID_SELF && arg.domid != H_GUEST)
        want = -ESRCH;
    if (!want) {
        arg.mem_type = ref_hvmmem(ref_type(r, arg.pfn));
        for (gfn = gpa >> PAGE_SHIFT; gfn <= last && !want; gfn++)
            if (ref_type(r, gfn) == p2m_ioreq_server)
                want = -EFAULT;
    }
    if (!want) {
        uint64_t a = gpa;
        unsigned int done = 0;

        memcpy(bytes, &arg, sizeof(arg));
        while (done < sizeof(arg)) {
            unsigned int piece = MIN((unsigned int)sizeof(arg) - done,
                                     (unsigned int)(PAGE_SIZE -
                                                    PAGE_OFFSET(a)));
            uint8_t t = ref_type(r, a >> PAGE_SHIFT);

            if (t == p2m_ram_logdirty)
                r->dirty[a >> PAGE_SHIFT] = true;
            if (t != p2m_ram_ro)
                memcpy(r->ram + a, bytes + done, piece);
            done += piece;
            a += piece;
        }
    }
    note(m, "guest get_mem_type d%u pfn %#" PRIx64 " arg at %#" PRIx64
         " (%s)", arg.domid, arg.pfn, gpa,
         type_name(ref_type(r, gpa >> PAGE_SHIFT)));
    rc = hvm_guest_get_mem_type(&m->h.hv, m->h.d, gpa);
    CHECK(m, rc == want, "guest get_mem_type at %#" PRIx64 ": rc %d, "
          "expected %d", gpa, rc, want);
}

static void op_toggle_preempt(struct model *m)
{
    m->h.always_preempt = !m->h.always_preempt;
    note(m, "forced continuations %s", m->h.always_preempt ? "on" : "off");
}

/* --- the check after every step ---------------------------------------- */

static void check_page(struct model *m, unsigned long gfn)
{
    const uint8_t *core = (const uint8_t *)m->h.ram + gfn * PAGE_SIZE;
    const uint8_t *ref = m->ref.ram + gfn * PAGE_SIZE;
    unsigned int i;

    if (!memcmp(core, ref, PAGE_SIZE))
        return;
    for (i = 0; core[i] == ref[i]; i++)
        ;
    model_fail(m, __FILE__, __LINE__, "RAM at %#lx (gfn %#lx, %s) is %#x, "
               "expected %#x", gfn * PAGE_SIZE + i, gfn,
               type_name(m->ref.type[gfn]), core[i], ref[i]);
}

static void check_hvmop(struct model *m, uint64_t pfn)
{
    struct xen_hvm_get_mem_type arg = { .domid = H_GUEST, .pfn = pfn };
    const struct caller *c = &m->h.dom0;
    unsigned int who = below(m, 100);
    int rc, want = 0;

    if (who < 30) {
        c = &m->h.dm;
    } else if (who < 50) {
        c = &m->self;
        arg.domid = DOMID_SELF;
    } else if (who < 52) {
        c = &m->stranger;
        want = -EPERM;
    } else if (who < 54) {
        arg.domid = 3;
        want = -ESRCH;
    }
    rc = hvmop_get_mem_type(&m->h.hv, c, &arg);
    CHECK(m, rc == want, "get_mem_type of %#" PRIx64 " by %s: rc %d, "
          "expected %d", pfn, caller_name(m, c), rc, want);
    CHECK(m, rc || arg.mem_type == ref_hvmmem(ref_type(&m->ref, pfn)),
          "get_mem_type of %#" PRIx64 ": %u, expected %u (%s)", pfn,
          arg.mem_type, ref_hvmmem(ref_type(&m->ref, pfn)),
          type_name(ref_type(&m->ref, pfn)));
}

/*
 * Every gfn's effective type, and the typed entries as stored: entry_count
 * is exactly the stored typed leaves, and those are the typed gfns and
 * some stale ones; nothing else may be stored typed.
 */
static void check_types(struct model *m)
{
    const struct p2m_domain *p2m = &m->h.d->p2m;
    struct ref *r = &m->ref;
    unsigned long gfn, stored, stale_typed = 0;
    bool any_stale = false;

    for (gfn = 0; gfn < M_CHECK_GFNS; gfn++) {
        p2m_type_t t = p2m_get_type(p2m, gfn);

        CHECK(m, t == r->type[gfn], "gfn %#lx is %s, expected %s", gfn,
              type_name(t), type_name(r->type[gfn]));
        if (r->type[gfn] == p2m_ioreq_server) {
            t = p2m_get_stored_type(p2m, gfn);
            CHECK(m, t == p2m_ioreq_server, "typed gfn %#lx stored as %s",
                  gfn, type_name(t));
        } else if (r->stale[gfn]) {
            any_stale = true;
            stale_typed += p2m_get_stored_type(p2m, gfn) == p2m_ioreq_server;
        }
    }
    stored = p2m_count_stored(p2m, p2m_ioreq_server);
    CHECK(m, p2m->ioreq.entry_count == stored,
          "entry_count %lu, but %lu leaves are stored ioreq_server",
          p2m->ioreq.entry_count, stored);
    CHECK(m, stored == r->typed + stale_typed,
          "%lu leaves stored ioreq_server; expected %lu typed + %lu stale",
          stored, r->typed, stale_typed);
    if (any_stale) {
        m->stats.stale_seen++;
        /* Nothing stored typed: whatever was stale has been reached. */
        if (!stored)
            ref_clear_stale(r, 0, M_CHECK_GFNS);
    }
    m->stats.max_typed = MAX(m->stats.max_typed, r->typed);
    m->stats.typed_sum += r->typed;
    m->stats.steps_claimed += r->claimed;
    m->stats.steps_typed_logdirty += r->typed && r->logdirty;
}

/* The claim, the servers and their ranges, the vCPUs, log-dirty. */
static void check_state(struct model *m)
{
    struct domain *d = m->h.d;
    const struct ref *r = &m->ref;
    ioservid_t holder;
    uint32_t flags;
    unsigned int i, rt, k;

    CHECK(m, p2m_get_ioreq_server(&d->p2m, &holder, &flags) == r->claimed,
          "claim held: %d, expected %d", !r->claimed, r->claimed);
    CHECK(m, !r->claimed || (holder == r->holder &&
                             flags == XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
          "claim by %u flags %#x, expected %u", holder, flags, r->holder);
    for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++) {
        const struct ioreq_server *s = ioreq_server_get(d, i);

        CHECK(m, !!s == r->server[i].exists, "server %u exists: %d", i, !!s);
        if (!s)
            continue;
        CHECK(m, s->emulator == r->server[i].emulator &&
                 s->enabled == r->server[i].enabled,
              "server %u: emulator %u enabled %d", i, s->emulator,
              s->enabled);
        for (rt = 0; rt <= XEN_DMOP_IO_RANGE_PCI; rt++) {
            const struct ref_rangeset *rs = &r->server[i].range[rt];

            CHECK(m, s->range[rt].nr == rs->nr, "server %u: %u ranges of "
                  "type %u, expected %u", i, s->range[rt].nr, rt, rs->nr);
            for (k = 0; k < rs->nr; k++)
                CHECK(m, s->range[rt].r[k].s == rs->r[k].s &&
                         s->range[rt].r[k].e == rs->r[k].e,
                      "server %u type %u range %u: [%#" PRIx64 ", %#"
                      PRIx64 "], expected [%#" PRIx64 ", %#" PRIx64 "]",
                      i, rt, k, s->range[rt].r[k].s, s->range[rt].r[k].e,
                      rs->r[k].s, rs->r[k].e);
        }
    }
    for (i = 0; i < M_VCPUS; i++) {
        const struct ref_vcpu *v = &r->vcpu[i];
        ioservid_t id = 0xffff;
        bool waiting = hvm_vcpu_waiting(d, i, &id);

        CHECK(m, waiting == v->waiting && (!waiting || id == v->server),
              "vcpu %u waiting %d on %u, expected %d on %u", i, waiting, id,
              v->waiting, v->server);
        /* A destroyed server leaves its waiting vCPUs to retry. */
        CHECK(m, !waiting || d->vcpu[i].io.server_gone == v->gone,
              "vcpu %u waiting on server %u: gone %d, expected %d", i, id,
              d->vcpu[i].io.server_gone, v->gone);
    }
    CHECK(m, paging_mode_log_dirty(d) == r->logdirty, "log-dirty mode %d",
          !r->logdirty);
    CHECK(m, domain_check_invariants(d), "the core's invariants fail");
}

/* The pages this step opened, or all of RAM; then close them again. */
static void check_ram(struct model *m, bool full)
{
    unsigned long gfn;
    unsigned int i;

    if (full || m->touched_all) {
        for (gfn = 0; gfn < M_NR_GFNS; gfn++)
            check_page(m, gfn);
    } else {
        for (i = 0; i < m->nr_touched; i++)
            check_page(m, m->touched[i]);
    }
    if (m->touched_all)
        ram_protect(m, 0, M_NR_GFNS, false);
    for (i = 0; i < m->nr_touched; i++)
        ram_protect(m, m->touched[i], 1, false);
    m->nr_touched = 0;
    m->touched_all = false;
}

/* After every step; full also asks for every gfn's type by hypercall. */
static void check_step(struct model *m, bool full)
{
    unsigned long gfn;
    unsigned int i;

    check_types(m);
    check_state(m);
    for (i = 0; i < 3; i++)
        check_hvmop(m, below(m, M_CHECK_GFNS));
    if (full) {
        for (gfn = 0; gfn < M_CHECK_GFNS; gfn++)
            check_hvmop(m, gfn);
        check_hvmop(m, 1ULL << 40);
    }
    check_ram(m, full);
}

/* --- the run ------------------------------------------------------------ */

typedef void (*op_fn)(struct model *m);

static void op_claim(struct model *m)
{
    op_map_mem_type(m, false);
}

static void op_release(struct model *m)
{
    op_map_mem_type(m, true);
}

static const struct {
    op_fn fn;
    unsigned int weight;
} ops[] = {
    { op_access, 60 },
    { op_dm, 44 },
    { op_set_mem_type, 36 },
    { op_claim, 10 },
    { op_release, 2 },
    { op_continue, 12 },
    { op_create, 6 },
    { op_destroy, 3 },
    { op_set_state, 3 },
    { op_log_dirty, 6 },
    { op_guest_hypercall, 4 },
    { op_repopulate, 2 },
    { op_toggle_preempt, 4 },
    { op_stray_continuation, 2 },
    { op_scribble, 1 },
    { op_map_io_range, 3 },
    { op_unmap_io_range, 2 },
};

static void one_step(struct model *m)
{
    unsigned int total = 0, i, r;

    for (i = 0; i < ARRAY_SIZE(ops); i++)
        total += ops[i].weight;
    r = below(m, total);
    for (i = 0; r >= ops[i].weight; i++)
        r -= ops[i].weight;
    ops[i].fn(m);
    check_step(m, m->step % M_FULL_CHECK == M_FULL_CHECK - 1);
}

/*
 * The end of a run: continuations finished, every waiting vCPU answered
 * and every retried access re-executed, then all of it checked.
 */
static void drain(struct model *m)
{
    unsigned int i, round;

    m->h.always_preempt = false;
    for (i = 0; i < M_INFLIGHT; i++) {
        while (m->fl[i].busy)
            if (dmop_call(m, m->fl[i].caller, H_GUEST, &m->fl[i].op) !=
                -ERESTART)
                m->fl[i].busy = false;
    }
    for (round = 0; round < 64; round++) {
        bool busy = false;

        for (i = 0; i < M_VCPUS; i++) {
            struct ref_vcpu *v = &m->ref.vcpu[i];

            if (v->waiting && v->gone)
                resume_gone(m, i);
            else if (v->waiting)
                dm_answer(m, i, true);
            else if (v->retry)
                access_on(m, i, false);
            busy |= v->waiting || v->retry;
            check_step(m, false);
        }
        if (!busy)
            break;
    }
    check_step(m, true);
}

static bool parse_env(const char *name, uint64_t *value)
{
    const char *s = getenv(name);
    char *end;

    if (!s)
        return false;
    errno = 0;
    *value = strtoull(s, &end, 0);
    if (!*s || *s == '-' || *end || errno) {
        printf("# %s=%s is not a number; using the default\n", name, s);
        return false;
    }
    return true;
}

static int model_setup(void **state)
{
    struct h_opts opts = {
        .vcpus = M_VCPUS,
        .max_gfn = M_MAX_GFN,
        .ram_pages = ram_blocks[0].nr,
    };
    struct model *m = calloc(1, sizeof(*m));
    struct timespec ts;
    uint64_t v;
    unsigned int b;
    unsigned long gfn, i;

    if (!m)
        return -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    m->rng = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
             (uint64_t)getpid() << 40;
    m->seed = rnd(m) >> 1;
    if (parse_env("MODEL_SEED", &v))
        m->seed = v;
    m->nr_ops = M_DEFAULT_OPS;
    if (parse_env("MODEL_OPS", &v))
        m->nr_ops = v;
    m->trace = getenv("MODEL_TRACE") && *getenv("MODEL_TRACE") &&
               strcmp(getenv("MODEL_TRACE"), "0");
    m->rng = m->seed;
    printf("# seed %" PRIu64 "\n", m->seed);
    fflush(stdout);

    h_setup(&m->h, &opts);
    m->stranger = (struct caller){ .domid = H_DM_DOMAIN + 4,
                                   .target = H_GUEST + 1 };
    m->self = (struct caller){ .domid = H_GUEST, .target = DOMID_INVALID };
    m->ref.ram = calloc(M_NR_GFNS, PAGE_SIZE);
    if (!m->ref.ram)
        return -1;
    for (gfn = 0; gfn < M_CHECK_GFNS; gfn++)
        m->ref.type[gfn] = p2m_invalid;
    for (b = 0; b < ARRAY_SIZE(ram_blocks); b++) {
        if (b && p2m_add_ram(&m->h.d->p2m, ram_blocks[b].first,
                             ram_blocks[b].nr))
            return -1;
        for (gfn = ram_blocks[b].first;
             gfn < ram_blocks[b].first + ram_blocks[b].nr; gfn++)
            m->ref.type[gfn] = p2m_ram_rw;
    }
    if (m->h.d->p2m.max_mapped_pfn != M_MAX_MAPPED)
        return -1;
    /* Guest RAM starts with random contents, the same on both sides. */
    for (i = 0; i < M_NR_GFNS * PAGE_SIZE / 8; i++) {
        uint64_t x = rnd(m);

        memcpy(m->ref.ram + i * 8, &x, 8);
    }
    memcpy(m->h.ram, m->ref.ram, M_NR_GFNS * PAGE_SIZE);
    if (mprotect(m->h.ram, M_NR_GFNS * PAGE_SIZE, PROT_READ))
        return -1;
    *state = m;
    return 0;
}

static int model_teardown(void **state)
{
    struct model *m = *state;

    crash_unwatch();
    if (!m)
        return 0;
    h_teardown(&m->h);
    free(m->ref.ram);
    free(m);
    return 0;
}

static void test_model(void **state)
{
    struct model *m = *state;

    crash_watch(m);
    check_step(m, true);
    for (m->step = 0; m->step < m->nr_ops; m->step++)
        one_step(m);
    drain(m);
    crash_unwatch();
    printf("# %lu operations, seed %" PRIu64 ": %lu accesses, %lu ioreqs "
           "(%lu by MMIO range), %lu null-handler chunks, %lu answers, "
           "%lu retries, %lu protocol breaches\n",
           m->nr_ops, m->seed, m->stats.accesses, m->stats.ioreqs,
           m->stats.range_ioreqs, m->stats.null_chunks, m->stats.answers,
           m->stats.retries, m->stats.broken);
    printf("# %lu claims, %lu releases, %lu destroys of the holder, "
           "%lu set_mem_type (%lu pages typed, at most %lu at once), "
           "%lu refused DMOPs\n", m->stats.claims, m->stats.releases,
           m->stats.destroys_holder, m->stats.set_mem_type,
           m->stats.pages_typed, m->stats.max_typed, m->stats.refused);
    printf("# %lu continuations (%lu of set_mem_type, %lu left pending), "
           "%lu steps with stale entries, log-dirty on %lu times\n",
           m->stats.restarts, m->stats.set_mem_type_restarts,
           m->stats.stashed, m->stats.stale_seen, m->stats.logdirty_on);
    {
        unsigned long hist[P2M_NR_TYPES] = { 0 }, gfn;

        for (gfn = 0; gfn < M_CHECK_GFNS; gfn++)
            hist[m->ref.type[gfn]]++;
        printf("# end: rw %lu logdirty %lu ro %lu mmio %lu ioreq %lu\n",
               hist[p2m_ram_rw], hist[p2m_ram_logdirty], hist[p2m_ram_ro],
               hist[p2m_mmio_dm], hist[p2m_ioreq_server]);
    }
    printf("# claim held %lu%% of steps, %lu typed pages on average, "
           "%lu steps with typed pages in log-dirty mode\n",
           100 * m->stats.steps_claimed / (m->nr_ops + 1),
           m->stats.typed_sum / (m->nr_ops + 1),
           m->stats.steps_typed_logdirty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_model, model_setup,
                                        model_teardown),
    };

    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
