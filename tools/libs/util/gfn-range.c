/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Strict GFN-range and number parsing; see gfn-range.h for the grammar.
 *
 * Hand-written rather than strtoull-based on purpose: strtoull skips
 * leading whitespace, accepts a sign (and turns "-1" into 2^64 - 1),
 * reads "010" as octal in base 0 and "0x" as 0 followed by junk.  Xen's
 * ioports= and iomem= parsers inherit such behaviour (a minus sign,
 * leading spaces and trailing junk accepted, reversed ranges kept).
 * Only ASCII is accepted, whatever the locale.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gfn-range.h"

/* How much of the input a message quotes before cutting it with "...". */
#define QUOTE_MAX 64
/* How much of the junk after a number it quotes (the input is quoted). */
#define REST_MAX 40

#define FORMS "GFN, FIRST-LAST or FIRST+COUNT, " \
    "e.g. 0x1000, 0x1000-0x10ff or 0x1000+16"
#define HINT_RANGE "expected " FORMS
#define HINT_LAST "expected FIRST-LAST, e.g. 0x1000-0x10ff"
#define HINT_COUNT "expected FIRST+COUNT, e.g. 0x1000+16"
#define HINT_NUMBER "expected a decimal number or a hex number with 0x, " \
    "e.g. 4096 or 0x1000"

#define WRAP_FMT "range wraps past 0xffffffffffffffff (FIRST + COUNT - 1 " \
    "must not exceed it); from %s, COUNT is at most "

/* What is being parsed, for the messages. */
struct ctx {
    const char *s;              /* the whole input */
    const char *what;           /* the caller's name for a lone number */
    bool range;                 /* a GFN-RANGE rather than a lone number */
    gfn_range_err *err;
};

/* One NUMBER as scanned. */
struct num {
    const char *start;
    size_t len;
    uint64_t val;
    bool hex;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
        c == '\f';
}

/*
 * Copy len bytes of p into out (of size outsz) as printable ASCII: quotes,
 * backslashes and non-printable bytes escaped, cut with "..." when longer
 * than QUOTE_MAX or than out has room for.
 */
static void excerpt(char *out, size_t outsz, const char *p, size_t len)
{
    size_t o = 0, i;

    for (i = 0; i < len; i++) {
        unsigned char c = p[i];
        char tmp[5];

        if (c == '"' || c == '\\')
            snprintf(tmp, sizeof(tmp), "\\%c", c);
        else if (c == '\n')
            snprintf(tmp, sizeof(tmp), "\\n");
        else if (c == '\t')
            snprintf(tmp, sizeof(tmp), "\\t");
        else if (c < 0x20 || c >= 0x7f)
            snprintf(tmp, sizeof(tmp), "\\x%02x", c);
        else
            snprintf(tmp, sizeof(tmp), "%c", c);

        /* Keep room for "..." and the terminating NUL. */
        if (i >= QUOTE_MAX || o + strlen(tmp) + 4 > outsz) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, tmp, strlen(tmp));
        o += strlen(tmp);
    }
    out[o] = '\0';
}

/* Record error rc: '[what ]"input": ' followed by the formatted detail. */
static int fail(const struct ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const struct ctx *c, int rc, const char *fmt, ...)
{
    char quoted[QUOTE_MAX * 4 + 4];
    va_list ap;
    int n;

    if (!c->err)
        return rc;
    c->err->rc = rc;
    excerpt(quoted, sizeof(quoted), c->s, strlen(c->s));
    n = snprintf(c->err->msg, sizeof(c->err->msg), "%s%s\"%s\": ",
                 c->what ? c->what : "", c->what ? " " : "", quoted);
    if (n < 0 || (size_t)n >= sizeof(c->err->msg))
        return rc;
    va_start(ap, fmt);
    vsnprintf(c->err->msg + n, sizeof(c->err->msg) - n, fmt, ap);
    va_end(ap);
    return rc;
}

/* The hint for the number expected after sep ('\0' at the start). */
static const char *hint(const struct ctx *c, char sep)
{
    if (!c->range)
        return HINT_NUMBER;
    if (sep == '-')
        return HINT_LAST;
    if (sep == '+')
        return HINT_COUNT;
    return HINT_RANGE;
}

/* Describe the character at p for a message: 'x', or "nothing". */
static void describe_char(char *out, size_t outsz, const char *p)
{
    char e[8];

    if (!*p) {
        snprintf(out, outsz, "nothing");
        return;
    }
    excerpt(e, sizeof(e), p, 1);
    snprintf(out, outsz, "'%s'", e);
}

/* Refuse the character at p where a number should start. */
static int no_number(const struct ctx *c, const char *p, char sep)
{
    size_t pos = p - c->s;
    char found[16];

    if (*p == '-')
        return fail(c, GFN_RANGE_ENEGATIVE,
                    "negative numbers are not allowed ('-' at position %zu)"
                    "; %s", pos, hint(c, sep));
    if (!*p)
        return fail(c, GFN_RANGE_ENONUMBER, "no number after '%c'; %s",
                    sep, hint(c, sep));
    if (*p == '+' && c->range && !sep)
        return fail(c, GFN_RANGE_ENONUMBER,
                    "FIRST is missing before '+'; %s", HINT_COUNT);
    describe_char(found, sizeof(found), p);
    return fail(c, GFN_RANGE_ENONUMBER,
                "found %s at position %zu where a number should start%s; %s",
                found, pos, *p == '+' ? " (numbers take no sign)" : "",
                hint(c, sep));
}

/*
 * Scan one NUMBER starting at *pp, which follows separator sep ('\0' for
 * the first number).  On success fill *n and leave *pp after the number;
 * what follows it is the caller's to check.
 */
static int scan_number(const struct ctx *c, const char **pp, char sep,
                       struct num *n)
{
    const char *p = *pp, *digits;
    char tok[QUOTE_MAX + 4];
    uint64_t val = 0;
    bool overflow = false;
    int d;

    if (!is_digit(*p))
        return no_number(c, p, sep);

    n->start = p;
    n->hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    if (n->hex) {
        char found[16];

        digits = p + 2;
        if (hex_value(*digits) < 0) {
            describe_char(found, sizeof(found), digits);
            return fail(c, GFN_RANGE_ENOHEXDIGITS,
                        "\"%.2s\" at position %zu must be followed by hex "
                        "digits (0-9, a-f), found %s; e.g. 0x1f",
                        p, (size_t)(p - c->s), found);
        }
        for (p = digits; (d = hex_value(*p)) >= 0; p++) {
            if (val > UINT64_MAX >> 4)
                overflow = true;
            val = (val << 4) | d;
        }
    } else {
        digits = p;
        for (; is_digit(*p); p++) {
            d = *p - '0';
            if (val > (UINT64_MAX - d) / 10)
                overflow = true;
            val = val * 10 + d;
        }
        if (digits[0] == '0' && p - digits > 1) {
            const char *nz = digits;

            while (nz < p - 1 && *nz == '0')
                nz++;
            excerpt(tok, sizeof(tok), digits, p - digits);
            return fail(c, GFN_RANGE_ELEADINGZERO,
                        "leading zero in decimal number %s (octal is not "
                        "supported); write %.*s for decimal or 0x%.*s for "
                        "hex", tok, (int)(p - nz), nz, (int)(p - nz), nz);
        }
    }

    n->len = p - n->start;
    if (overflow) {
        excerpt(tok, sizeof(tok), n->start, n->len);
        return fail(c, GFN_RANGE_EOVERFLOW,
                    "%s does not fit in 64 bits (the largest number is "
                    "0xffffffffffffffff = 18446744073709551615)", tok);
    }
    n->val = val;
    *pp = p;
    return 0;
}

/* Refuse what follows number n at p, which is neither the end nor valid. */
static int junk(const struct ctx *c, const struct num *n, const char *p,
                char sep)
{
    char rest[REST_MAX], tok[QUOTE_MAX + 4];
    const char *q;
    bool hexish = false;

    excerpt(rest, sizeof(rest), p, strlen(p));
    excerpt(tok, sizeof(tok), n->start, n->len);

    /* "12abc": a hex number without its 0x. */
    for (q = p; hex_value(*q) >= 0; q++)
        if (!is_digit(*q))
            hexish = true;
    if (!n->hex && hexish && (!*q || (c->range && !sep &&
                                      (*q == '-' || *q == '+'))))
        return fail(c, GFN_RANGE_EJUNK,
                    "unexpected \"%s\" after the number %s; hex numbers "
                    "need the 0x prefix: 0x%s%.*s", rest, tok, tok,
                    (int)(q - p), p);
    if (n->hex && ((*p >= 'g' && *p <= 'z') || (*p >= 'G' && *p <= 'Z')))
        return fail(c, GFN_RANGE_EJUNK,
                    "unexpected \"%s\" after the number %s: '%c' is not a "
                    "hex digit (0-9, a-f)", rest, tok, *p);
    if (!c->range)
        return fail(c, GFN_RANGE_EJUNK,
                    "unexpected \"%s\" after the number %s; %s",
                    rest, tok, HINT_NUMBER);
    if (!sep)
        return fail(c, GFN_RANGE_EJUNK,
                    "unexpected \"%s\" after %s; a GFN-RANGE is %s",
                    rest, tok, FORMS);
    if (*p == '-' || *p == '+')
        return fail(c, GFN_RANGE_EJUNK,
                    "unexpected \"%s\" after %s; a GFN-RANGE has one '-' "
                    "or '+': give several ranges as separate entries",
                    rest, tok);
    return fail(c, GFN_RANGE_EJUNK,
                "unexpected \"%s\" after %s %s; %s", rest,
                sep == '-' ? "LAST" : "COUNT", tok, hint(c, sep));
}

/* Refuse whitespace anywhere, before anything else is looked at. */
static int check_space(const struct ctx *c)
{
    const char *p;

    for (p = c->s; *p; p++)
        if (is_space(*p))
            return fail(c, GFN_RANGE_ESPACE,
                        "contains whitespace at position %zu; write it "
                        "without spaces, e.g. %s", (size_t)(p - c->s),
                        c->range ? "0x1000-0x10ff" : "0x1000");
    return 0;
}

int gfn_range_parse(const char *s, gfn_range *r, gfn_range_err *err)
{
    struct ctx c = { .s = s, .range = true, .err = err };
    struct num a, b;
    const char *p = s;
    char sep, ta[QUOTE_MAX + 4], tb[QUOTE_MAX + 4];
    int rc;

    if (!s || !*s) {
        if (err) {
            err->rc = GFN_RANGE_EEMPTY;
            snprintf(err->msg, sizeof(err->msg), "\"\": empty GFN range; %s",
                     HINT_RANGE);
        }
        return GFN_RANGE_EEMPTY;
    }
    rc = check_space(&c);
    if (rc)
        return rc;

    rc = scan_number(&c, &p, '\0', &a);
    if (rc)
        return rc;
    if (!*p) {
        r->first = r->last = a.val;
        return 0;
    }
    if (*p != '-' && *p != '+')
        return junk(&c, &a, p, '\0');
    sep = *p++;
    rc = scan_number(&c, &p, sep, &b);
    if (rc)
        return rc;
    if (*p)
        return junk(&c, &b, p, sep);

    excerpt(ta, sizeof(ta), a.start, a.len);
    excerpt(tb, sizeof(tb), b.start, b.len);
    if (sep == '-') {
        if (a.val > b.val)
            return fail(&c, GFN_RANGE_EREVERSED,
                        "range is reversed (first %s > last %s); write "
                        "%s-%s", ta, tb, tb, ta);
        r->first = a.val;
        r->last = b.val;
        return 0;
    }

    if (b.val == 0)
        return fail(&c, GFN_RANGE_ECOUNTZERO,
                    "COUNT is 0, but a range covers at least one page; "
                    "write %s for one page", ta);
    /* The last frame is first + count - 1; a is not 0 if this fires. */
    if (b.val - 1 > UINT64_MAX - a.val) {
        uint64_t most = UINT64_MAX - a.val + 1;

        if (b.hex)
            return fail(&c, GFN_RANGE_EWRAP, WRAP_FMT "0x%" PRIx64,
                        ta, most);
        return fail(&c, GFN_RANGE_EWRAP, WRAP_FMT "%" PRIu64, ta, most);
    }
    r->first = a.val;
    r->last = a.val + (b.val - 1);
    return 0;
}

int gfn_range_parse_u64(const char *s, const char *what, uint64_t max,
                        uint64_t *val, gfn_range_err *err)
{
    struct ctx c = { .s = s, .what = what, .err = err };
    const char *p = s;
    char tok[QUOTE_MAX + 4];
    struct num n;
    int rc;

    if (!s || !*s) {
        if (err) {
            err->rc = GFN_RANGE_EEMPTY;
            snprintf(err->msg, sizeof(err->msg), "empty %s; %s",
                     what ? what : "number", HINT_NUMBER);
        }
        return GFN_RANGE_EEMPTY;
    }
    rc = check_space(&c);
    if (rc)
        return rc;
    rc = scan_number(&c, &p, '\0', &n);
    if (rc)
        return rc;
    if (*p)
        return junk(&c, &n, p, '\0');
    if (n.val > max) {
        excerpt(tok, sizeof(tok), n.start, n.len);
        if (n.hex)
            return fail(&c, GFN_RANGE_ETOOLARGE,
                        "%s is too large (at most 0x%" PRIx64 ")", tok, max);
        return fail(&c, GFN_RANGE_ETOOLARGE,
                    "%s is too large (at most %" PRIu64 ")", tok, max);
    }
    *val = n.val;
    return 0;
}

const char *gfn_range_strerror(int rc)
{
    switch (rc) {
    case 0: return "success";
    case GFN_RANGE_EEMPTY: return "empty input";
    case GFN_RANGE_ESPACE: return "whitespace in the input";
    case GFN_RANGE_ENONUMBER: return "a number is missing";
    case GFN_RANGE_ENEGATIVE: return "negative number";
    case GFN_RANGE_ENOHEXDIGITS: return "0x without hex digits";
    case GFN_RANGE_ELEADINGZERO: return "decimal number with a leading zero";
    case GFN_RANGE_EJUNK: return "unexpected characters after a number";
    case GFN_RANGE_EOVERFLOW: return "number does not fit in 64 bits";
    case GFN_RANGE_ETOOLARGE: return "number too large";
    case GFN_RANGE_EREVERSED: return "reversed range";
    case GFN_RANGE_ECOUNTZERO: return "count of 0";
    case GFN_RANGE_EWRAP: return "range wraps past 2^64 - 1";
    case GFN_RANGE_EOVERLAP: return "ranges overlap";
    case GFN_RANGE_EDUPLICATE: return "range repeated";
    case GFN_RANGE_ENOMEM: return "out of memory";
    default: return "unknown error";
    }
}

void gfn_range_format(const gfn_range *r, char buf[GFN_RANGE_STRLEN])
{
    if (r->first == r->last)
        snprintf(buf, GFN_RANGE_STRLEN, "0x%" PRIx64, r->first);
    else
        snprintf(buf, GFN_RANGE_STRLEN, "0x%" PRIx64 "-0x%" PRIx64,
                 r->first, r->last);
}

bool gfn_range_overlaps(const gfn_range *a, const gfn_range *b)
{
    return a->first <= b->last && b->first <= a->last;
}

bool gfn_range_intersect(const gfn_range *a, const gfn_range *b,
                         gfn_range *x)
{
    if (!gfn_range_overlaps(a, b))
        return false;
    x->first = a->first > b->first ? a->first : b->first;
    x->last = a->last < b->last ? a->last : b->last;
    return true;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_range(const void *pa, const void *pb)
{
    const gfn_range *a = pa, *b = pb;

    return a->first != b->first ? cmp_u64(a->first, b->first)
                                : cmp_u64(a->last, b->last);
}

void gfn_range_sort(gfn_range *r, size_t n)
{
    if (n > 1)
        qsort(r, n, sizeof(*r), cmp_range);
}

size_t gfn_range_coalesce(gfn_range *r, size_t n)
{
    size_t i, j = 0;

    if (!n)
        return 0;
    gfn_range_sort(r, n);
    for (i = 1; i < n; i++) {
        /* Touching means r[i] starts right after r[j]; mind 2^64 - 1. */
        if (r[j].last == UINT64_MAX || r[i].first <= r[j].last + 1) {
            if (r[i].last > r[j].last)
                r[j].last = r[i].last;
        } else {
            r[++j] = r[i];
        }
    }
    return j + 1;
}

/* A range with its position in the caller's list. */
struct indexed {
    gfn_range r;
    size_t idx;
};

static int cmp_indexed(const void *pa, const void *pb)
{
    const struct indexed *a = pa, *b = pb;
    int c = cmp_range(&a->r, &b->r);

    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

int gfn_range_check_overlap(const gfn_range *r, size_t n, size_t *a_r,
                            size_t *b_r, gfn_range_err *err)
{
    struct indexed *e = NULL;
    char ta[GFN_RANGE_STRLEN], tb[GFN_RANGE_STRLEN], tx[GFN_RANGE_STRLEN];
    gfn_range x;
    uint64_t reach;
    size_t i, owner, a, b;
    int rc;

    if (n < 2) {
        rc = 0;
        goto out;
    }
    e = calloc(n, sizeof(*e));
    if (!e) {
        rc = GFN_RANGE_ENOMEM;
        if (err) {
            err->rc = rc;
            snprintf(err->msg, sizeof(err->msg),
                     "out of memory checking %zu ranges for overlaps", n);
        }
        goto out;
    }
    for (i = 0; i < n; i++) {
        e[i].r = r[i];
        e[i].idx = i;
    }
    qsort(e, n, sizeof(*e), cmp_indexed);

    /*
     * In order of first frame, a range overlaps an earlier one iff it
     * starts at or before the furthest last frame seen so far.
     */
    reach = e[0].r.last;
    owner = e[0].idx;
    for (i = 1; i < n; i++) {
        if (e[i].r.first <= reach)
            break;
        reach = e[i].r.last;
        owner = e[i].idx;
    }
    if (i == n) {
        rc = 0;
        goto out;
    }

    a = owner < e[i].idx ? owner : e[i].idx;
    b = owner < e[i].idx ? e[i].idx : owner;
    if (a_r)
        *a_r = a;
    if (b_r)
        *b_r = b;
    gfn_range_format(&r[a], ta);
    gfn_range_format(&r[b], tb);
    if (r[a].first == r[b].first && r[a].last == r[b].last) {
        rc = GFN_RANGE_EDUPLICATE;
        if (err)
            snprintf(err->msg, sizeof(err->msg),
                     "entry %zu (%s) repeats entry %zu; give each range "
                     "once", b + 1, tb, a + 1);
    } else {
        rc = GFN_RANGE_EOVERLAP;
        gfn_range_intersect(&r[a], &r[b], &x);
        gfn_range_format(&x, tx);
        if (err)
            snprintf(err->msg, sizeof(err->msg),
                     "entries %zu (%s) and %zu (%s) overlap at %s; give "
                     "each page once", a + 1, ta, b + 1, tb, tx);
    }
    if (err)
        err->rc = rc;

 out:
    free(e);
    return rc;
}
