/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Domains: create (with the device model and the ioreq pages of the
 * configuration), destroy, pause, unpause, information, names.
 */
#include <ctype.h>

#include "libxl_internal.h"
#include "gfn-range.h"

#define DEFAULT_MEMKB           (128 * 1024)
#define DEFAULT_DM_TIMEOUT_MS   10000
#define MAX_VCPUS               128
#define NAME_MAX_LEN            64
#define POPULATE_BATCH          8192

static bool name_valid(libxl_ctx *ctx, const char *name)
{
    const char *p;
    bool digits_only = true;

    if (!name || !*name) {
        LOG(ERROR, "the domain needs a name");
        return false;
    }
    if (strlen(name) > NAME_MAX_LEN) {
        LOG(ERROR, "the name '%s' is longer than %d characters", name,
            NAME_MAX_LEN);
        return false;
    }
    for (p = name; *p; p++) {
        if (!isalnum((unsigned char)*p) && !strchr("-_.", *p)) {
            LOG(ERROR, "the name '%s' may only hold letters, digits, '-', "
                "'_' and '.'", name);
            return false;
        }
        digits_only &= isdigit((unsigned char)*p) != 0;
    }
    if (digits_only) {
        LOG(ERROR, "the name '%s' is all digits, which reads as a domid",
            name);
        return false;
    }
    return true;
}

/* Check the pages of the configuration before anything is created. */
static int ioreq_pages_valid(libxl_ctx *ctx, const libxl_domain_config *c)
{
    const libxl_domain_build_info *b = &c->b_info;

    if (b->num_ioreq_pages == 0)
        return 0;
    if (!b->device_model) {
        LOG(ERROR, "ioreq_pages needs a device model (device_model_override) "
            "to claim HVMMEM_ioreq_server");
        return ERROR_INVAL;
    }
    return libxl__gfn_ranges_check(ctx, INVALID_DOMID, "ioreq_pages",
                                   b->ioreq_pages, b->num_ioreq_pages,
                                   b->target_memkb / 4 - 1);
}

static int config_setdefault(libxl_ctx *ctx, libxl_domain_config *c)
{
    libxl_domain_create_info *ci = &c->c_info;
    libxl_domain_build_info *b = &c->b_info;

    if (ci->type == LIBXL_DOMAIN_TYPE_INVALID)
        ci->type = LIBXL_DOMAIN_TYPE_HVM;
    if (ci->type != LIBXL_DOMAIN_TYPE_HVM &&
        ci->type != LIBXL_DOMAIN_TYPE_PVH) {
        LOG(ERROR, "type \"%s\" is not supported: use \"hvm\" or \"pvh\"",
            libxl_domain_type_to_string(ci->type));
        return ERROR_INVAL;
    }
    libxl_defbool_setdefault(&ci->hap, true);
    if (!name_valid(ctx, ci->name))
        return ERROR_INVAL;

    if (b->max_vcpus == 0)
        b->max_vcpus = 1;
    if (b->max_vcpus < 0 || b->max_vcpus > MAX_VCPUS) {
        LOG(ERROR, "vcpus = %d: a guest has 1 to %d vCPUs", b->max_vcpus,
            MAX_VCPUS);
        return ERROR_INVAL;
    }
    if (b->max_memkb == LIBXL_MEMKB_DEFAULT || b->max_memkb == 0)
        b->max_memkb = b->target_memkb != LIBXL_MEMKB_DEFAULT &&
                       b->target_memkb ? b->target_memkb : DEFAULT_MEMKB;
    if (b->target_memkb == LIBXL_MEMKB_DEFAULT || b->target_memkb == 0)
        b->target_memkb = b->max_memkb;
    if (b->target_memkb > b->max_memkb || b->target_memkb % 4) {
        LOG(ERROR, "memory %" PRIu64 " KiB does not fit maxmem %" PRIu64
            " KiB (or is not a whole number of pages)", b->target_memkb,
            b->max_memkb);
        return ERROR_INVAL;
    }
    if (b->device_model_timeout_ms == 0)
        b->device_model_timeout_ms = DEFAULT_DM_TIMEOUT_MS;
    return ioreq_pages_valid(ctx, c);
}

static int populate(libxl_ctx *ctx, uint32_t domid, uint64_t pages)
{
    xen_pfn_t *gfns = libxl__zalloc(POPULATE_BATCH * sizeof(*gfns));
    uint64_t done = 0, i;
    int rc = 0;

    while (done < pages) {
        uint64_t n = MIN_U64(pages - done, POPULATE_BATCH);

        for (i = 0; i < n; i++)
            gfns[i] = done + i;
        if (xc_domain_populate_physmap_exact(ctx->xch, domid, n, 0, 0,
                                             gfns)) {
            LOGED(ERROR, domid, "cannot populate its memory (gfn 0x%" PRIx64
                  " of 0x%" PRIx64 ")", done, pages);
            rc = ERROR_FAIL;
            break;
        }
        done += n;
    }
    free(gfns);
    return rc;
}

int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config,
                            uint32_t *domid_out, bool paused)
{
    libxl_domain_create_info *ci = &d_config->c_info;
    libxl_domain_build_info *b = &d_config->b_info;
    struct xen_domctl_createdomain cfg = {
        .max_evtchn_port = 1023,
        .max_grant_frames = -1,
        .max_maptrack_frames = -1,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    uint32_t domid = 0, other;
    char *json = NULL;
    bool created = false, dm_started = false;
    int dm_pid = 0, ready_fd = -1, rc;

    rc = config_setdefault(ctx, d_config);
    if (rc)
        goto out;

    cfg.flags = XEN_DOMCTL_CDF_hvm |
                (libxl_defbool_val(ci->hap) ? XEN_DOMCTL_CDF_hap : 0);
    cfg.max_vcpus = b->max_vcpus;
    cfg.arch.emulation_flags = ci->type == LIBXL_DOMAIN_TYPE_PVH
                               ? XEN_X86_EMU_LAPIC
                               : XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
    if (xc_domain_create(ctx->xch, &domid, &cfg)) {
        LOGE(ERROR, "cannot create the domain %s", ci->name);
        rc = ERROR_FAIL;
        goto out;
    }
    created = true;

    rc = libxl__record_set(ctx, domid, "name", ci->name, true);
    if (rc == ERROR_DEVICE_EXISTS) {
        if (!libxl__record_find(ctx, "name", ci->name, &other))
            LOG(ERROR, "a domain called %s already exists (domid %u)",
                ci->name, other);
        else
            LOG(ERROR, "a domain called %s already exists", ci->name);
        rc = ERROR_INVAL;
    }
    if (rc)
        goto out;

    if (xc_domain_max_vcpus(ctx->xch, domid, b->max_vcpus) ||
        xc_domain_setmaxmem(ctx->xch, domid, b->max_memkb)) {
        LOGED(ERROR, domid, "cannot set up its vCPUs and memory");
        rc = ERROR_FAIL;
        goto out;
    }
    rc = populate(ctx, domid, b->target_memkb / 4);
    if (rc)
        goto out;

    json = libxl_domain_config_to_json(ctx, d_config);
    if (!json) {
        rc = ERROR_FAIL;
        goto out;
    }
    rc = libxl__record_set(ctx, domid, "config", json, false);
    if (rc)
        goto out;

    if (b->device_model) {
        rc = libxl__dm_spawn(ctx, domid, b, &dm_pid, &ready_fd);
        if (rc)
            goto out;
        dm_started = true;
        rc = libxl__dm_wait_claim(ctx, domid, dm_pid, ready_fd,
                                  b->device_model_timeout_ms);
        if (rc)
            goto out;
    }
    if (b->num_ioreq_pages) {
        rc = libxl_ioreq_pages_map(ctx, domid, b->ioreq_pages,
                                   b->num_ioreq_pages);
        if (rc)
            goto out;
    }
    if (!paused && xc_domain_unpause(ctx->xch, domid)) {
        LOGED(ERROR, domid, "cannot unpause it");
        rc = ERROR_FAIL;
        goto out;
    }

    LOGD(DEBUG, domid, "created %s", ci->name);
    *domid_out = domid;
    rc = 0;

 out:
    if (rc && dm_started)
        libxl__dm_stop(ctx, domid);
    if (rc && created && xc_domain_destroy(ctx->xch, domid))
        LOGED(ERROR, domid, "cannot destroy the half-created domain");
    free(json);
    return rc;
}

int libxl__domain_exists(libxl_ctx *ctx, uint32_t domid)
{
    xc_domaininfo_t info;
    int n = xc_domain_getinfolist(ctx->xch, domid, 1, &info);

    if (n == 1 && info.domain == domid)
        return 0;
    if (n < 0) {
        LOGED(ERROR, domid, "cannot get its information");
        return ERROR_FAIL;
    }
    LOG(ERROR, "domain %u does not exist", domid);
    return ERROR_DOMAIN_NOTFOUND;
}

int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid)
{
    int rc = libxl__domain_exists(ctx, domid);

    if (rc)
        return rc;
    libxl__dm_stop(ctx, domid);
    if (xc_domain_destroy(ctx->xch, domid)) {
        LOGED(ERROR, domid, "cannot destroy it");
        return ERROR_FAIL;
    }
    libxl__records_clear(ctx, domid);
    return 0;
}

int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid)
{
    int rc = libxl__domain_exists(ctx, domid);

    if (rc)
        return rc;
    if (xc_domain_pause(ctx->xch, domid)) {
        LOGED(ERROR, domid, "cannot pause it");
        return ERROR_FAIL;
    }
    return 0;
}

int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid)
{
    int rc = libxl__domain_exists(ctx, domid);

    if (rc)
        return rc;
    if (xc_domain_unpause(ctx->xch, domid)) {
        if (errno == EINVAL)
            LOGD(ERROR, domid, "it is not paused");
        else
            LOGED(ERROR, domid, "cannot unpause it");
        return ERROR_FAIL;
    }
    return 0;
}

static void fill_dominfo(libxl_dominfo *p, const xc_domaininfo_t *i)
{
    libxl_dominfo_init(p);
    p->domid = i->domain;
    p->domain_type = (i->flags & XEN_DOMINF_hvm_guest)
                     ? LIBXL_DOMAIN_TYPE_HVM : LIBXL_DOMAIN_TYPE_PV;
    p->dying = i->flags & XEN_DOMINF_dying;
    p->paused = i->flags & XEN_DOMINF_paused;
    p->blocked = i->flags & XEN_DOMINF_blocked;
    p->running = i->flags & XEN_DOMINF_running;
    p->current_memkb = i->tot_pages * 4;
    p->max_memkb = i->max_pages * 4;
    p->cpu_time = i->cpu_time;
    p->vcpu_max_id = i->max_vcpu_id;
    p->vcpu_online = i->nr_online_vcpus;
}

int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info, uint32_t domid)
{
    xc_domaininfo_t xi;
    int n = xc_domain_getinfolist(ctx->xch, domid, 1, &xi);

    if (n < 0) {
        LOGED(ERROR, domid, "cannot get its information");
        return ERROR_FAIL;
    }
    if (n != 1 || xi.domain != domid)
        return ERROR_DOMAIN_NOTFOUND;
    if (info)
        fill_dominfo(info, &xi);
    return 0;
}

libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain)
{
    enum { BATCH = 256 };
    xc_domaininfo_t xi[BATCH];
    libxl_dominfo *list = NULL;
    uint32_t next = 0;
    int n, i, total = 0;

    for (;;) {
        n = xc_domain_getinfolist(ctx->xch, next, BATCH, xi);
        if (n < 0) {
            LOGE(ERROR, "cannot list the domains");
            libxl_dominfo_list_free(list, total);
            return NULL;
        }
        if (n == 0)
            break;
        list = realloc(list, (total + n) * sizeof(*list));
        if (!list) {
            fprintf(stderr, "libxl: out of memory\n");
            exit(255);
        }
        for (i = 0; i < n; i++)
            fill_dominfo(&list[total + i], &xi[i]);
        total += n;
        next = xi[n - 1].domain + 1;
        if (n < BATCH)
            break;
    }
    *nb_domain = total;
    return list ? list : libxl__zalloc(sizeof(*list));
}

char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid)
{
    char *name = NULL;

    if (libxl__record_get(ctx, domid, "name", &name))
        return NULL;
    return name;
}

int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid)
{
    int rc = libxl__record_find(ctx, "name", name, domid);

    return rc == ERROR_NOTFOUND ? ERROR_INVAL : rc;
}

int libxl_domain_qualifier_to_domid(libxl_ctx *ctx, const char *name,
                                    uint32_t *domid)
{
    const char *p;
    unsigned long v;

    for (p = name; *p && isdigit((unsigned char)*p); p++)
        ;
    if (*name && !*p) {
        errno = 0;
        v = strtoul(name, NULL, 10);
        if (errno || v >= 0x7ff0 || (name[0] == '0' && name[1]))
            return ERROR_INVAL;
        *domid = (uint32_t)v;
        return 0;
    }
    return libxl_name_to_domid(ctx, name, domid);
}

int libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
                                        libxl_domain_config *d_config)
{
    char *json = NULL;
    int rc = libxl__record_get(ctx, domid, "config", &json);

    /* Not an error in itself: the caller says whether it matters. */
    if (rc == ERROR_NOTFOUND) {
        LOGD(DEBUG, domid, "libxl has no configuration for it (it was not "
             "created by libxl)");
        return ERROR_JSON_CONFIG_EMPTY;
    }
    if (rc)
        return rc;
    rc = libxl_domain_config_from_json(ctx, d_config, json);
    free(json);
    return rc;
}
