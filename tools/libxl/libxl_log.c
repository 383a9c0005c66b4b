/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxl's logging: every LOG* macro ends here, and goes out through the
 * application's xentoollog logger as
 *   libxl: error: FILE:LINE:FUNC: Domain N: message[: errno text]
 * (the logger adds "libxl: error: " and the errno text).
 */
/* _GNU_SOURCE (AM_CPPFLAGS): vasprintf */

#include <inttypes.h>
#include <stdarg.h>

#include "libxl_internal.h"

void libxl__log(libxl_ctx *ctx, xentoollog_level level, int errnoval,
                const char *file, int line, const char *func,
                uint32_t domid, const char *fmt, ...)
{
    /* Callers log, then look at errno: logging must not change it. */
    int esave = errno;
    char *msg = NULL;
    char dom[32] = "";
    const char *base;
    va_list ap;
    int r;

    if (!ctx || !ctx->lg)
        goto out;

    va_start(ap, fmt);
    r = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (r < 0)
        msg = NULL;

    /* __FILE__ is the path given to the compiler: keep its last part. */
    base = strrchr(file, '/');
    if (base)
        file = base + 1;
    if (domid != INVALID_DOMID)
        snprintf(dom, sizeof(dom), "Domain %" PRIu32 ": ", domid);

    /* Out of memory: the format, unexpanded, says more than nothing. */
    xtl_log(ctx->lg, level, errnoval, "libxl", "%s:%d:%s: %s%s", file, line,
            func, dom, msg ? msg : fmt);
    free(msg);
 out:
    errno = esave;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
