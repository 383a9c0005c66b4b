/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxl's types and their JSON: exact output, round trips both ways,
 * every class of input _from_json must refuse (with the message naming
 * the member), _init/_dispose idempotence, the string forms, and
 * libxl__log's format.  Built with ASan, which checks that nothing leaks
 * or is freed twice, failed parses included.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* open_memstream */
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "libxl_json.h"

#include <xen/hvm/dm_op.h>

/* ---- A context whose logger keeps the last message -------------------- */

typedef struct capture_logger {
    xentoollog_logger vtable;
    xentoollog_level level;
    int count;
    char last[2048];
} capture_logger;

static void capture_vmessage(xentoollog_logger *lg, xentoollog_level level,
                             int errnoval, const char *context,
                             const char *fmt, va_list al)
{
    capture_logger *cl = (capture_logger *)lg;

    (void)errnoval;
    (void)context;
    cl->level = level;
    cl->count++;
    vsnprintf(cl->last, sizeof(cl->last), fmt, al);
    /* TEST_JSON_SHOW_LOG=1: see every message, to judge its wording. */
    if (getenv("TEST_JSON_SHOW_LOG"))
        fprintf(stderr, "# log: %s\n", cl->last);
}

static capture_logger logger = { .vtable = { .vmessage = capture_vmessage } };
static struct libxl__ctx test_ctx = { .lg = &logger.vtable };
static libxl_ctx *ctx = &test_ctx;

static int reset_log(void **state)
{
    (void)state;
    logger.count = 0;
    logger.last[0] = '\0';
    return 0;
}

static void assert_logged(const char *what)
{
    if (!strstr(logger.last, what))
        fail_msg("expected a message with \"%s\", last was \"%s\"", what,
                 logger.last);
    assert_int_equal(logger.level, XTL_ERROR);
}

/* JSON written with ' for ", so that the tables stay readable. */
static char *q(const char *s)
{
    char *d = strdup(s), *c;

    assert_non_null(d);
    for (c = d; *c; c++) {
        if (*c == '\'')
            *c = '"';
    }
    return d;
}

/* ---- Comparisons ------------------------------------------------------- */

static void assert_str_or_null_equal(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_string_lists_equal(const libxl_string_list *a,
                                      const libxl_string_list *b)
{
    int i, n = libxl_string_list_length(a);

    assert_int_equal(n, libxl_string_list_length(b));
    for (i = 0; i < n; i++)
        assert_string_equal((*a)[i], (*b)[i]);
}

static void assert_gfn_ranges_equal(const libxl_gfn_range *a, int na,
                                    const libxl_gfn_range *b, int nb)
{
    int i;

    assert_int_equal(na, nb);
    for (i = 0; i < na; i++) {
        assert_true(a[i].first == b[i].first);
        assert_true(a[i].last == b[i].last);
    }
}

static void assert_io_ranges_equal(const libxl_io_range *a, int na,
                                   const libxl_io_range *b, int nb)
{
    int i;

    assert_int_equal(na, nb);
    for (i = 0; i < na; i++) {
        assert_true(a[i].start == b[i].start);
        assert_true(a[i].end == b[i].end);
    }
}

static void assert_create_infos_equal(const libxl_domain_create_info *a,
                                      const libxl_domain_create_info *b)
{
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->hap.val, b->hap.val);
    assert_str_or_null_equal(a->name, b->name);
}

static void assert_build_infos_equal(const libxl_domain_build_info *a,
                                     const libxl_domain_build_info *b)
{
    assert_int_equal(a->max_vcpus, b->max_vcpus);
    assert_true(a->max_memkb == b->max_memkb);
    assert_true(a->target_memkb == b->target_memkb);
    assert_str_or_null_equal(a->device_model, b->device_model);
    assert_string_lists_equal(&a->extra, &b->extra);
    assert_int_equal(a->device_model_timeout_ms, b->device_model_timeout_ms);
    assert_gfn_ranges_equal(a->ioreq_pages, a->num_ioreq_pages,
                            b->ioreq_pages, b->num_ioreq_pages);
}

static void assert_pages_infos_equal(const libxl_ioreq_pages_info *a,
                                     const libxl_ioreq_pages_info *b)
{
    assert_int_equal(a->domid, b->domid);
    assert_int_equal(a->claimed, b->claimed);
    if (a->claimed) {
        assert_int_equal(a->claim.server, b->claim.server);
        assert_int_equal(a->claim.flags, b->claim.flags);
    }
    assert_true(a->entry_count == b->entry_count);
    assert_gfn_ranges_equal(a->ranges, a->num_ranges, b->ranges,
                            b->num_ranges);
}

static void assert_server_infos_equal(const libxl_ioreq_server_info *a,
                                      const libxl_ioreq_server_info *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->enabled, b->enabled);
    assert_int_equal(a->claim, b->claim);
    assert_io_ranges_equal(a->ports, a->num_ports, b->ports, b->num_ports);
    assert_io_ranges_equal(a->mmio, a->num_mmio, b->mmio, b->num_mmio);
    assert_io_ranges_equal(a->pci, a->num_pci, b->pci, b->num_pci);
}

/*
 * text -> value -> text gives text back; and the value read back from
 * the output equals the first one (checked by the caller's EQ).
 */
#define CHECK_ROUND_TRIP(T, text, EQ) do {                                  \
    libxl_##T v1_, v2_;                                                     \
    char *out_;                                                             \
                                                                            \
    libxl_##T##_init(&v1_);                                                 \
    libxl_##T##_init(&v2_);                                                 \
    assert_int_equal(libxl_##T##_from_json(ctx, &v1_, (text)), 0);          \
    out_ = libxl_##T##_to_json(ctx, &v1_);                                  \
    assert_non_null(out_);                                                  \
    assert_string_equal(out_, (text));                                      \
    assert_int_equal(libxl_##T##_from_json(ctx, &v2_, out_), 0);            \
    EQ(&v1_, &v2_);                                                         \
    free(out_);                                                             \
    libxl_##T##_dispose(&v1_);                                              \
    libxl_##T##_dispose(&v2_);                                              \
} while (0)

static void check_text(const char *out, const char *expected)
{
    if (expected)
        assert_string_equal(out, expected);
}

/* value -> text (expected exactly, if not NULL) -> value: equal. */
#define CHECK_VALUE_ROUND_TRIP(T, v, expected, EQ) do {                     \
    libxl_##T back_;                                                        \
    char *out_;                                                             \
                                                                            \
    out_ = libxl_##T##_to_json(ctx, (v));                                   \
    assert_non_null(out_);                                                  \
    check_text(out_, (expected));                                           \
    libxl_##T##_init(&back_);                                               \
    assert_int_equal(libxl_##T##_from_json(ctx, &back_, out_), 0);          \
    EQ((v), &back_);                                                        \
    free(out_);                                                             \
    libxl_##T##_dispose(&back_);                                            \
} while (0)

static void gfn_range_eq(const libxl_gfn_range *a, const libxl_gfn_range *b)
{
    assert_gfn_ranges_equal(a, 1, b, 1);
}

static void domain_config_eq(const libxl_domain_config *a,
                             const libxl_domain_config *b)
{
    assert_create_infos_equal(&a->c_info, &b->c_info);
    assert_build_infos_equal(&a->b_info, &b->b_info);
}

/* ---- Values used by several tests -------------------------------------- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);

    assert_non_null(d);
    return d;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    assert_non_null(p);
    return p;
}

static void fill_build_info(libxl_domain_build_info *b)
{
    b->max_vcpus = 4;
    b->max_memkb = 1ULL << 20;
    b->target_memkb = 512 * 1024;
    b->device_model = xstrdup("/usr/bin/demu");
    b->extra = xcalloc(3, sizeof(char *));
    b->extra[0] = xstrdup("--verbose");
    b->extra[1] = xstrdup("a \"quoted\" \\ arg, caf\xc3\xa9");
    b->device_model_timeout_ms = 2500;
    b->num_ioreq_pages = 2;
    b->ioreq_pages = xcalloc(2, sizeof(libxl_gfn_range));
    b->ioreq_pages[0] = (libxl_gfn_range){ .first = 0x1000, .last = 0x10ff };
    b->ioreq_pages[1] = (libxl_gfn_range){ .first = UINT64_MAX,
                                           .last = UINT64_MAX };
}

static void fill_config(libxl_domain_config *c)
{
    c->c_info.type = LIBXL_DOMAIN_TYPE_PVH;
    libxl_defbool_set(&c->c_info.hap, false);
    c->c_info.name = xstrdup("guest-1");
    fill_build_info(&c->b_info);
}

static void fill_server_info(libxl_ioreq_server_info *s, uint32_t id)
{
    s->id = id;
    s->enabled = true;
    s->claim = true;
    s->num_ports = 1;
    s->ports = xcalloc(1, sizeof(libxl_io_range));
    s->ports[0] = (libxl_io_range){ .start = 0x3f8, .end = 0x3ff };
    s->num_mmio = 2;
    s->mmio = xcalloc(2, sizeof(libxl_io_range));
    s->mmio[0] = (libxl_io_range){ .start = 0xfe000000, .end = 0xfe000fff };
    s->mmio[1] = (libxl_io_range){ .start = UINT64_MAX, .end = UINT64_MAX };
}

/* ---- Exact output and round trips -------------------------------------- */

static const char default_config_json[] =
    "{\n"
    "    \"c_info\": {\n"
    "        \"type\": \"hvm\",\n"
    "        \"hap\": \"<default>\",\n"
    "        \"name\": null\n"
    "    },\n"
    "    \"b_info\": {\n"
    "        \"max_vcpus\": 1,\n"
    "        \"max_memkb\": 18446744073709551615,\n"
    "        \"target_memkb\": 18446744073709551615,\n"
    "        \"device_model\": null,\n"
    "        \"extra\": [],\n"
    "        \"device_model_timeout_ms\": 10000,\n"
    "        \"ioreq_pages\": []\n"
    "    }\n"
    "}\n";

static const char full_config_json[] =
    "{\n"
    "    \"c_info\": {\n"
    "        \"type\": \"pvh\",\n"
    "        \"hap\": \"False\",\n"
    "        \"name\": \"guest-1\"\n"
    "    },\n"
    "    \"b_info\": {\n"
    "        \"max_vcpus\": 4,\n"
    "        \"max_memkb\": 1048576,\n"
    "        \"target_memkb\": 524288,\n"
    "        \"device_model\": \"/usr/bin/demu\",\n"
    "        \"extra\": [\n"
    "            \"--verbose\",\n"
    "            \"a \\\"quoted\\\" \\\\ arg, caf\xc3\xa9\"\n"
    "        ],\n"
    "        \"device_model_timeout_ms\": 2500,\n"
    "        \"ioreq_pages\": [\n"
    "            {\n"
    "                \"first\": 4096,\n"
    "                \"last\": 4351,\n"
    "                \"count\": 256\n"
    "            },\n"
    "            {\n"
    "                \"first\": 18446744073709551615,\n"
    "                \"last\": 18446744073709551615,\n"
    "                \"count\": 1\n"
    "            }\n"
    "        ]\n"
    "    }\n"
    "}\n";

static void test_gfn_range_round_trip(void **state)
{
    static const char *const texts[] = {
        "{\n    \"first\": 0,\n    \"last\": 0,\n    \"count\": 1\n}\n",
        "{\n    \"first\": 4096,\n    \"last\": 18446744073709551615,\n"
        "    \"count\": 18446744073709547520\n}\n",
        /* The whole space: 2^64 pages, one more than a uint64_t. */
        "{\n    \"first\": 0,\n    \"last\": 18446744073709551615,\n"
        "    \"count\": 18446744073709551616\n}\n",
    };
    libxl_gfn_range r;
    size_t i;

    (void)state;
    for (i = 0; i < LIBXL__ARRAY_SIZE(texts); i++)
        CHECK_ROUND_TRIP(gfn_range, texts[i], gfn_range_eq);

    libxl_gfn_range_init(&r);
    assert_true(r.first == 0 && r.last == 0);
    r.first = UINT64_MAX - 1;
    r.last = UINT64_MAX;
    CHECK_VALUE_ROUND_TRIP(gfn_range, &r,
        "{\n    \"first\": 18446744073709551614,\n"
        "    \"last\": 18446744073709551615,\n    \"count\": 2\n}\n",
        gfn_range_eq);
    libxl_gfn_range_dispose(&r);
}

static void test_create_info_round_trip(void **state)
{
    libxl_domain_create_info c;

    (void)state;
    libxl_domain_create_info_init(&c);
    assert_int_equal(c.type, LIBXL_DOMAIN_TYPE_HVM);
    assert_true(libxl_defbool_is_default(c.hap));
    assert_null(c.name);
    CHECK_VALUE_ROUND_TRIP(domain_create_info, &c,
        "{\n    \"type\": \"hvm\",\n    \"hap\": \"<default>\",\n"
        "    \"name\": null\n}\n", assert_create_infos_equal);

    c.type = LIBXL_DOMAIN_TYPE_PV;
    libxl_defbool_set(&c.hap, true);
    c.name = xstrdup("");
    CHECK_VALUE_ROUND_TRIP(domain_create_info, &c,
        "{\n    \"type\": \"pv\",\n    \"hap\": \"True\",\n"
        "    \"name\": \"\"\n}\n", assert_create_infos_equal);
    libxl_domain_create_info_dispose(&c);

    /* Control characters and non-ASCII text survive both ways. */
    CHECK_ROUND_TRIP(domain_create_info,
        "{\n    \"type\": \"pvh\",\n    \"hap\": \"False\",\n"
        "    \"name\": \"tab\\tnl\\n\\u0001 \xe2\x82\xac\"\n}\n",
        assert_create_infos_equal);
}

static void test_build_info_round_trip(void **state)
{
    libxl_domain_build_info b;

    (void)state;
    libxl_domain_build_info_init(&b);
    assert_int_equal(b.max_vcpus, 1);
    assert_true(b.max_memkb == LIBXL_MEMKB_DEFAULT);
    assert_true(b.target_memkb == LIBXL_MEMKB_DEFAULT);
    assert_int_equal(b.device_model_timeout_ms, 10000);
    assert_null(b.extra);
    assert_null(b.ioreq_pages);
    assert_int_equal(b.num_ioreq_pages, 0);
    CHECK_VALUE_ROUND_TRIP(domain_build_info, &b, NULL,
                           assert_build_infos_equal);

    fill_build_info(&b);
    CHECK_VALUE_ROUND_TRIP(domain_build_info, &b, NULL,
                           assert_build_infos_equal);

    /* An empty but allocated list is written [] too. */
    libxl_string_list_dispose(&b.extra);
    b.extra = xcalloc(1, sizeof(char *));
    CHECK_VALUE_ROUND_TRIP(domain_build_info, &b, NULL,
                           assert_build_infos_equal);
    libxl_domain_build_info_dispose(&b);
}

static void test_domain_config_round_trip(void **state)
{
    libxl_domain_config c;

    (void)state;
    libxl_domain_config_init(&c);
    CHECK_VALUE_ROUND_TRIP(domain_config, &c, default_config_json,
                           domain_config_eq);
    fill_config(&c);
    CHECK_VALUE_ROUND_TRIP(domain_config, &c, full_config_json,
                           domain_config_eq);
    libxl_domain_config_dispose(&c);

    CHECK_ROUND_TRIP(domain_config, default_config_json, domain_config_eq);
    CHECK_ROUND_TRIP(domain_config, full_config_json, domain_config_eq);
}

/* Keys may come in any order and with any spacing; output is canonical. */
static void test_any_key_order(void **state)
{
    char *in = q("{'b_info':{'ioreq_pages':[{'count':256,'last':4351,"
                 "'first':4096},{'last':18446744073709551615,'count':1,"
                 "'first':18446744073709551615}],"
                 "'device_model_timeout_ms':2500,'extra':['--verbose',"
                 "'a \\'quoted\\' \\\\ arg, caf\xc3\xa9'],"
                 "'device_model':'/usr/bin/demu','target_memkb':524288,"
                 "'max_memkb':1048576,'max_vcpus':4},"
                 "'c_info':{'name':'guest-1','hap':'False','type':'pvh'}}");
    libxl_domain_config c;
    char *out;

    (void)state;
    libxl_domain_config_init(&c);
    assert_int_equal(libxl_domain_config_from_json(ctx, &c, in), 0);
    out = libxl_domain_config_to_json(ctx, &c);
    assert_non_null(out);
    assert_string_equal(out, full_config_json);
    free(out);
    free(in);
    libxl_domain_config_dispose(&c);
}

static const char pages_claimed_json[] =
    "{\n"
    "    \"domid\": 7,\n"
    "    \"claim\": {\n"
    "        \"server\": 2,\n"
    "        \"flags\": [\n"
    "            \"write\"\n"
    "        ]\n"
    "    },\n"
    "    \"entry_count\": 18446744073709551615,\n"
    "    \"ranges\": [\n"
    "        {\n"
    "            \"first\": 0,\n"
    "            \"last\": 0,\n"
    "            \"count\": 1\n"
    "        },\n"
    "        {\n"
    "            \"first\": 4096,\n"
    "            \"last\": 8191,\n"
    "            \"count\": 4096\n"
    "        },\n"
    "        {\n"
    "            \"first\": 18446744073709551614,\n"
    "            \"last\": 18446744073709551615,\n"
    "            \"count\": 2\n"
    "        }\n"
    "    ]\n"
    "}\n";

static const char pages_unclaimed_json[] =
    "{\n"
    "    \"domid\": 4294967295,\n"
    "    \"claim\": null,\n"
    "    \"entry_count\": 0,\n"
    "    \"ranges\": []\n"
    "}\n";

static void test_ioreq_pages_info_exact(void **state)
{
    libxl_ioreq_pages_info p;

    (void)state;
    libxl_ioreq_pages_info_init(&p);
    p.domid = 7;
    p.claimed = true;
    p.claim.server = 2;
    p.claim.flags = XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    p.entry_count = 0xffffffffffffffffULL;
    p.num_ranges = 3;
    p.ranges = xcalloc(3, sizeof(libxl_gfn_range));
    p.ranges[0] = (libxl_gfn_range){ .first = 0, .last = 0 };
    p.ranges[1] = (libxl_gfn_range){ .first = 0x1000, .last = 0x1fff };
    p.ranges[2] = (libxl_gfn_range){ .first = 0xfffffffffffffffeULL,
                                     .last = 0xffffffffffffffffULL };
    CHECK_VALUE_ROUND_TRIP(ioreq_pages_info, &p, pages_claimed_json,
                           assert_pages_infos_equal);
    libxl_ioreq_pages_info_dispose(&p);
    CHECK_ROUND_TRIP(ioreq_pages_info, pages_claimed_json,
                     assert_pages_infos_equal);

    /* Not claimed: claim is null, whatever the claim member holds. */
    p.domid = INVALID_DOMID;
    p.claim.server = 3;
    CHECK_VALUE_ROUND_TRIP(ioreq_pages_info, &p, pages_unclaimed_json,
                           assert_pages_infos_equal);
    libxl_ioreq_pages_info_dispose(&p);
    CHECK_ROUND_TRIP(ioreq_pages_info, pages_unclaimed_json,
                     assert_pages_infos_equal);
}

static void test_ioreq_claim_flags(void **state)
{
    libxl_ioreq_pages_info p;
    char *out;

    (void)state;
    libxl_ioreq_pages_info_init(&p);
    p.claimed = true;
    p.claim.flags = XEN_DMOP_IOREQ_MEM_ACCESS_READ |
                    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE;
    CHECK_VALUE_ROUND_TRIP(ioreq_pages_info, &p,
        "{\n    \"domid\": 0,\n    \"claim\": {\n        \"server\": 0,\n"
        "        \"flags\": [\n            \"read\",\n"
        "            \"write\"\n        ]\n    },\n"
        "    \"entry_count\": 0,\n    \"ranges\": []\n}\n",
        assert_pages_infos_equal);

    /* A release leaves a claim with no flags. */
    p.claim.flags = 0;
    CHECK_VALUE_ROUND_TRIP(ioreq_pages_info, &p,
        "{\n    \"domid\": 0,\n    \"claim\": {\n        \"server\": 0,\n"
        "        \"flags\": []\n    },\n"
        "    \"entry_count\": 0,\n    \"ranges\": []\n}\n",
        assert_pages_infos_equal);

    /* A bit without a name cannot be written, so it is not. */
    p.claim.flags = XEN_DMOP_IOREQ_MEM_ACCESS_WRITE | 0x80;
    out = libxl_ioreq_pages_info_to_json(ctx, &p);
    assert_null(out);
    assert_logged("libxl_ioreq_pages_info: claim.flags: unknown flag bits "
                  "0x80");
    libxl_ioreq_pages_info_dispose(&p);
}

static const char server_json[] =
    "{\n"
    "    \"id\": 1,\n"
    "    \"enabled\": true,\n"
    "    \"claim\": true,\n"
    "    \"ports\": [\n"
    "        {\n"
    "            \"start\": 1016,\n"
    "            \"end\": 1023\n"
    "        }\n"
    "    ],\n"
    "    \"mmio\": [\n"
    "        {\n"
    "            \"start\": 4261412864,\n"
    "            \"end\": 4261416959\n"
    "        },\n"
    "        {\n"
    "            \"start\": 18446744073709551615,\n"
    "            \"end\": 18446744073709551615\n"
    "        }\n"
    "    ],\n"
    "    \"pci\": []\n"
    "}\n";

static void test_ioreq_server_info_round_trip(void **state)
{
    libxl_ioreq_server_info s;

    (void)state;
    libxl_ioreq_server_info_init(&s);
    CHECK_VALUE_ROUND_TRIP(ioreq_server_info, &s,
        "{\n    \"id\": 0,\n    \"enabled\": false,\n    \"claim\": false,\n"
        "    \"ports\": [],\n    \"mmio\": [],\n    \"pci\": []\n}\n",
        assert_server_infos_equal);
    fill_server_info(&s, 1);
    CHECK_VALUE_ROUND_TRIP(ioreq_server_info, &s, server_json,
                           assert_server_infos_equal);
    libxl_ioreq_server_info_dispose(&s);
    CHECK_ROUND_TRIP(ioreq_server_info, server_json,
                     assert_server_infos_equal);
}

/* ---- Strict input ------------------------------------------------------ */

enum which { GFN, CINFO, BINFO, CONFIG, PAGES, SERVER };

static const struct reject {
    enum which type;
    const char *json;           /* ' for " */
    const char *message;        /* part of the message logged */
} rejects[] = {
    /* Not one strict JSON value. */
    { GFN, "", "libxl_gfn_range: invalid JSON: parse error: premature EOF" },
    { GFN, "  ", "invalid JSON" },
    { GFN, "{'first':1,'last':1,'count':1", "invalid JSON" },
    { GFN, "{'first':1,'last':1,'count':1} x",
      "invalid JSON: parse error: trailing garbage" },
    { GFN, "{'first':1,'last':1,'count':1}{}", "invalid JSON" },
    { GFN, "/* c */ {'first':1,'last':1,'count':1}",
      "comments are not enabled" },
    { GFN, "{'first':1,'last':1,'count':1,}", "invalid JSON" },
    { GFN, "{first:1}", "invalid JSON" },
    { GFN, "{'first':01,'last':1,'count':1}", "invalid JSON" },
    { CINFO, "{'type':'hvm','hap':'True','name':'a\\u0000b'}",
      "invalid JSON: a string or key contains \\u0000" },
    { CINFO, "{'type':'hvm','hap':'True','na\\u0000me':'a'}",
      "contains \\u0000" },
    { CINFO, "{'type':'hvm','hap':'True','name':'\xff'}",
      "invalid JSON: lexical error: invalid bytes in UTF8 string" },
    { CONFIG, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
      "invalid JSON: nested too deeply" },

    /* Wrong JSON types. */
    { GFN, "[]", "libxl_gfn_range: expected an object, got an array" },
    { GFN, "null", "expected an object, got null" },
    { GFN, "{'first':'1','last':1,'count':1}",
      "libxl_gfn_range: first: expected an unsigned integer, got a string" },
    { GFN, "{'first':1,'last':true,'count':1}",
      "last: expected an unsigned integer, got a boolean" },
    { GFN, "{'first':1,'last':1,'count':null}",
      "count: expected an unsigned integer, got null" },
    { CINFO, "{'type':1,'hap':'True','name':'g'}",
      "type: expected a domain type, got a number" },
    { CINFO, "{'type':'hvm','hap':true,'name':'g'}",
      "hap: expected \"True\", \"False\" or \"<default>\", got a boolean" },
    { CINFO, "{'type':'hvm','hap':'True','name':5}",
      "name: expected a string or null, got a number" },
    { CINFO, "{'type':'hvm','hap':'True','name':['g']}",
      "name: expected a string or null, got an array" },
    { BINFO, "{'max_vcpus':'1','max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "max_vcpus: expected an integer, got a string" },
    { BINFO, "{'max_vcpus':1,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':'--x','device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "extra: expected an array of strings, got a "
      "string" },
    { BINFO, "{'max_vcpus':1,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':['a',2],'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "extra[1]: expected a string, got a number" },
    { BINFO, "{'max_vcpus':1,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':null,'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "extra: expected an array of strings, got null" },
    { BINFO, "{'max_vcpus':1,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':{}}", "ioreq_pages: expected an array, got an object" },
    { BINFO, "{'max_vcpus':1,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':[{'first':1,'last':1,'count':1},7]}",
      "ioreq_pages[1]: expected an object, got a number" },
    { CONFIG, "{'c_info':[],'b_info':{}}",
      "libxl_domain_config: c_info: expected an object, got an array" },
    { PAGES, "{'domid':1,'claim':5,'entry_count':0,'ranges':[]}",
      "claim: expected an object or null, got a number" },
    { PAGES, "{'domid':1,'claim':{'server':0,'flags':'write'},"
      "'entry_count':0,'ranges':[]}",
      "claim.flags: expected an array of flag names, got a string" },
    { PAGES, "{'domid':1,'claim':{'server':0,'flags':[2]},"
      "'entry_count':0,'ranges':[]}",
      "claim.flags[0]: expected a string, got a number" },
    { SERVER, "{'id':0,'enabled':1,'claim':false,'ports':[],'mmio':[],"
      "'pci':[]}", "enabled: expected true or false, got a number" },
    { SERVER, "{'id':0,'enabled':true,'claim':'no','ports':[],'mmio':[],"
      "'pci':[]}", "claim: expected true or false, got a string" },

    /* Unknown, repeated and missing keys. */
    { GFN, "{'first':1,'last':1,'count':1,'number':1}",
      "libxl_gfn_range: unknown key \"number\"" },
    { GFN, "{'first':1,'last':1,'First':1}", "unknown key \"First\"" },
    { CONFIG, "{'c_info':{'type':'hvm','hap':'True','name':'g',"
      "'uuid':null},'b_info':{}}", "c_info: unknown key \"uuid\"" },
    { PAGES, "{'domid':1,'claim':{'server':0,'flags':[],'x':0},"
      "'entry_count':0,'ranges':[]}", "claim: unknown key \"x\"" },
    { SERVER, "{'id':0,'enabled':true,'claim':false,"
      "'ports':[{'start':1,'end':2,'size':2}],'mmio':[],'pci':[]}",
      "ports[0]: unknown key \"size\"" },
    { GFN, "{'first':1,'last':2,'count':2,'first':1}",
      "key \"first\" appears twice" },
    { GFN, "{'first':1,'last':1}", "libxl_gfn_range: missing key \"count\"" },
    { GFN, "{}", "missing key \"first\"" },
    { CONFIG, "{'c_info':{'type':'hvm','hap':'True','name':'g'}}",
      "libxl_domain_config: missing key \"b_info\"" },
    { CONFIG, "{'c_info':{'type':'hvm','name':'g'},'b_info':{}}",
      "c_info: missing key \"hap\"" },
    { PAGES, "{'domid':1,'entry_count':0,'ranges':[]}",
      "missing key \"claim\"" },
    { PAGES, "{'domid':1,'claim':{'server':0},'entry_count':0,"
      "'ranges':[]}", "claim: missing key \"flags\"" },

    /* Numbers: sign, fraction, exponent, range. */
    { GFN, "{'first':-1,'last':1,'count':1}",
      "first: -1 is negative, expected an unsigned integer" },
    { GFN, "{'first':-0,'last':1,'count':2}", "first: -0 is negative" },
    { GFN, "{'first':1.5,'last':2,'count':1}",
      "first: 1.5 is not an integer" },
    { GFN, "{'first':1.0,'last':2,'count':2}", "1.0 is not an integer" },
    { GFN, "{'first':1e3,'last':2000,'count':1001}",
      "1e3 is not an integer" },
    { GFN, "{'first':1,'last':2,'count':2.0}",
      "count: 2.0 is not an integer" },
    { GFN, "{'first':1,'last':2,'count':-2}", "count: -2 is negative" },
    { GFN, "{'first':18446744073709551616,'last':1,'count':1}",
      "first: 18446744073709551616 is out of range (at most "
      "18446744073709551615)" },
    { GFN, "{'first':1,'last':99999999999999999999999,'count':1}",
      "last: 99999999999999999999999 is out of range" },
    { PAGES, "{'domid':4294967296,'claim':null,'entry_count':0,"
      "'ranges':[]}", "domid: 4294967296 is out of range (at most "
      "4294967295)" },
    { PAGES, "{'domid':-1,'claim':null,'entry_count':0,'ranges':[]}",
      "domid: -1 is negative" },
    { PAGES, "{'domid':1,'claim':{'server':4294967296,'flags':[]},"
      "'entry_count':0,'ranges':[]}", "claim.server: 4294967296 is out of "
      "range" },
    { PAGES, "{'domid':1,'claim':null,'entry_count':0.5,'ranges':[]}",
      "entry_count: 0.5 is not an integer" },
    { BINFO, "{'max_vcpus':2147483648,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "max_vcpus: 2147483648 is out of range "
      "(-2147483648 to 2147483647)" },
    { BINFO, "{'max_vcpus':-2147483649,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "max_vcpus: -2147483649 is out of range" },
    { BINFO, "{'max_vcpus':1.5,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "max_vcpus: 1.5 is not an integer" },
    { BINFO, "{'max_vcpus':-0,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "max_vcpus: -0 is not an integer" },
    { BINFO, "{'max_vcpus':1,'max_memkb':-5,'target_memkb':1,"
      "'device_model':null,'extra':[],'device_model_timeout_ms':1,"
      "'ioreq_pages':[]}", "max_memkb: -5 is negative" },
    { BINFO, "{'max_vcpus':1,'max_memkb':1,'target_memkb':1,"
      "'device_model':null,'extra':[],"
      "'device_model_timeout_ms':99999999999,'ioreq_pages':[]}",
      "device_model_timeout_ms: 99999999999 is out of range" },
    { SERVER, "{'id':0,'enabled':true,'claim':false,'ports':[],"
      "'mmio':[{'start':1,'end':1e2}],'pci':[]}",
      "mmio[0].end: 1e2 is not an integer" },

    /* Members that disagree. */
    { GFN, "{'first':1,'last':2,'count':3}",
      "libxl_gfn_range: count: 3 is not last - first + 1 = 2" },
    { GFN, "{'first':0,'last':18446744073709551615,"
      "'count':18446744073709551615}",
      "count: 18446744073709551615 is not last - first + 1 = "
      "18446744073709551616" },
    { GFN, "{'first':5,'last':4,'count':0}",
      "libxl_gfn_range: first 5 is greater than last 4" },
    { SERVER, "{'id':0,'enabled':true,'claim':false,'ports':[],'mmio':[],"
      "'pci':[{'start':9,'end':8}]}",
      "pci[0]: start 9 is greater than end 8" },
    { CONFIG, "{'c_info':{'type':'hvm','hap':'True','name':'g'},"
      "'b_info':{'max_vcpus':1,'max_memkb':1024,'target_memkb':1024,"
      "'device_model':null,'extra':['a','b'],'device_model_timeout_ms':10,"
      "'ioreq_pages':[{'first':1,'last':2,'count':2},"
      "{'first':5,'last':6,'count':3}]}}",
      "libxl_domain_config: b_info.ioreq_pages[1].count: 3 is not last - "
      "first + 1 = 2" },

    /* Names: exact spellings only, as written out. */
    { CINFO, "{'type':'HVM','hap':'True','name':'g'}",
      "type: unknown domain type \"HVM\" (expected \"hvm\", \"pv\" or "
      "\"pvh\")" },
    { CINFO, "{'type':'xen','hap':'True','name':'g'}",
      "unknown domain type \"xen\"" },
    { CINFO, "{'type':'hvm','hap':'true','name':'g'}",
      "hap: \"true\" is not \"True\", \"False\" or \"<default>\"" },
    { CINFO, "{'type':'hvm','hap':'Truex','name':'g'}",
      "\"Truex\" is not" },
    { CINFO, "{'type':'hvm','hap':'','name':'g'}", "\"\" is not" },
    { PAGES, "{'domid':1,'claim':{'server':0,'flags':['exec']},"
      "'entry_count':0,'ranges':[]}", "claim.flags[0]: unknown flag "
      "\"exec\" (expected \"read\" or \"write\")" },
    { PAGES, "{'domid':1,'claim':{'server':0,'flags':['Write']},"
      "'entry_count':0,'ranges':[]}", "unknown flag \"Write\"" },
    { PAGES, "{'domid':1,'claim':{'server':0,'flags':['write','write']},"
      "'entry_count':0,'ranges':[]}",
      "claim.flags[1]: \"write\" appears twice" },
};

/* from_json refuses json, logs why, and leaves v as _init made it. */
#define CHECK_REJECTED(T, json) do {                                        \
    libxl_##T v_, fresh_;                                                   \
                                                                            \
    libxl_##T##_init(&v_);                                                  \
    libxl_##T##_init(&fresh_);                                              \
    assert_int_equal(libxl_##T##_from_json(ctx, &v_, (json)), ERROR_INVAL); \
    assert_memory_equal(&v_, &fresh_, sizeof(v_));                          \
    libxl_##T##_dispose(&v_);                                               \
    libxl_##T##_dispose(&v_);                                               \
} while (0)

static void check_rejected(const struct reject *r)
{
    char *json = q(r->json);

    reset_log(NULL);
    switch (r->type) {
    case GFN:
        CHECK_REJECTED(gfn_range, json);
        break;
    case CINFO:
        CHECK_REJECTED(domain_create_info, json);
        break;
    case BINFO:
        CHECK_REJECTED(domain_build_info, json);
        break;
    case CONFIG:
        CHECK_REJECTED(domain_config, json);
        break;
    case PAGES:
        CHECK_REJECTED(ioreq_pages_info, json);
        break;
    case SERVER:
        CHECK_REJECTED(ioreq_server_info, json);
        break;
    }
    if (logger.count != 1)
        fail_msg("%s: %d messages logged, expected 1", r->json,
                 logger.count);
    if (!strstr(logger.last, r->message))
        fail_msg("%s: expected a message with \"%s\", got \"%s\"", r->json,
                 r->message, logger.last);
    free(json);
}

static void test_strict_input(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < LIBXL__ARRAY_SIZE(rejects); i++)
        check_rejected(&rejects[i]);
}

static void test_null_input(void **state)
{
    libxl_gfn_range r;

    (void)state;
    libxl_gfn_range_init(&r);
    assert_int_equal(libxl_gfn_range_from_json(ctx, &r, NULL), ERROR_INVAL);
    assert_logged("libxl_gfn_range: no JSON text (NULL)");
    libxl_gfn_range_dispose(&r);
}

/*
 * A failure after memory was taken (a name, a list, earlier elements):
 * all of it is freed (ASan's leak check), and the caller's value, even
 * one holding data, is left as it was.
 */
static void test_failed_parse_keeps_value(void **state)
{
    char *bad = q("{'c_info':{'type':'hvm','hap':'True','name':'new'},"
                  "'b_info':{'max_vcpus':1,'max_memkb':1,'target_memkb':1,"
                  "'device_model':'dm','extra':['a','b'],"
                  "'device_model_timeout_ms':1,'ioreq_pages':["
                  "{'first':1,'last':1,'count':1},"
                  "{'first':1,'last':1,'count':1,'x':1}]}}");
    libxl_domain_config c, ref;
    libxl_ioreq_server_info s;
    char *bad_server = q("{'id':0,'enabled':true,'claim':false,"
                         "'ports':[{'start':1,'end':2}],"
                         "'mmio':[{'start':1,'end':2},{'start':1}],"
                         "'pci':[]}");

    (void)state;
    libxl_domain_config_init(&c);
    libxl_domain_config_init(&ref);
    fill_config(&c);
    fill_config(&ref);
    assert_int_equal(libxl_domain_config_from_json(ctx, &c, bad),
                     ERROR_INVAL);
    assert_logged("b_info.ioreq_pages[1]: unknown key \"x\"");
    domain_config_eq(&c, &ref);

    /* And a success replaces (and frees) what the value held. */
    assert_int_equal(libxl_domain_config_from_json(ctx, &c,
                                                   default_config_json), 0);
    libxl_domain_config_dispose(&ref);
    domain_config_eq(&c, &ref);
    libxl_domain_config_dispose(&c);
    libxl_domain_config_dispose(&c);

    libxl_ioreq_server_info_init(&s);
    assert_int_equal(libxl_ioreq_server_info_from_json(ctx, &s, bad_server),
                     ERROR_INVAL);
    assert_logged("mmio[1]: missing key \"end\"");
    libxl_ioreq_server_info_dispose(&s);
    libxl_ioreq_server_info_dispose(&s);

    free(bad);
    free(bad_server);
}

/* ---- _init and _dispose ------------------------------------------------ */

/* Disposing a filled value leaves it as _init does; twice is fine. */
#define CHECK_DISPOSE(T, fill) do {                                         \
    libxl_##T v_, fresh_;                                                   \
                                                                            \
    libxl_##T##_init(&v_);                                                  \
    libxl_##T##_init(&fresh_);                                              \
    fill;                                                                   \
    libxl_##T##_dispose(&v_);                                               \
    assert_memory_equal(&v_, &fresh_, sizeof(v_));                          \
    libxl_##T##_dispose(&v_);                                               \
    assert_memory_equal(&v_, &fresh_, sizeof(v_));                          \
    libxl_##T##_init(&v_);                                                  \
    libxl_##T##_dispose(&v_);                                               \
} while (0)

static void test_dispose_idempotent(void **state)
{
    libxl_dominfo d, fresh;

    (void)state;
    CHECK_DISPOSE(gfn_range, v_.last = 9);
    CHECK_DISPOSE(domain_create_info, v_.name = xstrdup("x"));
    CHECK_DISPOSE(domain_build_info, fill_build_info(&v_));
    CHECK_DISPOSE(domain_config, fill_config(&v_));
    CHECK_DISPOSE(ioreq_pages_info,
                  assert_int_equal(libxl_ioreq_pages_info_from_json(ctx,
                                   &v_, pages_claimed_json), 0));
    CHECK_DISPOSE(ioreq_server_info, fill_server_info(&v_, 3));

    libxl_dominfo_init(&d);
    libxl_dominfo_init(&fresh);
    assert_int_equal(d.domain_type, LIBXL_DOMAIN_TYPE_INVALID);
    assert_false(d.running);
    d.domid = 3;
    d.max_memkb = 1024;
    libxl_dominfo_dispose(&d);
    assert_memory_equal(&d, &fresh, sizeof(d));
    libxl_dominfo_dispose(&d);
}

static void test_list_free(void **state)
{
    libxl_ioreq_server_info *servers;
    libxl_dominfo *doms;
    int i;

    (void)state;
    servers = xcalloc(3, sizeof(*servers));
    for (i = 0; i < 3; i++) {
        libxl_ioreq_server_info_init(&servers[i]);
        fill_server_info(&servers[i], i);
    }
    libxl_ioreq_server_info_list_free(servers, 3);
    libxl_ioreq_server_info_list_free(NULL, 0);

    doms = xcalloc(2, sizeof(*doms));
    libxl_dominfo_init(&doms[0]);
    libxl_dominfo_init(&doms[1]);
    libxl_dominfo_list_free(doms, 2);
    libxl_dominfo_list_free(NULL, 0);
}

static void test_string_list(void **state)
{
    libxl_string_list sl = NULL;

    (void)state;
    assert_int_equal(libxl_string_list_length(&sl), 0);
    libxl_string_list_dispose(&sl);
    sl = xcalloc(4, sizeof(char *));
    assert_int_equal(libxl_string_list_length(&sl), 0);
    sl[0] = xstrdup("a");
    sl[1] = xstrdup("b");
    sl[2] = xstrdup("c");
    assert_int_equal(libxl_string_list_length(&sl), 3);
    libxl_string_list_dispose(&sl);
    assert_null(sl);
    libxl_string_list_dispose(&sl);
}

/* ---- String forms ------------------------------------------------------ */

static void test_defbool(void **state)
{
    static const struct {
        int val;
        const char *json;
    } forms[] = {
        { 0, "<default>" }, { 1, "True" }, { -1, "False" },
    };
    libxl_domain_create_info c;
    libxl_defbool db;
    char *json, *out;
    size_t i;

    (void)state;
    libxl_defbool_unset(&db);
    assert_true(libxl_defbool_is_default(db));
    libxl_defbool_setdefault(&db, true);
    assert_false(libxl_defbool_is_default(db));
    assert_true(libxl_defbool_val(db));
    libxl_defbool_setdefault(&db, false);       /* already set: kept */
    assert_true(libxl_defbool_val(db));
    libxl_defbool_set(&db, false);
    assert_false(libxl_defbool_val(db));
    libxl_defbool_unset(&db);
    assert_true(libxl_defbool_is_default(db));
    libxl_defbool_setdefault(&db, false);
    assert_false(libxl_defbool_val(db));

    for (i = 0; i < LIBXL__ARRAY_SIZE(forms); i++) {
        assert_int_equal(asprintf(&json, "{\n    \"type\": \"hvm\",\n"
                                  "    \"hap\": \"%s\",\n"
                                  "    \"name\": null\n}\n",
                                  forms[i].json) > 0, 1);
        libxl_domain_create_info_init(&c);
        c.hap.val = forms[i].val;
        out = libxl_domain_create_info_to_json(ctx, &c);
        assert_non_null(out);
        assert_string_equal(out, json);
        c.hap.val = 42;
        assert_int_equal(libxl_domain_create_info_from_json(ctx, &c, json),
                         0);
        assert_int_equal(c.hap.val, forms[i].val);
        libxl_domain_create_info_dispose(&c);
        free(out);
        free(json);
    }
}

static void test_domain_type_strings(void **state)
{
    libxl_domain_type t;
    libxl_domain_create_info c;

    (void)state;
    assert_string_equal(libxl_domain_type_to_string(LIBXL_DOMAIN_TYPE_HVM),
                        "hvm");
    assert_string_equal(libxl_domain_type_to_string(LIBXL_DOMAIN_TYPE_PV),
                        "pv");
    assert_string_equal(libxl_domain_type_to_string(LIBXL_DOMAIN_TYPE_PVH),
                        "pvh");
    assert_null(libxl_domain_type_to_string(LIBXL_DOMAIN_TYPE_INVALID));
    assert_null(libxl_domain_type_to_string(42));

    assert_int_equal(libxl_domain_type_from_string("hvm", &t), 0);
    assert_int_equal(t, LIBXL_DOMAIN_TYPE_HVM);
    assert_int_equal(libxl_domain_type_from_string("PV", &t), 0);
    assert_int_equal(t, LIBXL_DOMAIN_TYPE_PV);
    assert_int_equal(libxl_domain_type_from_string("pVh", &t), 0);
    assert_int_equal(t, LIBXL_DOMAIN_TYPE_PVH);
    t = LIBXL_DOMAIN_TYPE_PV;
    assert_int_equal(libxl_domain_type_from_string("xen", &t), ERROR_INVAL);
    assert_int_equal(libxl_domain_type_from_string("", &t), ERROR_INVAL);
    assert_int_equal(libxl_domain_type_from_string("hvm ", &t),
                     ERROR_INVAL);
    assert_int_equal(libxl_domain_type_from_string("invalid", &t),
                     ERROR_INVAL);
    assert_int_equal(libxl_domain_type_from_string(NULL, &t), ERROR_INVAL);
    assert_int_equal(t, LIBXL_DOMAIN_TYPE_PV);

    /* A type with no name cannot be written. */
    libxl_domain_create_info_init(&c);
    c.type = LIBXL_DOMAIN_TYPE_INVALID;
    assert_null(libxl_domain_create_info_to_json(ctx, &c));
    assert_logged("libxl_domain_create_info: type: unknown domain type -1");
    libxl_domain_create_info_dispose(&c);
}

static void test_error_to_string(void **state)
{
    static const int codes[] = {
        ERROR_NONSPECIFIC, ERROR_VERSION, ERROR_FAIL, ERROR_NI,
        ERROR_NOMEM, ERROR_INVAL, ERROR_BADFAIL, ERROR_GUEST_TIMEDOUT,
        ERROR_TIMEDOUT, ERROR_NOT_READY, ERROR_LOCK_FAIL,
        ERROR_JSON_CONFIG_EMPTY, ERROR_DEVICE_EXISTS, ERROR_DOMAIN_NOTFOUND,
        ERROR_ABORTED, ERROR_NOTFOUND, ERROR_DOMAIN_DESTROYED,
        ERROR_FEATURE_REMOVED,
    };
    const char *s[LIBXL__ARRAY_SIZE(codes)];
    size_t i, j;

    (void)state;
    for (i = 0; i < LIBXL__ARRAY_SIZE(codes); i++) {
        s[i] = libxl_error_to_string(codes[i]);
        assert_non_null(s[i]);
        assert_true(strlen(s[i]) > 0 && strlen(s[i]) < 40);
        assert_string_not_equal(s[i], "unknown error");
        for (j = 0; j < i; j++)
            assert_string_not_equal(s[i], s[j]);
    }
    assert_string_equal(libxl_error_to_string(ERROR_INVAL),
                        "invalid argument");
    assert_string_equal(libxl_error_to_string(ERROR_NOMEM), "out of memory");
    assert_string_equal(libxl_error_to_string(ERROR_DOMAIN_NOTFOUND),
                        "domain not found");
    assert_string_equal(libxl_error_to_string(0), "success");
    assert_string_equal(libxl_error_to_string(-10), "unknown error");
    assert_string_equal(libxl_error_to_string(-1000), "unknown error");
    assert_string_equal(libxl_error_to_string(1), "unknown error");
}

/* ---- What _to_json refuses to write ------------------------------------ */

static void test_to_json_refuses(void **state)
{
    libxl_domain_config c;
    libxl_gfn_range r;
    libxl_ioreq_server_info s;

    (void)state;
    libxl_domain_config_init(&c);
    c.c_info.name = xstrdup("bad \xff utf-8");
    assert_null(libxl_domain_config_to_json(ctx, &c));
    assert_logged("libxl_domain_config: c_info.name: not valid UTF-8");
    libxl_domain_config_dispose(&c);

    libxl_domain_config_init(&c);
    c.b_info.num_ioreq_pages = 1;
    c.b_info.ioreq_pages = xcalloc(1, sizeof(libxl_gfn_range));
    c.b_info.ioreq_pages[0] = (libxl_gfn_range){ .first = 2, .last = 1 };
    assert_null(libxl_domain_config_to_json(ctx, &c));
    assert_logged("libxl_domain_config: b_info.ioreq_pages[0]: first 2 is "
                  "greater than last 1");
    libxl_domain_config_dispose(&c);

    libxl_gfn_range_init(&r);
    r.first = 1;
    assert_null(libxl_gfn_range_to_json(ctx, &r));
    assert_logged("libxl_gfn_range: first 1 is greater than last 0");

    libxl_ioreq_server_info_init(&s);
    s.num_pci = 2;
    assert_null(libxl_ioreq_server_info_to_json(ctx, &s));
    assert_logged("libxl_ioreq_server_info: pci: num_pci is 2 but the "
                  "array is NULL");
    s.num_pci = -1;
    assert_null(libxl_ioreq_server_info_to_json(ctx, &s));
    assert_logged("pci: num_pci is -1");
    s.num_pci = 0;
    libxl_ioreq_server_info_dispose(&s);
}

/* ---- The internal API: JSON inside a larger document ------------------- */

static void test_gen_into_document(void **state)
{
    static const char expected[] =
        "[\n"
        "    {\n"
        "        \"domid\": 3,\n"
        "        \"config\": {\n"
        "            \"c_info\": {\n"
        "                \"type\": \"hvm\",\n"
        "                \"hap\": \"True\",\n"
        "                \"name\": \"vm\"\n"
        "            },\n"
        "            \"b_info\": {\n"
        "                \"max_vcpus\": 1,\n"
        "                \"max_memkb\": 18446744073709551615,\n"
        "                \"target_memkb\": 18446744073709551615,\n"
        "                \"device_model\": null,\n"
        "                \"extra\": [],\n"
        "                \"device_model_timeout_ms\": 10000,\n"
        "                \"ioreq_pages\": []\n"
        "            }\n"
        "        }\n"
        "    }\n"
        "]\n";
    libxl_domain_config c, back;
    libxl__json_node *root = NULL;
    const libxl__json_node *config;
    const unsigned char *buf;
    size_t len;
    yajl_gen g;

    (void)state;
    libxl_domain_config_init(&c);
    libxl_defbool_set(&c.c_info.hap, true);
    c.c_info.name = xstrdup("vm");

    g = libxl__json_gen_alloc();
    assert_non_null(g);
    assert_int_equal(yajl_gen_array_open(g), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_map_open(g), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_string(g, (const unsigned char *)"domid", 5),
                     yajl_gen_status_ok);
    assert_int_equal(yajl_gen_integer(g, 3), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_string(g, (const unsigned char *)"config", 6),
                     yajl_gen_status_ok);
    assert_int_equal(libxl__domain_config_gen_json(ctx, g, &c), 0);
    assert_int_equal(yajl_gen_map_close(g), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_array_close(g), yajl_gen_status_ok);
    yajl_gen_get_buf(g, &buf, &len);
    assert_int_equal(len, strlen(expected));
    assert_memory_equal(buf, expected, len);

    /* And back, from the node of the larger document. */
    assert_int_equal(libxl__json_parse(ctx, "test", (const char *)buf,
                                       &root), 0);
    assert_int_equal(root->type, LIBXL__JSON_ARRAY);
    assert_int_equal(root->len, 1);
    config = libxl__json_get(root->items[0], "config");
    assert_non_null(config);
    assert_null(libxl__json_get(root->items[0], "nothing"));
    /* c_info.type: a string, which has no keys. */
    assert_null(libxl__json_get(config->items[0]->items[0], "type"));
    libxl_domain_config_init(&back);
    assert_int_equal(libxl__domain_config_parse_json(ctx, config, &back), 0);
    domain_config_eq(&c, &back);

    libxl_domain_config_dispose(&back);
    libxl__json_node_free(root);
    yajl_gen_free(g);
    libxl_domain_config_dispose(&c);
}

/* ---- libxl__log -------------------------------------------------------- */

static void test_log_format(void **state)
{
    xentoollog_logger_stdiostream *stdio;
    struct libxl__ctx log_ctx = { 0 };
    libxl_ctx *ctx = &log_ctx;          /* what the LOG macros use */
    char *text = NULL;
    size_t size = 0;
    FILE *f;
    int line;

    (void)state;
    f = open_memstream(&text, &size);
    assert_non_null(f);
    stdio = xtl_createlogger_stdiostream(f, XTL_DEBUG, 0);
    assert_non_null(stdio);
    log_ctx.lg = (xentoollog_logger *)stdio;

    errno = EBUSY;
    line = __LINE__ + 1;
    LOGD(ERROR, 5, "ioreq server %d busy", 2);
    assert_int_equal(errno, EBUSY);     /* logging keeps errno */
    LOGEV(WARN, ENOENT, "no %s", "file");
    LOG(INFO, "plain");
    fflush(f);

    {
        char *expected;

        assert_true(asprintf(&expected,
            "libxl: error: test-json.c:%d:test_log_format: Domain 5: "
            "ioreq server 2 busy\n"
            "libxl: warning: test-json.c:%d:test_log_format: no file: "
            "%s\n"
            "libxl: info: test-json.c:%d:test_log_format: plain\n",
            line, line + 2, strerror(ENOENT), line + 3) > 0);
        assert_string_equal(text, expected);
        free(expected);
    }

    /* No context or no logger: nothing, and no crash. */
    libxl__log(NULL, XTL_ERROR, -1, "f.c", 1, "fn", INVALID_DOMID, "x");
    log_ctx.lg = NULL;
    LOG(ERROR, "dropped");

    xtl_logger_destroy((xentoollog_logger *)stdio);
    fclose(f);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, reset_log)
        T(test_gfn_range_round_trip),
        T(test_create_info_round_trip),
        T(test_build_info_round_trip),
        T(test_domain_config_round_trip),
        T(test_any_key_order),
        T(test_ioreq_pages_info_exact),
        T(test_ioreq_claim_flags),
        T(test_ioreq_server_info_round_trip),
        T(test_strict_input),
        T(test_null_input),
        T(test_failed_parse_keeps_value),
        T(test_dispose_idempotent),
        T(test_list_free),
        T(test_string_list),
        T(test_defbool),
        T(test_domain_type_strings),
        T(test_error_to_string),
        T(test_to_json_refuses),
        T(test_gen_into_document),
        T(test_log_format),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
