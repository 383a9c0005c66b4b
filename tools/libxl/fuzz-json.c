/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Run (build dir): make tools/libxl/fuzz-json tools/libxl/fuzz-json-replay && tools/libxl/fuzz-json-replay --write-seeds CORPUS && tools/libxl/fuzz-json -max_total_time=180 CORPUS
 *
 * Fuzz target of libxl's JSON input (libFuzzer: LLVMFuzzerTestOneInput):
 * the strict parser on yajl and the descriptor-driven _from_json of every
 * type that has one.
 *
 * The first byte picks the type, the rest is the JSON text (up to a NUL).
 * It is parsed into a value that already holds something (with memory
 * of its own where the type has any), as _from_json promises all or
 * nothing:
 *   - refused: ERROR_INVAL, at least one error logged that names the
 *     type, and the value exactly as it was;
 *   - accepted: no error logged; _to_json of the value succeeds, and
 *     what it writes parses back to an equal value (compared member by
 *     member, not through JSON), which writes the same text again; the
 *     same input parsed over that value gives an equal value again.
 * ASan reports a leak or double free on either path.
 *
 * Built with -DFUZZ_REPLAY_MAIN and tools/tests/fuzz-replay.c, it runs
 * its seeds in make check (see tools/tests/fuzz.h).
 */
#include <stdarg.h>

#include "fuzz.h"
#include "libxl_json.h"

/* ---- A logger that keeps what the last error said ----------------------- */

typedef struct fuzz_logger {
    xentoollog_logger vtable;
    unsigned int errors;
    char last_error[512];
} fuzz_logger;

static void fuzz_vmessage(xentoollog_logger *lg, xentoollog_level level,
                          int errnoval, const char *context,
                          const char *fmt, va_list al)
{
    fuzz_logger *fl = (fuzz_logger *)lg;

    (void)errnoval;
    (void)context;
    if (level < XTL_ERROR)
        return;
    fl->errors++;
    vsnprintf(fl->last_error, sizeof(fl->last_error), fmt, al);
}

/* ---- Member-by-member equality ------------------------------------------ */

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static bool string_list_eq(const libxl_string_list *a,
                           const libxl_string_list *b)
{
    int i, n = libxl_string_list_length(a);

    if (n != libxl_string_list_length(b))
        return false;
    for (i = 0; i < n; i++)
        if (strcmp((*a)[i], (*b)[i]))
            return false;
    return true;
}

static bool gfn_ranges_eq(const libxl_gfn_range *a, int na,
                          const libxl_gfn_range *b, int nb)
{
    int i;

    if (na != nb)
        return false;
    for (i = 0; i < na; i++)
        if (a[i].first != b[i].first || a[i].last != b[i].last)
            return false;
    return true;
}

static bool io_ranges_eq(const libxl_io_range *a, int na,
                         const libxl_io_range *b, int nb)
{
    int i;

    if (na != nb)
        return false;
    for (i = 0; i < na; i++)
        if (a[i].start != b[i].start || a[i].end != b[i].end)
            return false;
    return true;
}

static bool gfn_range_eq(const void *pa, const void *pb)
{
    return gfn_ranges_eq(pa, 1, pb, 1);
}

static bool create_info_eq(const void *pa, const void *pb)
{
    const libxl_domain_create_info *a = pa, *b = pb;

    return a->type == b->type && a->hap.val == b->hap.val &&
        str_eq(a->name, b->name);
}

static bool build_info_eq(const void *pa, const void *pb)
{
    const libxl_domain_build_info *a = pa, *b = pb;

    return a->max_vcpus == b->max_vcpus && a->max_memkb == b->max_memkb &&
        a->target_memkb == b->target_memkb &&
        str_eq(a->device_model, b->device_model) &&
        string_list_eq(&a->extra, &b->extra) &&
        a->device_model_timeout_ms == b->device_model_timeout_ms &&
        gfn_ranges_eq(a->ioreq_pages, a->num_ioreq_pages, b->ioreq_pages,
                      b->num_ioreq_pages);
}

static bool config_eq(const void *pa, const void *pb)
{
    const libxl_domain_config *a = pa, *b = pb;

    return create_info_eq(&a->c_info, &b->c_info) &&
        build_info_eq(&a->b_info, &b->b_info);
}

static bool pages_info_eq(const void *pa, const void *pb)
{
    const libxl_ioreq_pages_info *a = pa, *b = pb;

    /* The claim means nothing unless claimed; claim_unknown is no JSON. */
    return a->domid == b->domid && a->claimed == b->claimed &&
        (!a->claimed || (a->claim.server == b->claim.server &&
                         a->claim.flags == b->claim.flags)) &&
        a->entry_count == b->entry_count &&
        gfn_ranges_eq(a->ranges, a->num_ranges, b->ranges, b->num_ranges);
}

static bool server_info_eq(const void *pa, const void *pb)
{
    const libxl_ioreq_server_info *a = pa, *b = pb;

    /* details_unknown is not part of the JSON. */
    return a->id == b->id && a->enabled == b->enabled &&
        a->claim == b->claim &&
        io_ranges_eq(a->ports, a->num_ports, b->ports, b->num_ports) &&
        io_ranges_eq(a->mmio, a->num_mmio, b->mmio, b->num_mmio) &&
        io_ranges_eq(a->pci, a->num_pci, b->pci, b->num_pci);
}

/* ---- Values to parse over ----------------------------------------------- */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    CHECK(p);
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);

    CHECK(d);
    return d;
}

static void fill_gfn_range(void *p)
{
    *(libxl_gfn_range *)p = (libxl_gfn_range){ .first = 7, .last = 9 };
}

static void fill_create_info(void *p)
{
    libxl_domain_create_info *c = p;

    c->type = LIBXL_DOMAIN_TYPE_PVH;
    libxl_defbool_set(&c->hap, false);
    c->name = xstrdup("before");
}

static void fill_build_info(void *p)
{
    libxl_domain_build_info *b = p;

    b->max_vcpus = 3;
    b->max_memkb = 65536;
    b->device_model = xstrdup("/usr/bin/demu");
    b->extra = xcalloc(2, sizeof(char *));
    b->extra[0] = xstrdup("--before");
    b->num_ioreq_pages = 1;
    b->ioreq_pages = xcalloc(1, sizeof(*b->ioreq_pages));
    fill_gfn_range(b->ioreq_pages);
}

static void fill_config(void *p)
{
    libxl_domain_config *c = p;

    fill_create_info(&c->c_info);
    fill_build_info(&c->b_info);
}

static void fill_pages_info(void *p)
{
    libxl_ioreq_pages_info *i = p;

    i->domid = 4;
    i->claimed = true;
    i->claim.server = 1;
    i->claim.flags = XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    i->entry_count = 3;
    i->num_ranges = 1;
    i->ranges = xcalloc(1, sizeof(*i->ranges));
    fill_gfn_range(i->ranges);
}

static void fill_server_info(void *p)
{
    libxl_ioreq_server_info *s = p;

    s->id = 2;
    s->enabled = true;
    s->num_mmio = 1;
    s->mmio = xcalloc(1, sizeof(*s->mmio));
    s->mmio[0] = (libxl_io_range){ .start = 0x1000, .end = 0x1fff };
}

/* ---- The types ---------------------------------------------------------- */

struct type_ops {
    const char *name;
    size_t size;
    void (*init)(void *p);
    void (*dispose)(void *p);
    char *(*to_json)(libxl_ctx *ctx, const void *p);
    int (*from_json)(libxl_ctx *ctx, void *p, const char *s);
    bool (*eq)(const void *a, const void *b);
    void (*fill)(void *p);
};

/* Calls through void *, each to the function of its own type. */
#define TYPE_OPS(T, eq_fn, fill_fn)                                         \
    static void T##_init(void *p) { libxl_##T##_init(p); }                  \
    static void T##_dispose(void *p) { libxl_##T##_dispose(p); }            \
    static char *T##_to_json(libxl_ctx *ctx, const void *p)                 \
    {                                                                       \
        return libxl_##T##_to_json(ctx, p);                                 \
    }                                                                       \
    static int T##_from_json(libxl_ctx *ctx, void *p, const char *s)        \
    {                                                                       \
        return libxl_##T##_from_json(ctx, p, s);                            \
    }                                                                       \
    static const struct type_ops T##_ops = {                                \
        "libxl_" #T, sizeof(libxl_##T), T##_init, T##_dispose,              \
        T##_to_json, T##_from_json, eq_fn, fill_fn,                         \
    };

TYPE_OPS(gfn_range, gfn_range_eq, fill_gfn_range)
TYPE_OPS(domain_create_info, create_info_eq, fill_create_info)
TYPE_OPS(domain_build_info, build_info_eq, fill_build_info)
TYPE_OPS(domain_config, config_eq, fill_config)
TYPE_OPS(ioreq_pages_info, pages_info_eq, fill_pages_info)
TYPE_OPS(ioreq_server_info, server_info_eq, fill_server_info)

static const struct type_ops *const types[] = {
    &gfn_range_ops, &domain_create_info_ops, &domain_build_info_ops,
    &domain_config_ops, &ioreq_pages_info_ops, &ioreq_server_info_ops,
};

#define NR_TYPES (sizeof(types) / sizeof(types[0]))

/* ---- The target --------------------------------------------------------- */

/* A filled value, as a fresh copy to compare with. */
static void *filled(const struct type_ops *t)
{
    void *v = xcalloc(1, t->size);

    t->init(v);
    t->fill(v);
    return v;
}

static void destroy(const struct type_ops *t, void *v)
{
    t->dispose(v);
    t->dispose(v);              /* idempotent */
    free(v);
}

static void check_accepted(libxl_ctx *ctx, fuzz_logger *lg,
                           const struct type_ops *t, void *v,
                           const char *text)
{
    void *back = filled(t);
    char *out, *again;

    CHECK(lg->errors == 0);
    out = t->to_json(ctx, v);
    CHECK(out);
    CHECK(t->from_json(ctx, back, out) == 0);
    CHECK(t->eq(v, back));
    again = t->to_json(ctx, back);
    CHECK(again && !strcmp(out, again));
    /* Once more over a value that holds something: equal again. */
    CHECK(t->from_json(ctx, back, text) == 0);
    CHECK(t->eq(v, back));
    CHECK(lg->errors == 0);
    free(out);
    free(again);
    destroy(t, back);
}

static void check_refused(fuzz_logger *lg, const struct type_ops *t,
                          const void *v, int rc)
{
    void *before = filled(t);
    char prefix[64];

    CHECK(rc == ERROR_INVAL);
    CHECK(lg->errors >= 1);
    snprintf(prefix, sizeof(prefix), "%s: ", t->name);
    CHECK(strstr(lg->last_error, prefix));
    CHECK(t->eq(v, before));
    destroy(t, before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_logger lg = { .vtable = { .vmessage = fuzz_vmessage } };
    struct libxl__ctx ctx_s = { .lg = &lg.vtable };
    libxl_ctx *ctx = &ctx_s;
    const struct type_ops *t;
    char *text;
    void *v;
    int rc;

    if (size < 1 || size > 1 << 20)
        return 0;
    t = types[data[0] % NR_TYPES];
    text = xcalloc(1, size);
    memcpy(text, data + 1, size - 1);

    v = filled(t);
    rc = t->from_json(ctx, v, text);
    if (rc)
        check_refused(&lg, t, v, rc);
    else
        check_accepted(ctx, &lg, t, v, text);
    destroy(t, v);
    free(text);
    return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* The first character picks the type: '0' + its index in types[]. */
static const char *const seeds[] = {
    "0{\"first\":1,\"last\":2,\"count\":2}",
    "0{\"first\":0,\"last\":18446744073709551615,"
        "\"count\":18446744073709551616}",
    "0{\"count\":1,\"last\":5,\"first\":5}",
    "0{\"first\":2,\"last\":1,\"count\":0}",
    "0{\"first\":1,\"last\":1,\"count\":1,\"first\":1}",
    "0{\"first\":-1,\"last\":1e3,\"count\":1.5}",
    "0{\"first\":18446744073709551616,\"last\":0,\"count\":1}",
    "0[1,2,3] trailing",
    "0{\"first\":1 /* comment */,\"last\":1,\"count\":1}",
    "1{\"type\":\"pvh\",\"hap\":\"True\",\"name\":\"caf\xc3\xa9\"}",
    "1{\"type\":\"HVM\",\"hap\":true,\"name\":\"a\\u0000b\"}",
    "1{\"type\":\"hvm\",\"hap\":\"<default>\",\"name\":\"\xff\"}",
    "2{\"max_vcpus\":-2147483648,\"max_memkb\":0,\"target_memkb\":1,"
        "\"device_model\":null,\"extra\":[\"a\",\"\"],"
        "\"device_model_timeout_ms\":4294967295,"
        "\"ioreq_pages\":[{\"first\":1,\"last\":1,\"count\":1}]}",
    "2{\"max_vcpus\":-0,\"max_memkb\":0,\"target_memkb\":1,"
        "\"device_model\":null,\"extra\":[1],"
        "\"device_model_timeout_ms\":4294967296,\"ioreq_pages\":{}}",
    "3{\"c_info\":{\"type\":\"pv\",\"hap\":\"False\",\"name\":null},"
        "\"b_info\":{\"max_vcpus\":1,\"max_memkb\":1,\"target_memkb\":1,"
        "\"device_model\":\"dm\",\"extra\":[],"
        "\"device_model_timeout_ms\":1,\"ioreq_pages\":[]}}",
    "3{\"c_info\":{},\"b_info\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]"
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    "4{\"domid\":1,\"claim\":{\"server\":0,\"flags\":[\"write\",\"read\"]},"
        "\"entry_count\":5,\"ranges\":[{\"first\":1,\"last\":5,\"count\":5}]}",
    "4{\"domid\":1,\"claim\":null,\"entry_count\":0,\"ranges\":[]}",
    "4{\"domid\":1,\"claim\":{\"server\":0,\"flags\":[\"write\",\"write\"]},"
        "\"entry_count\":0,\"ranges\":[]}",
    "5{\"id\":0,\"enabled\":true,\"claim\":false,"
        "\"ports\":[{\"start\":1,\"end\":2}],\"mmio\":[],"
        "\"pci\":[{\"start\":3,\"end\":2}]}",
    "5{\"id\":0,\"enabled\":true,\"claim\":false,\"ports\":[],\"mmio\":[],"
        "\"pci\":[]}",
    "5",
    "",
};

bool fuzz_seed(size_t i, struct fuzz_input *in)
{
    return fuzz_seed_string(seeds, sizeof(seeds) / sizeof(seeds[0]), i,
                            in);
}
#endif
