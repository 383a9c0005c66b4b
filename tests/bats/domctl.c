/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl: the domain operations the end-to-end tests need besides
 * creating a domain (tools/tests/mkdomain does that), on libxenctrl only,
 * until xl exists:
 *
 *   domctl list              one line per domain: DOMID paused|running[,dying]
 *   domctl destroy DOMID
 *   domctl pause DOMID
 *   domctl unpause DOMID
 *
 * Exit 0 on success, 1 on failure (with the errno in words), 2 on usage
 * errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#define MAX_DOMAINS 1024

static void usage(FILE *f)
{
    fprintf(f, "Usage: domctl list\n"
               "       domctl destroy|pause|unpause DOMID\n");
}

static int parse_domid(const char *s, uint32_t *domid)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 0);
    if (!*s || *s == '-' || *end || errno || v >= DOMID_FIRST_RESERVED) {
        fprintf(stderr, "domctl: bad DOMID '%s'\n", s);
        return -1;
    }
    *domid = v;
    return 0;
}

static int list(xc_interface *xch)
{
    static xc_domaininfo_t info[MAX_DOMAINS];
    int n, i;

    n = xc_domain_getinfolist(xch, 1, MAX_DOMAINS, info);
    if (n < 0) {
        fprintf(stderr, "domctl: cannot list the domains: %s\n",
                strerror(errno));
        return 1;
    }
    for (i = 0; i < n; i++)
        printf("%u %s%s\n", info[i].domain,
               info[i].flags & XEN_DOMINF_paused ? "paused" : "running",
               info[i].flags & XEN_DOMINF_dying ? ",dying" : "");
    return 0;
}

int main(int argc, char **argv)
{
    xc_interface *xch;
    uint32_t domid = 0;
    const char *verb;
    int r, status;

    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    verb = argv[1];
    if (!strcmp(verb, "list")) {
        if (argc != 2) {
            usage(stderr);
            return 2;
        }
    } else if (!strcmp(verb, "destroy") || !strcmp(verb, "pause") ||
               !strcmp(verb, "unpause")) {
        if (argc != 3) {
            usage(stderr);
            return 2;
        }
        if (parse_domid(argv[2], &domid))
            return 2;
    } else {
        fprintf(stderr, "domctl: unknown command '%s'\n", verb);
        usage(stderr);
        return 2;
    }

    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch) {
        fprintf(stderr, "domctl: cannot open the hypervisor: %s\n",
                strerror(errno));
        return 1;
    }
    if (!strcmp(verb, "list")) {
        status = list(xch);
    } else {
        if (!strcmp(verb, "destroy"))
            r = xc_domain_destroy(xch, domid);
        else if (!strcmp(verb, "pause"))
            r = xc_domain_pause(xch, domid);
        else
            r = xc_domain_unpause(xch, domid);
        status = 0;
        if (r) {
            fprintf(stderr, "domctl: cannot %s domain %u: %s\n", verb,
                    domid, strerror(errno));
            status = 1;
        }
    }
    xc_interface_close(xch);
    return status;
}
