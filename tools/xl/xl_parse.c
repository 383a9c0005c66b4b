/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Guest config files and GFN-RANGE arguments into libxl's types.
 *
 * Config errors come in two lines: libxlutil's, which says where (file
 * or "command line", and line) and what it found, then xl's, which
 * names the key and says what it expects.  Ranges are parsed by
 * gfn-range.h and nothing else, so that xl, the config file and demu
 * accept exactly the same text.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include <libxlutil.h>

#include "xl.h"
#include "xl_parse.h"
#include "xl_utils.h"

/* Memory keys are MiB; libxl counts KiB in 64 bits. */
#define MEM_MIB_MAX (LONG_MAX / 1024)
/* device_model_timeout is seconds; libxl counts 32-bit milliseconds. */
#define DM_TIMEOUT_MAX ((long)(UINT32_MAX / 1000))

/* The second line of a config error: the key, and what it wants. */
static int bad_key(const char *key, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad_key(const char *key, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xl: config key %s: ", key);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/*
 * A number key within [min, max] into *v; 1 if it is not set (*v
 * untouched), 0 if it is, -1 if it is bad.
 */
static int get_number(const XLU_Config *config, const char *key, long min,
                      long max, const char *unit, long *v)
{
    int r = xlu_cfg_get_bounded_long(config, key, min, max, v, 0);

    if (r == ESRCH)
        return 1;
    if (r == ENOMEM)
        return bad_key(key, "out of memory");
    if (r)
        return bad_key(key, "expected a whole number of %s from %ld to "
                       "%ld", unit, min, max);
    return 0;
}

static int parse_type(const XLU_Config *config, libxl_domain_create_info *c)
{
    libxl_domain_type type;
    const char *s;
    int r = xlu_cfg_get_string(config, "type", &s, 0);

    if (r == ESRCH)
        return 0;
    if (r)
        return bad_key("type", "expected \"hvm\" or \"pvh\"");
    /* libxl knows "pv" too, but only HVM guests can have ioreq pages. */
    if (libxl_domain_type_from_string(s, &type) ||
        (type != LIBXL_DOMAIN_TYPE_HVM && type != LIBXL_DOMAIN_TYPE_PVH))
        return bad_key("type", "\"%s\" is not a guest type this toolstack "
                       "builds: expected \"hvm\" or \"pvh\"", s);
    c->type = type;
    return 0;
}

static int parse_memory(const XLU_Config *config,
                        libxl_domain_build_info *b)
{
    long memory = 0, maxmem = 0;
    int has_memory, has_maxmem;

    has_memory = get_number(config, "memory", 1, MEM_MIB_MAX, "MiB",
                            &memory);
    has_maxmem = get_number(config, "maxmem", 1, MEM_MIB_MAX, "MiB",
                            &maxmem);
    if (has_memory < 0 || has_maxmem < 0)
        return -1;
    if (has_memory == 0 && has_maxmem == 0 && maxmem < memory)
        return bad_key("maxmem", "%ld MiB is less than memory (%ld MiB); "
                       "maxmem must be at least memory", maxmem, memory);
    if (has_memory == 0)
        b->target_memkb = (uint64_t)memory * 1024;
    if (has_maxmem == 0)
        b->max_memkb = (uint64_t)maxmem * 1024;
    return 0;
}

static int parse_device_model(const XLU_Config *config,
                              libxl_domain_build_info *b)
{
    long timeout;
    int r;

    r = xlu_cfg_replace_string(config, "device_model_override",
                               &b->device_model, 0);
    if (r == ENOMEM)
        return bad_key("device_model_override", "out of memory");
    if (r && r != ESRCH)
        return bad_key("device_model_override", "expected the path of "
                       "the device model, as a string");
    if (!r && !b->device_model[0])
        return bad_key("device_model_override", "the path is empty");

    r = xlu_cfg_get_list_as_string_list(config, "device_model_args",
                                        &b->extra, 0);
    if (r == ENOMEM)
        return bad_key("device_model_args", "out of memory");
    if (r && r != ESRCH)
        return bad_key("device_model_args", "expected a list of strings, "
                       "e.g. [ \"--log\", \"/tmp/demu.log\" ]");

    r = get_number(config, "device_model_timeout", 1, DM_TIMEOUT_MAX,
                   "seconds", &timeout);
    if (r < 0)
        return -1;
    if (r == 0)
        b->device_model_timeout_ms = (uint32_t)timeout * 1000;
    return 0;
}

static int parse_ioreq_pages(const XLU_Config *config,
                             libxl_domain_build_info *b)
{
    gfn_range *ranges = NULL;
    int n = 0, i, r;

    /* xlu names every bad entry and every overlap, with its line. */
    r = xlu_cfg_get_gfn_ranges(config, "ioreq_pages", &ranges, &n, 0);
    if (r == ESRCH)
        return 0;
    if (r == ENOMEM)
        return bad_key("ioreq_pages", "out of memory");
    if (r)
        return bad_key("ioreq_pages", "expected a list of GFN ranges, "
                       "e.g. [ \"0x100-0x11f\", \"0x300\" ]");
    b->ioreq_pages = n ? xcalloc(n, sizeof(*b->ioreq_pages)) : NULL;
    b->num_ioreq_pages = n;
    for (i = 0; i < n; i++) {
        libxl_gfn_range_init(&b->ioreq_pages[i]);
        b->ioreq_pages[i].first = ranges[i].first;
        b->ioreq_pages[i].last = ranges[i].last;
    }
    free(ranges);
    return 0;
}

static int parse_config_data(const XLU_Config *config,
                             libxl_domain_config *d_config)
{
    libxl_domain_create_info *c_info = &d_config->c_info;
    libxl_domain_build_info *b_info = &d_config->b_info;
    bool hap;
    long vcpus;
    int r;

    r = xlu_cfg_replace_string(config, "name", &c_info->name, 0);
    if (r == ESRCH)
        return bad_key("name", "not set; every domain needs a name, e.g. "
                       "name = \"guest1\"");
    if (r)
        return bad_key("name", "expected the domain's name, as a string");

    if (parse_type(config, c_info))
        return -1;

    r = xlu_cfg_get_defbool(config, "hap", &hap, 0);
    if (r && r != ESRCH)
        return bad_key("hap", "expected 0 or 1");
    if (!r)
        libxl_defbool_set(&c_info->hap, hap);

    /* libxl decides the upper limit, and says it. */
    r = get_number(config, "vcpus", 1, INT_MAX, "vCPUs", &vcpus);
    if (r < 0)
        return -1;
    if (r == 0)
        b_info->max_vcpus = (int)vcpus;

    if (parse_memory(config, b_info))
        return -1;
    if (parse_device_model(config, b_info))
        return -1;
    return parse_ioreq_pages(config, b_info);
}

int parse_config_file(const char *filename, int nsettings,
                      const char *const *settings,
                      libxl_domain_config *d_config)
{
    XLU_Config *config;
    int r, rc;

    config = xlu_cfg_init(stderr, filename);
    if (!config) {
        xl_error("cannot read the config file %s: %s", filename,
                 strerror(errno));
        return -1;
    }
    /* Both report every error themselves, with file (or setting) and line. */
    r = xlu_cfg_readfile(config, filename);
    if (r) {
        rc = -1;
        goto out;
    }
    r = xlu_cfg_read_settings(config, "command line", nsettings, settings);
    if (r) {
        rc = -1;
        goto out;
    }
    rc = parse_config_data(config, d_config);

 out:
    xlu_cfg_destroy(config);
    return rc;
}

int parse_gfn_range_args(const char *cmd, int n, char *const *args,
                         libxl_gfn_range **ranges_r)
{
    gfn_range *parsed = xcalloc(n, sizeof(*parsed));
    libxl_gfn_range *ranges = NULL;
    char both[GFN_RANGE_STRLEN];
    gfn_range_err err;
    gfn_range x;
    size_t a, b;
    int i, r, rc;

    for (i = 0; i < n; i++) {
        if (gfn_range_parse(args[i], &parsed[i], &err)) {
            fprintf(stderr, "xl %s: %s\n", cmd, err.msg);
            rc = -1;
            goto out;
        }
    }
    /* gfn_range_check_overlap's message has entry numbers: quote instead. */
    r = gfn_range_check_overlap(parsed, n, &a, &b, &err);
    if (r == GFN_RANGE_EDUPLICATE) {
        fprintf(stderr, "xl %s: \"%s\" and \"%s\" are the same range; "
                "give each range once\n", cmd, args[a], args[b]);
        rc = -1;
        goto out;
    }
    if (r == GFN_RANGE_EOVERLAP) {
        gfn_range_intersect(&parsed[a], &parsed[b], &x);
        gfn_range_format(&x, both);
        fprintf(stderr, "xl %s: \"%s\" and \"%s\" overlap at %s; give "
                "each page once\n", cmd, args[a], args[b], both);
        rc = -1;
        goto out;
    }
    if (r) {
        fprintf(stderr, "xl %s: %s\n", cmd, err.msg);
        rc = -1;
        goto out;
    }

    ranges = xcalloc(n, sizeof(*ranges));
    for (i = 0; i < n; i++) {
        libxl_gfn_range_init(&ranges[i]);
        ranges[i].first = parsed[i].first;
        ranges[i].last = parsed[i].last;
    }
    *ranges_r = ranges;
    rc = 0;

 out:
    free(parsed);
    return rc;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
