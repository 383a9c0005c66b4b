/* SPDX-License-Identifier: LGPL-2.1-only */
/* The context, and small helpers. */
#include <stdarg.h>

#include "libxl_internal.h"

int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags,
                    xentoollog_logger *lg)
{
    libxl_ctx *ctx = NULL;
    int rc;

    if (version != LIBXL_VERSION || flags || !lg)
        return ERROR_VERSION;
    ctx = libxl__zalloc(sizeof(*ctx));
    ctx->lg = lg;

    ctx->xch = xc_interface_open(lg, lg, 0);
    if (!ctx->xch) {
        LOGE(ERROR, "cannot open the hypervisor interface");
        rc = ERROR_FAIL;
        goto out;
    }
    ctx->dmod = xendevicemodel_open(lg, 0);
    if (!ctx->dmod) {
        LOGE(ERROR, "cannot open the device-model interface");
        rc = ERROR_FAIL;
        goto out;
    }
    rc = libxl__backend_open(ctx);
    if (rc)
        goto out;

    *pctx = ctx;
    ctx = NULL;
    rc = 0;

 out:
    libxl_ctx_free(ctx);
    return rc;
}

int libxl_ctx_free(libxl_ctx *ctx)
{
    if (!ctx)
        return 0;
    libxl__backend_close(ctx);
    if (ctx->dmod)
        xendevicemodel_close(ctx->dmod);
    if (ctx->xch)
        xc_interface_close(ctx->xch);
    free(ctx);
    return 0;
}

void *libxl__zalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);

    if (!p) {
        fprintf(stderr, "libxl: out of memory\n");
        exit(255);
    }
    return p;
}

char *libxl__strdup(const char *s)
{
    char *p = s ? strdup(s) : NULL;

    if (s && !p) {
        fprintf(stderr, "libxl: out of memory\n");
        exit(255);
    }
    return p;
}

char *libxl__sprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;
    int r;

    va_start(ap, fmt);
    r = vasprintf(&p, fmt, ap);
    va_end(ap);
    if (r < 0) {
        fprintf(stderr, "libxl: out of memory\n");
        exit(255);
    }
    return p;
}

const char *libxl__mem_type_name(unsigned int type)
{
    switch (type) {
    case HVMMEM_ram_rw:
        return "ram_rw";
    case HVMMEM_ram_ro:
        return "ram_ro";
    case HVMMEM_mmio_dm:
        return "mmio_dm (not RAM)";
    case HVMMEM_ioreq_server:
        return "ioreq_server";
    default:
        return "unknown";
    }
}
