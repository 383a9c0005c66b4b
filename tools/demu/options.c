/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * demu's command line.  Everything is validated here, before demu touches
 * the hypervisor, so that a typo changes nothing.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "demu.h"

void demu_usage(FILE *f)
{
    fprintf(f,
"Usage: demu --domain DOMID [--map GFN-RANGE]... [--mode MODE] "
"[--log FILE]\n"
"\n"
"A demonstration device model: claims HVMMEM_ioreq_server for the domain,\n"
"retypes the pages given with --map, and logs every guest write to a page\n"
"of that type as one JSON line:\n"
"  {\"vcpu\":0,\"gpa\":N,\"size\":N,\"data\":N}\n"
"\n"
"  -d, --domain DOMID    the HVM guest to serve\n"
"  -m, --map GFN-RANGE   retype these pages to HVMMEM_ioreq_server; GFN,\n"
"                        FIRST-LAST (inclusive) or FIRST+COUNT; repeatable\n"
"      --mode MODE       write-through (default): store each write into\n"
"                        guest RAM; discard: acknowledge it, store nothing\n"
"  -l, --log FILE        append the JSON lines to FILE (default: stdout)\n"
"  -h, --help            print this help and exit\n"
"\n"
"Numbers are decimal or hex with 0x.  Progress and errors go to stderr.\n"
"SIGTERM or SIGINT releases the claim, which resets the pages to\n"
"HVMMEM_ram_rw, destroys the ioreq server and exits.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static const struct option longopts[] = {
    { "domain", required_argument, NULL, 'd' },
    { "map", required_argument, NULL, 'm' },
    { "mode", required_argument, NULL, 'M' },
    { "log", required_argument, NULL, 'l' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static const char *option_name(int val)
{
    const struct option *o;

    for (o = longopts; o->name; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("demu: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'demu --help' for more information.\n", stderr);
}

static int parse_domain(const char *arg, struct demu_options *o)
{
    gfn_range_err err;
    uint64_t v;
    int rc;

    rc = gfn_range_parse_u64(arg, "--domain", DOMID_FIRST_RESERVED - 1, &v,
                             &err);
    if (rc) {
        usage_error("%s", err.msg);
        return rc;
    }
    if (v == 0) {
        usage_error("--domain 0: domain 0 is the control domain, where demu "
                    "runs; give the domid of an HVM guest");
        return GFN_RANGE_ETOOLARGE;
    }
    o->domid = v;
    return 0;
}

/* Append one --map; on failure, a message was printed. */
static enum demu_opts_result add_map(const char *arg, struct demu_options *o)
{
    gfn_range_err err;
    gfn_range r, *ranges;
    const char **args;
    size_t n = o->nr_ranges + 1;
    int rc;

    rc = gfn_range_parse(arg, &r, &err);
    if (rc) {
        usage_error("--map %s", err.msg);
        return DEMU_OPTS_USAGE_ERROR;
    }
    ranges = realloc(o->ranges, n * sizeof(*ranges));
    if (!ranges)
        goto nomem;
    o->ranges = ranges;
    args = realloc(o->range_args, n * sizeof(*args));
    if (!args)
        goto nomem;
    o->range_args = args;
    o->ranges[n - 1] = r;
    o->range_args[n - 1] = arg;
    o->nr_ranges = n;
    return DEMU_OPTS_RUN;

 nomem:
    demu_err("out of memory reading --map %s", arg);
    return DEMU_OPTS_FAIL;
}

/*
 * Pages given twice would make the second retype fail half-way
 * (ioreq_server -> ioreq_server is refused), so refuse them up front, in
 * the user's own words.
 */
static enum demu_opts_result check_maps(const struct demu_options *o)
{
    gfn_range_err err;
    gfn_range x;
    char tx[GFN_RANGE_STRLEN];
    size_t a, b;
    int rc;

    rc = gfn_range_check_overlap(o->ranges, o->nr_ranges, &a, &b, &err);
    if (rc == 0)
        return DEMU_OPTS_RUN;
    if (rc == GFN_RANGE_ENOMEM) {
        demu_err("%s", err.msg);
        return DEMU_OPTS_FAIL;
    }
    if (rc == GFN_RANGE_EDUPLICATE) {
        usage_error("--map \"%s\" repeats --map \"%s\"; give each range "
                    "once", o->range_args[b], o->range_args[a]);
        return DEMU_OPTS_USAGE_ERROR;
    }
    gfn_range_intersect(&o->ranges[a], &o->ranges[b], &x);
    gfn_range_format(&x, tx);
    usage_error("--map \"%s\" and --map \"%s\" overlap at %s; give each page "
                "once", o->range_args[a], o->range_args[b], tx);
    return DEMU_OPTS_USAGE_ERROR;
}

enum demu_opts_result demu_parse_options(int argc, char **argv,
                                         struct demu_options *o)
{
    bool have_domain = false, have_mode = false;
    enum demu_opts_result res;
    int c;

    memset(o, 0, sizeof(*o));
    o->mode = DEMU_MODE_WRITE_THROUGH;

    opterr = 0;                 /* our own messages, below */
    while ((c = getopt_long(argc, argv, "+:d:m:l:h", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'd':
            if (have_domain) {
                usage_error("--domain given twice; demu serves one domain");
                return DEMU_OPTS_USAGE_ERROR;
            }
            if (parse_domain(optarg, o))
                return DEMU_OPTS_USAGE_ERROR;
            have_domain = true;
            break;
        case 'm':
            res = add_map(optarg, o);
            if (res != DEMU_OPTS_RUN)
                return res;
            break;
        case 'M':
            if (have_mode) {
                usage_error("--mode given twice");
                return DEMU_OPTS_USAGE_ERROR;
            }
            if (!strcmp(optarg, "write-through")) {
                o->mode = DEMU_MODE_WRITE_THROUGH;
            } else if (!strcmp(optarg, "discard")) {
                o->mode = DEMU_MODE_DISCARD;
            } else {
                usage_error("--mode \"%s\": expected write-through or "
                            "discard", optarg);
                return DEMU_OPTS_USAGE_ERROR;
            }
            have_mode = true;
            break;
        case 'l':
            if (o->log_path) {
                usage_error("--log given twice");
                return DEMU_OPTS_USAGE_ERROR;
            }
            if (!*optarg) {
                usage_error("--log \"\": the file name is empty");
                return DEMU_OPTS_USAGE_ERROR;
            }
            o->log_path = optarg;
            break;
        case 'h':
            demu_usage(stdout);
            return DEMU_OPTS_HELP;
        case ':':
            usage_error("option --%s needs an argument",
                        option_name(optopt));
            return DEMU_OPTS_USAGE_ERROR;
        default:
            if (optopt)
                usage_error("unknown option -%c", optopt);
            else
                usage_error("unknown option %s", argv[optind - 1]);
            return DEMU_OPTS_USAGE_ERROR;
        }
    }
    if (optind < argc) {
        usage_error("unexpected argument \"%s\"; options only", argv[optind]);
        return DEMU_OPTS_USAGE_ERROR;
    }
    if (!have_domain) {
        usage_error("--domain DOMID is required");
        return DEMU_OPTS_USAGE_ERROR;
    }
    return check_maps(o);
}

void demu_options_dispose(struct demu_options *o)
{
    free(o->ranges);
    free(o->range_args);
    o->ranges = NULL;
    o->range_args = NULL;
    o->nr_ranges = 0;
}
