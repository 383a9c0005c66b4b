/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Run (build dir): make tools/libs/util/fuzz-gfn-range tools/libs/util/fuzz-gfn-range-replay && tools/libs/util/fuzz-gfn-range-replay --write-seeds CORPUS && tools/libs/util/fuzz-gfn-range -max_total_time=180 CORPUS
 *
 * Fuzz target of the GFN-range parser and the range-list operations
 * (libFuzzer: LLVMFuzzerTestOneInput).
 *
 * The input is a list of items separated by ',' or NUL.  Each item is
 * parsed as a GFN-RANGE and as a lone number, and the parser's verdict is
 * compared with a reference written here from the grammar in
 * gfn-range.h alone: accepted exactly when the grammar says, with the
 * same values, and refused with the class of error the grammar implies
 * where it implies one (empty, whitespace, overflow, reversed, count 0,
 * wrap-around, too large).  Also: first <= last on success; a failed
 * call leaves its outputs untouched; its message is one printable line
 * and names the number's caller; a range formats into text that parses
 * back to itself and formats the same again.
 *
 * The ranges parsed go through the list operations: overlaps and
 * intersect against every other range, check_overlap against a
 * quadratic reference (and its indices point at a pair that really
 * overlaps), sort (a sorted permutation) and coalesce (sorted, neither
 * overlapping nor touching, covering exactly the frames of the input).
 *
 * Built with -DFUZZ_REPLAY_MAIN and tools/tests/fuzz-replay.c, it runs
 * its seeds in make check (see tools/tests/fuzz.h).
 */
#include "fuzz.h"
#include "gfn-range.h"

/* Ranges kept for the list operations (they are quadratic here). */
#define MAX_RANGES      64
/* What parse_u64's limit is, when the input does not choose. */
#define SOME_LIMIT      0xfffffUL

/* ---- The reference: the grammar of gfn-range.h, read naively ------------ */

enum ref_num {
    REF_OK,
    REF_SYNTAX,                 /* not a NUMBER at all */
    REF_OVERFLOW,               /* a NUMBER above 2^64 - 1 */
};

static bool ref_hex_digit(char c, unsigned int *d)
{
    if (c >= '0' && c <= '9')
        *d = c - '0';
    else if (c >= 'a' && c <= 'f')
        *d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        *d = c - 'A' + 10;
    else
        return false;
    return true;
}

/*
 * NUMBER := "0" | [1-9][0-9]* | ("0x" | "0X") [0-9a-fA-F]+, on s[0, len).
 * Its value through unsigned __int128, which no 20-digit decimal or
 * 16-digit hex number overflows before the check.
 */
static enum ref_num ref_number(const char *s, size_t len, uint64_t *v)
{
    unsigned __int128 acc = 0;
    unsigned int d, base = 10;
    size_t i = 0;

    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (len == 2)
            return REF_SYNTAX;
    } else if (len == 0 || (s[0] == '0' && len > 1)) {
        return REF_SYNTAX;
    }
    for (; i < len; i++) {
        if (base == 10 ? !(s[i] >= '0' && s[i] <= '9')
                       : !ref_hex_digit(s[i], &d))
            return REF_SYNTAX;
        if (base == 10)
            d = s[i] - '0';
        if (acc <= UINT64_MAX)
            acc = acc * base + d;
    }
    if (acc > UINT64_MAX)
        return REF_OVERFLOW;
    *v = (uint64_t)acc;
    return REF_OK;
}

struct ref_range {
    bool ok;
    int rc;                     /* the expected class, 0 if not implied */
    gfn_range r;
};

/* GFN-RANGE := NUMBER | NUMBER "-" NUMBER | NUMBER "+" NUMBER */
static struct ref_range ref_range(const char *s)
{
    struct ref_range out = { .ok = false, .rc = 0 };
    size_t len = strlen(s), sep = strcspn(s, "-+");
    enum ref_num ka, kb = REF_OK;
    uint64_t a = 0, b = 0;

    if (!len) {
        out.rc = GFN_RANGE_EEMPTY;
        return out;
    }
    if (strpbrk(s, " \t\n\v\f\r")) {
        out.rc = GFN_RANGE_ESPACE;
        return out;
    }
    ka = ref_number(s, sep, &a);
    if (sep < len)
        kb = ref_number(s + sep + 1, len - sep - 1, &b);
    if (ka == REF_SYNTAX || kb == REF_SYNTAX)
        return out;
    if (ka == REF_OVERFLOW || kb == REF_OVERFLOW) {
        out.rc = GFN_RANGE_EOVERFLOW;
        return out;
    }
    if (sep == len) {
        out.r.first = out.r.last = a;
    } else if (s[sep] == '-') {
        if (a > b) {
            out.rc = GFN_RANGE_EREVERSED;
            return out;
        }
        out.r.first = a;
        out.r.last = b;
    } else {
        if (b == 0) {
            out.rc = GFN_RANGE_ECOUNTZERO;
            return out;
        }
        if ((unsigned __int128)a + b - 1 > UINT64_MAX) {
            out.rc = GFN_RANGE_EWRAP;
            return out;
        }
        out.r.first = a;
        out.r.last = a + (b - 1);
    }
    out.ok = true;
    return out;
}

/* ---- Checks on one item ------------------------------------------------- */

static bool is_error_code(int rc)
{
    return rc <= GFN_RANGE_EEMPTY && rc >= GFN_RANGE_ENOMEM &&
        strcmp(gfn_range_strerror(rc), "unknown error");
}

/* A failure's message: one printable line, the code recorded. */
static void check_error(const gfn_range_err *err, int rc)
{
    size_t len = strnlen(err->msg, sizeof(err->msg)), i;

    CHECK(is_error_code(rc));
    CHECK(err->rc == rc);
    CHECK(len > 0 && len < sizeof(err->msg));
    for (i = 0; i < len; i++)
        CHECK(err->msg[i] >= 0x20 && err->msg[i] < 0x7f);
}

/* The canonical text of r parses back to r, and is its own canon. */
static void check_format(const gfn_range *r)
{
    char text[GFN_RANGE_STRLEN], again[GFN_RANGE_STRLEN];
    gfn_range back;
    gfn_range_err err;

    memset(text, 'x', sizeof(text));
    gfn_range_format(r, text);
    CHECK(memchr(text, '\0', sizeof(text)));
    CHECK(gfn_range_parse(text, &back, &err) == 0);
    CHECK(back.first == r->first && back.last == r->last);
    gfn_range_format(&back, again);
    CHECK(!strcmp(text, again));
}

static void check_range(const char *s, gfn_range *out, size_t *nr)
{
    static const gfn_range poison = { 0x5a5a5a5a5a5a5a5a, 0xa5a5 };
    struct ref_range ref = ref_range(s);
    gfn_range r = poison;
    gfn_range_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = gfn_range_parse(s, &r, &err);
    CHECK(!rc == ref.ok);
    /* Without err it decides the same. */
    CHECK(gfn_range_parse(s, &(gfn_range){ 0 }, NULL) == rc);
    if (rc) {
        check_error(&err, rc);
        if (ref.rc)
            CHECK(rc == ref.rc);
        CHECK(r.first == poison.first && r.last == poison.last);
        return;
    }
    CHECK(r.first <= r.last);
    CHECK(r.first == ref.r.first && r.last == ref.r.last);
    check_format(&r);
    if (*nr < MAX_RANGES)
        out[(*nr)++] = r;
}

static void check_number(const char *s, uint64_t max)
{
    static const char *const names[] = { NULL, "GPA", "--vcpu" };
    const char *what = names[max % 3];
    struct ref_range ref = ref_range(s);
    bool lone = ref.ok && !strpbrk(s, "-+");
    uint64_t v = 0x5a5a5a5a5a5a5a5a;
    gfn_range_err err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = gfn_range_parse_u64(s, what, max, &v, &err);
    CHECK(!rc == (lone && ref.r.first <= max));
    if (!rc) {
        CHECK(v == ref.r.first);
        return;
    }
    check_error(&err, rc);
    CHECK(v == 0x5a5a5a5a5a5a5a5a);
    if (lone)
        CHECK(rc == GFN_RANGE_ETOOLARGE);
    else if (ref.rc == GFN_RANGE_EEMPTY || ref.rc == GFN_RANGE_ESPACE ||
             (ref.rc == GFN_RANGE_EOVERFLOW && !strpbrk(s, "-+")))
        CHECK(rc == ref.rc);
    if (what)
        CHECK(strstr(err.msg, what));
}

/* ---- Checks on the list of ranges --------------------------------------- */

static bool same(const gfn_range *a, const gfn_range *b)
{
    return a->first == b->first && a->last == b->last;
}

static bool inside(const gfn_range *in, const gfn_range *out)
{
    return in->first >= out->first && in->last <= out->last;
}

/* Frame g is in some range of r[0, n). */
static bool covered(const gfn_range *r, size_t n, uint64_t g)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (g >= r[i].first && g <= r[i].last)
            return true;
    return false;
}

static void check_pairs(const gfn_range *r, size_t n)
{
    gfn_range x, keep = { 1, 0 };
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            bool o = gfn_range_overlaps(&r[i], &r[j]);
            bool naive = covered(&r[j], 1, r[i].first) ||
                         covered(&r[i], 1, r[j].first);

            CHECK(o == naive);
            CHECK(o == gfn_range_overlaps(&r[j], &r[i]));
            x = keep;
            CHECK(gfn_range_intersect(&r[i], &r[j], &x) == o);
            if (!o) {
                CHECK(same(&x, &keep));
                continue;
            }
            CHECK(x.first <= x.last);
            CHECK(inside(&x, &r[i]) && inside(&x, &r[j]));
            /* Nothing of both is left out. */
            CHECK(x.first == r[i].first || x.first == r[j].first);
            CHECK(x.last == r[i].last || x.last == r[j].last);
        }
    }
}

static void check_overlap(const gfn_range *r, size_t n)
{
    gfn_range copy[MAX_RANGES];
    bool any = false;
    size_t i, j, a = SIZE_MAX, b = SIZE_MAX;
    gfn_range_err err;
    int rc;

    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            any |= gfn_range_overlaps(&r[i], &r[j]);
    memcpy(copy, r, n * sizeof(*r));
    memset(&err, 0, sizeof(err));
    rc = gfn_range_check_overlap(copy, n, &a, &b, &err);
    CHECK(!memcmp(copy, r, n * sizeof(*r)));
    CHECK(!rc == !any);
    if (!rc) {
        CHECK(a == SIZE_MAX && b == SIZE_MAX);
        return;
    }
    check_error(&err, rc);
    CHECK(a < b && b < n);
    CHECK(gfn_range_overlaps(&r[a], &r[b]));
    CHECK(rc == (same(&r[a], &r[b]) ? GFN_RANGE_EDUPLICATE
                                    : GFN_RANGE_EOVERLAP));
    CHECK(gfn_range_check_overlap(r, n, NULL, NULL, NULL) == rc);
}

static void check_sort(const gfn_range *r, size_t n)
{
    gfn_range s[MAX_RANGES];
    size_t i, j, k, count;

    memcpy(s, r, n * sizeof(*r));
    gfn_range_sort(s, n);
    for (i = 1; i < n; i++)
        CHECK(s[i - 1].first < s[i].first ||
              (s[i - 1].first == s[i].first && s[i - 1].last <= s[i].last));
    /* A permutation: each range as often as in r. */
    for (i = 0; i < n; i++) {
        for (count = 0, j = 0; j < n; j++)
            count += same(&r[j], &r[i]);
        for (k = 0; k < n; k++)
            count -= same(&s[k], &r[i]);
        CHECK(count == 0);
    }
}

static void check_coalesce(const gfn_range *r, size_t n)
{
    gfn_range c[MAX_RANGES];
    size_t m, i, j, holder;
    bool first_found, last_found;

    memcpy(c, r, n * sizeof(*r));
    m = gfn_range_coalesce(c, n);
    CHECK(m <= n && (m > 0) == (n > 0));
    for (i = 0; i < m; i++) {
        CHECK(c[i].first <= c[i].last);
        if (i)
            CHECK(c[i].first > c[i - 1].last &&
                  c[i].first - c[i - 1].last > 1);
        first_found = last_found = false;
        for (j = 0; j < n; j++) {
            first_found |= r[j].first == c[i].first && inside(&r[j], &c[i]);
            last_found |= r[j].last == c[i].last && inside(&r[j], &c[i]);
            /* No gap: after every input range inside, the next frame. */
            if (inside(&r[j], &c[i]) && r[j].last < c[i].last)
                CHECK(covered(r, n, r[j].last + 1));
        }
        CHECK(first_found && last_found);
    }
    /* Every input range lies in exactly one output range. */
    for (j = 0; j < n; j++) {
        for (holder = 0, i = 0; i < m; i++)
            holder += inside(&r[j], &c[i]);
        CHECK(holder == 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gfn_range ranges[MAX_RANGES];
    size_t nr = 0;
    char *copy, *item, *end;
    uint64_t max = SOME_LIMIT;

    if (size > 1 << 16)
        return 0;
    copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (item = copy; item <= copy + size; item = end + 1) {
        end = item + strcspn(item, ",");
        *end = '\0';
        check_range(item, ranges, &nr);
        check_number(item, UINT64_MAX);
        check_number(item, max);
        /* The limit of the next item's number: this range's last. */
        if (nr)
            max = ranges[nr - 1].last;
    }
    check_pairs(ranges, nr);
    check_overlap(ranges, nr);
    check_sort(ranges, nr);
    check_coalesce(ranges, nr);
    free(copy);
    return 0;
}

#ifdef FUZZ_REPLAY_MAIN
static const char *const seeds[] = {
    "",
    "0,1,0x0,0X1f,4096,0x1000-0x10ff,0x1000+16,0+1,5-5",
    "010,00,0x,0xg,12abc,0x1fg,1-2-3,1+2+3,-1,+1,5-,5+,-,+,1--2,0x-1",
    " 1,1 ,1\t-2,\n,0x1 0",
    "18446744073709551615,18446744073709551616,0xffffffffffffffff",
    "0x10000000000000000,99999999999999999999999,0x0000000000000000001",
    "0xffffffffffffffff+1,0xffffffffffffffff+2,1+0xffffffffffffffff,"
        "0+0xffffffffffffffff,0-0xffffffffffffffff,2+0,9-8",
    "0x10-0x1f,0x20-0x2f,0x30,0x1f-0x20,0x10-0x1f,0-0xffffffffffffffff",
    "7,5,6,0xfffffffffffffffe-0xffffffffffffffff,0x100+0x100,0x1ff",
    "\x80\xff,\x01\x7f,a,\"1\",1\x80,0x1\x7f",
    "0x0000000000000000000000000000000000000000000000000000000000001f",
    "123456789012345678901234567890123456789012345678901234567890123456789"
        "01234567890",
};

bool fuzz_seed(size_t i, struct fuzz_input *in)
{
    return fuzz_seed_string(seeds, sizeof(seeds) / sizeof(seeds[0]), i,
                            in);
}
#endif
