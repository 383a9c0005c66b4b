/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Run (build dir): make xen/sim/fuzz-protocol xen/sim/fuzz-protocol-replay && xen/sim/fuzz-protocol-replay --write-seeds CORPUS && xen/sim/fuzz-protocol -max_total_time=180 CORPUS
 *
 * Fuzz target of xensimd's socket protocol (libFuzzer:
 * LLVMFuzzerTestOneInput).
 *
 * The daemon's state object is hosted in this process (state.c) and a
 * guest is built in it through the protocol itself.  Clients are
 * socketpairs handed to conn_new, as conn_accept hands accepted sockets,
 * and the daemon runs by sim_poll, the round of its own event loop: so
 * requests of any length and content go through the real recv, framing
 * checks and handlers, and replies come back with their descriptors.
 * What else a client can do is an action too: hang up, signal an eventfd
 * it was given (an event channel, an access channel), or write into a
 * memfd it was given (an ioreq page, a mailbox, guest RAM).  The input is
 * a list of actions (run_action); the first four bytes choose when long
 * operations are preempted.
 *
 * Besides crashes, sanitizer reports and leaks (memory, and descriptors
 * counted in /proc/self/fd), it checks what the protocol promises: every
 * reply is one header and exactly the payload it announces, -ERESTART
 * never reaches a client, no client gets more replies than it sent
 * requests.  After every action it checks the daemon's own invariants:
 * whatever names an owning connection (a server, a binding, a channel,
 * queued work) names a live one, a domain's host side exists exactly
 * while the domain does, and the model's invariants hold in every
 * domain.
 *
 * Built with -DFUZZ_REPLAY_MAIN and tools/tests/fuzz-replay.c, it runs
 * its seeds in make check and writes them as a corpus (see fuzz.h).
 */
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "sim.h"

/* Small guests, so that a sweep or a log-dirty bitmap stays quick. */
#define FUZZ_MAX_GFN    0xfffUL
#define NR_SLOTS        4
#define NR_KEPT         16
/*
 * Rounds of the loop after one action.  The longest honest work is a
 * modified_memory of a full message of extents preempted at every chunk
 * (about 2^16 rounds); more is work that never ends.
 */
#define MAX_ROUNDS      (1U << 18)
#define POKE_MAX        255
/* Domains checked after each action (all of them at the end). */
#define CHECK_DOMIDS    64
/* Room for a message past the protocol's limit, which must be refused. */
#define SEND_MAX        (XENSIM_MSG_MAX + 64)

/* The guest every input starts with. */
#define GUEST           1
#define GUEST_VCPUS     2
/* RAM: gfns 0-0x1ff and 0x400-0x5ff. */
#define GUEST_ORDER     9
#define GUEST_EXTENTS   2

enum action {
    ACT_SEND,               /* a message as it is */
    ACT_SEND_FRAMED,        /* ...with its header's size made right */
    ACT_HANG_UP,
    ACT_KICK,               /* write 8 bytes to a descriptor we got */
    ACT_POKE,               /* pwrite bytes into a memfd we got */
    NR_ACTIONS = 8,         /* the rest send framed messages */
};
/* Flags of an action byte (see run_action). */
#define ACT_NEAR_MAX    0x20
#define ACT_LATER       0x80

struct fuzz {
    struct xensim sim;
    int slot[NR_SLOTS];         /* our end of each client, or -1 */
    unsigned int sent[NR_SLOTS], replies[NR_SLOTS];
    int kept[NR_KEPT];          /* descriptors the replies carried */
    unsigned int next_kept;
    struct fuzz_preempt preempt;
    struct fuzz_reader in;
    uint8_t msg[SEND_MAX];
};

/* ---- The input ---------------------------------------------------------- */

/* ---- Clients ------------------------------------------------------------ */

static void open_client(struct fuzz *f, unsigned int i)
{
    int sv[2];

    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
                     SOCK_NONBLOCK, 0, sv) == 0);
    CHECK(conn_new(&f->sim, sv[0]));
    f->slot[i] = sv[1];
    f->sent[i] = f->replies[i] = 0;
}

static void close_client(struct fuzz *f, unsigned int i)
{
    close(f->slot[i]);
    f->slot[i] = -1;
}

static void keep_fd(struct fuzz *f, int fd)
{
    int *k = &f->kept[f->next_kept++ % NR_KEPT];

    if (*k >= 0)
        close(*k);
    *k = fd;
}

/* The replies waiting on client i, checked; how many there were. */
static unsigned int drain(struct fuzz *f, unsigned int i)
{
    static const size_t max_fds = 3;    /* an access channel's */
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * 8)];
    } control;
    uint8_t buf[XENSIM_MSG_MAX + 16];
    unsigned int got = 0;

    while (f->slot[i] >= 0) {
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = control.buf, .msg_controllen = sizeof(control),
        };
        struct cmsghdr *cmsg;
        struct xensim_rsp rsp;
        ssize_t n = recvmsg(f->slot[i], &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        if (n <= 0) {
            /* The daemon closed the connection (a broken protocol). */
            close_client(f, i);
            break;
        }
        CHECK(!(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)));
        for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
            size_t nr = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int), k;
            int fd;

            CHECK(cmsg->cmsg_level == SOL_SOCKET &&
                  cmsg->cmsg_type == SCM_RIGHTS);
            CHECK(nr >= 1 && nr <= max_fds);
            for (k = 0; k < nr; k++) {
                memcpy(&fd, CMSG_DATA(cmsg) + k * sizeof(int), sizeof(fd));
                keep_fd(f, fd);
            }
        }
        CHECK((size_t)n >= sizeof(rsp));
        memcpy(&rsp, buf, sizeof(rsp));
        CHECK(rsp.size == (size_t)n - sizeof(rsp));
        CHECK(rsp.rc != -ERESTART);
        CHECK(rsp.rc >= -4095);
        f->replies[i]++;
        CHECK(f->replies[i] <= f->sent[i]);
        got++;
    }
    return got;
}

/* ---- The daemon's invariants -------------------------------------------- */

static bool conn_live(const struct xensim *sim, const struct conn *c)
{
    const struct conn *o;

    for (o = sim->conns; o; o = o->next)
        if (o == c)
            return true;
    return false;
}

static bool job_live(const struct xensim *sim, const struct conn *c)
{
    const struct conn *o;

    for (o = sim->jobs; o; o = o->next)
        if (o == c)
            return true;
    return false;
}

/*
 * Domains below max_domid are checked: every one at the end, the first
 * few (where inputs make them) after each action, as a walk over all
 * would cost more than the action.
 */
static void check_state(struct fuzz *f, unsigned int max_domid)
{
    struct xensim *sim = &f->sim;
    const struct binding *b;
    const struct conn *c;
    unsigned int domid, i;

    for (domid = 0; domid < max_domid; domid++) {
        struct domain *d = domain_lookup(&sim->hv, domid);
        const struct sim_domain *sd = sim->dom[domid];

        CHECK(!d == !sd);
        if (!d)
            continue;
        CHECK(domain_check_invariants(d));
        for (i = 0; i < MAX_NR_IOREQ_SERVERS; i++)
            CHECK(!sd->server_owner[i] ||
                  (conn_live(sim, sd->server_owner[i]) &&
                   d->ioreq.server[i].exists));
    }
    for (b = sim->bindings; b; b = b->next)
        CHECK(conn_live(sim, b->owner));
    for (c = sim->conns; c; c = c->next)
        CHECK(!c->chan || c->chan->owner == c);
    for (c = sim->jobs; c; c = c->next)
        CHECK(c->detached && c->fd < 0);
    for (i = 0; i < sim->runq_len; i++)
        CHECK(!sim->runq[i].conn || conn_live(sim, sim->runq[i].conn) ||
              job_live(sim, sim->runq[i].conn));
    /* What a round released, the round freed. */
    CHECK(!sim->gone);
}

/* Let the daemon run until it is idle, reading every reply. */
static void pump(struct fuzz *f, unsigned int check_domids)
{
    unsigned int rounds, i;
    int n;

    for (rounds = 0; rounds < MAX_ROUNDS; rounds++) {
        unsigned int got = 0;

        n = sim_poll(&f->sim, 0);
        CHECK(n >= 0);
        for (i = 0; i < NR_SLOTS; i++)
            got += drain(f, i);
        if (!n && !got)
            break;
    }
    CHECK(rounds < MAX_ROUNDS);
    check_state(f, check_domids);
}

/* ---- Actions ------------------------------------------------------------ */

static void send_msg(struct fuzz *f, unsigned int i, size_t len)
{
    ssize_t n;

    if (f->slot[i] < 0)
        open_client(f, i);
    n = send(f->slot[i], f->msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == (ssize_t)len)
        f->sent[i]++;
    else if (n < 0 && errno != EAGAIN)
        close_client(f, i);     /* the daemon hung up */
}

/*
 * One action: a byte (kind in bits 0-2, client in bits 3-4; bit 5 moves
 * a send's length to around XENSIM_MSG_MAX; bit 7 leaves the daemon to
 * run at the next action, so that several events reach it in one
 * round), then what the kind reads:
 *   send:    u16 length, then that many bytes (zeros past the input's
 *            end)
 *   hang up: nothing
 *   kick:    u8 which kept descriptor, u8 the value less one
 *   poke:    u8 which kept descriptor, u16 offset, u8 length, the bytes
 */
static void run_action(struct fuzz *f)
{
    uint8_t a = fuzz_take_u8(&f->in), pokebuf[POKE_MAX];
    unsigned int i = (a >> 3) % NR_SLOTS;
    bool near_max = a & ACT_NEAR_MAX, later = a & ACT_LATER;
    struct xensim_req req;
    struct stat st;
    uint64_t v;
    size_t len;
    off_t off;
    int fd;

    switch (a % NR_ACTIONS) {
    case ACT_HANG_UP:
        if (f->slot[i] >= 0)
            close_client(f, i);
        break;
    case ACT_KICK:
        fd = f->kept[fuzz_take_u8(&f->in) % NR_KEPT];
        v = (uint64_t)fuzz_take_u8(&f->in) + 1;
        /* Eventfds only: a write to a memfd would move its offset. */
        if (fd < 0 || fstat(fd, &st) || S_ISREG(st.st_mode))
            break;
        if (write(fd, &v, sizeof(v)) < 0) {
            /* A saturated counter: nothing sent. */
        }
        break;
    case ACT_POKE:
        fd = f->kept[fuzz_take_u8(&f->in) % NR_KEPT];
        off = fuzz_take_u16(&f->in);
        len = fuzz_take_u8(&f->in);
        fuzz_take(&f->in, pokebuf, len);
        /* Only inside what the daemon made: never grow its files. */
        if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
            off >= st.st_size)
            break;
        len = MIN(len, (size_t)(st.st_size - off));
        if (pwrite(fd, pokebuf, len, off) < 0) {
            /* Not writable: nothing written. */
        }
        break;
    default:
        len = fuzz_take_u16(&f->in);
        if (near_max)
            len = XENSIM_MSG_MAX - 32 + len % 64;
        fuzz_take(&f->in, f->msg, len);
        if (a % NR_ACTIONS != ACT_SEND && len >= sizeof(req)) {
            memcpy(&req, f->msg, sizeof(req));
            req.size = len - sizeof(req);
            memcpy(f->msg, &req, sizeof(req));
        }
        send_msg(f, i, len);
        break;
    }
    if (!later)
        pump(f, CHECK_DOMIDS);
}

/* ---- Building inputs: the guest of every input, and the seeds ----------- */

/* A well-framed request of op on client i: payload p then q. */
static void put_req2(struct fuzz_input *s, unsigned int i, uint32_t op,
                     const void *p, size_t plen, const void *q,
                     size_t qlen)
{
    struct xensim_req req = { .op = op, .size = plen + qlen };

    fuzz_put_u8(s, ACT_SEND | i << 3);
    fuzz_put_u16(s, sizeof(req) + plen + qlen);
    fuzz_put(s, &req, sizeof(req));
    fuzz_put(s, p, plen);
    fuzz_put(s, q, qlen);
}

static void put_req(struct fuzz_input *s, unsigned int i, uint32_t op,
                    const void *p, size_t plen)
{
    put_req2(s, i, op, p, plen, NULL, 0);
}

#ifdef FUZZ_REPLAY_MAIN
/* The same, left for the daemon to read with what follows. */
static void put_req_later(struct fuzz_input *s, unsigned int i, uint32_t op,
                          const void *p, size_t plen)
{
    size_t at = s->len;

    put_req(s, i, op, p, plen);
    s->b[at] |= ACT_LATER;
}
#endif

static void put_domctl(struct fuzz_input *s, uint32_t cmd, domid_t domid,
                       const struct xen_domctl *proto)
{
    struct xen_domctl op;

    if (proto)
        op = *proto;
    else
        memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = domid;
    put_req(s, 0, XENSIM_OP_DOMCTL, &op, sizeof(op));
}

/*
 * An HVM guest, its vCPUs up, running, with RAM in nr extents of 2^order
 * pages from gfn 0, a hole as large after each: long operations over it
 * run in several chunks, and ranges can cross holes.
 */
static void put_guest(struct fuzz_input *s, domid_t domid, bool hap,
                      unsigned int order, unsigned int nr)
{
    struct xensim_memory_op mop = { .cmd = XENMEM_populate_physmap };
    struct xen_memory_reservation r = {
        .nr_extents = nr, .extent_order = order, .domid = domid,
    };
    xen_pfn_t gfns[4];
    struct xen_domctl op = { 0 };
    uint8_t payload[sizeof(mop) + sizeof(r) + sizeof(gfns)];
    unsigned int i;

    CHECK(nr <= 4);
    for (i = 0; i < nr; i++)
        gfns[i] = (xen_pfn_t)i << (order + 1);
    op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm |
                              (hap ? XEN_DOMCTL_CDF_hap : 0);
    op.u.createdomain.max_vcpus = GUEST_VCPUS;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    op.u.createdomain.arch.emulation_flags = XEN_X86_EMU_ALL &
                                             ~XEN_X86_EMU_VPCI;
    put_domctl(s, XEN_DOMCTL_createdomain, domid, &op);
    memset(&op, 0, sizeof(op));
    op.u.max_vcpus.max = GUEST_VCPUS;
    put_domctl(s, XEN_DOMCTL_max_vcpus, domid, &op);
    memset(&op, 0, sizeof(op));
    op.u.max_mem.max_memkb = (PAGE_SIZE / 1024) * (nr << order);
    put_domctl(s, XEN_DOMCTL_max_mem, domid, &op);
    memcpy(payload, &mop, sizeof(mop));
    memcpy(payload + sizeof(mop), &r, sizeof(r));
    memcpy(payload + sizeof(mop) + sizeof(r), gfns, nr * sizeof(gfns[0]));
    put_req(s, 0, XENSIM_OP_MEMORY_OP, payload,
            sizeof(mop) + sizeof(r) + nr * sizeof(gfns[0]));
    put_domctl(s, XEN_DOMCTL_unpausedomain, domid, NULL);
}

/* ---- The target --------------------------------------------------------- */

static unsigned int count_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    unsigned int n = 0;

    if (!dir)
        return 0;
    while (readdir(dir))
        n++;
    closedir(dir);
    return n;
}

static void run_script(struct fuzz *f, const uint8_t *data, size_t size)
{
    f->in = (struct fuzz_reader){ .p = data, .left = size };
    while (f->in.left)
        run_action(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz *f = calloc(1, sizeof(*f));
    struct fuzz_input guest = { .len = 0 };
    unsigned int fds = count_fds(), i;
    const struct domain *d;

    CHECK(f);
    CHECK(sim_state_init(&f->sim) == 0);
    f->sim.hv.default_max_gfn = FUZZ_MAX_GFN;
    f->sim.hv.preempt_check = fuzz_preempt_check;
    f->sim.hv.preempt_opaque = &f->preempt;
    for (i = 0; i < NR_SLOTS; i++)
        f->slot[i] = -1;
    for (i = 0; i < NR_KEPT; i++)
        f->kept[i] = -1;

    put_guest(&guest, GUEST, true, GUEST_ORDER, GUEST_EXTENTS);
    run_script(f, guest.b, guest.len);
    d = domain_lookup(&f->sim.hv, GUEST);
    CHECK(d && d->tot_pages == GUEST_EXTENTS << GUEST_ORDER);
    CHECK(!d->pause_count && d->nr_online_vcpus == GUEST_VCPUS);
    CHECK(f->replies[0] == f->sent[0]);

    f->in = (struct fuzz_reader){ .p = data, .left = size };
    f->preempt.pattern = fuzz_take_u32(&f->in);
    while (f->in.left)
        run_action(f);

    /* Every client hangs up, then the daemon stops. */
    for (i = 0; i < NR_SLOTS; i++)
        if (f->slot[i] >= 0)
            close_client(f, i);
    pump(f, XENSIM_DM_DOMID_FIRST);
    sim_state_teardown(&f->sim);
    for (i = 0; i < NR_KEPT; i++)
        if (f->kept[i] >= 0)
            close(f->kept[i]);
    free(f);
    CHECK(count_fds() == fds);
    return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* ---- Seeds -------------------------------------------------------------- */

static void put_preempt(struct fuzz_input *s, uint32_t pattern)
{
    fuzz_put_u32(s, pattern);
}

/* A DM op of one buffer, op, from client i (flags XENSIM_DM_OP_*). */
static void put_dm_op(struct fuzz_input *s, unsigned int i, uint16_t flags,
                      const struct xen_dm_op *op)
{
    struct xensim_dm_op hdr = {
        .domid = GUEST, .flags = flags, .nr_bufs = 1,
        .size = { sizeof(*op) },
    };

    put_req2(s, i, XENSIM_OP_DM_OP, &hdr, sizeof(hdr), op, sizeof(*op));
}

static void put_create_server(struct fuzz_input *s, unsigned int i)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };

    put_dm_op(s, i, 0, &op);
}

static void put_claim(struct fuzz_input *s, unsigned int i, uint32_t flags,
                      uint16_t detach)
{
    struct xen_dm_op op = { .op = XEN_DMOP_map_mem_type_to_ioreq_server };

    op.u.map_mem_type_to_ioreq_server.type = HVMMEM_ioreq_server;
    op.u.map_mem_type_to_ioreq_server.flags = flags;
    put_dm_op(s, i, detach, &op);
}

static void put_set_mem_type(struct fuzz_input *s, unsigned int i,
                             uint16_t type, uint64_t first, uint32_t nr)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_mem_type };

    op.u.set_mem_type.mem_type = type;
    op.u.set_mem_type.first_pfn = first;
    op.u.set_mem_type.nr = nr;
    put_dm_op(s, i, 0, &op);
}

static void put_enable(struct fuzz_input *s, unsigned int i)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_ioreq_server_state };

    op.u.set_ioreq_server_state.enabled = 1;
    put_dm_op(s, i, 0, &op);
}

static void put_access(struct fuzz_input *s, unsigned int i, uint32_t op,
                       uint32_t vcpu, uint64_t gpa, uint64_t data)
{
    struct xensim_guest_access w = {
        .domid = GUEST, .vcpu = vcpu, .op = op, .gpa = gpa, .size = 4,
        .data = { data },
    };

    put_req(s, i, XENSIM_OP_GUEST_ACCESS, &w, sizeof(w));
}

static void put_kick(struct fuzz_input *s, uint8_t kept)
{
    fuzz_put_u8(s, ACT_KICK);
    fuzz_put_u8(s, kept);
    fuzz_put_u8(s, 0);
}

static void put_poke(struct fuzz_input *s, uint8_t kept, uint16_t off,
                     const void *p, uint8_t len)
{
    fuzz_put_u8(s, ACT_POKE);
    fuzz_put_u8(s, kept);
    fuzz_put_u16(s, off);
    fuzz_put_u8(s, len);
    fuzz_put(s, p, len);
}

static void put_hang_up(struct fuzz_input *s, unsigned int i)
{
    fuzz_put_u8(s, ACT_HANG_UP | i << 3);
}

static void put_hang_up_later(struct fuzz_input *s, unsigned int i)
{
    fuzz_put_u8(s, ACT_HANG_UP | i << 3 | ACT_LATER);
}

/* Framing: short, empty, unknown, oversized, sizes that lie. */
static void seed_framing(struct fuzz_input *s)
{
    struct xensim_hello hello = { .version = XENSIM_PROTOCOL_VERSION };
    struct xensim_req req = { .op = XENSIM_OP_HELLO, .size = 100 };

    put_preempt(s, 0);
    put_req(s, 0, XENSIM_OP_HELLO, &hello, sizeof(hello));
    hello.version = 99;
    put_req(s, 1, XENSIM_OP_HELLO, &hello, sizeof(hello));
    put_req(s, 1, XENSIM_OP_HELLO, &hello, 4);
    put_req(s, 2, 0, NULL, 0);
    put_req(s, 2, 99, NULL, 0);
    put_req(s, 2, XENSIM_OP_ACCESS_CHANNEL + 1, NULL, 0);
    /* Raw: the header's size is not the payload's. */
    fuzz_put_u8(s, ACT_SEND | 3 << 3);
    fuzz_put_u16(s, sizeof(req));
    fuzz_put(s, &req, sizeof(req));
    fuzz_put_u8(s, ACT_SEND | 3 << 3);
    fuzz_put_u16(s, 4);
    fuzz_put(s, &req, 4);
    fuzz_put_u8(s, ACT_SEND | 3 << 3);
    fuzz_put_u16(s, 0);
    /* One past XENSIM_MSG_MAX, framed; then exactly at it. */
    fuzz_put_u8(s, ACT_SEND_FRAMED | ACT_NEAR_MAX);
    fuzz_put_u16(s, 33);
    fuzz_put_u8(s, ACT_SEND_FRAMED | 1 << 3 | ACT_NEAR_MAX);
    fuzz_put_u16(s, 32);
}

/*
 * A device model's life: a server claims the type, pages typed, a guest
 * write waits on it; the DM maps its pages and binds its ports (guessed),
 * answers through the slot and the channel, then dies mid-request.
 */
static void seed_device_model(struct fuzz_input *s)
{
    struct xensim_map_resource res = {
        .domid = GUEST, .type = XENMEM_resource_ioreq_server,
        .frame = XENMEM_resource_ioreq_server_frame_ioreq(0),
        .nr_frames = 1,
    };
    struct xensim_evtchn_bind bind = { .remote_dom = GUEST };
    struct xensim_restrict restrict_ = { .domid = GUEST };
    struct xensim_evtchn_unbind unbind = { .local_port = 1 };
    uint8_t state = STATE_IORESP_READY;
    unsigned int port;

    put_preempt(s, 0x55555555);
    put_req(s, 1, XENSIM_OP_RESTRICT, &restrict_, sizeof(restrict_));
    put_create_server(s, 1);
    put_claim(s, 1, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, 0);
    put_set_mem_type(s, 1, HVMMEM_ioreq_server, 16, 16);
    put_enable(s, 1);
    put_access(s, 0, XENSIM_ACCESS_WRITE, 0, 16 << PAGE_SHIFT, 0x1234);
    put_req(s, 1, XENSIM_OP_MAP_RESOURCE, &res, sizeof(res));
    for (port = 1; port <= 4; port++) {
        bind.remote_port = port;
        put_req(s, 1, XENSIM_OP_EVTCHN_BIND, &bind, sizeof(bind));
    }
    /* The descriptor holds both frames: vCPU 0's slot opens frame 1. */
    put_poke(s, 0, PAGE_SIZE + offsetof(ioreq_t, vp_eport) + 6, &state, 1);
    put_kick(s, 2);
    put_kick(s, 4);
    put_access(s, 0, XENSIM_ACCESS_READ, 1, 17 << PAGE_SHIFT, 0);
    /* A request while one is pending breaks the protocol. */
    put_access(s, 0, XENSIM_ACCESS_READ, 0, 18 << PAGE_SHIFT, 0);
    /*
     * An unbind, and a notification on that binding, in one round: the
     * event must not reach the freed binding (sim_release).
     */
    put_req_later(s, 1, XENSIM_OP_EVTCHN_UNBIND, &unbind, sizeof(unbind));
    put_kick(s, 2);
    /* A hang-up, and a notification on a binding it drops, likewise. */
    put_hang_up_later(s, 1);
    put_kick(s, 4);
    put_access(s, 2, XENSIM_ACCESS_READ, 1, 17 << PAGE_SHIFT, 0);
}

/* A release that finishes detached, preempted at every check. */
static void seed_detached_release(struct fuzz_input *s)
{
    put_preempt(s, 0xffffffff);
    put_create_server(s, 0);
    put_claim(s, 0, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, 0);
    put_set_mem_type(s, 0, HVMMEM_ioreq_server, 0, 0x200);
    put_claim(s, 0, 0, XENSIM_DM_OP_DETACH);
    put_hang_up(s, 0);
    put_create_server(s, 1);
    put_claim(s, 1, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, 0);
    put_set_mem_type(s, 1, HVMMEM_ioreq_server, 0x400, 0x200);
    put_set_mem_type(s, 1, HVMMEM_ioreq_server, 0x100, 0x400);
    put_claim(s, 1, 0, 0xff);
}

/* Records, introspection, foreign maps, memory ops, log-dirty. */
static void seed_toolstack(struct fuzz_input *s)
{
    struct xensim_record rec = {
        .domid = GUEST, .flags = XENSIM_RECORD_UNIQUE, .key_len = 4,
        .value_len = 3,
    };
    struct xensim_domid dom = { .domid = GUEST };
    struct xensim_ioreq_ranges_req ranges = { .domid = GUEST };
    struct xensim_mem_types_req types = {
        .domid = GUEST, .max_runs = 1000, .first = 0, .last = ~0ULL,
    };
    struct {
        struct xensim_map_foreign hdr;
        uint64_t gfns[2];
    } map = {
        .hdr = { .domid = GUEST, .prot = 3, .num = 2 },
        .gfns = { 0, FUZZ_MAX_GFN + 1 },
    };
    struct {
        struct xensim_memory_op hdr;
        struct xensim_domid dom;
    } gpfn = {
        .hdr = { .cmd = XENMEM_maximum_gpfn }, .dom = { .domid = GUEST },
    };
    struct xen_domctl op = { 0 };

    put_preempt(s, 0);
    put_req2(s, 0, XENSIM_OP_RECORD_SET, &rec, sizeof(rec), "namefoo", 7);
    put_req2(s, 0, XENSIM_OP_RECORD_FIND, &rec, sizeof(rec), "namefoo", 7);
    rec.value_len = 0;
    put_req2(s, 0, XENSIM_OP_RECORD_GET, &rec, sizeof(rec), "name", 4);
    rec.key_len = 0;
    put_req(s, 0, XENSIM_OP_RECORD_GET, &rec, sizeof(rec));
    put_req(s, 0, XENSIM_OP_IOREQ_STATE, &dom, sizeof(dom));
    put_req(s, 0, XENSIM_OP_IOREQ_RANGES, &ranges, sizeof(ranges));
    put_req(s, 0, XENSIM_OP_MEM_TYPES, &types, sizeof(types));
    put_req(s, 0, XENSIM_OP_MAP_FOREIGN, &map, sizeof(map));
    put_req(s, 0, XENSIM_OP_MEMORY_OP, &gpfn, sizeof(gpfn));
    put_guest(s, 2, false, 4, 1);
    op.u.shadow_op.op = XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY;
    put_domctl(s, XEN_DOMCTL_shadow_op, GUEST, &op);
    put_access(s, 0, XENSIM_ACCESS_WRITE, 0, 3 << PAGE_SHIFT, 7);
    op.u.shadow_op.op = XEN_DOMCTL_SHADOW_OP_CLEAN;
    op.u.shadow_op.pages = FUZZ_MAX_GFN + 1;
    put_domctl(s, XEN_DOMCTL_shadow_op, GUEST, &op);
    /* Sizes whose rounding up to whole words wraps (op_domctl). */
    op.u.shadow_op.op = XEN_DOMCTL_SHADOW_OP_PEEK;
    op.u.shadow_op.pages = UINT64_MAX - 62;
    put_domctl(s, XEN_DOMCTL_shadow_op, GUEST, &op);
    op.u.shadow_op.pages = UINT64_MAX;
    put_domctl(s, XEN_DOMCTL_shadow_op, GUEST, &op);
    put_domctl(s, XEN_DOMCTL_getdomaininfo, 0, NULL);
    put_domctl(s, XEN_DOMCTL_pausedomain, GUEST, NULL);
    put_domctl(s, XEN_DOMCTL_destroydomain, 2, NULL);
    put_domctl(s, XEN_DOMCTL_destroydomain, GUEST, NULL);
}

/* The access channel: a request through the mailbox, then a hang-up. */
static void seed_channel(struct fuzz_input *s)
{
    struct xensim_access_mailbox mb = {
        .seq = 1,
        .req = { .domid = GUEST, .op = XENSIM_ACCESS_READ, .gpa = 0x40,
                 .size = 8 },
    };

    put_preempt(s, 0);
    put_req(s, 0, XENSIM_OP_ACCESS_CHANNEL, NULL, 0);
    put_req(s, 0, XENSIM_OP_ACCESS_CHANNEL, NULL, 0);
    put_poke(s, 0, 0, &mb, sizeof(mb));
    put_kick(s, 1);
    put_kick(s, 1);
    put_create_server(s, 1);
    put_claim(s, 1, XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, 0);
    put_set_mem_type(s, 1, HVMMEM_ioreq_server, 0, 1);
    put_enable(s, 1);
    mb.seq = 2;
    mb.req.op = XENSIM_ACCESS_WRITE;
    put_poke(s, 0, 0, &mb, sizeof(mb));
    put_kick(s, 1);
    /* A hang-up, and a request on its channel, in one round (likewise). */
    mb.seq = 3;
    put_poke(s, 0, 0, &mb, sizeof(mb));
    put_hang_up_later(s, 0);
    put_kick(s, 1);
}

static fuzz_seed_fn *const seeds[] = {
    seed_framing,
    seed_device_model,
    seed_detached_release,
    seed_toolstack,
    seed_channel,
};

bool fuzz_seed(size_t i, struct fuzz_input *in)
{
    return fuzz_seed_built(seeds, ARRAY_SIZE(seeds), i, in);
}
#endif
