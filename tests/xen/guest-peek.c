/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest-peek: print 32-bit words of a guest's RAM, read from dom0 through
 * libxenforeignmemory, so that the real-Xen tests can see what a guest
 * wrote without trusting the guest or the device model to report it.
 *
 *   guest-peek DOMID ADDRESS [COUNT]
 *
 * prints COUNT (default 1) words from guest-physical ADDRESS, one per
 * line as 0x%08x.  The words must lie in one page.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>            /* XC_PAGE_SIZE, XC_PAGE_SHIFT */
#include <xenforeignmemory.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: guest-peek DOMID ADDRESS [COUNT]\n"
               "Print COUNT (default 1) 32-bit words of domain DOMID's "
               "RAM from\nguest-physical ADDRESS (4-byte aligned, within "
               "one page).\n");
}

/* Strictly a number in [min, max]: decimal or 0x hex, nothing else. */
static int number(const char *what, const char *s, uint64_t min,
                  uint64_t max, uint64_t *out)
{
    char *end;

    errno = 0;
    if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
        goto bad;
    *out = strtoull(s, &end, 0);
    if (*end || errno || *out < min || *out > max)
        goto bad;
    return 0;

 bad:
    fprintf(stderr, "guest-peek: bad %s '%s': give a number from %" PRIu64
            " to %" PRIu64 ", decimal or 0x hex\n", what, s, min, max);
    return -1;
}

int main(int argc, char **argv)
{
    xenforeignmemory_handle *fmem = NULL;
    uint64_t domid, addr, count = 1, off, i;
    xen_pfn_t gfn;
    uint8_t *va = NULL;
    uint32_t word;
    int err = 0, status;

    if (argc == 2 && !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    if (argc < 3 || argc > 4) {
        usage(stderr);
        return 2;
    }
    if (number("DOMID", argv[1], 1, DOMID_FIRST_RESERVED - 1, &domid) ||
        number("ADDRESS", argv[2], 0, UINT64_MAX - 3, &addr) ||
        (argc == 4 &&
         number("COUNT", argv[3], 1, XC_PAGE_SIZE / 4, &count)))
        return 2;
    off = addr & (XC_PAGE_SIZE - 1);
    if (off % 4 || off + 4 * count > XC_PAGE_SIZE) {
        fprintf(stderr, "guest-peek: ADDRESS 0x%" PRIx64 ", COUNT %" PRIu64
                ": the words must be 4-byte aligned and within one "
                "page\n", addr, count);
        return 2;
    }

    fmem = xenforeignmemory_open(NULL, 0);
    if (!fmem) {
        fprintf(stderr, "guest-peek: cannot open the foreign-memory "
                "interface: %s\n", strerror(errno));
        status = 1;
        goto out;
    }
    gfn = addr >> XC_PAGE_SHIFT;
    va = xenforeignmemory_map(fmem, domid, PROT_READ, 1, &gfn, &err);
    if (!va || err) {
        fprintf(stderr, "guest-peek: cannot map gfn 0x%" PRIx64 " of "
                "domain %" PRIu64 ": %s\n", (uint64_t)gfn, domid,
                strerror(va ? -err : errno));
        status = 1;
        goto out;
    }
    for (i = 0; i < count; i++) {
        memcpy(&word, va + off + 4 * i, sizeof(word));
        printf("0x%08" PRIx32 "\n", word);
    }
    status = fflush(stdout) ? 1 : 0;

 out:
    if (va)
        xenforeignmemory_unmap(fmem, va, 1);
    if (fmem)
        xenforeignmemory_close(fmem);
    return status;
}
