/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Fuzz target of the xl.cfg parser (libFuzzer: LLVMFuzzerTestOneInput).
 *
 * The input is read as a config file and then again as command-line
 * settings (so that += and replacement across reads run), and every
 * getter is called on the keys fuzzers find easily.  Besides crashes and
 * sanitizer reports, it checks the message contract: a read fails with
 * EINVAL exactly when it reported at least one parse error, a read that
 * succeeds reports nothing, and every message is one line that names
 * its source.
 *
 * Built with -DFUZZ_REPLAY_MAIN and tools/tests/fuzz-replay.c, it runs
 * its seeds in make check (see tools/tests/fuzz.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE         /* open_memstream, vasprintf, memmem */
#endif
#include <errno.h>
#include <limits.h>

#include "fuzz.h"
#include "libxlutil.h"

static const char *const keys[] = {
    "a", "b", "x", "memory", "ioreq_pages",
};

/* Messages from offset on: each one line, starting with the source. */
static void check_messages(const char *buf, size_t len, size_t from,
                           const char *source, int rc)
{
    size_t srclen = strlen(source), i = from;
    bool parse_error = false;

    while (i < len) {
        const char *line = buf + i, *nl = memchr(line, '\n', len - i);

        CHECK(nl);
        CHECK(!strncmp(line, source, srclen) && line[srclen] == ':');
        if (memmem(line, nl - line, ": config parsing error near `", 29))
            parse_error = true;
        i = nl - buf + 1;
    }
    if (rc == EINVAL)
        CHECK(parse_error);
    if (rc == 0)
        CHECK(from == len);
}

static void walk(const XLU_Config *cfg, const XLU_ConfigValue *v, int depth)
{
    const XLU_ConfigList *l;
    const char *s;
    int i;

    CHECK(depth <= 64);
    if (xlu_cfg_value_type(v) == XLU_STRING) {
        CHECK(!xlu_cfg_value_get_string(cfg, v, &s, 1));
        CHECK(s);
        return;
    }
    CHECK(!xlu_cfg_value_get_list(cfg, v, &l, 1));
    for (i = 0; xlu_cfg_get_listitem2(l, i); i++)
        walk(cfg, xlu_cfg_get_listitem2(l, i), depth + 1);
}

static void get_everything(const XLU_Config *cfg)
{
    const XLU_ConfigList *l;
    const char *s;
    gfn_range *r;
    char **sl;
    long v;
    bool b;
    size_t k;
    int i, n, rc;

    for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        rc = xlu_cfg_get_string(cfg, keys[k], &s, 0);
        CHECK(rc == 0 || rc == ESRCH || rc == EINVAL);
        rc = xlu_cfg_get_long(cfg, keys[k], &v, 0);
        CHECK(rc == 0 || rc == ESRCH || rc == EINVAL || rc == ERANGE);
        rc = xlu_cfg_get_defbool(cfg, keys[k], &b, 0);
        CHECK(rc == 0 || rc == ESRCH || rc == EINVAL || rc == ERANGE);
        rc = xlu_cfg_get_list(cfg, keys[k], &l, &n, 0);
        CHECK(rc == 0 || rc == ESRCH || rc == EINVAL);
        if (!rc) {
            for (i = 0; i < n; i++)
                walk(cfg, xlu_cfg_get_listitem2(l, i), 1);
            CHECK(!xlu_cfg_get_listitem2(l, n));
        }
        rc = xlu_cfg_get_list_as_string_list(cfg, keys[k], &sl, 0);
        CHECK(rc == 0 || rc == ESRCH || rc == EINVAL);
        if (!rc) {
            for (i = 0; sl[i]; i++)
                free(sl[i]);
            free(sl);
        }
        rc = xlu_cfg_get_gfn_ranges(cfg, keys[k], &r, &n, 0);
        CHECK(rc == 0 || rc == ESRCH || rc == EINVAL);
        if (!rc) {
            /* Sorted and disjoint, not even touching. */
            for (i = 1; i < n; i++)
                CHECK(r[i].first > r[i - 1].last &&
                      r[i].first - r[i - 1].last > 1);
            free(r);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XLU_Config *cfg = NULL;
    FILE *report = NULL;
    char *buf = NULL, **settings = NULL, *copy = NULL, *p, *end;
    size_t len = 0, from;
    int rc, n = 0;

    if (size > 1 << 20)
        return 0;
    report = open_memstream(&buf, &len);
    if (!report)
        goto out;
    cfg = xlu_cfg_init(report, "fuzz");
    if (!cfg)
        goto out;

    rc = xlu_cfg_readdata(cfg, (const char *)data, (int)size);
    fflush(report);
    check_messages(buf, len, 0, "fuzz", rc);
    get_everything(cfg);

    /* The same text as settings, one per line (NULs end a line early). */
    copy = malloc(size + 1);
    settings = calloc(size + 1, sizeof(*settings));
    if (!copy || !settings)
        goto out;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (p = copy; p < copy + size; p = end + 1) {
        end = p + strcspn(p, "\n");
        *end = '\0';
        settings[n++] = p;
    }
    fflush(report);
    from = len;
    rc = xlu_cfg_read_settings(cfg, "argv", n,
                               (const char *const *)settings);
    fflush(report);
    check_messages(buf, len, from, "argv", rc);
    get_everything(cfg);

 out:
    xlu_cfg_destroy(cfg);
    if (report)
        fclose(report);
    free(buf);
    free(copy);
    free(settings);
    return 0;
}

#ifdef FUZZ_REPLAY_MAIN
static const char *const seeds[] = {
    "",
    "a = 1\nb = \"x\"\nx = [ 1, [ 2, [] ], 'y', ]\n",
    "ioreq_pages = [ \"0x10-0x1f\", \"0x20+16\", 0x100 ]\n",
    "ioreq_pages = [ \"0x10-0x1f\", \"24\" ]\n",
    "ioreq_pages = \"0x10\"\nioreq_pages += [ \"-1\", \"\" ]\n",
    "a = \"s\"\na += \" t\"\nb = [1]\nb += [2]\nmemory = 5\nmemory += 1\n",
    "a = [ 1,\nb = 2\nc = = 3\nx = @\nmemory = 12abc\n",
    "a = \"unterminated\nb = '\\q'\nx = \"\\x00\"\n",
    "a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "x = 0xffffffffffffffff; memory = 9223372036854775808; a = 0 ; b=1",
    "a=1]\n]\n[\n=\n+=\n;\n,\n",
};

bool fuzz_seed(size_t i, struct fuzz_input *in)
{
    return fuzz_seed_string(seeds, sizeof(seeds) / sizeof(seeds[0]), i,
                            in);
}
#endif

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
