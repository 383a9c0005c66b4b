/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Unit tests of the GFN-range parser: every accepted form, every class of
 * malformed input (each with its code and the gist of its message), the
 * number parser, coalescing and overlap detection, and a random
 * comparison against an independent regex-and-strtoull oracle.
 */
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gfn-range.h"

#define MAX UINT64_MAX
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct good {
    const char *s;
    uint64_t first, last;
};

struct bad {
    const char *s;
    int rc;
    const char *msg;            /* a substring the message must contain */
};

static void check_good(const struct good *g, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        gfn_range r = { 1234, 5678 };
        gfn_range_err err = { 0 };
        int rc = gfn_range_parse(g[i].s, &r, &err);

        if (rc || r.first != g[i].first || r.last != g[i].last)
            fail_msg("\"%s\": rc %d (%s), got 0x%" PRIx64 "-0x%" PRIx64
                     ", want 0x%" PRIx64 "-0x%" PRIx64, g[i].s, rc,
                     err.msg, r.first, r.last, g[i].first, g[i].last);
    }
}

static void check_bad(const struct bad *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        gfn_range r = { 1234, 5678 };
        gfn_range_err err = { 0 };
        int rc = gfn_range_parse(b[i].s, &r, &err);

        if (rc != b[i].rc || err.rc != rc)
            fail_msg("\"%s\": rc %d (%s), want %d", b[i].s ? b[i].s : "(null)",
                     rc, err.msg, b[i].rc);
        if (!strstr(err.msg, b[i].msg))
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", b[i].s,
                     err.msg, b[i].msg);
        if (r.first != 1234 || r.last != 5678)
            fail_msg("\"%s\": output written on failure", b[i].s);
        /* Messages are one line, without a trailing newline. */
        assert_null(strchr(err.msg, '\n'));
        /* Without err, the same code and no crash. */
        assert_int_equal(gfn_range_parse(b[i].s, &r, NULL), b[i].rc);
    }
}

static void test_single_gfn(void **state)
{
    static const struct good g[] = {
        { "0", 0, 0 },
        { "5", 5, 5 },
        { "4096", 4096, 4096 },
        { "0x1f", 0x1f, 0x1f },
        { "0X1F", 0x1f, 0x1f },
        { "0xAbC", 0xabc, 0xabc },
        { "0x0", 0, 0 },
        { "0x00ff", 0xff, 0xff },               /* hex may be zero-padded */
        { "0x000000000000000000000000001", 1, 1 },
        { "18446744073709551615", MAX, MAX },
        { "0xffffffffffffffff", MAX, MAX },
        { "0xFFFFFFFFFFFFFFFF", MAX, MAX },
    };

    (void)state;
    check_good(g, ARRAY_SIZE(g));
}

static void test_first_last(void **state)
{
    static const struct good g[] = {
        { "1-1", 1, 1 },
        { "0-0", 0, 0 },
        { "0x10-0x1f", 0x10, 0x1f },
        { "16-0x1f", 0x10, 0x1f },              /* bases may mix */
        { "0x10-31", 0x10, 0x1f },
        { "0-0xffffffffffffffff", 0, MAX },
        { "0xffffffffffffffff-0xffffffffffffffff", MAX, MAX },
        { "0-18446744073709551615", 0, MAX },
    };

    (void)state;
    check_good(g, ARRAY_SIZE(g));
}

static void test_first_count(void **state)
{
    static const struct good g[] = {
        { "5+1", 5, 5 },
        { "0x10+0x10", 0x10, 0x1f },
        { "0x1000+256", 0x1000, 0x10ff },
        { "0+1", 0, 0 },
        { "0+18446744073709551615", 0, MAX - 1 },
        { "0+0xffffffffffffffff", 0, MAX - 1 },
        { "1+0xffffffffffffffff", 1, MAX },     /* ends exactly at the top */
        { "0xffffffffffffffff+1", MAX, MAX },
        { "0xfffffffffffffff0+16", MAX - 15, MAX },
    };

    (void)state;
    check_good(g, ARRAY_SIZE(g));
}

static void test_empty(void **state)
{
    static const struct bad b[] = {
        { "", GFN_RANGE_EEMPTY, "empty GFN range; expected GFN, FIRST-LAST" },
        { NULL, GFN_RANGE_EEMPTY, "empty GFN range" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_whitespace(void **state)
{
    static const struct bad b[] = {
        { " 5", GFN_RANGE_ESPACE, "\" 5\": contains whitespace at "
          "position 0; write it without spaces" },
        { "5 ", GFN_RANGE_ESPACE, "at position 1" },
        { "5 - 6", GFN_RANGE_ESPACE, "at position 1" },
        { "5-\t6", GFN_RANGE_ESPACE, "\"5-\\t6\": contains whitespace" },
        { "5\n", GFN_RANGE_ESPACE, "\"5\\n\"" },
        { "0x1\r", GFN_RANGE_ESPACE, "position 3" },
        { " ", GFN_RANGE_ESPACE, "position 0" },
        { "1+\v2", GFN_RANGE_ESPACE, "position 2" },
        { "\f", GFN_RANGE_ESPACE, "position 0" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_missing_number(void **state)
{
    static const struct bad b[] = {
        { "5-", GFN_RANGE_ENONUMBER, "\"5-\": no number after '-'; "
          "expected FIRST-LAST" },
        { "5+", GFN_RANGE_ENONUMBER, "no number after '+'; expected "
          "FIRST+COUNT" },
        { "+3", GFN_RANGE_ENONUMBER, "FIRST is missing before '+'" },
        { "+", GFN_RANGE_ENONUMBER, "FIRST is missing before '+'" },
        { "5-+3", GFN_RANGE_ENONUMBER, "found '+' at position 2 where a "
          "number should start (numbers take no sign)" },
        { "5++3", GFN_RANGE_ENONUMBER, "found '+' at position 2" },
        { "x5", GFN_RANGE_ENONUMBER, "\"x5\": found 'x' at position 0 "
          "where a number should start; expected GFN, FIRST-LAST" },
        { "5-x", GFN_RANGE_ENONUMBER, "found 'x' at position 2 where a "
          "number should start; expected FIRST-LAST" },
        { "abc", GFN_RANGE_ENONUMBER, "found 'a'" },
        { ".5", GFN_RANGE_ENONUMBER, "found '.'" },
        { "\"", GFN_RANGE_ENONUMBER, "\"\\\"\": found '\\\"' at "
          "position 0" },
        { "\x01", GFN_RANGE_ENONUMBER, "found '\\x01'" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_negative(void **state)
{
    static const struct bad b[] = {
        { "-5", GFN_RANGE_ENEGATIVE, "\"-5\": negative numbers are not "
          "allowed ('-' at position 0); expected GFN, FIRST-LAST" },
        { "-", GFN_RANGE_ENEGATIVE, "('-' at position 0)" },
        { "-0x10", GFN_RANGE_ENEGATIVE, "('-' at position 0)" },
        { "5--3", GFN_RANGE_ENEGATIVE, "('-' at position 2); expected "
          "FIRST-LAST" },
        { "5+-1", GFN_RANGE_ENEGATIVE, "('-' at position 2); expected "
          "FIRST+COUNT" },
        { "--5", GFN_RANGE_ENEGATIVE, "position 0" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_no_hex_digits(void **state)
{
    static const struct bad b[] = {
        { "0x", GFN_RANGE_ENOHEXDIGITS, "\"0x\": \"0x\" at position 0 must "
          "be followed by hex digits (0-9, a-f), found nothing" },
        { "0X", GFN_RANGE_ENOHEXDIGITS, "\"0X\" at position 0" },
        { "0xg1", GFN_RANGE_ENOHEXDIGITS, "found 'g'" },
        { "0x-5", GFN_RANGE_ENOHEXDIGITS, "found '-'" },
        { "0x+5", GFN_RANGE_ENOHEXDIGITS, "found '+'" },
        { "5-0x", GFN_RANGE_ENOHEXDIGITS, "at position 2" },
        { "5+0x", GFN_RANGE_ENOHEXDIGITS, "at position 2" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_leading_zero(void **state)
{
    static const struct bad b[] = {
        { "010", GFN_RANGE_ELEADINGZERO, "\"010\": leading zero in decimal "
          "number 010 (octal is not supported); write 10 for decimal or "
          "0x10 for hex" },
        { "00", GFN_RANGE_ELEADINGZERO, "write 0 for decimal or 0x0" },
        { "007", GFN_RANGE_ELEADINGZERO, "write 7 for decimal or 0x7" },
        { "5-07", GFN_RANGE_ELEADINGZERO, "number 07" },
        { "1+01", GFN_RANGE_ELEADINGZERO, "number 01" },
        { "00x10", GFN_RANGE_ELEADINGZERO, "number 00" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_trailing_junk(void **state)
{
    static const struct bad b[] = {
        { "12abc", GFN_RANGE_EJUNK, "\"12abc\": unexpected \"abc\" after "
          "the number 12; hex numbers need the 0x prefix: 0x12abc" },
        { "1f-0x20", GFN_RANGE_EJUNK, "0x1f" },
        { "1-2f", GFN_RANGE_EJUNK, "0x2f" },
        { "1-2x", GFN_RANGE_EJUNK, "unexpected \"x\" after LAST 2" },
        { "1+2x", GFN_RANGE_EJUNK, "unexpected \"x\" after COUNT 2" },
        { "0x1g", GFN_RANGE_EJUNK, "'g' is not a hex digit" },
        { "0x0x5", GFN_RANGE_EJUNK, "'x' is not a hex digit" },
        { "1-2-3", GFN_RANGE_EJUNK, "a GFN-RANGE has one '-' or '+'" },
        { "1+2+3", GFN_RANGE_EJUNK, "a GFN-RANGE has one '-' or '+'" },
        { "1+2-3", GFN_RANGE_EJUNK, "unexpected \"-3\"" },
        { "5.0", GFN_RANGE_EJUNK, "unexpected \".0\" after 5; a "
          "GFN-RANGE is GFN, FIRST-LAST or FIRST+COUNT" },
        { "1_000", GFN_RANGE_EJUNK, "unexpected \"_000\"" },
        { "5,6", GFN_RANGE_EJUNK, "unexpected \",6\"" },
        { "0o17", GFN_RANGE_EJUNK, "unexpected \"o17\"" },
        { "5\xc3\xa9", GFN_RANGE_EJUNK, "unexpected \"\\xc3\\xa9\"" },
        { "5\"", GFN_RANGE_EJUNK, "unexpected \"\\\"\"" },
        { "5:6", GFN_RANGE_EJUNK, "unexpected \":6\"" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_overflow(void **state)
{
    static const struct bad b[] = {
        { "18446744073709551616", GFN_RANGE_EOVERFLOW,
          "\"18446744073709551616\": 18446744073709551616 does not fit in "
          "64 bits (the largest number is 0xffffffffffffffff" },
        { "0x10000000000000000", GFN_RANGE_EOVERFLOW, "does not fit" },
        { "99999999999999999999999", GFN_RANGE_EOVERFLOW, "does not fit" },
        { "1-18446744073709551616", GFN_RANGE_EOVERFLOW, "does not fit" },
        { "1+0x1ffffffffffffffff", GFN_RANGE_EOVERFLOW, "does not fit" },
        { "0x1ffffffffffffffff-1", GFN_RANGE_EOVERFLOW, "does not fit" },
        /* Overflow wins over junk only once the number is complete. */
        { "18446744073709551616x", GFN_RANGE_EOVERFLOW, "does not fit" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_reversed(void **state)
{
    static const struct bad b[] = {
        { "0x10-0x5", GFN_RANGE_EREVERSED, "\"0x10-0x5\": range is "
          "reversed (first 0x10 > last 0x5); write 0x5-0x10" },
        { "9-3", GFN_RANGE_EREVERSED, "(first 9 > last 3); write 3-9" },
        { "0xffffffffffffffff-0", GFN_RANGE_EREVERSED, "reversed" },
        { "17-0x10", GFN_RANGE_EREVERSED, "first 17 > last 0x10" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_count_zero(void **state)
{
    static const struct bad b[] = {
        { "5+0", GFN_RANGE_ECOUNTZERO, "\"5+0\": COUNT is 0, but a range "
          "covers at least one page; write 5 for one page" },
        { "0x10+0x0", GFN_RANGE_ECOUNTZERO, "write 0x10 for one page" },
        { "0+0", GFN_RANGE_ECOUNTZERO, "COUNT is 0" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_wrap(void **state)
{
    static const struct bad b[] = {
        { "0xffffffffffffffff+2", GFN_RANGE_EWRAP, "range wraps past "
          "0xffffffffffffffff (FIRST + COUNT - 1 must not exceed it); from "
          "0xffffffffffffffff, COUNT is at most 1" },
        { "2+18446744073709551615", GFN_RANGE_EWRAP,
          "COUNT is at most 18446744073709551614" },
        { "2+0xffffffffffffffff", GFN_RANGE_EWRAP,
          "COUNT is at most 0xfffffffffffffffe" },
        { "0xfffffffffffffff0+17", GFN_RANGE_EWRAP, "at most 16" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_message_quoting(void **state)
{
    char long_input[200];
    gfn_range r;
    gfn_range_err err;

    (void)state;
    /* A long input is cut, and the message stays within its buffer. */
    memset(long_input, '1', sizeof(long_input) - 2);
    long_input[sizeof(long_input) - 2] = 'z';
    long_input[sizeof(long_input) - 1] = '\0';
    assert_int_equal(gfn_range_parse(long_input, &r, &err),
                     GFN_RANGE_EOVERFLOW);
    assert_non_null(strstr(err.msg, "...\": "));
    assert_true(strlen(err.msg) < sizeof(err.msg));
}

static void test_strerror_is_distinct(void **state)
{
    int a, b;

    (void)state;
    assert_string_equal(gfn_range_strerror(0), "success");
    for (a = GFN_RANGE_ENOMEM; a <= GFN_RANGE_EEMPTY; a++) {
        assert_string_not_equal(gfn_range_strerror(a), "unknown error");
        for (b = a + 1; b <= GFN_RANGE_EEMPTY; b++)
            assert_string_not_equal(gfn_range_strerror(a),
                                    gfn_range_strerror(b));
    }
    assert_string_equal(gfn_range_strerror(GFN_RANGE_ENOMEM - 1),
                        "unknown error");
}

static void test_parse_u64(void **state)
{
    gfn_range_err err;
    uint64_t v = 7;

    (void)state;
    assert_int_equal(gfn_range_parse_u64("0", "SIZE", MAX, &v, &err), 0);
    assert_int_equal(v, 0);
    assert_int_equal(gfn_range_parse_u64("0xff", NULL, 0xff, &v, &err), 0);
    assert_int_equal(v, 0xff);
    assert_int_equal(gfn_range_parse_u64("18446744073709551615", "GPA", MAX,
                                         &v, &err), 0);
    assert_true(v == MAX);

    v = 7;
    assert_int_equal(gfn_range_parse_u64("256", "VALUE", 255, &v, &err),
                     GFN_RANGE_ETOOLARGE);
    assert_string_equal(err.msg, "VALUE \"256\": 256 is too large "
                        "(at most 255)");
    assert_int_equal(v, 7);
    assert_int_equal(gfn_range_parse_u64("0x100", "VALUE", 255, &v, &err),
                     GFN_RANGE_ETOOLARGE);
    assert_string_equal(err.msg, "VALUE \"0x100\": 0x100 is too large "
                        "(at most 0xff)");

    assert_int_equal(gfn_range_parse_u64("", "GPA", MAX, &v, &err),
                     GFN_RANGE_EEMPTY);
    assert_string_equal(err.msg, "empty GPA; expected a decimal number or "
                        "a hex number with 0x, e.g. 4096 or 0x1000");
    assert_int_equal(gfn_range_parse_u64(NULL, NULL, MAX, &v, &err),
                     GFN_RANGE_EEMPTY);
    assert_string_equal(err.msg, "empty number; expected a decimal number "
                        "or a hex number with 0x, e.g. 4096 or 0x1000");

    /* A range is junk to the number parser. */
    assert_int_equal(gfn_range_parse_u64("5-6", "GPA", MAX, &v, &err),
                     GFN_RANGE_EJUNK);
    assert_string_equal(err.msg, "GPA \"5-6\": unexpected \"-6\" after the "
                        "number 5; expected a decimal number or a hex "
                        "number with 0x, e.g. 4096 or 0x1000");
    assert_int_equal(gfn_range_parse_u64("12abc", "GPA", MAX, &v, &err),
                     GFN_RANGE_EJUNK);
    assert_non_null(strstr(err.msg, "0x12abc"));
    assert_int_equal(gfn_range_parse_u64("-1", "VALUE", MAX, &v, &err),
                     GFN_RANGE_ENEGATIVE);
    assert_non_null(strstr(err.msg, "VALUE \"-1\": negative numbers"));
    assert_int_equal(gfn_range_parse_u64("+1", "VALUE", MAX, &v, &err),
                     GFN_RANGE_ENONUMBER);
    assert_non_null(strstr(err.msg, "(numbers take no sign)"));
    assert_int_equal(gfn_range_parse_u64("0x", "GPA", MAX, &v, &err),
                     GFN_RANGE_ENOHEXDIGITS);
    assert_int_equal(gfn_range_parse_u64("010", "GPA", MAX, &v, &err),
                     GFN_RANGE_ELEADINGZERO);
    assert_int_equal(gfn_range_parse_u64(" 1", "GPA", MAX, &v, &err),
                     GFN_RANGE_ESPACE);
    assert_int_equal(gfn_range_parse_u64("0x10000000000000000", "GPA", MAX,
                                         &v, &err), GFN_RANGE_EOVERFLOW);
    assert_int_equal(v, 7);
}

static void test_format(void **state)
{
    char buf[GFN_RANGE_STRLEN];
    gfn_range r = { 0x1f, 0x1f };

    (void)state;
    gfn_range_format(&r, buf);
    assert_string_equal(buf, "0x1f");
    r.first = 0x10;
    gfn_range_format(&r, buf);
    assert_string_equal(buf, "0x10-0x1f");
    r.first = 0;
    r.last = MAX;
    gfn_range_format(&r, buf);
    assert_string_equal(buf, "0x0-0xffffffffffffffff");
    assert_int_equal(strlen(buf) + 1, 23);
    r.first = MAX - 1;
    gfn_range_format(&r, buf);
    assert_int_equal(strlen(buf) + 1, GFN_RANGE_STRLEN);
}

static void test_overlaps(void **state)
{
    gfn_range a = { 5, 9 }, b = { 10, 20 }, c = { 9, 9 }, d = { 0, MAX };

    (void)state;
    assert_false(gfn_range_overlaps(&a, &b));       /* adjacent */
    assert_false(gfn_range_overlaps(&b, &a));
    assert_true(gfn_range_overlaps(&a, &c));
    assert_true(gfn_range_overlaps(&c, &a));
    assert_true(gfn_range_overlaps(&d, &b));
    assert_true(gfn_range_overlaps(&a, &a));
}

static void test_intersect(void **state)
{
    gfn_range a = { 5, 9 }, b = { 10, 20 }, c = { 7, 12 }, x = { 1, 0 };

    (void)state;
    assert_false(gfn_range_intersect(&a, &b, &x));
    assert_true(x.first == 1 && x.last == 0);
    assert_true(gfn_range_intersect(&a, &c, &x));
    assert_true(x.first == 7 && x.last == 9);
    assert_true(gfn_range_intersect(&c, &b, &x));
    assert_true(x.first == 10 && x.last == 12);
}

static void test_coalesce(void **state)
{
    gfn_range r[] = {
        { 20, 30 }, { 5, 9 }, { 0, 4 }, { 25, 26 }, { 31, 31 },
        { 40, 40 }, { MAX, MAX }, { MAX - 1, MAX - 1 }, { 42, 50 },
        { 0, 2 },
    };
    static const gfn_range want[] = {
        { 0, 9 }, { 20, 31 }, { 40, 40 }, { 42, 50 }, { MAX - 1, MAX },
    };
    gfn_range all[] = { { 7, 8 }, { 0, MAX }, { 3, 3 } };
    gfn_range one[] = { { 3, 4 } };
    size_t n, i;

    (void)state;
    n = gfn_range_coalesce(r, ARRAY_SIZE(r));
    assert_int_equal(n, ARRAY_SIZE(want));
    for (i = 0; i < n; i++) {
        assert_true(r[i].first == want[i].first);
        assert_true(r[i].last == want[i].last);
    }

    /* Ranges ending at the top must not wrap into touching 0. */
    n = gfn_range_coalesce(all, ARRAY_SIZE(all));
    assert_int_equal(n, 1);
    assert_true(all[0].first == 0 && all[0].last == MAX);

    assert_int_equal(gfn_range_coalesce(one, 1), 1);
    assert_true(one[0].first == 3 && one[0].last == 4);
    assert_int_equal(gfn_range_coalesce(NULL, 0), 0);
}

static void test_sort(void **state)
{
    gfn_range r[] = { { 5, 9 }, { 5, 6 }, { 0, MAX }, { 1, 1 } };

    (void)state;
    gfn_range_sort(r, ARRAY_SIZE(r));
    assert_true(r[0].first == 0 && r[0].last == MAX);
    assert_true(r[1].first == 1);
    assert_true(r[2].first == 5 && r[2].last == 6);
    assert_true(r[3].first == 5 && r[3].last == 9);
}

static void test_check_overlap(void **state)
{
    static const gfn_range disjoint[] = {
        { 10, 19 }, { 0, 4 }, { 5, 9 }, { MAX, MAX },
    };
    static const gfn_range overlap[] = {
        { 0x10, 0x1f }, { 0x100, 0x100 }, { 0x18, 0x20 },
    };
    static const gfn_range repeat[] = {
        { 1, 1 }, { 5, 5 }, { 5, 5 },
    };
    static const gfn_range inside[] = {
        { 0x1000, 0x1000 }, { 0, 0xffff },
    };
    static const gfn_range top[] = {
        { MAX - 3, MAX }, { 0, 1 }, { MAX, MAX },
    };
    gfn_range_err err;
    size_t a = 99, b = 99;

    (void)state;
    assert_int_equal(gfn_range_check_overlap(disjoint, ARRAY_SIZE(disjoint),
                                             &a, &b, &err), 0);
    assert_int_equal(a, 99);
    assert_int_equal(gfn_range_check_overlap(NULL, 0, &a, &b, &err), 0);
    assert_int_equal(gfn_range_check_overlap(overlap, 1, &a, &b, &err), 0);

    assert_int_equal(gfn_range_check_overlap(overlap, ARRAY_SIZE(overlap),
                                             &a, &b, &err),
                     GFN_RANGE_EOVERLAP);
    assert_int_equal(err.rc, GFN_RANGE_EOVERLAP);
    assert_int_equal(a, 0);
    assert_int_equal(b, 2);
    assert_string_equal(err.msg, "entries 1 (0x10-0x1f) and 3 (0x18-0x20) "
                        "overlap at 0x18-0x1f; give each page once");

    assert_int_equal(gfn_range_check_overlap(repeat, ARRAY_SIZE(repeat),
                                             &a, &b, &err),
                     GFN_RANGE_EDUPLICATE);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    assert_string_equal(err.msg, "entry 3 (0x5) repeats entry 2; give each "
                        "range once");

    assert_int_equal(gfn_range_check_overlap(inside, ARRAY_SIZE(inside),
                                             &a, &b, &err),
                     GFN_RANGE_EOVERLAP);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_non_null(strstr(err.msg, "overlap at 0x1000;"));

    assert_int_equal(gfn_range_check_overlap(top, ARRAY_SIZE(top), NULL,
                                             NULL, NULL),
                     GFN_RANGE_EOVERLAP);
    assert_int_equal(gfn_range_check_overlap(top, ARRAY_SIZE(top), &a, &b,
                                             &err), GFN_RANGE_EOVERLAP);
    assert_int_equal(a, 0);
    assert_int_equal(b, 2);
    assert_non_null(strstr(err.msg, "overlap at 0xffffffffffffffff;"));
}

/*
 * The oracle: the grammar as a POSIX regex, values through strtoull with
 * errno (safe once the regex has excluded signs and spaces), and the
 * range rules written out again.
 */
#define NUMBER_RE "(0|[1-9][0-9]*|0[xX][0-9a-fA-F]+)"

/* Group g of s as a number; false if it does not fit in 64 bits. */
static bool oracle_number(const char *s, const regmatch_t *g, uint64_t *v)
{
    char buf[64];
    size_t len = g->rm_eo - g->rm_so;
    bool hex;

    if (len >= sizeof(buf))
        return false;
    memcpy(buf, s + g->rm_so, len);
    buf[len] = '\0';
    hex = len > 1 && (buf[1] == 'x' || buf[1] == 'X');
    errno = 0;
    *v = strtoull(buf, NULL, hex ? 16 : 10);
    return errno == 0;
}

static int oracle(const regex_t *re, const char *s, gfn_range *r)
{
    regmatch_t m[5];            /* all, FIRST, [-+]N, the sign, N */
    uint64_t x, y;

    if (regexec(re, s, 5, m, 0) || !oracle_number(s, &m[1], &x))
        return -1;
    if (m[2].rm_so < 0) {
        r->first = r->last = x;
        return 0;
    }
    if (!oracle_number(s, &m[4], &y))
        return -1;
    if (s[m[3].rm_so] == '-') {
        if (x > y)
            return -1;
        r->first = x;
        r->last = y;
        return 0;
    }
    if (y == 0 || y - 1 > MAX - x)
        return -1;
    r->first = x;
    r->last = x + (y - 1);
    return 0;
}

static void test_random_against_oracle(void **state)
{
    static const char alphabet[] = "0123456789abcdefxX+- g0000fff";
    static const char *tops[] = {
        "18446744073709551615", "18446744073709551616",
        "0xffffffffffffffff", "0x10000000000000000", "0xfffffffffffffffe",
    };
    regex_t re;
    char s[48];
    unsigned int seed = 20240601, i, accepted = 0;

    (void)state;
    assert_int_equal(regcomp(&re, "^" NUMBER_RE "(([-+])" NUMBER_RE ")?$",
                             REG_EXTENDED), 0);

    for (i = 0; i < 200000; i++) {
        gfn_range got = { 1, 0 }, want = { 1, 0 };
        gfn_range_err err;
        size_t len = rand_r(&seed) % 12, k;
        int rc, orc;

        for (k = 0; k < len; k++)
            s[k] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
        s[len] = '\0';
        /* Sometimes a range ending near 2^64. */
        if (rand_r(&seed) % 8 == 0) {
            const char *t = tops[rand_r(&seed) % ARRAY_SIZE(tops)];

            snprintf(s, sizeof(s), "%s%s%s", rand_r(&seed) % 2 ? "2" : "0",
                     rand_r(&seed) % 2 ? "+" : "-", t);
        }
        rc = gfn_range_parse(s, &got, &err);
        orc = oracle(&re, s, &want);
        if ((rc == 0) != (orc == 0))
            fail_msg("\"%s\": parser rc %d (%s), oracle %d", s, rc,
                     rc ? err.msg : "ok", orc);
        if (rc == 0) {
            accepted++;
            if (got.first != want.first || got.last != want.last)
                fail_msg("\"%s\": parser 0x%" PRIx64 "-0x%" PRIx64
                         ", oracle 0x%" PRIx64 "-0x%" PRIx64, s, got.first,
                         got.last, want.first, want.last);
        } else if (rc < GFN_RANGE_ENOMEM || err.rc != rc || !err.msg[0]) {
            fail_msg("\"%s\": bad failure rc %d", s, rc);
        }
    }
    regfree(&re);
    /* The generator must reach both sides. */
    assert_true(accepted > 1000);
    assert_true(accepted < 190000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_gfn),
        cmocka_unit_test(test_first_last),
        cmocka_unit_test(test_first_count),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_missing_number),
        cmocka_unit_test(test_negative),
        cmocka_unit_test(test_no_hex_digits),
        cmocka_unit_test(test_leading_zero),
        cmocka_unit_test(test_trailing_junk),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_reversed),
        cmocka_unit_test(test_count_zero),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_message_quoting),
        cmocka_unit_test(test_strerror_is_distinct),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_overlaps),
        cmocka_unit_test(test_intersect),
        cmocka_unit_test(test_coalesce),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_check_overlap),
        cmocka_unit_test(test_random_against_oracle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
