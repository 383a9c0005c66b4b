/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxl's JSON: the generator, the strict parser, and the walk of the
 * descriptor tables that gives every type its _init, _dispose, JSON
 * output and JSON input (see libxl_json.h).
 */
/* _GNU_SOURCE (AM_CPPFLAGS): reallocarray, strndup */

#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "libxl_json.h"

/* ---- Memory ---------------------------------------------------------- */

/*
 * As in libxl, running out of memory ends the process: no caller could
 * do better, and the error paths stay about bad input.
 */
static void __attribute__((noreturn)) alloc_failed(libxl_ctx *ctx)
{
    LOG(CRITICAL, "out of memory");
    _exit(255);
}

static void *json_calloc(libxl_ctx *ctx, size_t n, size_t size)
{
    void *p = calloc(n, size);

    if (!p)
        alloc_failed(ctx);
    return p;
}

static void *json_reallocarray(libxl_ctx *ctx, void *p, size_t n,
                               size_t size)
{
    p = reallocarray(p, n, size);
    if (!p)
        alloc_failed(ctx);
    return p;
}

static char *json_strndup(libxl_ctx *ctx, const char *s, size_t len)
{
    char *d = strndup(s, len);

    if (!d)
        alloc_failed(ctx);
    return d;
}

static char *json_strdup(libxl_ctx *ctx, const char *s)
{
    return json_strndup(ctx, s, strlen(s));
}

/*
 * Array members are some T *: read and write them as bytes rather than
 * through a void * lvalue, which would break the aliasing rules.
 */
static void *get_ptr(const void *p, size_t offset)
{
    void *v;

    memcpy(&v, (const char *)p + offset, sizeof(v));
    return v;
}

static void set_ptr(void *p, size_t offset, void *v)
{
    memcpy((char *)p + offset, &v, sizeof(v));
}

/* The count of an array member: its num_ sibling. */
static int get_num(const void *p, const libxl__field *f)
{
    return *(const int *)((const char *)p + f->num_offset);
}

static void set_num(void *p, const libxl__field *f, int num)
{
    *(int *)((char *)p + f->num_offset) = num;
}

/* ---- Paths and messages ---------------------------------------------- */

static void path_init(libxl__json_path *jp, libxl_ctx *ctx,
                      const char *what)
{
    jp->ctx = ctx;
    jp->what = what;
    jp->len = 0;
    jp->buf[0] = '\0';
}

/* After snprintf at the end of the path returned r: a long path is cut. */
static void path_advance(libxl__json_path *jp, int r)
{
    size_t room = sizeof(jp->buf) - 1 - jp->len;

    if (r > 0)
        jp->len += (size_t)r < room ? (size_t)r : room;
}

size_t libxl__json_path_push_key(libxl__json_path *jp, const char *key)
{
    size_t mark = jp->len;
    int r;

    r = snprintf(jp->buf + jp->len, sizeof(jp->buf) - jp->len, "%s%s",
                 jp->len ? "." : "", key);
    path_advance(jp, r);
    return mark;
}

size_t libxl__json_path_push_index(libxl__json_path *jp, size_t i)
{
    size_t mark = jp->len;
    int r;

    r = snprintf(jp->buf + jp->len, sizeof(jp->buf) - jp->len, "[%zu]", i);
    path_advance(jp, r);
    return mark;
}

void libxl__json_path_pop(libxl__json_path *jp, size_t mark)
{
    jp->len = mark;
    jp->buf[mark] = '\0';
}

int libxl__json_error(libxl__json_path *jp, int rc, const char *file,
                      int line, const char *func, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    /* libxl__log itself, not LOG: the location is LOG_JSON's caller's. */
    if (jp->len)
        libxl__log(jp->ctx, XTL_ERROR, -1, file, line, func, INVALID_DOMID,
                   "%s: %s: %s", jp->what, jp->buf, msg);
    else
        libxl__log(jp->ctx, XTL_ERROR, -1, file, line, func, INVALID_DOMID,
                   "%s: %s", jp->what, msg);
    return rc;
}

static const char *json_type_name(libxl__json_type type)
{
    switch (type) {
    case LIBXL__JSON_NULL:
        return "null";
    case LIBXL__JSON_FALSE:
    case LIBXL__JSON_TRUE:
        return "a boolean";
    case LIBXL__JSON_NUMBER:
        return "a number";
    case LIBXL__JSON_STRING:
        return "a string";
    case LIBXL__JSON_ARRAY:
        return "an array";
    case LIBXL__JSON_OBJECT:
        return "an object";
    }
    return "an unknown JSON type";
}

int libxl__json_type_error(libxl__json_path *jp, const libxl__json_node *n,
                           const char *expected)
{
    return LOG_JSON(jp, ERROR_INVAL, "expected %s, got %s", expected,
                    json_type_name(n->type));
}

/* ---- Output ---------------------------------------------------------- */

yajl_gen libxl__json_gen_alloc(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (!g)
        return NULL;
    /* libxl's layout: one member a line, 4-space indent. */
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "    ");
    /* Never write a string that the parser would then refuse. */
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

int libxl__json_gen_status(libxl__json_path *jp, yajl_gen_status st)
{
    switch (st) {
    case yajl_gen_status_ok:
        return 0;
    case yajl_gen_invalid_string:
        return LOG_JSON(jp, ERROR_INVAL,
                        "not valid UTF-8, which JSON cannot carry");
    default:
        return LOG_JSON(jp, ERROR_FAIL, "yajl_gen failed (status %d)",
                        (int)st);
    }
}

int libxl__json_gen_string(libxl__json_path *jp, yajl_gen g, const char *s)
{
    if (!s)
        return libxl__json_gen_status(jp, yajl_gen_null(g));
    return libxl__json_gen_status(jp, yajl_gen_string(g,
                                      (const unsigned char *)s, strlen(s)));
}

int libxl__json_gen_u64(libxl__json_path *jp, yajl_gen g, uint64_t v)
{
    char buf[24];
    int r;

    /* As text: yajl_gen_integer takes a long long, which 2^63 overflows. */
    r = snprintf(buf, sizeof(buf), "%" PRIu64, v);
    return libxl__json_gen_status(jp, yajl_gen_number(g, buf, r));
}

int libxl__json_gen_empty_array(libxl__json_path *jp, yajl_gen g)
{
    /* yajl_gen_number writes its text as one value, verbatim. */
    return libxl__json_gen_status(jp, yajl_gen_number(g, "[]", 2));
}

static int gen_string_list(libxl__json_path *jp, yajl_gen g,
                           const libxl_string_list sl)
{
    size_t i, mark;
    int rc;

    if (!sl || !sl[0])
        return libxl__json_gen_empty_array(jp, g);

    rc = libxl__json_gen_status(jp, yajl_gen_array_open(g));
    if (rc) goto out;
    for (i = 0; sl[i]; i++) {
        mark = libxl__json_path_push_index(jp, i);
        rc = libxl__json_gen_string(jp, g, sl[i]);
        libxl__json_path_pop(jp, mark);
        if (rc) goto out;
    }
    rc = libxl__json_gen_status(jp, yajl_gen_array_close(g));
 out:
    return rc;
}

static int gen_domain_type(libxl__json_path *jp, yajl_gen g,
                           libxl_domain_type type)
{
    const char *s = libxl_domain_type_to_string(type);

    if (!s)
        return LOG_JSON(jp, ERROR_INVAL, "unknown domain type %d",
                        (int)type);
    return libxl__json_gen_string(jp, g, s);
}

static int gen_array(libxl__json_path *jp, yajl_gen g,
                     const libxl__field *f, const void *p)
{
    const char *elems = get_ptr(p, f->offset);
    int num = get_num(p, f);
    size_t mark;
    int i, rc;

    if (num < 0 || (num > 0 && !elems)) {
        rc = LOG_JSON(jp, ERROR_INVAL, "num_%s is %d%s", f->name, num,
                      num < 0 ? "" : " but the array is NULL");
        goto out;
    }
    if (!num) {
        rc = libxl__json_gen_empty_array(jp, g);
        goto out;
    }

    rc = libxl__json_gen_status(jp, yajl_gen_array_open(g));
    if (rc) goto out;
    for (i = 0; i < num; i++) {
        mark = libxl__json_path_push_index(jp, i);
        rc = libxl__json_gen_struct(jp, g, f->type,
                                    elems + (size_t)i * f->type->size);
        libxl__json_path_pop(jp, mark);
        if (rc) goto out;
    }
    rc = libxl__json_gen_status(jp, yajl_gen_array_close(g));
 out:
    return rc;
}

static int gen_value(libxl__json_path *jp, yajl_gen g,
                     const libxl__field *f, const void *p)
{
    const void *m = (const char *)p + f->offset;

    switch (f->kind) {
    case LIBXL__KIND_INT:
        return libxl__json_gen_status(jp,
                                      yajl_gen_integer(g, *(const int *)m));
    case LIBXL__KIND_U32:
        return libxl__json_gen_u64(jp, g, *(const uint32_t *)m);
    case LIBXL__KIND_U64:
        return libxl__json_gen_u64(jp, g, *(const uint64_t *)m);
    case LIBXL__KIND_BOOL:
        return libxl__json_gen_status(jp, yajl_gen_bool(g, *(const bool *)m));
    case LIBXL__KIND_DEFBOOL:
        return libxl__json_gen_string(jp, g,
                    libxl__defbool_to_string(*(const libxl_defbool *)m));
    case LIBXL__KIND_STRING:
        return libxl__json_gen_string(jp, g, *(char *const *)m);
    case LIBXL__KIND_STRING_LIST:
        return gen_string_list(jp, g, *(const libxl_string_list *)m);
    case LIBXL__KIND_DOMAIN_TYPE:
        return gen_domain_type(jp, g, *(const libxl_domain_type *)m);
    case LIBXL__KIND_STRUCT:
        return libxl__json_gen_struct(jp, g, f->type, m);
    case LIBXL__KIND_ARRAY:
        return gen_array(jp, g, f, p);
    case LIBXL__KIND_CUSTOM:
        return f->gen(jp, g, p);
    }
    abort();
}

/* One member of an object: its key, then its value. */
static int gen_member(libxl__json_path *jp, yajl_gen g,
                      const libxl__field *f, const void *p)
{
    int rc;

    rc = libxl__json_gen_string(jp, g, f->name);
    if (rc) goto out;
    rc = gen_value(jp, g, f, p);
 out:
    return rc;
}

int libxl__json_gen_struct(libxl__json_path *jp, yajl_gen g,
                           const libxl__type_desc *t, const void *p)
{
    const libxl__field *f;
    size_t i, mark;
    int rc;

    if (t->check) {
        rc = t->check(jp, p);
        if (rc) goto out;
    }

    rc = libxl__json_gen_status(jp, yajl_gen_map_open(g));
    if (rc) goto out;
    for (i = 0; i < t->nr_fields; i++) {
        f = &t->fields[i];
        mark = libxl__json_path_push_key(jp, f->name);
        rc = gen_member(jp, g, f, p);
        libxl__json_path_pop(jp, mark);
        if (rc) goto out;
    }
    rc = libxl__json_gen_status(jp, yajl_gen_map_close(g));
 out:
    return rc;
}

int libxl__type_gen_json(libxl_ctx *ctx, yajl_gen g,
                         const libxl__type_desc *t, const void *p)
{
    libxl__json_path jp;

    path_init(&jp, ctx, t->name);
    return libxl__json_gen_struct(&jp, g, t, p);
}

char *libxl__type_to_json(libxl_ctx *ctx, const libxl__type_desc *t,
                          const void *p)
{
    yajl_gen g = NULL;
    const unsigned char *buf;
    size_t len;
    char *s = NULL;
    int rc;

    g = libxl__json_gen_alloc();
    if (!g)
        alloc_failed(ctx);
    rc = libxl__type_gen_json(ctx, g, t, p);
    if (rc) goto out;
    yajl_gen_get_buf(g, &buf, &len);
    s = json_strndup(ctx, (const char *)buf, len);
 out:
    if (g)
        yajl_gen_free(g);
    return s;
}

/* ---- Parsing text into a tree ------------------------------------------ */

void libxl__json_node_free(libxl__json_node *n)
{
    size_t i;

    if (!n)
        return;
    for (i = 0; i < n->len; i++) {
        libxl__json_node_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->text);
    free(n);
}

const libxl__json_node *libxl__json_get(const libxl__json_node *n,
                                        const char *key)
{
    size_t i;

    if (!n || n->type != LIBXL__JSON_OBJECT)
        return NULL;
    for (i = 0; i < n->len; i++) {
        if (!strcmp(n->keys[i], key))
            return n->items[i];
    }
    return NULL;
}

/* yajl's callbacks build the tree; b->open[] are the unclosed containers. */
typedef struct json_builder {
    libxl_ctx *ctx;
    libxl__json_node *root;
    libxl__json_node *open[LIBXL__JSON_MAX_DEPTH];
    size_t depth;
    char *key;                  /* the key of an object's next value */
    const char *error;          /* why a callback stopped yajl */
} json_builder;

/* A new node, in the innermost open container (or as the root). */
static libxl__json_node *add_node(json_builder *b, libxl__json_type type)
{
    libxl__json_node *parent, *n;

    n = json_calloc(b->ctx, 1, sizeof(*n));
    n->type = type;
    if (!b->depth) {
        b->root = n;
        return n;
    }

    parent = b->open[b->depth - 1];
    if (parent->len == parent->cap) {
        parent->cap = parent->cap ? 2 * parent->cap : 4;
        parent->items = json_reallocarray(b->ctx, parent->items,
                                          parent->cap, sizeof(n));
        if (parent->type == LIBXL__JSON_OBJECT)
            parent->keys = json_reallocarray(b->ctx, parent->keys,
                                             parent->cap, sizeof(char *));
    }
    parent->items[parent->len] = n;
    if (parent->type == LIBXL__JSON_OBJECT) {
        parent->keys[parent->len] = b->key;
        b->key = NULL;
    }
    parent->len++;
    return n;
}

/* C strings end at the first NUL: one inside would be silently cut. */
static int check_no_nul(json_builder *b, const unsigned char *s, size_t len)
{
    if (memchr(s, '\0', len)) {
        b->error = "a string or key contains \\u0000";
        return 0;
    }
    return 1;
}

static int cb_null(void *ctx)
{
    add_node(ctx, LIBXL__JSON_NULL);
    return 1;
}

static int cb_boolean(void *ctx, int v)
{
    add_node(ctx, v ? LIBXL__JSON_TRUE : LIBXL__JSON_FALSE);
    return 1;
}

/* Numbers as written: converted later, against the member's range. */
static int cb_number(void *ctx, const char *s, size_t len)
{
    json_builder *b = ctx;
    libxl__json_node *n;

    n = add_node(b, LIBXL__JSON_NUMBER);
    n->text = json_strndup(b->ctx, s, len);
    return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    json_builder *b = ctx;
    libxl__json_node *n;

    if (!check_no_nul(b, s, len))
        return 0;
    n = add_node(b, LIBXL__JSON_STRING);
    n->text = json_strndup(b->ctx, (const char *)s, len);
    return 1;
}

static int open_container(json_builder *b, libxl__json_type type)
{
    /* Bounds the recursion of everything that walks the tree. */
    if (b->depth == LIBXL__JSON_MAX_DEPTH) {
        b->error = "nested too deeply";
        return 0;
    }
    b->open[b->depth] = add_node(b, type);
    b->depth++;
    return 1;
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, LIBXL__JSON_OBJECT);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, LIBXL__JSON_ARRAY);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    json_builder *b = ctx;

    if (!check_no_nul(b, s, len))
        return 0;
    b->key = json_strndup(b->ctx, (const char *)s, len);
    return 1;
}

static int cb_end(void *ctx)
{
    json_builder *b = ctx;

    b->depth--;
    return 1;
}

int libxl__json_parse(libxl_ctx *ctx, const char *what, const char *s,
                      libxl__json_node **root_r)
{
    /*
     * yajl's defaults are the strict ones: no comments, nothing after
     * the value, UTF-8 checked.  yajl_number gets every number as text.
     */
    static const yajl_callbacks callbacks = {
        .yajl_null = cb_null,
        .yajl_boolean = cb_boolean,
        .yajl_number = cb_number,
        .yajl_string = cb_string,
        .yajl_start_map = cb_start_map,
        .yajl_map_key = cb_map_key,
        .yajl_end_map = cb_end,
        .yajl_start_array = cb_start_array,
        .yajl_end_array = cb_end,
    };
    json_builder b = { .ctx = ctx };
    yajl_handle h = NULL;
    unsigned char *err = NULL;
    yajl_status st;
    size_t len;
    int rc;

    if (!s) {
        LOG(ERROR, "%s: no JSON text (NULL)", what);
        rc = ERROR_INVAL;
        goto out;
    }
    len = strlen(s);

    h = yajl_alloc(&callbacks, NULL, &b);
    if (!h)
        alloc_failed(ctx);
    st = yajl_parse(h, (const unsigned char *)s, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);

    if (st == yajl_status_client_canceled) {
        LOG(ERROR, "%s: invalid JSON: %s", what, b.error);
        rc = ERROR_INVAL;
        goto out;
    }
    if (st != yajl_status_ok) {
        err = yajl_get_error(h, 0, (const unsigned char *)s, len);
        if (err)
            err[strcspn((char *)err, "\n")] = '\0';
        LOG(ERROR, "%s: invalid JSON: %s", what,
            err ? (char *)err : "yajl failed");
        rc = ERROR_INVAL;
        goto out;
    }

    *root_r = b.root;
    b.root = NULL;
    rc = 0;
 out:
    if (err)
        yajl_free_error(h, err);
    if (h)
        yajl_free(h);
    libxl__json_node_free(b.root);
    free(b.key);
    return rc;
}

/* ---- Reading values from a tree ---------------------------------------- */

/* The digits of s as a number, if it is at most max (>= 9). */
static bool digits_to_u64(const char *s, uint64_t max, uint64_t *v_r)
{
    uint64_t v = 0;
    unsigned d;

    for (; *s; s++) {
        d = *s - '0';
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *v_r = v;
    return true;
}

int libxl__json_check_uint(libxl__json_path *jp, const libxl__json_node *n)
{
    if (n->type != LIBXL__JSON_NUMBER)
        return libxl__json_type_error(jp, n, "an unsigned integer");
    if (n->text[0] == '-')
        return LOG_JSON(jp, ERROR_INVAL,
                        "%s is negative, expected an unsigned integer",
                        n->text);
    /* yajl checked the syntax: a plain integer is digits only. */
    if (strpbrk(n->text, ".eE"))
        return LOG_JSON(jp, ERROR_INVAL,
                        "%s is not an integer (digits only, no fraction "
                        "or exponent)", n->text);
    return 0;
}

int libxl__json_parse_uint(libxl__json_path *jp, const libxl__json_node *n,
                           uint64_t max, uint64_t *v_r)
{
    int rc;

    rc = libxl__json_check_uint(jp, n);
    if (rc) goto out;
    if (!digits_to_u64(n->text, max, v_r)) {
        rc = LOG_JSON(jp, ERROR_INVAL, "%s is out of range (at most %"
                      PRIu64 ")", n->text, max);
        goto out;
    }
    rc = 0;
 out:
    return rc;
}

static int parse_int(libxl__json_path *jp, const libxl__json_node *n,
                     int *v_r)
{
    bool neg;
    uint64_t mag, max;
    int rc;

    if (n->type != LIBXL__JSON_NUMBER) {
        rc = libxl__json_type_error(jp, n, "an integer");
        goto out;
    }
    if (strpbrk(n->text, ".eE")) {
        rc = LOG_JSON(jp, ERROR_INVAL, "%s is not an integer (digits "
                      "only, no fraction or exponent)", n->text);
        goto out;
    }
    neg = n->text[0] == '-';
    max = neg ? (uint64_t)INT_MAX + 1 : INT_MAX;
    if (!digits_to_u64(n->text + neg, max, &mag)) {
        rc = LOG_JSON(jp, ERROR_INVAL, "%s is out of range (%d to %d)",
                      n->text, INT_MIN, INT_MAX);
        goto out;
    }
    /* It would come back as 0: what is read must be written back. */
    if (neg && !mag) {
        rc = LOG_JSON(jp, ERROR_INVAL, "-0 is not an integer, 0 is");
        goto out;
    }
    *v_r = neg ? (int)(-(int64_t)mag) : (int)mag;
    rc = 0;
 out:
    return rc;
}

static int parse_u32(libxl__json_path *jp, const libxl__json_node *n,
                     uint32_t *v_r)
{
    uint64_t v;
    int rc;

    rc = libxl__json_parse_uint(jp, n, UINT32_MAX, &v);
    if (rc) goto out;
    *v_r = v;
 out:
    return rc;
}

static int parse_bool(libxl__json_path *jp, const libxl__json_node *n,
                      bool *v_r)
{
    if (n->type != LIBXL__JSON_TRUE && n->type != LIBXL__JSON_FALSE)
        return libxl__json_type_error(jp, n, "true or false");
    *v_r = n->type == LIBXL__JSON_TRUE;
    return 0;
}

static int parse_defbool(libxl__json_path *jp, const libxl__json_node *n,
                         libxl_defbool *v_r)
{
    if (n->type != LIBXL__JSON_STRING)
        return libxl__json_type_error(jp, n,
                                      "\"True\", \"False\" or \"<default>\"");
    if (libxl__defbool_from_string(n->text, v_r))
        return LOG_JSON(jp, ERROR_INVAL, "\"%s\" is not \"True\", \"False\" "
                        "or \"<default>\"", n->text);
    return 0;
}

static int parse_string(libxl__json_path *jp, const libxl__json_node *n,
                        char **v_r)
{
    if (n->type == LIBXL__JSON_NULL) {
        *v_r = NULL;
        return 0;
    }
    if (n->type != LIBXL__JSON_STRING)
        return libxl__json_type_error(jp, n, "a string or null");
    *v_r = json_strdup(jp->ctx, n->text);
    return 0;
}

static int parse_string_list(libxl__json_path *jp, const libxl__json_node *n,
                             libxl_string_list *v_r)
{
    libxl_string_list sl = NULL;
    size_t i, mark;
    int rc;

    if (n->type != LIBXL__JSON_ARRAY) {
        rc = libxl__json_type_error(jp, n, "an array of strings");
        goto out;
    }
    if (n->len)
        sl = json_calloc(jp->ctx, n->len + 1, sizeof(*sl));
    for (i = 0; i < n->len; i++) {
        if (n->items[i]->type != LIBXL__JSON_STRING) {
            mark = libxl__json_path_push_index(jp, i);
            rc = libxl__json_type_error(jp, n->items[i], "a string");
            libxl__json_path_pop(jp, mark);
            goto out;
        }
        sl[i] = json_strdup(jp->ctx, n->items[i]->text);
    }
    *v_r = sl;
    sl = NULL;
    rc = 0;
 out:
    libxl_string_list_dispose(&sl);
    return rc;
}

static int parse_domain_type(libxl__json_path *jp, const libxl__json_node *n,
                             libxl_domain_type *v_r)
{
    libxl_domain_type t;

    if (n->type != LIBXL__JSON_STRING)
        return libxl__json_type_error(jp, n, "a domain type");
    /* Exactly as written out: "HVM" would not come back as itself. */
    if (libxl_domain_type_from_string(n->text, &t) ||
        strcmp(n->text, libxl_domain_type_to_string(t)))
        return LOG_JSON(jp, ERROR_INVAL, "unknown domain type \"%s\" "
                        "(expected \"hvm\", \"pv\" or \"pvh\")", n->text);
    *v_r = t;
    return 0;
}

static void dispose_elems(const libxl__type_desc *t, void *elems, int nr)
{
    int i;

    for (i = 0; i < nr; i++)
        libxl__type_dispose(t, (char *)elems + (size_t)i * t->size);
    free(elems);
}

static int parse_array(libxl__json_path *jp, const libxl__json_node *n,
                       const libxl__field *f, void *p)
{
    const libxl__type_desc *t = f->type;
    char *elems = NULL;
    int nr = 0;
    size_t i, mark;
    int rc;

    if (n->type != LIBXL__JSON_ARRAY) {
        rc = libxl__json_type_error(jp, n, "an array");
        goto out;
    }
    if (n->len > INT_MAX) {
        rc = LOG_JSON(jp, ERROR_INVAL, "%zu elements, more than %d",
                      n->len, INT_MAX);
        goto out;
    }
    if (n->len) {
        elems = json_calloc(jp->ctx, n->len, t->size);
        for (; nr < (int)n->len; nr++)
            libxl__type_init(t, elems + (size_t)nr * t->size);
    }
    for (i = 0; i < n->len; i++) {
        mark = libxl__json_path_push_index(jp, i);
        rc = libxl__json_parse_struct(jp, n->items[i], t,
                                      elems + i * t->size);
        libxl__json_path_pop(jp, mark);
        if (rc) goto out;
    }

    set_ptr(p, f->offset, elems);
    set_num(p, f, nr);
    elems = NULL;
    nr = 0;
    rc = 0;
 out:
    dispose_elems(t, elems, nr);
    return rc;
}

static int parse_value(libxl__json_path *jp, const libxl__json_node *n,
                       const libxl__field *f, void *p)
{
    void *m = (char *)p + f->offset;

    switch (f->kind) {
    case LIBXL__KIND_INT:
        return parse_int(jp, n, m);
    case LIBXL__KIND_U32:
        return parse_u32(jp, n, m);
    case LIBXL__KIND_U64:
        return libxl__json_parse_uint(jp, n, UINT64_MAX, m);
    case LIBXL__KIND_BOOL:
        return parse_bool(jp, n, m);
    case LIBXL__KIND_DEFBOOL:
        return parse_defbool(jp, n, m);
    case LIBXL__KIND_STRING:
        return parse_string(jp, n, m);
    case LIBXL__KIND_STRING_LIST:
        return parse_string_list(jp, n, m);
    case LIBXL__KIND_DOMAIN_TYPE:
        return parse_domain_type(jp, n, m);
    case LIBXL__KIND_STRUCT:
        return libxl__json_parse_struct(jp, n, f->type, m);
    case LIBXL__KIND_ARRAY:
        return parse_array(jp, n, f, p);
    case LIBXL__KIND_CUSTOM:
        return f->parse(jp, n, p);
    }
    abort();
}

/* The members of t whose kind is (or, !custom, is not) CUSTOM. */
static int parse_members(libxl__json_path *jp,
                         const libxl__json_node *const *vals,
                         const libxl__type_desc *t, void *p, bool custom)
{
    const libxl__field *f;
    size_t i, mark;
    int rc = 0;

    for (i = 0; i < t->nr_fields; i++) {
        f = &t->fields[i];
        if ((f->kind == LIBXL__KIND_CUSTOM) != custom)
            continue;
        mark = libxl__json_path_push_key(jp, f->name);
        rc = parse_value(jp, vals[i], f, p);
        libxl__json_path_pop(jp, mark);
        if (rc) goto out;
    }
 out:
    return rc;
}

static size_t field_index(const libxl__type_desc *t, const char *name)
{
    size_t i;

    for (i = 0; i < t->nr_fields; i++) {
        if (!strcmp(t->fields[i].name, name))
            break;
    }
    return i;
}

int libxl__json_parse_struct(libxl__json_path *jp, const libxl__json_node *n,
                             const libxl__type_desc *t, void *p)
{
    const libxl__json_node *vals[LIBXL__JSON_MAX_FIELDS] = { NULL };
    size_t i, k;
    int rc;

    assert(t->nr_fields <= LIBXL__JSON_MAX_FIELDS);
    if (n->type != LIBXL__JSON_OBJECT) {
        rc = libxl__json_type_error(jp, n, "an object");
        goto out;
    }

    for (i = 0; i < n->len; i++) {
        k = field_index(t, n->keys[i]);
        if (k == t->nr_fields) {
            rc = LOG_JSON(jp, ERROR_INVAL, "unknown key \"%.64s\"",
                          n->keys[i]);
            goto out;
        }
        if (vals[k]) {
            rc = LOG_JSON(jp, ERROR_INVAL, "key \"%s\" appears twice",
                          n->keys[i]);
            goto out;
        }
        vals[k] = n->items[i];
    }
    for (k = 0; k < t->nr_fields; k++) {
        if (!vals[k]) {
            rc = LOG_JSON(jp, ERROR_INVAL, "missing key \"%s\"",
                          t->fields[k].name);
            goto out;
        }
    }

    rc = parse_members(jp, vals, t, p, false);
    if (rc) goto out;
    if (t->check) {
        rc = t->check(jp, p);
        if (rc) goto out;
    }
    rc = parse_members(jp, vals, t, p, true);
 out:
    return rc;
}

int libxl__type_parse_json(libxl_ctx *ctx, const libxl__json_node *n,
                           const libxl__type_desc *t, void *p)
{
    libxl__json_path jp;
    void *tmp;
    int rc;

    path_init(&jp, ctx, t->name);
    /* Into a copy, so that *p changes only on success. */
    tmp = json_calloc(ctx, 1, t->size);
    libxl__type_init(t, tmp);

    rc = libxl__json_parse_struct(&jp, n, t, tmp);
    if (rc) goto out;

    libxl__type_dispose(t, p);
    memcpy(p, tmp, t->size);
    libxl__type_init(t, tmp);       /* what it held is p's now */
    rc = 0;
 out:
    libxl__type_dispose(t, tmp);
    free(tmp);
    return rc;
}

int libxl__type_from_json(libxl_ctx *ctx, const libxl__type_desc *t,
                          void *p, const char *s)
{
    libxl__json_node *root = NULL;
    int rc;

    rc = libxl__json_parse(ctx, t->name, s, &root);
    if (rc) goto out;
    rc = libxl__type_parse_json(ctx, root, t, p);
 out:
    libxl__json_node_free(root);
    return rc;
}

/* ---- _init and _dispose ------------------------------------------------ */

void libxl__type_init(const libxl__type_desc *t, void *p)
{
    const libxl__field *f;
    void *m;
    size_t i;

    memset(p, 0, t->size);
    for (i = 0; i < t->nr_fields; i++) {
        f = &t->fields[i];
        m = (char *)p + f->offset;
        switch (f->kind) {
        case LIBXL__KIND_INT:
            *(int *)m = (int)f->def;
            break;
        case LIBXL__KIND_U32:
            *(uint32_t *)m = (uint32_t)f->def;
            break;
        case LIBXL__KIND_U64:
            *(uint64_t *)m = f->def;
            break;
        case LIBXL__KIND_DOMAIN_TYPE:
            *(libxl_domain_type *)m = (libxl_domain_type)f->def;
            break;
        case LIBXL__KIND_STRUCT:
            libxl__type_init(f->type, m);
            break;
        default:
            break;              /* zero: false, NULL, "<default>", [] */
        }
    }
}

void libxl__type_dispose(const libxl__type_desc *t, void *p)
{
    const libxl__field *f;
    void *m;
    size_t i;

    for (i = 0; i < t->nr_fields; i++) {
        f = &t->fields[i];
        m = (char *)p + f->offset;
        switch (f->kind) {
        case LIBXL__KIND_STRING:
            free(*(char **)m);
            break;
        case LIBXL__KIND_STRING_LIST:
            libxl_string_list_dispose(m);
            break;
        case LIBXL__KIND_STRUCT:
            libxl__type_dispose(f->type, m);
            break;
        case LIBXL__KIND_ARRAY:
            dispose_elems(f->type, get_ptr(p, f->offset), get_num(p, f));
            break;
        default:
            break;              /* owns no memory */
        }
    }
    /* Idempotent: what is left is what _init makes. */
    libxl__type_init(t, p);
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
