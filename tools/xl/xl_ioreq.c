/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * p2m_ioreq_server pages: ioreq-map, ioreq-unmap, ioreq-list,
 * ioreq-servers, ioreq-reset.
 *
 * The checks and their messages are libxl's (which page, which range,
 * which server); xl parses the ranges as the user wrote them, and adds
 * one line saying what was not done.  JSON output is libxl's own.
 */
#include <inttypes.h>
#include <string.h>

/* libxl_ioreq_claim.flags are the DMOP's; its header is for tools. */
#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <xen/xen.h>
#include <xen/hvm/dm_op.h>

#include "xl.h"
#include "xl_parse.h"
#include "xl_utils.h"

/* -N: the ranges as libxl would get them (json_print_array). */
static char *range_json(const void *ranges, int i)
{
    return libxl_gfn_range_to_json(ctx,
                                   &((const libxl_gfn_range *)ranges)[i]);
}

/* ioreq-map (map) and ioreq-unmap (!map): the same but for the call. */
static int ioreq_retype(int argc, char **argv, const char *cmd, bool map)
{
    libxl_gfn_range *ranges = NULL;
    uint32_t domid;
    int opt, n, i, rc, ret;

    SWITCH_FOREACH_OPT(opt, "", NULL, cmd, 2, ARGS_UNLIMITED) {
    }
    /* A malformed range is a usage error, whatever the domain. */
    n = argc - optind - 1;
    if (parse_gfn_range_args(cmd, n, argv + optind + 1, &ranges))
        return EXIT_USAGE;

    domid = find_domain(argv[optind]);
    if (dryrun_only) {
        ret = json_print_array(range_json, ranges, n) ? EXIT_FAILURE
                                                      : EXIT_SUCCESS;
        goto out;
    }
    rc = map ? libxl_ioreq_pages_map(ctx, domid, ranges, n)
             : libxl_ioreq_pages_unmap(ctx, domid, ranges, n);
    if (rc) {
        fprintf(stderr, "xl: cannot %s", map ? "map" : "unmap");
        for (i = 0; i < n; i++)
            fprintf(stderr, " %s", argv[optind + 1 + i]);
        fprintf(stderr, " %s %s: %s\n", map ? "in" : "from",
                domain_desc(domid), libxl_error_to_string(rc));
        ret = EXIT_FAILURE;
        goto out;
    }
    ret = EXIT_SUCCESS;

 out:
    free(ranges);
    return ret;
}

int main_ioreq_map(int argc, char **argv)
{
    return ioreq_retype(argc, argv, "ioreq-map", true);
}

int main_ioreq_unmap(int argc, char **argv)
{
    return ioreq_retype(argc, argv, "ioreq-unmap", false);
}

/* The claim's access flags in words: "write", "read,write", "none". */
static const char *claim_flags(uint32_t flags)
{
    bool r = flags & XEN_DMOP_IOREQ_MEM_ACCESS_READ;
    bool w = flags & XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;

    if (flags & ~(XEN_DMOP_IOREQ_MEM_ACCESS_READ |
                  XEN_DMOP_IOREQ_MEM_ACCESS_WRITE))
        return "unknown";
    return r && w ? "read,write" : r ? "read" : w ? "write" : "none";
}

/* "0x100-0x11f", or "0x300" for one page. */
static void format_range(uint64_t first, uint64_t last, char *buf,
                         size_t size)
{
    if (first == last)
        snprintf(buf, size, "0x%" PRIx64, first);
    else
        snprintf(buf, size, "0x%" PRIx64 "-0x%" PRIx64, first, last);
}

static void print_pages_info(const libxl_ioreq_pages_info *info)
{
    char range[48], count[24];
    int i;

    printf("%-37s %12s\n", "GFN range", "Pages");
    if (info->num_ranges == 0)
        printf("%-37s %12s\n", "(none)", "0");
    for (i = 0; i < info->num_ranges; i++) {
        const libxl_gfn_range *r = &info->ranges[i];

        format_range(r->first, r->last, range, sizeof(range));
        /* All 2^64 pages is one more than a uint64_t holds. */
        if (r->last - r->first == UINT64_MAX)
            snprintf(count, sizeof(count), "18446744073709551616");
        else
            snprintf(count, sizeof(count), "%" PRIu64,
                     r->last - r->first + 1);
        printf("%-37s %12s\n", range, count);
    }
    if (info->claim_unknown)
        printf("Claim: unknown (this hypervisor does not say which ioreq "
               "server holds HVMMEM_ioreq_server)\n");
    else if (info->claimed)
        printf("Claim: ioreq server %" PRIu32 ", flags %s\n",
               info->claim.server, claim_flags(info->claim.flags));
    else
        printf("Claim: none (no ioreq server holds HVMMEM_ioreq_server)\n");
    printf("Entry count: %" PRIu64 "%s\n", info->entry_count,
           info->claim_unknown ? " (pages found typed)" : "");
}

int main_ioreq_list(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        COMMON_LONG_OPTS,
        { NULL, 0, NULL, 0 },
    };
    libxl_ioreq_pages_info info;
    bool json = false;
    char *s = NULL;
    uint32_t domid;
    int opt, rc, ret;

    SWITCH_FOREACH_OPT(opt, "j", opts, "ioreq-list", 1, 1) {
    case 'j':
        json = true;
        break;
    }
    domid = find_domain(argv[optind]);

    libxl_ioreq_pages_info_init(&info);
    rc = libxl_ioreq_pages_list(ctx, domid, &info);
    if (rc) {
        xl_error("cannot list the ioreq pages of %s: %s",
                 domain_desc(domid), libxl_error_to_string(rc));
        ret = EXIT_FAILURE;
        goto out;
    }
    if (!json) {
        print_pages_info(&info);
        ret = EXIT_SUCCESS;
        goto out;
    }
    s = libxl_ioreq_pages_info_to_json(ctx, &info);
    if (!s) {
        xl_error("cannot print the ioreq pages of %s as JSON",
                 domain_desc(domid));
        ret = EXIT_FAILURE;
        goto out;
    }
    fputs(s, stdout);
    if (!*s || s[strlen(s) - 1] != '\n')
        fputc('\n', stdout);
    ret = EXIT_SUCCESS;

 out:
    free(s);
    libxl_ioreq_pages_info_dispose(&info);
    return ret;
}

/* The ranges of one kind, as "KIND RANGE" lines, in the Ranges column. */
static void print_io_ranges(const char *kind, const libxl_io_range *r,
                            int n, bool *first_line)
{
    char buf[64], a[16], b[16];
    int i;

    for (i = 0; i < n; i++) {
        if (!strcmp(kind, "pci")) {
            /* start and end are SBDFs (XEN_DMOP_PCI_SBDF). */
            snprintf(a, sizeof(a), "%04x:%02x:%02x.%x",
                     (unsigned)(r[i].start >> 16) & 0xffff,
                     (unsigned)(r[i].start >> 8) & 0xff,
                     (unsigned)(r[i].start >> 3) & 0x1f,
                     (unsigned)r[i].start & 0x7);
            snprintf(b, sizeof(b), "%04x:%02x:%02x.%x",
                     (unsigned)(r[i].end >> 16) & 0xffff,
                     (unsigned)(r[i].end >> 8) & 0xff,
                     (unsigned)(r[i].end >> 3) & 0x1f,
                     (unsigned)r[i].end & 0x7);
            if (r[i].start == r[i].end)
                snprintf(buf, sizeof(buf), "%s", a);
            else
                snprintf(buf, sizeof(buf), "%s-%s", a, b);
        } else {
            format_range(r[i].start, r[i].end, buf, sizeof(buf));
        }
        printf("%s%-4s %s\n", *first_line ? "" : "                     ",
               kind, buf);
        *first_line = false;
    }
}

static void print_servers(const libxl_ioreq_server_info *s, int n)
{
    bool first_line;
    int i;

    printf("%-5s %-7s %-6s %s\n", "ID", "Enabled", "Claim", "Ranges");
    for (i = 0; i < n; i++) {
        if (s[i].details_unknown) {
            printf("%-5" PRIu32 " %-7s %-6s %s\n", s[i].id, "?", "?",
                   "? (this hypervisor does not say)");
            continue;
        }
        printf("%-5" PRIu32 " %-7s %-6s ", s[i].id,
               s[i].enabled ? "yes" : "no", s[i].claim ? "yes" : "no");
        first_line = true;
        print_io_ranges("port", s[i].ports, s[i].num_ports, &first_line);
        print_io_ranges("mmio", s[i].mmio, s[i].num_mmio, &first_line);
        print_io_ranges("pci", s[i].pci, s[i].num_pci, &first_line);
        if (first_line)
            printf("-\n");
    }
}

/* -j: each server as libxl writes it (json_print_array). */
static char *server_json(const void *servers, int i)
{
    return libxl_ioreq_server_info_to_json(ctx,
                        &((const libxl_ioreq_server_info *)servers)[i]);
}

int main_ioreq_servers(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        COMMON_LONG_OPTS,
        { NULL, 0, NULL, 0 },
    };
    libxl_ioreq_server_info *servers;
    bool json = false;
    uint32_t domid;
    int opt, nr = 0, ret;

    SWITCH_FOREACH_OPT(opt, "j", opts, "ioreq-servers", 1, 1) {
    case 'j':
        json = true;
        break;
    }
    domid = find_domain(argv[optind]);

    servers = libxl_ioreq_server_list(ctx, domid, &nr);
    if (!servers) {
        xl_error("cannot list the ioreq servers of %s", domain_desc(domid));
        return EXIT_FAILURE;
    }
    if (json) {
        ret = json_print_array(server_json, servers, nr) ? EXIT_FAILURE
                                                         : EXIT_SUCCESS;
    } else {
        print_servers(servers, nr);
        ret = EXIT_SUCCESS;
    }
    libxl_ioreq_server_info_list_free(servers, nr);
    return ret;
}

int main_ioreq_reset(int argc, char **argv)
{
    enum { OPT_ASYNC = LONG_ONLY_FIRST };
    static const struct option opts[] = {
        { "async", no_argument, NULL, OPT_ASYNC },
        COMMON_LONG_OPTS,
        { NULL, 0, NULL, 0 },
    };
    bool async = false;
    uint32_t domid;
    int opt, rc;

    SWITCH_FOREACH_OPT(opt, "", opts, "ioreq-reset", 1, 1) {
    case OPT_ASYNC:
        async = true;
        break;
    }
    domid = find_domain(argv[optind]);

    rc = libxl_ioreq_reset(ctx, domid, async);
    if (rc == ERROR_NOT_READY) {
        xl_error("%s has no claim to reset: no ioreq server holds "
                 "HVMMEM_ioreq_server", domain_desc(domid));
        return EXIT_FAILURE;
    }
    if (rc) {
        xl_error("cannot reset the ioreq pages of %s: %s",
                 domain_desc(domid), libxl_error_to_string(rc));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
