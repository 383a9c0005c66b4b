/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxlutil's config: reading (all or nothing), storing settings as the
 * parser produces them, the messages, and the getters.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "libxlu_internal.h"

/* How much of a token a message quotes before cutting it with "...". */
#define TOKEN_QUOTE_MAX 64

/* ---- Messages --------------------------------------------------------- */

static void vreport(const XLU_Config *cfg, const char *source, int line,
                    const char *lead, const char *fmt, va_list ap)
{
    if (!cfg->report)
        return;
    if (line > 0)
        fprintf(cfg->report, "%s:%d: %s", source, line, lead);
    else
        fprintf(cfg->report, "%s: %s", source, lead);
    vfprintf(cfg->report, fmt, ap);
    fputc('\n', cfg->report);
}

void xlu__cfg_report(const XLU_Config *cfg, const char *source, int line,
                     const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(cfg, source, line, "", fmt, ap);
    va_end(ap);
}

/* A getter's complaint about a value, unless the caller asked for none. */
static void warn(const XLU_Config *cfg, const XLU_ConfigValue *v,
                 int dont_warn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn(const XLU_Config *cfg, const XLU_ConfigValue *v,
                 int dont_warn, const char *fmt, ...)
{
    va_list ap;

    if (dont_warn)
        return;
    va_start(ap, fmt);
    vreport(cfg, v->source, v->line, "warning: ", fmt, ap);
    va_end(ap);
}

/*
 * Copy s[0..len) into out as printable ASCII, bytes outside it escaped,
 * cut with "..." after TOKEN_QUOTE_MAX bytes.  out has room for
 * TOKEN_QUOTE_MAX * 4 + 4 bytes.
 */
static void quote_token(char *out, const char *s, size_t len)
{
    size_t i;
    char *o = out;

    for (i = 0; i < len; i++) {
        unsigned char c = s[i];

        if (i == TOKEN_QUOTE_MAX) {
            memcpy(o, "...", 3);
            o += 3;
            break;
        }
        if (c == '\n') {
            memcpy(o, "\\n", 2);
            o += 2;
        } else if (c == '\t') {
            memcpy(o, "\\t", 2);
            o += 2;
        } else if (c < 0x20 || c >= 0x7f) {
            o += sprintf(o, "\\x%02x", c);
        } else {
            *o++ = c;
        }
    }
    *o = '\0';
}

void xlu__cfg_parse_error(CfgParseContext *ctx, int line, const char *tok,
                          size_t toklen, const char *fmt, ...)
{
    char quoted[TOKEN_QUOTE_MAX * 4 + 4], lead[sizeof(quoted) + 64];
    va_list ap;

    if (ctx->err != ENOMEM)
        ctx->err = EINVAL;
    if (ctx->err_line == line)
        return;
    ctx->err_line = line;

    quote_token(quoted, tok, toklen);
    snprintf(lead, sizeof(lead), "config parsing error near `%s': ",
             quoted);
    va_start(ap, fmt);
    vreport(ctx->cfg, ctx->source, line, lead, fmt, ap);
    va_end(ap);
}

void xlu__cfg_syntax_error(CfgParseContext *ctx, int line, const char *msg)
{
    const char *tok = ctx->tok_text;
    size_t len = ctx->tok_len;
    char hint[TOKEN_QUOTE_MAX + 64] = "";

    ctx->recovering = true;
    if (ctx->err == ENOMEM)
        return;

    if (ctx->depth && (ctx->tok == CFG_TOK_EOF ||
                       (ctx->tok == CFG_TOK_NAME && ctx->unclosed))) {
        /*
         * A statement started inside a list: the list was not closed.
         * Forget it, so that recovery ends at the end of this line
         * rather than at a ']' that may never come.
         */
        snprintf(hint, sizeof(hint), "; the `[' on line %d is not closed",
                 ctx->open_line);
        ctx->depth = 0;
        /*
         * After an error inside the list (an unterminated string that
         * took its ']' with it, say) this is a consequence: no message.
         */
        if (ctx->err_line >= ctx->open_line)
            ctx->err_line = line;
    } else if (ctx->tok == CFG_TOK_NAME &&
               ctx->prev_tok == CFG_TOK_VALUE_START) {
        snprintf(hint, sizeof(hint), "; strings need quotes: \"%.*s\"",
                 len > TOKEN_QUOTE_MAX ? TOKEN_QUOTE_MAX : (int)len, tok);
    }

    if (ctx->tok == CFG_TOK_NEWLINE) {
        tok = "<newline>";
        len = strlen(tok);
    } else if (ctx->tok == CFG_TOK_EOF) {
        tok = "<end of file>";
        len = strlen(tok);
    }
    xlu__cfg_parse_error(ctx, line, tok, len, "%s%s", msg, hint);
}

void xlu__cfg_recovered(CfgParseContext *ctx)
{
    ctx->recovering = false;
    ctx->depth = 0;
}

/* ---- Values ----------------------------------------------------------- */

static XLU_ConfigValue *value_new(CfgParseContext *ctx,
                                  enum XLU_ConfigValueType type, int line)
{
    XLU_ConfigValue *v = calloc(1, sizeof(*v));

    if (!v) {
        ctx->err = ENOMEM;
        return NULL;
    }
    v->type = type;
    v->source = ctx->source;
    v->line = line;
    return v;
}

XLU_ConfigValue *xlu__cfg_string_mk(CfgParseContext *ctx, char *text,
                                    int line)
{
    XLU_ConfigValue *v = value_new(ctx, XLU_STRING, line);

    if (!v) {
        free(text);
        return NULL;
    }
    v->u.string = text;
    return v;
}

XLU_ConfigValue *xlu__cfg_number_mk(CfgParseContext *ctx, char *text,
                                    int line)
{
    XLU_ConfigValue *v = xlu__cfg_string_mk(ctx, text, line);

    if (!v)
        return NULL;
    v->number = true;
    /* Cannot fail: the scanner only returns numbers this accepts. */
    gfn_range_parse_u64(text, NULL, UINT64_MAX, &v->num, NULL);
    return v;
}

XLU_ConfigValue *xlu__cfg_list_mk(CfgParseContext *ctx, int line)
{
    return value_new(ctx, XLU_LIST, line);
}

/* Make room for n more entries in l. */
static int list_reserve(CfgParseContext *ctx, XLU_ConfigList *l, int n)
{
    XLU_ConfigValue **values;
    int want;

    if (n <= l->avalues - l->nvalues)
        return 0;
    if (n > INT_MAX / 2 - l->nvalues)
        goto nomem;
    want = l->nvalues + n;
    if (want < 2 * l->avalues)
        want = 2 * l->avalues;
    if (want < 4)
        want = 4;
    values = realloc(l->values, sizeof(*values) * (size_t)want);
    if (!values)
        goto nomem;
    l->values = values;
    l->avalues = want;
    return 0;

 nomem:
    ctx->err = ENOMEM;
    return -1;
}

int xlu__cfg_list_append(CfgParseContext *ctx, XLU_ConfigValue *list,
                         XLU_ConfigValue *item)
{
    XLU_ConfigList *l = &list->u.list;

    if (list_reserve(ctx, l, 1)) {
        xlu__cfg_value_free(item);
        return -1;
    }
    l->values[l->nvalues++] = item;
    return 0;
}

void xlu__cfg_value_free(XLU_ConfigValue *value)
{
    int i;

    if (!value)
        return;
    if (value->type == XLU_LIST) {
        for (i = 0; i < value->u.list.nvalues; i++)
            xlu__cfg_value_free(value->u.list.values[i]);
        free(value->u.list.values);
    } else {
        free(value->u.string);
    }
    free(value);
}

/* A deep copy, which += needs to extend a value of an earlier read. */
static XLU_ConfigValue *value_copy(CfgParseContext *ctx,
                                   const XLU_ConfigValue *v)
{
    XLU_ConfigValue *c;
    int i;

    c = calloc(1, sizeof(*c));
    if (!c)
        goto nomem;
    c->type = v->type;
    c->number = v->number;
    c->num = v->num;
    c->source = v->source;
    c->line = v->line;
    if (v->type == XLU_STRING) {
        c->u.string = strdup(v->u.string);
        if (!c->u.string)
            goto nomem;
        return c;
    }
    if (list_reserve(ctx, &c->u.list, v->u.list.nvalues))
        goto nomem;
    for (i = 0; i < v->u.list.nvalues; i++) {
        XLU_ConfigValue *item = value_copy(ctx, v->u.list.values[i]);

        if (!item)
            goto nomem;
        c->u.list.values[c->u.list.nvalues++] = item;
    }
    return c;

 nomem:
    ctx->err = ENOMEM;
    xlu__cfg_value_free(c);
    return NULL;
}

/* dst += src, of the same type and not numbers.  Consumes src. */
static int value_append(CfgParseContext *ctx, XLU_ConfigValue *dst,
                        XLU_ConfigValue *src)
{
    XLU_ConfigList *d = &dst->u.list, *s = &src->u.list;
    size_t dlen, slen;
    char *str;
    int rc;

    if (dst->type == XLU_STRING) {
        dlen = strlen(dst->u.string);
        slen = strlen(src->u.string);
        str = realloc(dst->u.string, dlen + slen + 1);
        if (!str) {
            ctx->err = ENOMEM;
            rc = -1;
            goto out;
        }
        memcpy(str + dlen, src->u.string, slen + 1);
        dst->u.string = str;
        rc = 0;
        goto out;
    }

    rc = list_reserve(ctx, d, s->nvalues);
    if (rc)
        goto out;
    /* An empty list's values may be NULL, which memcpy must not see. */
    if (s->nvalues)
        memcpy(d->values + d->nvalues, s->values,
               sizeof(*s->values) * (size_t)s->nvalues);
    d->nvalues += s->nvalues;
    s->nvalues = 0;             /* the entries are dst's now */
    rc = 0;

 out:
    xlu__cfg_value_free(src);
    return rc;
}

/* ---- Settings --------------------------------------------------------- */

static XLU_ConfigSetting *find_setting(XLU_ConfigSetting *s,
                                       const char *name)
{
    for (; s; s = s->next)
        if (s->name && !strcmp(s->name, name))
            return s;
    return NULL;
}

static void settings_free(XLU_ConfigSetting *s)
{
    XLU_ConfigSetting *next;

    for (; s; s = next) {
        next = s->next;
        free(s->name);
        xlu__cfg_value_free(s->value);
        free(s);
    }
}

static const char *kind(const XLU_ConfigValue *v)
{
    return v->type == XLU_LIST ? "list" : "string";
}

/* Whether name += value may apply to old (NULL: unset); else report. */
static bool addition_ok(CfgParseContext *ctx, const char *name,
                        const XLU_ConfigValue *old,
                        const XLU_ConfigValue *value, int op_line)
{
    if (value->number) {
        xlu__cfg_parse_error(ctx, op_line, "+=", 2,
                             "can't use += with numbers; use = to set "
                             "`%s'", name);
        return false;
    }
    if (!old)
        return true;
    if (old->number) {
        xlu__cfg_parse_error(ctx, op_line, "+=", 2,
                             "can't use += with numbers: `%s' is the "
                             "number %s (set at %s:%d); use = to replace "
                             "it", name, old->u.string, old->source,
                             old->line);
        return false;
    }
    if (old->type != value->type) {
        xlu__cfg_parse_error(ctx, op_line, "+=", 2,
                             "can't add a %s to `%s', which is a %s (set "
                             "at %s:%d)", kind(value), name, kind(old),
                             old->source, old->line);
        return false;
    }
    return true;
}

int xlu__cfg_set_store(CfgParseContext *ctx, char *name,
                       enum XLU_Operation op, XLU_ConfigValue *value,
                       int op_line)
{
    XLU_ConfigSetting *s, *earlier;
    const XLU_ConfigValue *old = NULL;
    int rc;

    /* This read's setting, else the config's from an earlier read. */
    s = find_setting(ctx->settings, name);
    earlier = s ? s : find_setting(ctx->cfg->settings, name);
    if (earlier)
        old = earlier->value;

    if (op == XLU_OP_ADDITION) {
        if (!addition_ok(ctx, name, old, value, op_line)) {
            rc = 0;             /* reported; the read will fail */
            goto out;
        }
        if (old && s) {
            rc = value_append(ctx, s->value, value);
            value = NULL;
            goto out;
        }
        if (old) {
            /* Extend a copy: the config's value is kept until merge. */
            XLU_ConfigValue *copy = value_copy(ctx, old);

            if (!copy) {
                rc = -1;
                goto out;
            }
            rc = value_append(ctx, copy, value);
            value = copy;
            if (rc)
                goto out;
        }
        /* Else += with nothing before it is plain assignment. */
    }

    if (s) {
        xlu__cfg_value_free(s->value);
        s->value = value;
        value = NULL;
        rc = 0;
        goto out;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        ctx->err = ENOMEM;
        rc = -1;
        goto out;
    }
    s->name = name;
    name = NULL;
    s->value = value;
    value = NULL;
    s->next = ctx->settings;
    ctx->settings = s;
    rc = 0;

 out:
    free(name);
    xlu__cfg_value_free(value);
    return rc;
}

/* Move a successful read's settings into the config. */
static void merge(XLU_Config *cfg, XLU_ConfigSetting **pending)
{
    XLU_ConfigSetting *s, *next, *t;
    XLU_ConfigValue *old;

    for (s = *pending; s; s = next) {
        next = s->next;
        t = find_setting(cfg->settings, s->name);
        if (!t) {
            s->next = cfg->settings;
            cfg->settings = s;
            continue;
        }
        /* Getters may have handed out pointers into the old value. */
        old = t->value;
        t->value = s->value;
        s->value = old;
        free(s->name);
        s->name = NULL;
        s->next = cfg->retired;
        cfg->retired = s;
    }
    *pending = NULL;
}

/* ---- Reading ---------------------------------------------------------- */

/* The config's copy of source, which values can point to. */
static const char *intern_source(XLU_Config *cfg, const char *source)
{
    char **sources;
    int i;

    for (i = 0; i < cfg->nsources; i++)
        if (!strcmp(cfg->sources[i], source))
            return cfg->sources[i];
    sources = realloc(cfg->sources,
                      sizeof(*sources) * ((size_t)cfg->nsources + 1));
    if (!sources)
        return NULL;
    cfg->sources = sources;
    sources[cfg->nsources] = strdup(source);
    if (!sources[cfg->nsources])
        return NULL;
    return sources[cfg->nsources++];
}

static int read_data(XLU_Config *cfg, const char *source, const char *data,
                     size_t len)
{
    CfgParseContext ctx = { .cfg = cfg };
    int rc;

    ctx.source = intern_source(cfg, source);
    if (!ctx.source) {
        rc = ENOMEM;
        goto out;
    }
    rc = xlu__cfg_scan_parse(&ctx, data, len);
    if (rc == EFBIG)
        xlu__cfg_report(cfg, source, 0, "the config is too large "
                        "(%zu bytes; at most %d)", len, INT_MAX - 2);
    if (rc)
        goto out;
    rc = ctx.err;
    if (rc)
        goto out;
    merge(cfg, &ctx.settings);
    rc = 0;

 out:
    settings_free(ctx.settings);
    return rc;
}

XLU_Config *xlu_cfg_init(FILE *report, const char *report_source)
{
    XLU_Config *cfg;

    if (!report_source) {
        errno = EINVAL;
        return NULL;
    }
    cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        return NULL;
    cfg->report = report;
    cfg->report_source = intern_source(cfg, report_source);
    if (!cfg->report_source) {
        xlu_cfg_destroy(cfg);
        errno = ENOMEM;
        return NULL;
    }
    return cfg;
}

int xlu_cfg_readdata_source(XLU_Config *cfg, const char *source,
                            const char *data, int length)
{
    if (!source || length < 0 || (length && !data))
        return EINVAL;
    return read_data(cfg, source, data, (size_t)length);
}

int xlu_cfg_readdata(XLU_Config *cfg, const char *data, int length)
{
    return xlu_cfg_readdata_source(cfg, cfg->report_source, data, length);
}

int xlu_cfg_readfile(XLU_Config *cfg, const char *real_filename)
{
    FILE *f = NULL;
    char *buf = NULL, *nbuf;
    size_t len = 0, cap = 0, n;
    int rc;

    f = fopen(real_filename, "r");
    if (!f) {
        rc = errno;
        goto fail;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            nbuf = realloc(buf, cap);
            if (!nbuf) {
                rc = ENOMEM;
                goto out;
            }
            buf = nbuf;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (ferror(f)) {
            rc = errno ? errno : EIO;
            goto fail;
        }
        if (feof(f))
            break;
        if (len > (size_t)INT_MAX) {
            rc = EFBIG;
            goto fail;
        }
    }
    rc = read_data(cfg, cfg->report_source, buf, len);
    goto out;

 fail:
    xlu__cfg_report(cfg, cfg->report_source, 0,
                    "cannot read config file `%s': %s", real_filename,
                    strerror(rc));
 out:
    if (f)
        fclose(f);
    free(buf);
    return rc;
}

int xlu_cfg_read_settings(XLU_Config *cfg, const char *source, int n,
                          const char *const *settings)
{
    char *buf = NULL, *p;
    size_t total = 0, len;
    int i, rc;

    if (n < 0 || (n && !settings)) {
        rc = EINVAL;
        goto out;
    }
    if (!n) {
        rc = 0;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (!settings[i]) {
            rc = EINVAL;
            goto out;
        }
        total += strlen(settings[i]) + 1;
    }
    buf = malloc(total);
    if (!buf) {
        rc = ENOMEM;
        goto out;
    }
    /* One setting per line, so that line N is the Nth setting. */
    for (i = 0, p = buf; i < n; i++) {
        len = strlen(settings[i]);
        memcpy(p, settings[i], len);
        p[len] = '\n';
        p += len + 1;
    }
    rc = read_data(cfg, source ? source : "command line", buf, total);

 out:
    free(buf);
    return rc;
}

void xlu_cfg_destroy(XLU_Config *cfg)
{
    int i;

    if (!cfg)
        return;
    settings_free(cfg->settings);
    settings_free(cfg->retired);
    for (i = 0; i < cfg->nsources; i++)
        free(cfg->sources[i]);
    free(cfg->sources);
    free(cfg);
}

/* ---- Getters ---------------------------------------------------------- */

static const XLU_ConfigValue *find_value(const XLU_Config *cfg,
                                         const char *key)
{
    const XLU_ConfigSetting *s = find_setting(cfg->settings, key);

    return s ? s->value : NULL;
}

/*
 * Whether v is of the type a getter wants; else warn, naming the
 * parameter key (or "value" when NULL, for the nested-value getters).
 */
static bool type_ok(const XLU_Config *cfg, const XLU_ConfigValue *v,
                    enum XLU_ConfigValueType want, const char *key,
                    int dont_warn)
{
    const char *is = want == XLU_LIST ? "a single value" : "a list";
    const char *should = want == XLU_LIST ? "a list" : "a single value";

    if (v->type == want)
        return true;
    if (key)
        warn(cfg, v, dont_warn, "parameter `%s' is %s but should be %s",
             key, is, should);
    else
        warn(cfg, v, dont_warn, "value is %s but should be %s", is,
             should);
    return false;
}

int xlu_cfg_get_string(const XLU_Config *cfg, const char *key,
                       const char **value_r, int dont_warn)
{
    const XLU_ConfigValue *v = find_value(cfg, key);

    if (!v)
        return ESRCH;
    if (!type_ok(cfg, v, XLU_STRING, key, dont_warn))
        return EINVAL;
    *value_r = v->u.string;
    return 0;
}

int xlu_cfg_replace_string(const XLU_Config *cfg, const char *key,
                           char **value_r, int dont_warn)
{
    const char *s;
    char *copy;
    int rc;

    rc = xlu_cfg_get_string(cfg, key, &s, dont_warn);
    if (rc)
        return rc;
    copy = strdup(s);
    if (!copy)
        return ENOMEM;
    free(*value_r);
    *value_r = copy;
    return 0;
}

/* The number KEY, min <= value <= max. */
static int get_long_in(const XLU_Config *cfg, const char *key, long min,
                       long max, long *value_r, int dont_warn)
{
    const XLU_ConfigValue *v = find_value(cfg, key);
    gfn_range_err err;
    uint64_t val;
    int r;

    if (!v)
        return ESRCH;
    if (!type_ok(cfg, v, XLU_STRING, key, dont_warn))
        return EINVAL;
    if (v->number) {
        val = v->num;
    } else {
        /* A quoted number, as Xen allows, in the same strict syntax. */
        r = gfn_range_parse_u64(v->u.string, NULL, UINT64_MAX, &val, &err);
        if (r == GFN_RANGE_EOVERFLOW) {
            warn(cfg, v, dont_warn, "parameter `%s' is out of range: %s",
                 key, err.msg);
            return ERANGE;
        }
        if (r) {
            warn(cfg, v, dont_warn, "parameter `%s' is not a number: %s",
                 key, err.msg);
            return EINVAL;
        }
    }

    if (val > LONG_MAX && min == LONG_MIN && max == LONG_MAX) {
        warn(cfg, v, dont_warn, "parameter `%s' is out of range: %s is "
             "above LONG_MAX (%ld)", key, v->u.string, LONG_MAX);
        return ERANGE;
    }
    if (val > LONG_MAX || (long)val < min || (long)val > max) {
        warn(cfg, v, dont_warn, "parameter `%s' is out of range: %s is "
             "not between %ld and %ld", key, v->u.string, min, max);
        return ERANGE;
    }
    *value_r = (long)val;
    return 0;
}

int xlu_cfg_get_long(const XLU_Config *cfg, const char *key, long *value_r,
                     int dont_warn)
{
    return get_long_in(cfg, key, LONG_MIN, LONG_MAX, value_r, dont_warn);
}

int xlu_cfg_get_bounded_long(const XLU_Config *cfg, const char *key,
                             long min, long max, long *value_r,
                             int dont_warn)
{
    return get_long_in(cfg, key, min, max, value_r, dont_warn);
}

int xlu_cfg_get_defbool(const XLU_Config *cfg, const char *key,
                        bool *value_r, int dont_warn)
{
    long l;
    int rc;

    rc = get_long_in(cfg, key, 0, 1, &l, dont_warn);
    if (rc)
        return rc;
    *value_r = l;
    return 0;
}

int xlu_cfg_get_list(const XLU_Config *cfg, const char *key,
                     const XLU_ConfigList **list_r, int *entries_r,
                     int dont_warn)
{
    const XLU_ConfigValue *v = find_value(cfg, key);

    if (!v)
        return ESRCH;
    if (!type_ok(cfg, v, XLU_LIST, key, dont_warn))
        return EINVAL;
    if (list_r)
        *list_r = &v->u.list;
    if (entries_r)
        *entries_r = v->u.list.nvalues;
    return 0;
}

const XLU_ConfigValue *xlu_cfg_get_listitem2(const XLU_ConfigList *list,
                                             int entry)
{
    if (entry < 0 || entry >= list->nvalues)
        return NULL;
    return list->values[entry];
}

const char *xlu_cfg_get_listitem(const XLU_ConfigList *list, int entry)
{
    const XLU_ConfigValue *v = xlu_cfg_get_listitem2(list, entry);

    if (!v || v->type != XLU_STRING)
        return NULL;
    return v->u.string;
}

int xlu_cfg_get_list_as_string_list(const XLU_Config *cfg, const char *key,
                                    char ***strings_r, int dont_warn)
{
    const XLU_ConfigList *list;
    char **sl = NULL;
    int i, n, rc;

    rc = xlu_cfg_get_list(cfg, key, &list, &n, dont_warn);
    if (rc)
        goto out;
    for (i = 0; i < n; i++) {
        if (list->values[i]->type != XLU_STRING) {
            warn(cfg, list->values[i], dont_warn, "parameter `%s': entry "
                 "%d is a list but should be a single value", key, i + 1);
            rc = EINVAL;
            goto out;
        }
    }
    sl = calloc((size_t)n + 1, sizeof(*sl));
    if (!sl) {
        rc = ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        sl[i] = strdup(list->values[i]->u.string);
        if (!sl[i]) {
            rc = ENOMEM;
            goto out;
        }
    }
    *strings_r = sl;
    sl = NULL;
    rc = 0;

 out:
    if (sl) {
        for (i = 0; sl[i]; i++)
            free(sl[i]);
        free(sl);
    }
    return rc;
}

enum XLU_ConfigValueType xlu_cfg_value_type(const XLU_ConfigValue *value)
{
    return value->type;
}

int xlu_cfg_value_get_string(const XLU_Config *cfg,
                             const XLU_ConfigValue *value,
                             const char **value_r, int dont_warn)
{
    if (!type_ok(cfg, value, XLU_STRING, NULL, dont_warn))
        return EINVAL;
    *value_r = value->u.string;
    return 0;
}

int xlu_cfg_value_get_list(const XLU_Config *cfg,
                           const XLU_ConfigValue *value,
                           const XLU_ConfigList **value_r, int dont_warn)
{
    if (!type_ok(cfg, value, XLU_LIST, NULL, dont_warn))
        return EINVAL;
    *value_r = &value->u.list;
    return 0;
}

/* ---- GFN ranges ------------------------------------------------------- */

int xlu_cfg_get_gfn_ranges(const XLU_Config *cfg, const char *key,
                           gfn_range **ranges_r, int *count_r,
                           int dont_warn)
{
    const XLU_ConfigValue *v, *e, *ea, *eb;
    const XLU_ConfigList *list;
    gfn_range *r = NULL;
    gfn_range_err err;
    size_t a, b;
    bool bad = false;
    int i, n, rc;

    v = find_value(cfg, key);
    if (!v) {
        rc = ESRCH;
        goto out;
    }
    if (v->type != XLU_LIST) {
        if (!dont_warn)
            xlu__cfg_report(cfg, v->source, v->line, "%s: a list is "
                            "expected, e.g. %s = [ \"0x1000-0x10ff\" ], "
                            "not a single value", key, key);
        rc = EINVAL;
        goto out;
    }
    list = &v->u.list;
    n = list->nvalues;
    if (!n) {
        *ranges_r = NULL;
        *count_r = 0;
        rc = 0;
        goto out;
    }

    r = calloc((size_t)n, sizeof(*r));
    if (!r) {
        rc = ENOMEM;
        goto out;
    }
    /* Every bad entry gets its message, not just the first. */
    for (i = 0; i < n; i++) {
        e = list->values[i];
        if (e->type != XLU_STRING) {
            xlu__cfg_report(cfg, e->source, e->line, "%s: entry %d is a "
                            "list, but should be a GFN range such as "
                            "\"0x1000-0x10ff\"", key, i + 1);
            bad = true;
        } else if (gfn_range_parse(e->u.string, &r[i], &err)) {
            xlu__cfg_report(cfg, e->source, e->line, "%s: %s", key,
                            err.msg);
            bad = true;
        }
    }
    if (bad) {
        rc = EINVAL;
        goto out;
    }

    rc = gfn_range_check_overlap(r, (size_t)n, &a, &b, &err);
    if (rc == GFN_RANGE_ENOMEM) {
        rc = ENOMEM;
        goto out;
    }
    if (rc) {
        /* The library names them by position; add how they were written. */
        ea = list->values[a];
        eb = list->values[b];
        xlu__cfg_report(cfg, eb->source, eb->line, "%s: %s (entry %zu is "
                        "\"%s\" at %s:%d, entry %zu is \"%s\" at %s:%d)",
                        key, err.msg, a + 1, ea->u.string, ea->source,
                        ea->line, b + 1, eb->u.string, eb->source,
                        eb->line);
        rc = EINVAL;
        goto out;
    }

    *count_r = (int)gfn_range_coalesce(r, (size_t)n);
    *ranges_r = r;
    r = NULL;
    rc = 0;

 out:
    free(r);
    return rc;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
