/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xensim-guest: play one vCPU of a simulated guest.  Each run makes the
 * vCPU perform one memory access through xensimd (XENSIM_OP_GUEST_ACCESS),
 * exactly as the guest's own instruction would: a write to a page typed
 * HVMMEM_ioreq_server goes to the claiming device model, and the command
 * returns once the access has completed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gfn-range.h"
#include "transport.h"

#define EXIT_USAGE 2

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct verb {
    const char *name;
    uint32_t op;                /* XENSIM_ACCESS_* */
    int nargs;                  /* arguments after the verb */
    const char *args;
} verbs[] = {
    { "read", XENSIM_ACCESS_READ, 2, "GPA SIZE" },
    { "write", XENSIM_ACCESS_WRITE, 3, "GPA SIZE VALUE" },
    { "rmw", XENSIM_ACCESS_RMW, 4, "OP GPA SIZE OPERAND" },
};

static const struct rmw_op {
    const char *name;
    uint32_t rmw;               /* XENSIM_RMW_* */
} rmw_ops[] = {
    { "add", XENSIM_RMW_ADD },
    { "or", XENSIM_RMW_OR },
    { "and", XENSIM_RMW_AND },
    { "xor", XENSIM_RMW_XOR },
    { "xchg", XENSIM_RMW_XCHG },
};

/* One access, as the command line asked for it. */
struct access {
    const struct verb *verb;
    const struct rmw_op *rmw;
    uint16_t domid;
    uint32_t vcpu;
    uint64_t gpa;
    uint32_t size;
    uint64_t value;             /* write data or rmw operand */
};

static void usage(FILE *f)
{
    fprintf(f,
"Usage: xensim-guest DOMID [--vcpu N] read GPA SIZE\n"
"       xensim-guest DOMID [--vcpu N] write GPA SIZE VALUE\n"
"       xensim-guest DOMID [--vcpu N] rmw OP GPA SIZE OPERAND\n"
"\n"
"Make vCPU N (default 0) of simulated domain DOMID perform one access to\n"
"guest-physical address GPA, as the guest would, through xensimd.\n"
"\n"
"  read    print the SIZE-byte value read, in hex\n"
"  write   store the SIZE-byte VALUE\n"
"  rmw     atomic read-modify-write, OP one of add, or, and, xor, xchg;\n"
"          prints the old value, in hex\n"
"\n"
"  --vcpu N     the vCPU that performs the access\n"
"  -h, --help   print this help and exit\n"
"\n"
"SIZE is 1, 2, 4 or 8; numbers are decimal or hex with 0x.  The socket\n"
"is $XENSIM_SOCKET, else " XENSIM_DEFAULT_SOCKET ".\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("xensim-guest: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'xensim-guest --help' for more information.\n", stderr);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
    va_list ap;

    fputs("xensim-guest: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/*
 * Parse arg as a number no greater than max; message printed on error,
 * ending with why max is the limit when it is.
 */
static int bounded_number(const char *arg, const char *what, uint64_t max,
                          const char *limit, uint64_t *val)
{
    gfn_range_err err;
    int rc;

    rc = gfn_range_parse_u64(arg, what, max, val, &err);
    if (rc == GFN_RANGE_ETOOLARGE)
        usage_error("%s %s", err.msg, limit);
    else if (rc)
        usage_error("%s", err.msg);
    return rc;
}

static int number(const char *arg, const char *what, uint64_t max,
                  uint64_t *val)
{
    return bounded_number(arg, what, max, "", val);
}

static int parse_size(const char *arg, uint32_t *size)
{
    uint64_t v;

    if (number(arg, "SIZE", UINT64_MAX, &v))
        return -1;
    if (v != 1 && v != 2 && v != 4 && v != 8) {
        usage_error("SIZE \"%s\": expected 1, 2, 4 or 8 (bytes)", arg);
        return -1;
    }
    *size = v;
    return 0;
}

/* The operands after the verb: [OP] GPA SIZE [VALUE]. */
static int parse_operands(char **args, struct access *a)
{
    char limit[32];
    uint64_t max;
    size_t i;

    if (a->verb->op == XENSIM_ACCESS_RMW) {
        for (i = 0; i < ARRAY_SIZE(rmw_ops); i++)
            if (!strcmp(args[0], rmw_ops[i].name))
                a->rmw = &rmw_ops[i];
        if (!a->rmw) {
            usage_error("rmw OP \"%s\": expected add, or, and, xor or xchg",
                        args[0]);
            return -1;
        }
        args++;
    }
    if (number(args[0], "GPA", UINT64_MAX, &a->gpa) ||
        parse_size(args[1], &a->size))
        return -1;
    if (a->gpa + (a->size - 1) < a->gpa) {
        usage_error("GPA %s with SIZE %" PRIu32 " runs past the top of the "
                    "address space (0xffffffffffffffff)", args[0], a->size);
        return -1;
    }
    if (a->verb->op == XENSIM_ACCESS_READ)
        return 0;

    max = a->size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * a->size)) - 1;
    snprintf(limit, sizeof(limit), "for a %" PRIu32 "-byte access",
             a->size);
    return bounded_number(args[2], a->verb->op == XENSIM_ACCESS_RMW
                          ? "OPERAND" : "VALUE", max, limit, &a->value);
}

/* Parse argv into *a; 0, or the exit status to leave with. */
static int parse_args(int argc, char **argv, struct access *a)
{
    static const struct option longopts[] = {
        { "vcpu", required_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool have_vcpu = false;
    uint64_t v;
    size_t i;
    int c, n;

    opterr = 0;                 /* our own messages, below */
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'v':
            if (have_vcpu) {
                usage_error("--vcpu given twice");
                return EXIT_USAGE;
            }
            if (number(optarg, "--vcpu", UINT32_MAX, &v))
                return EXIT_USAGE;
            a->vcpu = v;
            have_vcpu = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_SUCCESS;
        case ':':
            usage_error("option --vcpu needs an argument (a vCPU number)");
            return EXIT_USAGE;
        default:
            /* getopt takes "-1" for an option: say what it really is. */
            if (optopt >= '0' && optopt <= '9')
                usage_error("\"%s\": negative numbers are not accepted; "
                            "numbers are decimal or 0x hex",
                            argv[optind - 1]);
            else if (optopt)
                usage_error("unknown option -%c", optopt);
            else
                usage_error("unknown option %s", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }

    n = argc - optind;
    if (n < 1) {
        usage_error("DOMID is missing");
        return EXIT_USAGE;
    }
    /* A domid is 16 bits; which ones exist is xensimd's to say. */
    if (bounded_number(argv[optind], "DOMID", UINT16_MAX,
                       "for a domid (16 bits)", &v))
        return EXIT_USAGE;
    a->domid = v;
    if (n < 2) {
        usage_error("the access is missing: read, write or rmw");
        return EXIT_USAGE;
    }
    for (i = 0; i < ARRAY_SIZE(verbs); i++)
        if (!strcmp(argv[optind + 1], verbs[i].name))
            a->verb = &verbs[i];
    if (!a->verb) {
        usage_error("unknown access \"%s\": expected read, write or rmw",
                    argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (n - 2 != a->verb->nargs) {
        usage_error("%s takes %d arguments, %s; got %d", a->verb->name,
                    a->verb->nargs, a->verb->args, n - 2);
        return EXIT_USAGE;
    }
    if (parse_operands(argv + optind + 2, a))
        return EXIT_USAGE;
    return 0;
}

/* Words for a failed connection. */
static const char *connect_error(int e)
{
    switch (e) {
    case ENOENT:
        return "no socket there (is xensimd running? XENSIM_SOCKET names "
            "its socket)";
    case ECONNREFUSED:
        return "nothing is listening there (is xensimd running?)";
    case EACCES:
    case EPERM:
        return "permission denied (the socket is mode 0600: run as the "
            "user that started xensimd)";
    case ENAMETOOLONG:
        return "the path is too long for a UNIX socket";
    default:
        return strerror(e);
    }
}

/* Words for a failed access; buf holds those that need numbers. */
static const char *access_error(int e, const struct access *a, char *buf,
                                size_t len)
{
    switch (e) {
    case ESRCH:
        snprintf(buf, len, "no such domain %u", a->domid);
        return buf;
    case ENOENT:
        snprintf(buf, len, "domain %u has no vCPU %" PRIu32, a->domid,
                 a->vcpu);
        return buf;
    case EBUSY:
        snprintf(buf, len, "vCPU %" PRIu32 " is busy with another client's "
                 "access; try again when it has completed", a->vcpu);
        return buf;
    case EAGAIN:
        snprintf(buf, len, "domain %u is paused; unpause it first (xl "
                 "unpause %u)", a->domid, a->domid);
        return buf;
    case EINVAL:
        return "xensimd refused the access as malformed";
    case EPERM:
    case EACCES:
        return "permission denied: only the control domain may play a "
            "guest's vCPU";
    case EPIPE:
        return "xensimd closed the connection";
    case EPROTO:
        return "xensimd answered something malformed";
    default:
        return strerror(e);
    }
}

int main(int argc, char **argv)
{
    struct access a = { .vcpu = 0 };
    struct xensim_conn conn = { .fd = -1 };
    struct xensim_guest_access req;
    struct xensim_guest_access_rsp rsp;
    struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
    struct xensim_reply reply = { .buf = &rsp, .size = sizeof(rsp) };
    char why[128];
    unsigned int i;
    int status, rc;

    status = parse_args(argc, argv, &a);
    if (status || !a.verb)      /* an error, or the help printed */
        goto out;

    memset(&req, 0, sizeof(req));
    req.domid = a.domid;
    req.vcpu = a.vcpu;
    req.op = a.verb->op;
    req.rmw = a.rmw ? a.rmw->rmw : 0;
    req.gpa = a.gpa;
    req.size = a.size;
    req.data[0] = a.value;

    rc = xensim_connect(&conn);
    if (rc < 0) {
        fail("cannot connect to xensimd at %s: %s", xensim_socket_path(),
             connect_error(-rc));
        status = EXIT_FAILURE;
        goto out;
    }
    memset(&rsp, 0, sizeof(rsp));
    rc = xensim_call(&conn, XENSIM_OP_GUEST_ACCESS, &iov, 1, &reply);
    for (i = 0; i < reply.nr_fds; i++)
        close(reply.fds[i]);
    if (rc >= 0 && reply.len != sizeof(rsp))
        rc = -EPROTO;
    if (rc < 0) {
        fail("%" PRIu32 "-byte %s%s%s at 0x%" PRIx64 " by vCPU %" PRIu32
             " of domain %u failed: %s", a.size, a.verb->name,
             a.rmw ? " " : "", a.rmw ? a.rmw->name : "", a.gpa, a.vcpu,
             a.domid, access_error(-rc, &a, why, sizeof(why)));
        status = EXIT_FAILURE;
        goto out;
    }

    if (a.verb->op != XENSIM_ACCESS_WRITE)
        printf("0x%" PRIx64 "\n", rsp.value);
    status = fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;

 out:
    xensim_disconnect(&conn);
    return status;
}
