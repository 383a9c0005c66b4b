/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * p2m_ioreq_server pages: map and unmap (all or nothing), list, servers,
 * reset.  The hypervisor decides; this checks first so that errors name
 * the range and the page, and rolls back what a failure part-way did.
 */
#include "libxl_internal.h"
#include "gfn-range.h"

/* set_mem_type takes a 32-bit page count. */
#define SET_MEM_TYPE_MAX    0xffffffffULL

struct first_other {
    unsigned int want;
    bool found;
    uint64_t page;
    unsigned int type;
};

/* A type_run_fn: stop at the first page not of type want. */
static int find_other(void *opaque, uint64_t first, uint64_t last,
                      unsigned int type)
{
    struct first_other *f = opaque;

    (void)last;
    if (type == f->want)
        return 0;
    f->found = true;
    f->page = first;
    f->type = type;
    return 1;
}

/* The first page of r whose type is not want (*f), if any. */
static int first_page_not(libxl_ctx *ctx, uint32_t domid,
                          const libxl_gfn_range *r, unsigned int want,
                          struct first_other *f)
{
    int rc;

    memset(f, 0, sizeof(*f));
    f->want = want;
    rc = libxl__mem_type_runs(ctx, domid, r->first, r->last, find_other, f);
    return rc < 0 ? rc : 0;
}

static void format(const libxl_gfn_range *r, char buf[GFN_RANGE_STRLEN])
{
    gfn_range g = { .first = r->first, .last = r->last };

    gfn_range_format(&g, buf);
}

/*
 * Every range well-formed, disjoint, and at most max_gfn: what
 * libxl_domain_config's ioreq_pages (domid INVALID_DOMID, what
 * "ioreq_pages") and the map and unmap calls (what NULL) both need.
 */
int libxl__gfn_ranges_check(libxl_ctx *ctx, uint32_t domid,
                            const char *what, const libxl_gfn_range *ranges,
                            int nr, uint64_t max_gfn)
{
    const char *sep = what ? ": " : "";
    gfn_range *r = NULL;
    gfn_range_err err;
    int i, rc;

    what = what ? what : "";
    if (nr <= 0 || !ranges) {
        LOGD(ERROR, domid, "%s%sno range of pages given", what, sep);
        return ERROR_INVAL;
    }
    r = libxl__zalloc(nr * sizeof(*r));
    for (i = 0; i < nr; i++) {
        char text[GFN_RANGE_STRLEN];

        r[i].first = ranges[i].first;
        r[i].last = ranges[i].last;
        if (r[i].first > r[i].last) {
            LOGD(ERROR, domid, "%s%srange %d is reversed (first 0x%" PRIx64
                 " > last 0x%" PRIx64 ")", what, sep, i + 1, r[i].first,
                 r[i].last);
            rc = ERROR_INVAL;
            goto out;
        }
        gfn_range_format(&r[i], text);
        if (r[i].last > max_gfn) {
            LOGD(ERROR, domid, "%s%s%s leaves the guest's memory (its "
                 "highest gfn is 0x%" PRIx64 ")", what, sep, text, max_gfn);
            rc = ERROR_INVAL;
            goto out;
        }
    }
    if (gfn_range_check_overlap(r, nr, NULL, NULL, &err)) {
        LOGD(ERROR, domid, "%s%s%s", what, sep, err.msg);
        rc = ERROR_INVAL;
        goto out;
    }
    rc = 0;

 out:
    free(r);
    return rc;
}

/* ...and inside what the hypervisor says the guest has. */
static int check_ranges(libxl_ctx *ctx, uint32_t domid,
                        const libxl_gfn_range *ranges, int nr)
{
    xen_pfn_t max_gpfn;

    if (xc_domain_maximum_gpfn(ctx->xch, domid, &max_gpfn)) {
        LOGED(ERROR, domid, "cannot read the extent of its memory");
        return ERROR_FAIL;
    }
    return libxl__gfn_ranges_check(ctx, domid, NULL, ranges, nr, max_gpfn);
}

static int set_type(libxl_ctx *ctx, uint32_t domid,
                    const libxl_gfn_range *r, unsigned int type)
{
    uint64_t first = r->first;

    for (;;) {
        uint64_t n = MIN_U64(r->last - first, SET_MEM_TYPE_MAX - 1) + 1;

        if (xendevicemodel_set_mem_type(ctx->dmod, domid, type, first, n))
            return -1;
        if (r->last - first < n)
            return 0;
        first += n;
    }
}

/*
 * Retype ranges[0..nr) from `from` to `to`, all or nothing.  verb and
 * rule are for messages ("map", "only ram_rw pages can be mapped").
 */
static int retype(libxl_ctx *ctx, uint32_t domid,
                  const libxl_gfn_range *ranges, int nr, unsigned int from,
                  unsigned int to, const char *verb, const char *rule)
{
    struct first_other f;
    char text[GFN_RANGE_STRLEN];
    bool unclaimed;
    int i, j, rc, err;

    /* Refuse a page of the wrong type before changing anything. */
    for (i = 0; i < nr; i++) {
        rc = first_page_not(ctx, domid, &ranges[i], from, &f);
        if (rc)
            return rc;
        if (f.found) {
            format(&ranges[i], text);
            LOGD(ERROR, domid, "cannot %s %s: page 0x%" PRIx64 " is %s; %s",
                 verb, text, f.page, libxl__mem_type_name(f.type), rule);
            return ERROR_INVAL;
        }
    }

    for (i = 0; i < nr; i++) {
        libxl_gfn_range done;

        if (!set_type(ctx, domid, &ranges[i], to))
            continue;
        err = errno;
        format(&ranges[i], text);

        /* What changed of this range: up to the first page left as is. */
        rc = first_page_not(ctx, domid, &ranges[i], to, &f);
        unclaimed = !rc && f.found && to == HVMMEM_ioreq_server &&
                    f.type == HVMMEM_ram_rw && err == EINVAL;
        if (unclaimed)
            LOGD(ERROR, domid, "cannot %s %s: the hypervisor refused page "
                 "0x%" PRIx64 ": no ioreq server holds HVMMEM_ioreq_server",
                 verb, text, f.page);
        else if (!rc && f.found)
            LOGEVD(ERROR, err, domid, "cannot %s %s: the hypervisor refused "
                   "page 0x%" PRIx64 " (%s)", verb, text, f.page,
                   libxl__mem_type_name(f.type));
        else
            LOGEVD(ERROR, err, domid, "cannot %s %s", verb, text);

        /* Roll back, so the call changes nothing. */
        done = ranges[i];
        if (!rc && f.found && f.page > done.first) {
            done.last = f.page - 1;
            if (set_type(ctx, domid, &done, from))
                LOGED(ERROR, domid, "could not undo the change of part of "
                      "%s", text);
        }
        for (j = 0; j < i; j++) {
            if (set_type(ctx, domid, &ranges[j], from)) {
                format(&ranges[j], text);
                LOGED(ERROR, domid, "could not undo the change of %s", text);
            }
        }
        return unclaimed ? ERROR_NOT_READY : ERROR_FAIL;
    }
    return 0;
}

int libxl_ioreq_pages_map(libxl_ctx *ctx, uint32_t domid,
                          const libxl_gfn_range *ranges, int nr)
{
    libxl_ioreq_claim claim;
    uint64_t count;
    bool claimed;
    int rc;

    rc = libxl__domain_exists(ctx, domid);
    if (rc)
        return rc;
    rc = check_ranges(ctx, domid, ranges, nr);
    if (rc)
        return rc;
    /* Where the claim cannot be read, the hypervisor's refusal tells. */
    rc = libxl__ioreq_claim(ctx, domid, &claimed, &claim, &count);
    if (rc && rc != ERROR_NI)
        return rc;
    if (!rc && !claimed) {
        LOGD(ERROR, domid, "no ioreq server holds HVMMEM_ioreq_server: its "
             "device model must claim the type before pages can be "
             "mapped");
        return ERROR_NOT_READY;
    }
    return retype(ctx, domid, ranges, nr, HVMMEM_ram_rw, HVMMEM_ioreq_server,
                  "map", "only ram_rw pages can become ioreq_server");
}

int libxl_ioreq_pages_unmap(libxl_ctx *ctx, uint32_t domid,
                            const libxl_gfn_range *ranges, int nr)
{
    int rc = libxl__domain_exists(ctx, domid);

    if (rc)
        return rc;
    rc = check_ranges(ctx, domid, ranges, nr);
    if (rc)
        return rc;
    return retype(ctx, domid, ranges, nr, HVMMEM_ioreq_server, HVMMEM_ram_rw,
                  "unmap", "only ioreq_server pages can be unmapped");
}

struct collect {
    libxl_gfn_range *ranges;
    int nr, cap;
};

/* A type_run_fn: keep the runs of ioreq_server, joining touching ones. */
static int collect_typed(void *opaque, uint64_t first, uint64_t last,
                         unsigned int type)
{
    struct collect *c = opaque;

    if (type != HVMMEM_ioreq_server)
        return 0;
    if (c->nr && c->ranges[c->nr - 1].last + 1 == first) {
        c->ranges[c->nr - 1].last = last;
        return 0;
    }
    if (c->nr == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->ranges = realloc(c->ranges, c->cap * sizeof(*c->ranges));
        if (!c->ranges) {
            fprintf(stderr, "libxl: out of memory\n");
            exit(255);
        }
    }
    c->ranges[c->nr].first = first;
    c->ranges[c->nr].last = last;
    c->nr++;
    return 0;
}

int libxl_ioreq_pages_list(libxl_ctx *ctx, uint32_t domid,
                           libxl_ioreq_pages_info *info)
{
    struct collect c = { 0 };
    xen_pfn_t max_gpfn;
    int rc;

    rc = libxl__domain_exists(ctx, domid);
    if (rc)
        return rc;
    rc = libxl__ioreq_claim(ctx, domid, &info->claimed, &info->claim,
                            &info->entry_count);
    info->claim_unknown = rc == ERROR_NI;
    if (rc && !info->claim_unknown)
        return rc;
    info->domid = domid;
    if (xc_domain_maximum_gpfn(ctx->xch, domid, &max_gpfn)) {
        LOGED(ERROR, domid, "cannot read the extent of its memory");
        return ERROR_FAIL;
    }
    rc = libxl__mem_type_runs(ctx, domid, 0, max_gpfn, collect_typed, &c);
    if (rc < 0) {
        free(c.ranges);
        return rc;
    }
    info->ranges = c.ranges;
    info->num_ranges = c.nr;
    if (info->claim_unknown) {
        int i;

        info->claimed = false;
        info->entry_count = 0;
        for (i = 0; i < c.nr; i++)
            info->entry_count += c.ranges[i].last - c.ranges[i].first + 1;
    }
    return 0;
}

libxl_ioreq_server_info *libxl_ioreq_server_list(libxl_ctx *ctx,
                                                 uint32_t domid, int *nr)
{
    libxl_ioreq_server_info *list = NULL;

    *nr = 0;
    if (libxl__domain_exists(ctx, domid))
        return NULL;
    if (libxl__ioreq_servers(ctx, domid, &list, nr))
        return NULL;
    return list;
}

int libxl_ioreq_reset(libxl_ctx *ctx, uint32_t domid, bool async)
{
    libxl_ioreq_claim claim;
    uint64_t count;
    bool claimed;
    int rc;

    rc = libxl__domain_exists(ctx, domid);
    if (rc)
        return rc;
    rc = libxl__ioreq_claim(ctx, domid, &claimed, &claim, &count);
    if (rc == ERROR_NI)         /* the backend finds the holder itself */
        return libxl__ioreq_release(ctx, domid, 0, async);
    if (rc)
        return rc;
    if (!claimed) {
        LOGD(ERROR, domid, "no ioreq server holds HVMMEM_ioreq_server: "
             "nothing to reset (%" PRIu64 " entries typed)", count);
        return ERROR_NOT_READY;
    }
    return libxl__ioreq_release(ctx, domid, claim.server, async);
}
