/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mkdomain: a minimal domain builder for the tests, on libxenctrl only
 * (so it runs on the simulator and on real Xen): create an HVM domain
 * with HAP, bring up its vCPUs, populate its RAM from gfn 0, and unpause
 * it unless asked not to.  Prints the new domid.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "guest-build.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: mkdomain [--vcpus N] [--memory MIB] [--shadow] "
               "[--paused]\n");
}

static int number(const char *s, unsigned long max, unsigned long *out)
{
    char *end;

    errno = 0;
    *out = strtoul(s, &end, 0);
    return *s && *s != '-' && !*end && !errno && *out && *out <= max
           ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "vcpus", required_argument, NULL, 'c' },
        { "memory", required_argument, NULL, 'm' },
        { "shadow", no_argument, NULL, 's' },
        { "paused", no_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xen_domctl_createdomain config;
    unsigned long mib = 16, vcpus = 1;
    bool paused = false, shadow = false;
    xc_interface *xch;
    uint32_t domid = 0;
    int opt;

    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            if (number(optarg, 128, &vcpus)) {
                fprintf(stderr, "mkdomain: bad vCPU count '%s'\n", optarg);
                return 2;
            }
            break;
        case 'm':
            if (number(optarg, 1UL << 20, &mib)) {
                fprintf(stderr, "mkdomain: bad memory size '%s'\n", optarg);
                return 2;
            }
            break;
        case 's':
            shadow = true;
            break;
        case 'p':
            paused = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    guest_config(&config, shadow ? GUEST_SHADOW : GUEST_HVM, vcpus);

    xch = xc_interface_open(NULL, NULL, 0);
    if (!xch) {
        fprintf(stderr, "mkdomain: cannot open the hypervisor: %s\n",
                strerror(errno));
        return 1;
    }
    if (xc_domain_create(xch, &domid, &config) ||
        xc_domain_max_vcpus(xch, domid, vcpus) ||
        xc_domain_setmaxmem(xch, domid, mib << 10) ||
        guest_populate(xch, domid, mib << 8) ||
        (!paused && xc_domain_unpause(xch, domid))) {
        fprintf(stderr, "mkdomain: cannot build the domain: %s\n",
                strerror(errno));
        if (domid)
            xc_domain_destroy(xch, domid);
        xc_interface_close(xch);
        return 1;
    }
    printf("%u\n", domid);
    xc_interface_close(xch);
    return 0;
}
