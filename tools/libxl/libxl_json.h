/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxl's JSON, on yajl (internal).
 *
 * - A generator set up as libxl's (4-space beautified, UTF-8 checked).
 * - A strict parser into a small tree: no comments, no trailing data,
 *   no NUL in strings or keys, at most LIBXL__JSON_MAX_DEPTH levels, and
 *   numbers kept as written so that 64-bit values stay exact.
 * - Descriptor tables: one libxl__field per struct member (name, kind,
 *   offset, _init value) drive a type's _init, _dispose, JSON output and
 *   JSON input, so a type is described once (libxl_types.c).
 *
 * JSON of a struct: an object with every member, in table order.  Input
 * takes the keys in any order but needs every one of them, once; any
 * other key, a wrong JSON type, a number out of the member's range, a
 * sign, fraction or exponent where an unsigned integer goes, or a
 * failed cross-field rule is ERROR_INVAL, logged with the path of the
 * member ("libxl_domain_config: b_info.ioreq_pages[1].count: ...").
 * Parsing is all or nothing: on failure the destination is unchanged;
 * on success what it held is disposed and replaced.
 */
#ifndef LIBXL_JSON_H
#define LIBXL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "libxl_internal.h"

/* ---- The generator -------------------------------------------------- */

/* A generator with libxl's settings; NULL if out of memory. */
_hidden yajl_gen libxl__json_gen_alloc(void);

/*
 * Emit a value into g, wherever g is (inside an array or after a key of
 * an object being written by the caller, for `xl list -l` style output).
 * 0 or ERROR_* (logged): ERROR_INVAL for a value JSON cannot carry back
 * (a string that is not UTF-8, an unknown enum value or flag bit, a
 * reversed range), ERROR_FAIL if yajl refuses the call.
 */
_hidden int libxl__gfn_range_gen_json(libxl_ctx *ctx, yajl_gen g,
                                      const libxl_gfn_range *p);
_hidden int libxl__domain_create_info_gen_json(libxl_ctx *ctx, yajl_gen g,
                                    const libxl_domain_create_info *p);
_hidden int libxl__domain_build_info_gen_json(libxl_ctx *ctx, yajl_gen g,
                                    const libxl_domain_build_info *p);
_hidden int libxl__domain_config_gen_json(libxl_ctx *ctx, yajl_gen g,
                                          const libxl_domain_config *p);
_hidden int libxl__ioreq_pages_info_gen_json(libxl_ctx *ctx, yajl_gen g,
                                    const libxl_ioreq_pages_info *p);
_hidden int libxl__ioreq_server_info_gen_json(libxl_ctx *ctx, yajl_gen g,
                                    const libxl_ioreq_server_info *p);

/* ---- The parser ----------------------------------------------------- */

#define LIBXL__JSON_MAX_DEPTH 32

typedef enum libxl__json_type {
    LIBXL__JSON_NULL,
    LIBXL__JSON_FALSE,
    LIBXL__JSON_TRUE,
    LIBXL__JSON_NUMBER,
    LIBXL__JSON_STRING,
    LIBXL__JSON_ARRAY,
    LIBXL__JSON_OBJECT,
} libxl__json_type;

typedef struct libxl__json_node libxl__json_node;
struct libxl__json_node {
    libxl__json_type type;
    char *text;                 /* STRING: the string; NUMBER: as written */
    libxl__json_node **items;   /* ARRAY: elements; OBJECT: values */
    char **keys;                /* OBJECT: keys[i] names items[i] */
    size_t len;
    size_t cap;
};

/*
 * Parse s into a tree (what names the document in messages).
 * ERROR_INVAL (logged) for anything that is not one strict JSON value.
 */
_hidden int libxl__json_parse(libxl_ctx *ctx, const char *what,
                              const char *s, libxl__json_node **root_r);
_hidden void libxl__json_node_free(libxl__json_node *n);
/* The value of key in object n, or NULL (also when n is not an object). */
_hidden const libxl__json_node *libxl__json_get(const libxl__json_node *n,
                                                const char *key);

/*
 * Fill an _init'ed value from a node of a tree (the "config" of a larger
 * document, say).  All or nothing, as _from_json.
 */
_hidden int libxl__gfn_range_parse_json(libxl_ctx *ctx,
                                        const libxl__json_node *n,
                                        libxl_gfn_range *p);
_hidden int libxl__domain_create_info_parse_json(libxl_ctx *ctx,
                                        const libxl__json_node *n,
                                        libxl_domain_create_info *p);
_hidden int libxl__domain_build_info_parse_json(libxl_ctx *ctx,
                                        const libxl__json_node *n,
                                        libxl_domain_build_info *p);
_hidden int libxl__domain_config_parse_json(libxl_ctx *ctx,
                                        const libxl__json_node *n,
                                        libxl_domain_config *p);
_hidden int libxl__ioreq_pages_info_parse_json(libxl_ctx *ctx,
                                        const libxl__json_node *n,
                                        libxl_ioreq_pages_info *p);
_hidden int libxl__ioreq_server_info_parse_json(libxl_ctx *ctx,
                                        const libxl__json_node *n,
                                        libxl_ioreq_server_info *p);

/* ---- Descriptor tables ---------------------------------------------- */

#define LIBXL__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

typedef enum libxl__field_kind {
    LIBXL__KIND_INT,            /* int: an integer */
    LIBXL__KIND_U32,            /* uint32_t: an unsigned integer */
    LIBXL__KIND_U64,            /* uint64_t: an unsigned integer, exact */
    LIBXL__KIND_BOOL,           /* bool: true or false */
    LIBXL__KIND_DEFBOOL,        /* libxl_defbool: "True", "False" or
                                 * "<default>" */
    LIBXL__KIND_STRING,         /* char *: a string, null for NULL */
    LIBXL__KIND_STRING_LIST,    /* libxl_string_list: array of strings */
    LIBXL__KIND_DOMAIN_TYPE,    /* libxl_domain_type: "hvm", "pv", "pvh" */
    LIBXL__KIND_STRUCT,         /* a member struct, described by .type */
    LIBXL__KIND_ARRAY,          /* T *name + int num_name: array of .type */
    LIBXL__KIND_CUSTOM,         /* written and read by .gen and .parse */
} libxl__field_kind;

/* Where a walk over a value is, for messages; see LOG_JSON. */
typedef struct libxl__json_path {
    libxl_ctx *ctx;
    const char *what;           /* the type at the root: "libxl_..." */
    size_t len;
    char buf[256];              /* "b_info.ioreq_pages[1].count" */
} libxl__json_path;

typedef struct libxl__type_desc libxl__type_desc;

typedef struct libxl__field {
    const char *name;
    libxl__field_kind kind;
    size_t offset;
    size_t num_offset;          /* ARRAY: where its int count is */
    uint64_t def;               /* INT, U32, U64, DOMAIN_TYPE: _init's
                                 * value; other kinds start zeroed */
    const libxl__type_desc *type;   /* STRUCT, ARRAY: the element */
    /*
     * CUSTOM: p is the whole struct, so that a member can be derived
     * from others (a range's count) or be null depending on another
     * (a claim when not claimed).  Custom members own no memory.
     */
    int (*gen)(libxl__json_path *jp, yajl_gen g, const void *p);
    int (*parse)(libxl__json_path *jp, const libxl__json_node *n, void *p);
} libxl__field;

#define LIBXL__JSON_MAX_FIELDS 16

/*
 * Output: check, then every member in table order.  Input: every plain
 * member, then check, then the CUSTOM members, which may depend on the
 * others (a range's count on its bounds).
 */
struct libxl__type_desc {
    const char *name;           /* "libxl_gfn_range" */
    size_t size;
    const libxl__field *fields; /* at most LIBXL__JSON_MAX_FIELDS */
    size_t nr_fields;
    /* Optional: rules across members ("first <= last"). */
    int (*check)(libxl__json_path *jp, const void *p);
};

/*
 * offsetof(T, m), and a compile error unless T.m has type C: a table's
 * kinds must match the members they describe.
 */
#define LIBXL__OFFSETOF_CHECKED(T, m, C)                                    \
    (offsetof(T, m) + 0 * sizeof(char[_Generic(((T *)0)->m, C: 1)]))

#define LIBXL__FIELD(T, m, K, C, ...)                                       \
    { .name = #m, .kind = LIBXL__KIND_##K,                                  \
      .offset = LIBXL__OFFSETOF_CHECKED(T, m, C), __VA_ARGS__ }

#define LIBXL__FIELD_INT(T, m, d)  LIBXL__FIELD(T, m, INT, int, .def = (d))
#define LIBXL__FIELD_U32(T, m, d)                                           \
    LIBXL__FIELD(T, m, U32, uint32_t, .def = (d))
#define LIBXL__FIELD_U64(T, m, d)                                           \
    LIBXL__FIELD(T, m, U64, uint64_t, .def = (d))
#define LIBXL__FIELD_BOOL(T, m)    LIBXL__FIELD(T, m, BOOL, bool)
#define LIBXL__FIELD_DEFBOOL(T, m) LIBXL__FIELD(T, m, DEFBOOL, libxl_defbool)
#define LIBXL__FIELD_STRING(T, m)  LIBXL__FIELD(T, m, STRING, char *)
#define LIBXL__FIELD_STRING_LIST(T, m)                                      \
    LIBXL__FIELD(T, m, STRING_LIST, libxl_string_list)
#define LIBXL__FIELD_DOMAIN_TYPE(T, m, d)                                   \
    LIBXL__FIELD(T, m, DOMAIN_TYPE, libxl_domain_type, .def = (d))
#define LIBXL__FIELD_STRUCT(T, m, ET, desc)                                 \
    LIBXL__FIELD(T, m, STRUCT, ET, .type = (desc))
#define LIBXL__FIELD_ARRAY(T, m, ET, desc)                                  \
    LIBXL__FIELD(T, m, ARRAY, ET *, .type = (desc),                         \
                 .num_offset = LIBXL__OFFSETOF_CHECKED(T, num_##m, int))
#define LIBXL__FIELD_CUSTOM(n, g, p)                                        \
    { .name = (n), .kind = LIBXL__KIND_CUSTOM, .gen = (g), .parse = (p) }

#define LIBXL__TYPE_DESC(T, flds, ...)                                      \
    { .name = "libxl_" #T, .size = sizeof(libxl_##T), .fields = (flds),     \
      .nr_fields = LIBXL__ARRAY_SIZE(flds), __VA_ARGS__ }

/* What a type's public functions do, from its descriptor. */
_hidden void libxl__type_init(const libxl__type_desc *t, void *p);
_hidden void libxl__type_dispose(const libxl__type_desc *t, void *p);
_hidden int libxl__type_gen_json(libxl_ctx *ctx, yajl_gen g,
                                 const libxl__type_desc *t, const void *p);
_hidden char *libxl__type_to_json(libxl_ctx *ctx, const libxl__type_desc *t,
                                  const void *p);
_hidden int libxl__type_parse_json(libxl_ctx *ctx, const libxl__json_node *n,
                                   const libxl__type_desc *t, void *p);
_hidden int libxl__type_from_json(libxl_ctx *ctx, const libxl__type_desc *t,
                                  void *p, const char *s);

/* ---- Building blocks for CUSTOM members ----------------------------- */

/* Log "what: path: message" at ERROR and return rc. */
#define LOG_JSON(jp, rc, fmt, ...)                                          \
    libxl__json_error((jp), (rc), __FILE__, __LINE__, __func__, fmt,        \
                      ##__VA_ARGS__)
_hidden int libxl__json_error(libxl__json_path *jp, int rc, const char *file,
                              int line, const char *func, const char *fmt,
                              ...)
    __attribute__((format(printf, 6, 7)));

/* Path steps: push returns what pop needs to go back. */
_hidden size_t libxl__json_path_push_key(libxl__json_path *jp,
                                         const char *key);
_hidden size_t libxl__json_path_push_index(libxl__json_path *jp, size_t i);
_hidden void libxl__json_path_pop(libxl__json_path *jp, size_t mark);

/* Log "expected <expected>, got <n's type>" and return ERROR_INVAL. */
_hidden int libxl__json_type_error(libxl__json_path *jp,
                                   const libxl__json_node *n,
                                   const char *expected);

/* Each checks yajl's status and names jp's path on failure. */
_hidden int libxl__json_gen_status(libxl__json_path *jp,
                                   yajl_gen_status st);
_hidden int libxl__json_gen_string(libxl__json_path *jp, yajl_gen g,
                                   const char *s);
_hidden int libxl__json_gen_u64(libxl__json_path *jp, yajl_gen g,
                                uint64_t v);
/* "[]": yajl's beautifier would spread an empty array over 3 lines. */
_hidden int libxl__json_gen_empty_array(libxl__json_path *jp, yajl_gen g);
_hidden int libxl__json_gen_struct(libxl__json_path *jp, yajl_gen g,
                                   const libxl__type_desc *t, const void *p);

/*
 * n is an unsigned integer literal: a number with no sign, fraction or
 * exponent.  Its digits can then be compared or converted.
 */
_hidden int libxl__json_check_uint(libxl__json_path *jp,
                                   const libxl__json_node *n);
_hidden int libxl__json_parse_uint(libxl__json_path *jp,
                                   const libxl__json_node *n, uint64_t max,
                                   uint64_t *v_r);
/* Into an _init'ed *p; on failure *p is partly filled: dispose it. */
_hidden int libxl__json_parse_struct(libxl__json_path *jp,
                                     const libxl__json_node *n,
                                     const libxl__type_desc *t, void *p);

/* The JSON spellings of a defbool, exact on input. */
_hidden const char *libxl__defbool_to_string(libxl_defbool db);
_hidden int libxl__defbool_from_string(const char *s, libxl_defbool *db);

#endif /* LIBXL_JSON_H */
