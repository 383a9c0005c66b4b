/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxl's types: defbool, string lists, the domain type, error strings,
 * and one descriptor per struct, from which libxl_json.c derives its
 * _init, _dispose, _to_json and _from_json.
 */
#include <assert.h>
#include <inttypes.h>
#include <strings.h>

#include "libxl_json.h"

#include <xen/hvm/dm_op.h>

/* ---- Errors ------------------------------------------------------------ */

static const struct {
    int rc;
    const char *s;
} error_strings[] = {
    { ERROR_NONSPECIFIC, "unspecified error" },
    { ERROR_VERSION, "version mismatch" },
    { ERROR_FAIL, "failed" },
    { ERROR_NI, "not implemented" },
    { ERROR_NOMEM, "out of memory" },
    { ERROR_INVAL, "invalid argument" },
    { ERROR_BADFAIL, "failed, and so did the cleanup" },
    { ERROR_GUEST_TIMEDOUT, "guest timed out" },
    { ERROR_TIMEDOUT, "timed out" },
    { ERROR_NOT_READY, "not ready" },
    { ERROR_LOCK_FAIL, "could not take a lock" },
    { ERROR_JSON_CONFIG_EMPTY, "empty JSON configuration" },
    { ERROR_DEVICE_EXISTS, "device already exists" },
    { ERROR_DOMAIN_NOTFOUND, "domain not found" },
    { ERROR_ABORTED, "aborted" },
    { ERROR_NOTFOUND, "not found" },
    { ERROR_DOMAIN_DESTROYED, "domain destroyed" },
    { ERROR_FEATURE_REMOVED, "feature removed" },
};

const char *libxl_error_to_string(int rc)
{
    size_t i;

    if (!rc)
        return "success";
    for (i = 0; i < LIBXL__ARRAY_SIZE(error_strings); i++) {
        if (error_strings[i].rc == rc)
            return error_strings[i].s;
    }
    return "unknown error";
}

/* ---- defbool ----------------------------------------------------------- */

void libxl_defbool_set(libxl_defbool *db, bool b)
{
    db->val = b ? 1 : -1;
}

void libxl_defbool_unset(libxl_defbool *db)
{
    db->val = 0;
}

void libxl_defbool_setdefault(libxl_defbool *db, bool b)
{
    if (libxl_defbool_is_default(*db))
        libxl_defbool_set(db, b);
}

bool libxl_defbool_is_default(libxl_defbool db)
{
    return !db.val;
}

bool libxl_defbool_val(libxl_defbool db)
{
    assert(!libxl_defbool_is_default(db));
    return db.val > 0;
}

/* Xen's libxl spellings, so that configs read the same. */
#define DEFBOOL_TRUE "True"
#define DEFBOOL_FALSE "False"
#define DEFBOOL_DEFAULT "<default>"

const char *libxl__defbool_to_string(libxl_defbool db)
{
    if (libxl_defbool_is_default(db))
        return DEFBOOL_DEFAULT;
    return libxl_defbool_val(db) ? DEFBOOL_TRUE : DEFBOOL_FALSE;
}

int libxl__defbool_from_string(const char *s, libxl_defbool *db)
{
    if (!strcmp(s, DEFBOOL_TRUE))
        libxl_defbool_set(db, true);
    else if (!strcmp(s, DEFBOOL_FALSE))
        libxl_defbool_set(db, false);
    else if (!strcmp(s, DEFBOOL_DEFAULT))
        libxl_defbool_unset(db);
    else
        return ERROR_INVAL;
    return 0;
}

/* ---- Strings ----------------------------------------------------------- */

void libxl_string_list_dispose(libxl_string_list *psl)
{
    libxl_string_list sl = *psl;
    size_t i;

    if (!sl)
        return;
    for (i = 0; sl[i]; i++)
        free(sl[i]);
    free(sl);
    *psl = NULL;
}

int libxl_string_list_length(const libxl_string_list *psl)
{
    int n = 0;

    if (*psl) {
        while ((*psl)[n])
            n++;
    }
    return n;
}

static const struct {
    libxl_domain_type type;
    const char *name;
} domain_types[] = {
    { LIBXL_DOMAIN_TYPE_HVM, "hvm" },
    { LIBXL_DOMAIN_TYPE_PV, "pv" },
    { LIBXL_DOMAIN_TYPE_PVH, "pvh" },
};

const char *libxl_domain_type_to_string(libxl_domain_type t)
{
    size_t i;

    for (i = 0; i < LIBXL__ARRAY_SIZE(domain_types); i++) {
        if (domain_types[i].type == t)
            return domain_types[i].name;
    }
    return NULL;
}

int libxl_domain_type_from_string(const char *s, libxl_domain_type *t)
{
    size_t i;

    if (!s)
        return ERROR_INVAL;
    for (i = 0; i < LIBXL__ARRAY_SIZE(domain_types); i++) {
        if (!strcasecmp(s, domain_types[i].name)) {
            *t = domain_types[i].type;
            return 0;
        }
    }
    return ERROR_INVAL;
}

/* ---- libxl_gfn_range: {"first":N,"last":N,"count":N} ---------------- */

static int gfn_range_check(libxl__json_path *jp, const void *p)
{
    const libxl_gfn_range *r = p;

    if (r->first > r->last)
        return LOG_JSON(jp, ERROR_INVAL, "first %" PRIu64 " is greater "
                        "than last %" PRIu64, r->first, r->last);
    return 0;
}

/*
 * count = last - first + 1, written for readers, checked on input.  The
 * whole space is 2^64 pages, one more than uint64_t holds, so count is
 * handled as text (yajl writes a number's text as given).
 */
static void gfn_range_count(const libxl_gfn_range *r, char *buf,
                            size_t size)
{
    if (r->last - r->first == UINT64_MAX)
        snprintf(buf, size, "18446744073709551616");
    else
        snprintf(buf, size, "%" PRIu64, r->last - r->first + 1);
}

static int gfn_range_gen_count(libxl__json_path *jp, yajl_gen g,
                               const void *p)
{
    char count[24];

    gfn_range_count(p, count, sizeof(count));
    return libxl__json_gen_status(jp,
                                  yajl_gen_number(g, count, strlen(count)));
}

/* After gfn_range_check: first <= last. */
static int gfn_range_parse_count(libxl__json_path *jp,
                                 const libxl__json_node *n, void *p)
{
    char count[24];
    int rc;

    rc = libxl__json_check_uint(jp, n);
    if (rc) goto out;
    gfn_range_count(p, count, sizeof(count));
    if (strcmp(n->text, count)) {
        rc = LOG_JSON(jp, ERROR_INVAL, "%s is not last - first + 1 = %s",
                      n->text, count);
        goto out;
    }
    rc = 0;
 out:
    return rc;
}

static const libxl__field gfn_range_fields[] = {
    LIBXL__FIELD_U64(libxl_gfn_range, first, 0),
    LIBXL__FIELD_U64(libxl_gfn_range, last, 0),
    LIBXL__FIELD_CUSTOM("count", gfn_range_gen_count,
                        gfn_range_parse_count),
};
static const libxl__type_desc gfn_range_desc =
    LIBXL__TYPE_DESC(gfn_range, gfn_range_fields, .check = gfn_range_check);

/* ---- Domain configuration --------------------------------------------- */

static const libxl__field domain_create_info_fields[] = {
    LIBXL__FIELD_DOMAIN_TYPE(libxl_domain_create_info, type,
                             LIBXL_DOMAIN_TYPE_HVM),
    /* Not set: true, decided at creation (libxl_defbool_setdefault). */
    LIBXL__FIELD_DEFBOOL(libxl_domain_create_info, hap),
    LIBXL__FIELD_STRING(libxl_domain_create_info, name),
};
static const libxl__type_desc domain_create_info_desc =
    LIBXL__TYPE_DESC(domain_create_info, domain_create_info_fields);

static const libxl__field domain_build_info_fields[] = {
    LIBXL__FIELD_INT(libxl_domain_build_info, max_vcpus, 1),
    /*
     * Not set: decided at creation (128 MiB; each follows the other when
     * only one is given), as in Xen's libxl.
     */
    LIBXL__FIELD_U64(libxl_domain_build_info, max_memkb,
                     LIBXL_MEMKB_DEFAULT),
    LIBXL__FIELD_U64(libxl_domain_build_info, target_memkb,
                     LIBXL_MEMKB_DEFAULT),
    LIBXL__FIELD_STRING(libxl_domain_build_info, device_model),
    LIBXL__FIELD_STRING_LIST(libxl_domain_build_info, extra),
    LIBXL__FIELD_U32(libxl_domain_build_info, device_model_timeout_ms,
                     10000),
    LIBXL__FIELD_ARRAY(libxl_domain_build_info, ioreq_pages,
                       libxl_gfn_range, &gfn_range_desc),
};
static const libxl__type_desc domain_build_info_desc =
    LIBXL__TYPE_DESC(domain_build_info, domain_build_info_fields);

static const libxl__field domain_config_fields[] = {
    LIBXL__FIELD_STRUCT(libxl_domain_config, c_info,
                        libxl_domain_create_info, &domain_create_info_desc),
    LIBXL__FIELD_STRUCT(libxl_domain_config, b_info,
                        libxl_domain_build_info, &domain_build_info_desc),
};
static const libxl__type_desc domain_config_desc =
    LIBXL__TYPE_DESC(domain_config, domain_config_fields);

/* ---- libxl_ioreq_pages_info -------------------------------------------- */

/* The claim's flags, as the names of their bits: ["write"]. */
static const struct {
    uint32_t bit;
    const char *name;
} claim_flags[] = {
    { XEN_DMOP_IOREQ_MEM_ACCESS_READ, "read" },
    { XEN_DMOP_IOREQ_MEM_ACCESS_WRITE, "write" },
};

static int ioreq_claim_gen_flags(libxl__json_path *jp, yajl_gen g,
                                 const void *p)
{
    const libxl_ioreq_claim *c = p;
    uint32_t unknown = c->flags;
    size_t i;
    int rc;

    for (i = 0; i < LIBXL__ARRAY_SIZE(claim_flags); i++)
        unknown &= ~claim_flags[i].bit;
    if (unknown) {
        rc = LOG_JSON(jp, ERROR_INVAL, "unknown flag bits %#" PRIx32,
                      unknown);
        goto out;
    }
    if (!c->flags) {
        rc = libxl__json_gen_empty_array(jp, g);
        goto out;
    }

    rc = libxl__json_gen_status(jp, yajl_gen_array_open(g));
    if (rc) goto out;
    for (i = 0; i < LIBXL__ARRAY_SIZE(claim_flags); i++) {
        if (!(c->flags & claim_flags[i].bit))
            continue;
        rc = libxl__json_gen_string(jp, g, claim_flags[i].name);
        if (rc) goto out;
    }
    rc = libxl__json_gen_status(jp, yajl_gen_array_close(g));
 out:
    return rc;
}

/* Add the flag named by n to *flags. */
static int ioreq_claim_parse_flag(libxl__json_path *jp,
                                  const libxl__json_node *n,
                                  uint32_t *flags)
{
    size_t i;

    if (n->type != LIBXL__JSON_STRING)
        return libxl__json_type_error(jp, n, "a string");
    for (i = 0; i < LIBXL__ARRAY_SIZE(claim_flags); i++) {
        if (strcmp(n->text, claim_flags[i].name))
            continue;
        if (*flags & claim_flags[i].bit)
            return LOG_JSON(jp, ERROR_INVAL, "\"%s\" appears twice",
                            n->text);
        *flags |= claim_flags[i].bit;
        return 0;
    }
    return LOG_JSON(jp, ERROR_INVAL, "unknown flag \"%s\" (expected "
                    "\"read\" or \"write\")", n->text);
}

static int ioreq_claim_parse_flags(libxl__json_path *jp,
                                   const libxl__json_node *n, void *p)
{
    libxl_ioreq_claim *c = p;
    uint32_t flags = 0;
    size_t i, mark;
    int rc;

    if (n->type != LIBXL__JSON_ARRAY) {
        rc = libxl__json_type_error(jp, n, "an array of flag names");
        goto out;
    }
    for (i = 0; i < n->len; i++) {
        mark = libxl__json_path_push_index(jp, i);
        rc = ioreq_claim_parse_flag(jp, n->items[i], &flags);
        libxl__json_path_pop(jp, mark);
        if (rc) goto out;
    }
    c->flags = flags;
    rc = 0;
 out:
    return rc;
}

static const libxl__field ioreq_claim_fields[] = {
    LIBXL__FIELD_U32(libxl_ioreq_claim, server, 0),
    LIBXL__FIELD_CUSTOM("flags", ioreq_claim_gen_flags,
                        ioreq_claim_parse_flags),
};
static const libxl__type_desc ioreq_claim_desc =
    LIBXL__TYPE_DESC(ioreq_claim, ioreq_claim_fields);

/* "claim": the claim, or null when !claimed (claim is then ignored). */
static int ioreq_pages_info_gen_claim(libxl__json_path *jp, yajl_gen g,
                                      const void *p)
{
    const libxl_ioreq_pages_info *info = p;

    if (!info->claimed)
        return libxl__json_gen_status(jp, yajl_gen_null(g));
    return libxl__json_gen_struct(jp, g, &ioreq_claim_desc, &info->claim);
}

static int ioreq_pages_info_parse_claim(libxl__json_path *jp,
                                        const libxl__json_node *n, void *p)
{
    libxl_ioreq_pages_info *info = p;
    int rc;

    if (n->type == LIBXL__JSON_NULL) {
        info->claimed = false;
        rc = 0;
        goto out;
    }
    if (n->type != LIBXL__JSON_OBJECT) {
        rc = libxl__json_type_error(jp, n, "an object or null");
        goto out;
    }
    rc = libxl__json_parse_struct(jp, n, &ioreq_claim_desc, &info->claim);
    if (rc) goto out;
    info->claimed = true;
 out:
    return rc;
}

static const libxl__field ioreq_pages_info_fields[] = {
    LIBXL__FIELD_U32(libxl_ioreq_pages_info, domid, 0),
    LIBXL__FIELD_CUSTOM("claim", ioreq_pages_info_gen_claim,
                        ioreq_pages_info_parse_claim),
    LIBXL__FIELD_U64(libxl_ioreq_pages_info, entry_count, 0),
    LIBXL__FIELD_ARRAY(libxl_ioreq_pages_info, ranges, libxl_gfn_range,
                       &gfn_range_desc),
};
static const libxl__type_desc ioreq_pages_info_desc =
    LIBXL__TYPE_DESC(ioreq_pages_info, ioreq_pages_info_fields);

/* ---- libxl_ioreq_server_info ------------------------------------------- */

static int io_range_check(libxl__json_path *jp, const void *p)
{
    const libxl_io_range *r = p;

    if (r->start > r->end)
        return LOG_JSON(jp, ERROR_INVAL, "start %" PRIu64 " is greater "
                        "than end %" PRIu64, r->start, r->end);
    return 0;
}

static const libxl__field io_range_fields[] = {
    LIBXL__FIELD_U64(libxl_io_range, start, 0),
    LIBXL__FIELD_U64(libxl_io_range, end, 0),
};
static const libxl__type_desc io_range_desc =
    LIBXL__TYPE_DESC(io_range, io_range_fields, .check = io_range_check);

static const libxl__field ioreq_server_info_fields[] = {
    LIBXL__FIELD_U32(libxl_ioreq_server_info, id, 0),
    LIBXL__FIELD_BOOL(libxl_ioreq_server_info, enabled),
    LIBXL__FIELD_BOOL(libxl_ioreq_server_info, claim),
    LIBXL__FIELD_ARRAY(libxl_ioreq_server_info, ports, libxl_io_range,
                       &io_range_desc),
    LIBXL__FIELD_ARRAY(libxl_ioreq_server_info, mmio, libxl_io_range,
                       &io_range_desc),
    LIBXL__FIELD_ARRAY(libxl_ioreq_server_info, pci, libxl_io_range,
                       &io_range_desc),
};
static const libxl__type_desc ioreq_server_info_desc =
    LIBXL__TYPE_DESC(ioreq_server_info, ioreq_server_info_fields);

/* ---- The functions of each type ---------------------------------------- */

/*
 * From T_desc: libxl_T_init, _dispose, _to_json, _from_json, and
 * libxl__T_gen_json, libxl__T_parse_json (libxl_json.h).
 */
#define TYPE_FUNCTIONS(T)                                                   \
    void libxl_##T##_init(libxl_##T *p)                                     \
    {                                                                       \
        libxl__type_init(&T##_desc, p);                                     \
    }                                                                       \
    void libxl_##T##_dispose(libxl_##T *p)                                  \
    {                                                                       \
        libxl__type_dispose(&T##_desc, p);                                  \
    }                                                                       \
    char *libxl_##T##_to_json(libxl_ctx *ctx, const libxl_##T *p)           \
    {                                                                       \
        return libxl__type_to_json(ctx, &T##_desc, p);                      \
    }                                                                       \
    int libxl_##T##_from_json(libxl_ctx *ctx, libxl_##T *p, const char *s)  \
    {                                                                       \
        return libxl__type_from_json(ctx, &T##_desc, p, s);                 \
    }                                                                       \
    int libxl__##T##_gen_json(libxl_ctx *ctx, yajl_gen g,                   \
                              const libxl_##T *p)                           \
    {                                                                       \
        return libxl__type_gen_json(ctx, g, &T##_desc, p);                  \
    }                                                                       \
    int libxl__##T##_parse_json(libxl_ctx *ctx, const libxl__json_node *n,  \
                                libxl_##T *p)                               \
    {                                                                       \
        return libxl__type_parse_json(ctx, n, &T##_desc, p);                \
    }

TYPE_FUNCTIONS(gfn_range)
TYPE_FUNCTIONS(domain_create_info)
TYPE_FUNCTIONS(domain_build_info)
TYPE_FUNCTIONS(domain_config)
TYPE_FUNCTIONS(ioreq_pages_info)
TYPE_FUNCTIONS(ioreq_server_info)

void libxl_ioreq_server_info_list_free(libxl_ioreq_server_info *list, int nr)
{
    int i;

    for (i = 0; i < nr; i++)
        libxl_ioreq_server_info_dispose(&list[i]);
    free(list);
}

/* ---- libxl_dominfo (no JSON) ------------------------------------------- */

void libxl_dominfo_init(libxl_dominfo *p)
{
    memset(p, 0, sizeof(*p));
    p->domain_type = LIBXL_DOMAIN_TYPE_INVALID;
}

void libxl_dominfo_dispose(libxl_dominfo *p)
{
    /* It owns no memory; _dispose still leaves it as _init does. */
    libxl_dominfo_init(p);
}

void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain)
{
    int i;

    for (i = 0; i < nb_domain; i++)
        libxl_dominfo_dispose(&list[i]);
    free(list);
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
