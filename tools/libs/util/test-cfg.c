/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Unit tests of libxlutil's config parser: every accepted form, every
 * class of error with its exact message, the one-message-per-line
 * recovery, reads being all or nothing, command-line settings, the
 * getters' results and warnings, and the ioreq_pages key.
 *
 * Messages from the GFN-range library are not spelled out here: the
 * expected text is built from what that library says for the same
 * input, so these tests pin the format around it, and a substring pins
 * the class of error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE         /* open_memstream, vasprintf, memmem */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libxlutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A config whose messages are captured in memory. */
struct fx {
    XLU_Config *cfg;
    FILE *report;
    char *buf;
    size_t len;
    size_t seen;                /* messages already returned by msgs() */
    char *last;
};

static struct fx *fx_new(void)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->report = open_memstream(&f->buf, &f->len);
    assert_non_null(f->report);
    f->cfg = xlu_cfg_init(f->report, "t.cfg");
    assert_non_null(f->cfg);
    return f;
}

static void fx_free(struct fx *f)
{
    xlu_cfg_destroy(f->cfg);
    fclose(f->report);
    free(f->buf);
    free(f->last);
    free(f);
}

static int setup(void **state)
{
    *state = fx_new();
    return 0;
}

static int teardown(void **state)
{
    fx_free(*state);
    return 0;
}

static int rd(struct fx *f, const char *text)
{
    return xlu_cfg_readdata(f->cfg, text, (int)strlen(text));
}

/* The messages reported since the last call. */
static const char *msgs(struct fx *f)
{
    fflush(f->report);
    free(f->last);
    f->last = strndup(f->buf + f->seen, f->len - f->seen);
    assert_non_null(f->last);
    f->seen = f->len;
    return f->last;
}

static char *fmt(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

static char *fmt(const char *format, ...)
{
    va_list ap;
    char *s;
    int r;

    va_start(ap, format);
    r = vasprintf(&s, format, ap);
    va_end(ap);
    assert_true(r >= 0);
    return s;
}

/* What the GFN-range library says about s (which it must refuse). */
static const char *range_msg(const char *s, gfn_range_err *err)
{
    gfn_range r;

    assert_int_not_equal(gfn_range_parse(s, &r, err), 0);
    return err->msg;
}

/* What the number parser says about s, as the scanner asks it. */
static const char *number_msg(const char *s, gfn_range_err *err)
{
    uint64_t v;

    assert_int_not_equal(gfn_range_parse_u64(s, "number", UINT64_MAX, &v,
                                             err), 0);
    return err->msg;
}

static const char *getstr(struct fx *f, const char *key)
{
    const char *s = NULL;

    assert_int_equal(xlu_cfg_get_string(f->cfg, key, &s, 0), 0);
    return s;
}

static long getlong(struct fx *f, const char *key)
{
    long l = -1;

    assert_int_equal(xlu_cfg_get_long(f->cfg, key, &l, 0), 0);
    return l;
}

/* ---- Accepted forms --------------------------------------------------- */

static void test_strings(void **state)
{
    struct fx *f = *state;

    assert_int_equal(rd(f,
        "a = \"plain\"\n"
        "b = 'single'\n"
        "c = \"q\\\"d\\\\e\\'f\"\n"
        "d = 'x\\n\\t\\ry'\n"
        "e = \"\\x41\\x7e\\xfF\"\n"
        "f = \"\"\n"
        "g = \"# not a comment; nor = this\"\n"
        "h = 'it\"s'\n"
        "i = \"caf\xc3\xa9\"\n"), 0);
    assert_string_equal(msgs(f), "");
    assert_string_equal(getstr(f, "a"), "plain");
    assert_string_equal(getstr(f, "b"), "single");
    assert_string_equal(getstr(f, "c"), "q\"d\\e'f");
    assert_string_equal(getstr(f, "d"), "x\n\t\ry");
    assert_string_equal(getstr(f, "e"), "A~\xff");
    assert_string_equal(getstr(f, "f"), "");
    assert_string_equal(getstr(f, "g"), "# not a comment; nor = this");
    assert_string_equal(getstr(f, "h"), "it\"s");
    assert_string_equal(getstr(f, "i"), "caf\xc3\xa9");
}

static void test_numbers(void **state)
{
    struct fx *f = *state;
    const char *s;

    assert_int_equal(rd(f,
        "zero = 0\n"
        "dec = 256\n"
        "hex = 0x1F\n"
        "HEXX = 1\n"), EINVAL);
    /* Keys are lower case; that read failed as a whole. */
    assert_string_equal(msgs(f),
        "t.cfg:4: config parsing error near `HEXX': not a valid name: a "
        "key is lower case letters, digits, '_' and '.', starting with a "
        "letter; a string value needs quotes\n");
    assert_int_equal(xlu_cfg_get_string(f->cfg, "zero", &s, 0), ESRCH);

    assert_int_equal(rd(f,
        "zero = 0\n"
        "dec = 256\n"
        "hex = 0x1F\n"
        "hex2 = 0X00ff\n"
        "big = 9223372036854775807\n"
        "max = 0xffffffffffffffff\n"
        "quoted = \"4096\"\n"
        "quotedhex = '0x10'\n"
        "name.with_dots.2 = 1\n"), 0);
    assert_string_equal(msgs(f), "");
    assert_int_equal(getlong(f, "zero"), 0);
    assert_int_equal(getlong(f, "dec"), 256);
    assert_int_equal(getlong(f, "hex"), 0x1f);
    assert_int_equal(getlong(f, "hex2"), 0xff);
    assert_true(getlong(f, "big") == LONG_MAX);
    assert_int_equal(getlong(f, "quoted"), 4096);
    assert_int_equal(getlong(f, "quotedhex"), 16);
    assert_int_equal(getlong(f, "name.with_dots.2"), 1);
    /* A number as a string is its text as written. */
    assert_string_equal(getstr(f, "hex"), "0x1F");
    assert_string_equal(getstr(f, "max"), "0xffffffffffffffff");
}

static void test_lists(void **state)
{
    struct fx *f = *state;
    const XLU_ConfigList *l = NULL, *inner = NULL;
    const XLU_ConfigValue *v;
    const char *s;
    int n = -1;

    assert_int_equal(rd(f,
        "empty = []\n"
        "one = [ \"a\" ]\n"
        "trailing = [ 1, 2, ]\n"
        "multi = [\n"
        "    \"x\",   # a comment inside\n"
        "\n"
        "    0x10\n"
        "  , 'y'\n"
        "]\n"
        "nested = [ [ 1, [ 2 ] ], [], \"s\" ]\n"), 0);
    assert_string_equal(msgs(f), "");

    assert_int_equal(xlu_cfg_get_list(f->cfg, "empty", &l, &n, 0), 0);
    assert_int_equal(n, 0);
    assert_null(xlu_cfg_get_listitem(l, 0));

    assert_int_equal(xlu_cfg_get_list(f->cfg, "one", &l, &n, 0), 0);
    assert_int_equal(n, 1);
    assert_string_equal(xlu_cfg_get_listitem(l, 0), "a");
    assert_null(xlu_cfg_get_listitem(l, 1));
    assert_null(xlu_cfg_get_listitem(l, -1));

    assert_int_equal(xlu_cfg_get_list(f->cfg, "trailing", NULL, &n, 0), 0);
    assert_int_equal(n, 2);
    assert_int_equal(xlu_cfg_get_list(f->cfg, "trailing", &l, NULL, 0), 0);
    assert_string_equal(xlu_cfg_get_listitem(l, 1), "2");

    assert_int_equal(xlu_cfg_get_list(f->cfg, "multi", &l, &n, 0), 0);
    assert_int_equal(n, 3);
    assert_string_equal(xlu_cfg_get_listitem(l, 0), "x");
    assert_string_equal(xlu_cfg_get_listitem(l, 1), "0x10");
    assert_string_equal(xlu_cfg_get_listitem(l, 2), "y");

    assert_int_equal(xlu_cfg_get_list(f->cfg, "nested", &l, &n, 0), 0);
    assert_int_equal(n, 3);
    /* A nested list is no string... */
    assert_null(xlu_cfg_get_listitem(l, 0));
    /* ...but a value. */
    v = xlu_cfg_get_listitem2(l, 0);
    assert_non_null(v);
    assert_int_equal(xlu_cfg_value_type(v), XLU_LIST);
    assert_int_equal(xlu_cfg_value_get_list(f->cfg, v, &inner, 0), 0);
    assert_string_equal(xlu_cfg_get_listitem(inner, 0), "1");
    v = xlu_cfg_get_listitem2(inner, 1);
    assert_int_equal(xlu_cfg_value_type(v), XLU_LIST);
    assert_int_equal(xlu_cfg_value_get_string(f->cfg, v, &s, 0), EINVAL);
    assert_string_equal(msgs(f), "t.cfg:10: warning: value is a list but "
                        "should be a single value\n");
    v = xlu_cfg_get_listitem2(l, 2);
    assert_int_equal(xlu_cfg_value_type(v), XLU_STRING);
    assert_int_equal(xlu_cfg_value_get_string(f->cfg, v, &s, 0), 0);
    assert_string_equal(s, "s");
    assert_int_equal(xlu_cfg_value_get_list(f->cfg, v, &inner, 0), EINVAL);
    assert_string_equal(msgs(f), "t.cfg:10: warning: value is a single "
                        "value but should be a list\n");
    assert_null(xlu_cfg_get_listitem2(l, 3));
}

static void test_statements(void **state)
{
    struct fx *f = *state;

    assert_int_equal(rd(f,
        "# a comment line\n"
        "\n"
        "a = 1; b = 2;c=3\n"
        ";;\n"
        "   d = 4   # trailing comment\n"
        "\te\t=\t5\r\n"
        "f = 6"), 0);              /* no newline at the end */
    assert_string_equal(msgs(f), "");
    assert_int_equal(getlong(f, "a"), 1);
    assert_int_equal(getlong(f, "b"), 2);
    assert_int_equal(getlong(f, "c"), 3);
    assert_int_equal(getlong(f, "d"), 4);
    assert_int_equal(getlong(f, "e"), 5);
    assert_int_equal(getlong(f, "f"), 6);

    /* Nothing at all, or only comments, is a valid (empty) config. */
    assert_int_equal(rd(f, ""), 0);
    assert_int_equal(rd(f, "# only\n   # comments"), 0);
    assert_int_equal(xlu_cfg_readdata(f->cfg, NULL, 0), 0);
    assert_string_equal(msgs(f), "");
    assert_int_equal(getlong(f, "f"), 6);
}

static void test_repeated_keys(void **state)
{
    struct fx *f = *state;
    const char *s;
    int n;

    assert_int_equal(rd(f,
        "a = 1\n"
        "a = 2\n"
        "b = [ 1 ]\n"
        "b = \"now a string\"\n"
        "c = \"first\"\n"
        "c = [ 1, 2, 3 ]\n"), 0);
    assert_int_equal(getlong(f, "a"), 2);
    assert_string_equal(getstr(f, "b"), "now a string");
    assert_int_equal(xlu_cfg_get_list(f->cfg, "c", NULL, &n, 0), 0);
    assert_int_equal(n, 3);

    /* A later read wins too; pointers from before stay valid. */
    s = getstr(f, "b");
    assert_int_equal(rd(f, "b = \"second read\"\n"), 0);
    assert_string_equal(s, "now a string");
    assert_string_equal(getstr(f, "b"), "second read");
    assert_string_equal(msgs(f), "");
}

static void test_plus_equals(void **state)
{
    struct fx *f = *state;
    const XLU_ConfigList *l;
    const char *before;
    int n;

    assert_int_equal(rd(f,
        "s = \"root=/dev/xvda\"\n"
        "s += \" console=hvc0\"\n"
        "s += ''\n"
        "l = [ \"a\" ]\n"
        "l += [ \"b\", [ \"c\" ] ]\n"
        "l += []\n"
        "new += \"no earlier setting\"\n"
        "newl += [ 1 ]\n"
        "e = []\n"
        "e += [ 2 ]\n"), 0);
    assert_string_equal(msgs(f), "");
    assert_string_equal(getstr(f, "s"), "root=/dev/xvda console=hvc0");
    assert_int_equal(xlu_cfg_get_list(f->cfg, "l", &l, &n, 0), 0);
    assert_int_equal(n, 3);
    assert_string_equal(xlu_cfg_get_listitem(l, 0), "a");
    assert_string_equal(xlu_cfg_get_listitem(l, 1), "b");
    assert_int_equal(xlu_cfg_value_type(xlu_cfg_get_listitem2(l, 2)),
                     XLU_LIST);
    assert_string_equal(getstr(f, "new"), "no earlier setting");
    assert_int_equal(xlu_cfg_get_list(f->cfg, "newl", &l, &n, 0), 0);
    assert_int_equal(n, 1);
    assert_int_equal(xlu_cfg_get_list(f->cfg, "e", &l, &n, 0), 0);
    assert_int_equal(n, 1);
    assert_string_equal(xlu_cfg_get_listitem(l, 0), "2");

    /* Across reads: extends the earlier read's value, which stays. */
    before = getstr(f, "s");
    assert_int_equal(rd(f, "s += \" quiet\"\nl += [ \"d\" ]\n"), 0);
    assert_string_equal(before, "root=/dev/xvda console=hvc0");
    assert_string_equal(getstr(f, "s"), "root=/dev/xvda console=hvc0 quiet");
    assert_int_equal(xlu_cfg_get_list(f->cfg, "l", &l, &n, 0), 0);
    assert_int_equal(n, 4);
    assert_string_equal(xlu_cfg_get_listitem(l, 3), "d");

    /* = then += in one read, after an earlier read. */
    assert_int_equal(rd(f, "s = \"a\"\ns += \"b\"\n"), 0);
    assert_string_equal(getstr(f, "s"), "ab");
    assert_string_equal(msgs(f), "");
}

/* ---- Errors ----------------------------------------------------------- */

struct bad {
    const char *text;
    const char *msgs;           /* every message, exactly */
};

/* Each text must fail to read, with exactly these messages. */
static void check_bad(const struct bad *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct fx *f = fx_new();
        int rc = rd(f, b[i].text);
        bool ok = rc == EINVAL && !strcmp(msgs(f), b[i].msgs);

        if (!ok)
            print_error("\"%s\": rc %d, messages:\n%swant:\n%s",
                        b[i].text, rc, f->last, b[i].msgs);
        fx_free(f);
        assert_true(ok);
    }
}

#define NEAR(line, tok) "t.cfg:" #line ": config parsing error near `" \
    tok "': "
#define SYNTAX(line, tok) NEAR(line, tok) "syntax error, "
#define VALUES "string or number or '['"
#define ENDS "end of file or newline or ';'"

static void test_error_unterminated_string(void **state)
{
    static const struct bad b[] = {
        { "a = \"abc\n",
          NEAR(1, "\"abc") "unterminated string: no closing \" before "
          "the end of the line\n" },
        { "a = 'abc",
          NEAR(1, "'abc") "unterminated string: no closing ' before the "
          "end of the line\n" },
        /* A backslash does not continue a string onto the next line. */
        { "a = \"abc\\\n\"\n",
          NEAR(1, "\"abc\\") "unterminated string: no closing \" before "
          "the end of the line\n"
          NEAR(2, "\"") "unterminated string: no closing \" before the "
          "end of the line\n" },
        { "a = [ \"x\", \"y ]\nb = 1\n",
          NEAR(1, "\"y ]") "unterminated string: no closing \" before "
          "the end of the line\n" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_error_bad_character(void **state)
{
    static const struct bad b[] = {
        { "a = @\n",
          NEAR(1, "@") "bad character; a value is a \"string\", a number "
          "or a [list]\n" },
        /* One message per line, however many bad characters. */
        { "a = @ $ %\n",
          NEAR(1, "@") "bad character; a value is a \"string\", a number "
          "or a [list]\n" },
        { "kernel = /boot/vmlinuz\n",
          NEAR(1, "/") "bad character; a value is a \"string\", a number "
          "or a [list]\n" },
        { "a = -1\n",
          NEAR(1, "-") "bad character; a value is a \"string\", a number "
          "or a [list]\n" },
        { "a = \x01\n",
          NEAR(1, "\\x01") "bad character; a value is a \"string\", a "
          "number or a [list]\n" },
        { "\xef\xbb\xbf" "a = 1\n",
          NEAR(1, "\\xef") "bad character; a value is a \"string\", a "
          "number or a [list]\n" },
        { "Memory = 1\n",
          NEAR(1, "Memory") "not a valid name: a key is lower case "
          "letters, digits, '_' and '.', starting with a letter; a string "
          "value needs quotes\n" },
        { "a = \"\\q\"\n",
          NEAR(1, "\\q") "unknown escape sequence in a string; the escapes "
          "are \\\\ \\\" \\' \\n \\t \\r and \\xHH\n" },
        { "a = \"\\x4\"\n",
          NEAR(1, "\\x4") "\\x needs two hex digits, e.g. \\x41\n" },
        { "a = \"\\xg0\"\n",
          NEAR(1, "\\xg0") "\\x needs two hex digits, e.g. \\x41\n" },
        { "a = \"\\x00\"\n",
          NEAR(1, "\\x00") "a string cannot contain a NUL byte\n" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_error_nul_byte(void **state)
{
    static const char text[] = "a = \"x\0y\"\nb = 1\0\n";
    struct fx *f = *state;

    assert_int_equal(xlu_cfg_readdata(f->cfg, text, sizeof(text) - 1),
                     EINVAL);
    assert_string_equal(msgs(f),
        NEAR(1, "\"x\\x00y\"") "a string cannot contain a NUL byte\n"
        NEAR(2, "\\x00") "bad character; a value is a \"string\", a "
        "number or a [list]\n");
}

static void test_error_missing_equals(void **state)
{
    static const struct bad b[] = {
        { "memory 256\n",
          SYNTAX(1, "256") "unexpected number, expecting += or '='\n" },
        { "memory\n",
          SYNTAX(1, "<newline>") "unexpected newline, expecting += or "
          "'='\n" },
        { "name \"guest\"\n",
          SYNTAX(1, "\"guest\"") "unexpected string, expecting += or "
          "'='\n" },
        { "memory == 256\n",
          SYNTAX(1, "=") "unexpected '=', expecting " VALUES "\n" },
        { "= 5\n",
          SYNTAX(1, "=") "unexpected '=', expecting end of file or name "
          "or newline or ';'\n" },
        { "a = 1 b = 2\n",
          SYNTAX(1, "b") "unexpected name, expecting " ENDS "\n" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_error_missing_value(void **state)
{
    static const struct bad b[] = {
        { "memory =\n",
          SYNTAX(1, "<newline>") "unexpected newline, expecting " VALUES
          "\n" },
        { "memory = ; vcpus = 2\n",
          SYNTAX(1, ";") "unexpected ';', expecting " VALUES "\n" },
        { "memory =",
          SYNTAX(1, "<end of file>") "unexpected end of file, expecting "
          VALUES "\n" },
        { "memory +=  # nothing\n",
          SYNTAX(1, "<newline>") "unexpected newline, expecting " VALUES
          "\n" },
        { "kernel = hvmloader\n",
          SYNTAX(1, "hvmloader") "unexpected name, expecting " VALUES
          "; strings need quotes: \"hvmloader\"\n" },
        { "disk = [ xvda ]\n",
          SYNTAX(1, "xvda") "unexpected name, expecting string or number "
          "or '[' or ']'; strings need quotes: \"xvda\"\n" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

static void test_error_brackets(void **state)
{
    static const struct bad b[] = {
        { "a = [ 1, 2",
          SYNTAX(1, "<end of file>") "unexpected end of file, expecting "
          "']' or ','; the `[' on line 1 is not closed\n" },
        { "a = [ 1,\n  2,\n",
          SYNTAX(2, "<end of file>") "unexpected end of file, expecting "
          "string or number or '[' or ']'; the `[' on line 1 is not "
          "closed\n" },
        /* The next statement is where it shows; the rest is checked. */
        { "a = [ 1, 2\nb = 3\nc = 4 4\nd = 5\n",
          SYNTAX(2, "b") "unexpected name, expecting ']' or ','; the `[' "
          "on line 1 is not closed\n"
          SYNTAX(3, "4") "unexpected number, expecting " ENDS "\n" },
        { "a = [\nb += 3\n",
          SYNTAX(2, "b") "unexpected name, expecting string or number or "
          "'[' or ']'; the `[' on line 1 is not closed\n" },
        { "a = [ [ 1 ]\n",
          SYNTAX(1, "<end of file>") "unexpected end of file, expecting "
          "']' or ','; the `[' on line 1 is not closed\n" },
        { "a = 1 ]\n",
          SYNTAX(1, "]") "unexpected ']', expecting " ENDS "\n" },
        { "a = [ 1 ] ]\n",
          SYNTAX(1, "]") "unexpected ']', expecting " ENDS "\n" },
        { "a = ]\n",
          SYNTAX(1, "]") "unexpected ']', expecting " VALUES "\n" },
        { "a = [ 1 2 ]\n",
          SYNTAX(1, "2") "unexpected number, expecting ']' or ','\n" },
        { "a = [ 1,, 2 ]\n",
          SYNTAX(1, ",") "unexpected ',', expecting string or number or "
          "'[' or ']'\n" },
        { "a = [ , ]\n",
          SYNTAX(1, ",") "unexpected ',', expecting string or number or "
          "'[' or ']'\n" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

/* "a = " and depth levels of nested empty lists. */
static char *nested(int depth)
{
    char *s = malloc(4 + 2 * depth + 1);

    assert_non_null(s);
    memcpy(s, "a = ", 4);
    memset(s + 4, '[', depth);
    memset(s + 4 + depth, ']', depth);
    s[4 + 2 * depth] = '\0';
    return s;
}

static void test_error_too_deep(void **state)
{
    struct fx *f = *state;
    char *text;

    text = nested(64);
    assert_int_equal(rd(f, text), 0);
    free(text);
    assert_string_equal(msgs(f), "");

    text = nested(65);
    assert_int_equal(rd(f, text), EINVAL);
    free(text);
    assert_string_equal(msgs(f), NEAR(1, "[") "lists are nested too "
                        "deeply (at most 64 levels)\n");
}

static void test_error_plus_equals(void **state)
{
    static const struct bad b[] = {
        { "memory = 256\nmemory += 64\n",
          NEAR(2, "+=") "can't use += with numbers; use = to set "
          "`memory'\n" },
        { "memory += 64\n",
          NEAR(1, "+=") "can't use += with numbers; use = to set "
          "`memory'\n" },
        { "s = \"a\"\ns += 1\n",
          NEAR(2, "+=") "can't use += with numbers; use = to set `s'\n" },
        { "memory = 0x100\nmemory += \"64\"\n",
          NEAR(2, "+=") "can't use += with numbers: `memory' is the "
          "number 0x100 (set at t.cfg:1); use = to replace it\n" },
        { "l = [ 1 ]\nl += \"x\"\n",
          NEAR(2, "+=") "can't add a string to `l', which is a list (set "
          "at t.cfg:1)\n" },
        { "s = 'x'\n\ns += [ 'y' ]\n",
          NEAR(3, "+=") "can't add a list to `s', which is a string (set "
          "at t.cfg:1)\n" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

/* Numbers are checked by the GFN-range library's number parser. */
static void test_error_numbers(void **state)
{
    static const char *const bad[] = {
        "12abc", "010", "0x", "0x1g", "1.5", "0x_1",
        "18446744073709551616", "0x10000000000000000",
        "99999999999999999999999",
    };
    static const char *const cls[] = {
        "hex numbers need the 0x prefix", "leading zero",
        "must be followed by hex digits", "is not a hex digit",
        "unexpected \".5\"", "must be followed by hex digits",
        "does not fit in 64 bits", "does not fit in 64 bits",
        "does not fit in 64 bits",
    };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        gfn_range_err err;
        char *text = fmt("a = %s\nb = [ 1, %s ]\n", bad[i], bad[i]);
        char *want = fmt(NEAR(1, "%s") "%s\n" NEAR(2, "%s") "%s\n",
                         bad[i], number_msg(bad[i], &err), bad[i],
                         err.msg);
        struct bad b = { text, want };

        assert_non_null(strstr(err.msg, cls[i]));
        assert_non_null(strstr(err.msg, "number \""));
        check_bad(&b, 1);
        free(text);
        free(want);
    }
}

static void test_error_one_per_line(void **state)
{
    static const struct bad b[] = {
        /* A lexical error, then the parser's complaint: one message. */
        { "a = \"x\n",
          NEAR(1, "\"x") "unterminated string: no closing \" before the "
          "end of the line\n" },
        { "a = 12abc 5\n",
          NEAR(1, "12abc") "number \"12abc\": unexpected \"abc\" after "
          "the number 12; hex numbers need the 0x prefix: 0x12abc\n" },
        /* A syntax error, then a lexical one on the same line. */
        { "a = = @\n",
          SYNTAX(1, "=") "unexpected '=', expecting " VALUES "\n" },
        /* Every bad line, each once; good lines between are fine. */
        { "a = = 1\nb = 2\nc = @\nd 4\ne = [ 1 2\n  3 ]\nf = ]\n",
          SYNTAX(1, "=") "unexpected '=', expecting " VALUES "\n"
          NEAR(3, "@") "bad character; a value is a \"string\", a number "
          "or a [list]\n"
          SYNTAX(4, "4") "unexpected number, expecting += or '='\n"
          SYNTAX(5, "2") "unexpected number, expecting ']' or ','\n"
          SYNTAX(7, "]") "unexpected ']', expecting " VALUES "\n" },
        /* An error just after another line's error is reported too. */
        { "a =\n=\n",
          SYNTAX(1, "<newline>") "unexpected newline, expecting " VALUES
          "\n"
          SYNTAX(2, "=") "unexpected '=', expecting end of file or name "
          "or newline or ';'\n" },
    };

    (void)state;
    check_bad(b, ARRAY_SIZE(b));
}

/* A read that fails leaves the config as it was, and usable. */
static void test_read_all_or_nothing(void **state)
{
    struct fx *f = *state;
    const XLU_ConfigList *l;
    int n;

    assert_int_equal(rd(f, "a = 1\ns = \"x\"\nl = [ 1 ]\n"), 0);
    assert_int_equal(rd(f, "a = 2\ns += \"y\"\nl += [ 2 ]\nnew = 1\n"
                        "bad = \n"), EINVAL);
    assert_string_equal(msgs(f), SYNTAX(5, "<newline>") "unexpected "
                        "newline, expecting " VALUES "\n");
    assert_int_equal(getlong(f, "a"), 1);
    assert_string_equal(getstr(f, "s"), "x");
    assert_int_equal(xlu_cfg_get_list(f->cfg, "l", &l, &n, 0), 0);
    assert_int_equal(n, 1);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "new", &(long){ 0 }, 0),
                     ESRCH);
    assert_int_equal(rd(f, "a = 3\n"), 0);
    assert_int_equal(getlong(f, "a"), 3);
}

/* ---- Sources: files and the command line ------------------------------ */

static void test_readfile(void **state)
{
    struct fx *f = *state;
    char path[] = "/tmp/test-cfg-XXXXXX";
    static const char text[] = "memory = 512\nname = \"g\"\n";
    char *want;
    int fd;

    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof(text) - 1),
                     (ssize_t)sizeof(text) - 1);
    close(fd);
    assert_int_equal(xlu_cfg_readfile(f->cfg, path), 0);
    assert_int_equal(getlong(f, "memory"), 512);
    assert_string_equal(getstr(f, "name"), "g");

    /* Messages name the report source, not the file's path. */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\n\nx = ?\n", 8), 8);
    close(fd);
    assert_int_equal(xlu_cfg_readfile(f->cfg, path), EINVAL);
    assert_string_equal(msgs(f), NEAR(3, "?") "bad character; a value is "
                        "a \"string\", a number or a [list]\n");
    unlink(path);

    assert_int_equal(xlu_cfg_readfile(f->cfg, path), ENOENT);
    want = fmt("t.cfg: cannot read config file `%s': %s\n", path,
               strerror(ENOENT));
    assert_string_equal(msgs(f), want);
    free(want);

    assert_int_equal(xlu_cfg_readfile(f->cfg, "/"), EISDIR);
    want = fmt("t.cfg: cannot read config file `/': %s\n",
               strerror(EISDIR));
    assert_string_equal(msgs(f), want);
    free(want);
    assert_int_equal(getlong(f, "memory"), 512);
}

static void test_read_settings(void **state)
{
    struct fx *f = *state;
    static const char *const args[] = {
        "memory=256", "ioreq_pages+=[\"0x300\"]", "extra += ' quiet'",
    };
    static const char *const bad[] = { "vcpus=2", "memory 4", "x = @" };
    gfn_range *r = NULL;
    int n = -1;

    assert_int_equal(rd(f,
        "memory = 128\n"
        "ioreq_pages = [ \"0x100-0x1ff\" ]\n"
        "extra = \"console=hvc0\"\n"), 0);
    assert_int_equal(xlu_cfg_read_settings(f->cfg, NULL, 3, args), 0);
    assert_string_equal(msgs(f), "");
    assert_int_equal(getlong(f, "memory"), 256);
    assert_string_equal(getstr(f, "extra"), "console=hvc0 quiet");
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), 0);
    assert_int_equal(n, 2);
    assert_true(r[0].first == 0x100 && r[0].last == 0x1ff);
    assert_true(r[1].first == 0x300 && r[1].last == 0x300);
    free(r);

    /* Line N is setting N; all or nothing. */
    assert_int_equal(xlu_cfg_read_settings(f->cfg, NULL, 3, bad), EINVAL);
    assert_string_equal(msgs(f),
        "command line:2: config parsing error near `4': syntax error, "
        "unexpected number, expecting += or '='\n"
        "command line:3: config parsing error near `@': bad character; a "
        "value is a \"string\", a number or a [list]\n");
    assert_int_equal(xlu_cfg_get_long(f->cfg, "vcpus", &(long){ 0 }, 0),
                     ESRCH);

    /* Another source name; += errors name where the old value is. */
    assert_int_equal(xlu_cfg_read_settings(f->cfg, "argv", 1,
                                           (const char *[]){ "memory+=1" }),
                     EINVAL);
    assert_string_equal(msgs(f),
        "argv:1: config parsing error near `+=': can't use += with "
        "numbers; use = to set `memory'\n");
    assert_int_equal(xlu_cfg_read_settings(f->cfg, "argv", 1,
                                           (const char *[]){ "extra+=[]" }),
                     EINVAL);
    assert_string_equal(msgs(f),
        "argv:1: config parsing error near `+=': can't add a list to "
        "`extra', which is a string (set at t.cfg:3)\n");

    assert_int_equal(xlu_cfg_read_settings(f->cfg, NULL, 0, NULL), 0);
    assert_int_equal(xlu_cfg_read_settings(f->cfg, NULL, -1, args), EINVAL);
    assert_int_equal(xlu_cfg_read_settings(f->cfg, NULL, 1,
                                           (const char *[]){ NULL }),
                     EINVAL);
    assert_int_equal(xlu_cfg_readdata(f->cfg, "a", -1), EINVAL);
    assert_string_equal(msgs(f), "");
}

static void test_readdata_source(void **state)
{
    struct fx *f = *state;

    assert_int_equal(xlu_cfg_readdata_source(f->cfg, "extra", "a = [1]\n",
                                             8), 0);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "a", &(long){ 0 }, 0),
                     EINVAL);
    assert_string_equal(msgs(f), "extra:1: warning: parameter `a' is a "
                        "list but should be a single value\n");
}

static void test_init(void **state)
{
    XLU_Config *c;

    (void)state;
    errno = 0;
    assert_null(xlu_cfg_init(stderr, NULL));
    assert_int_equal(errno, EINVAL);

    /* No report stream: silent, same results. */
    c = xlu_cfg_init(NULL, "quiet");
    assert_non_null(c);
    assert_int_equal(xlu_cfg_readdata(c, "a = @\n", 6), EINVAL);
    assert_int_equal(xlu_cfg_readdata(c, "a = [1]\n", 8), 0);
    assert_int_equal(xlu_cfg_get_long(c, "a", &(long){ 0 }, 0), EINVAL);
    xlu_cfg_destroy(c);
    xlu_cfg_destroy(NULL);
}

/* ---- Getters ---------------------------------------------------------- */

static void test_get_absent_and_wrong_type(void **state)
{
    struct fx *f = *state;
    const XLU_ConfigList *l = (void *)1;
    const char *s = "unchanged";
    char **sl = (void *)1, *copy = NULL;
    long v = 42;
    bool b = true;
    int n = 42;

    assert_int_equal(rd(f, "str = \"s\"\nlist = [ 1 ]\n"), 0);

    assert_int_equal(xlu_cfg_get_string(f->cfg, "none", &s, 0), ESRCH);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "none", &v, 0), ESRCH);
    assert_int_equal(xlu_cfg_get_bounded_long(f->cfg, "none", 0, 1, &v, 0),
                     ESRCH);
    assert_int_equal(xlu_cfg_get_defbool(f->cfg, "none", &b, 0), ESRCH);
    assert_int_equal(xlu_cfg_get_list(f->cfg, "none", &l, &n, 0), ESRCH);
    assert_int_equal(xlu_cfg_get_list_as_string_list(f->cfg, "none", &sl,
                                                     0), ESRCH);
    assert_int_equal(xlu_cfg_replace_string(f->cfg, "none", &copy, 0),
                     ESRCH);
    assert_string_equal(msgs(f), "");

    assert_int_equal(xlu_cfg_get_string(f->cfg, "list", &s, 0), EINVAL);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "list", &v, 0), EINVAL);
    assert_int_equal(xlu_cfg_get_defbool(f->cfg, "list", &b, 0), EINVAL);
    assert_string_equal(msgs(f),
        "t.cfg:2: warning: parameter `list' is a list but should be a "
        "single value\n"
        "t.cfg:2: warning: parameter `list' is a list but should be a "
        "single value\n"
        "t.cfg:2: warning: parameter `list' is a list but should be a "
        "single value\n");
    assert_int_equal(xlu_cfg_get_list(f->cfg, "str", &l, &n, 0), EINVAL);
    assert_int_equal(xlu_cfg_get_list_as_string_list(f->cfg, "str", &sl, 0),
                     EINVAL);
    assert_string_equal(msgs(f),
        "t.cfg:1: warning: parameter `str' is a single value but should "
        "be a list\n"
        "t.cfg:1: warning: parameter `str' is a single value but should "
        "be a list\n");
    assert_int_equal(xlu_cfg_get_long(f->cfg, "str", &v, 0), EINVAL);
    assert_string_equal(msgs(f),
        "t.cfg:1: warning: parameter `str' is not a number: \"s\": found "
        "'s' at position 0 where a number should start; expected a "
        "decimal number or a hex number with 0x, e.g. 4096 or 0x1000\n");

    /* dont_warn: the same results, silently. */
    assert_int_equal(xlu_cfg_get_string(f->cfg, "list", &s, 1), EINVAL);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "str", &v, 1), EINVAL);
    assert_int_equal(xlu_cfg_get_list(f->cfg, "str", &l, &n, 1), EINVAL);
    assert_string_equal(msgs(f), "");

    /* Outputs are written only on success. */
    assert_string_equal(s, "unchanged");
    assert_int_equal(v, 42);
    assert_true(b);
    assert_int_equal(n, 42);
    assert_ptr_equal(l, (void *)1);
    assert_ptr_equal(sl, (void *)1);
    assert_null(copy);
}

static void test_get_long_range(void **state)
{
    struct fx *f = *state;
    gfn_range_err err;
    long v = 42;
    bool b = false;

    assert_int_equal(rd(f,
        "max = 9223372036854775807\n"
        "over = 9223372036854775808\n"
        "top = 0xffffffffffffffff\n"
        "qover = \"99999999999999999999\"\n"
        "qneg = \"-1\"\n"
        "qspace = \" 5\"\n"
        "five = 5\n"
        "zero = 0\n"
        "one = 1\n"
        "two = 2\n"), 0);
    assert_true(getlong(f, "max") == LONG_MAX);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "over", &v, 0), ERANGE);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "top", &v, 0), ERANGE);
    assert_string_equal(msgs(f),
        "t.cfg:2: warning: parameter `over' is out of range: "
        "9223372036854775808 is above LONG_MAX (9223372036854775807)\n"
        "t.cfg:3: warning: parameter `top' is out of range: "
        "0xffffffffffffffff is above LONG_MAX (9223372036854775807)\n");
    assert_int_equal(xlu_cfg_get_long(f->cfg, "qover", &v, 0), ERANGE);
    assert_int_equal(gfn_range_parse_u64("99999999999999999999", NULL,
                                         UINT64_MAX, &(uint64_t){ 0 },
                                         &err), GFN_RANGE_EOVERFLOW);
    {
        char *want = fmt("t.cfg:4: warning: parameter `qover' is out of "
                         "range: %s\n", err.msg);

        assert_string_equal(msgs(f), want);
        free(want);
    }
    /* Quoted numbers are as strict as the others. */
    assert_int_equal(xlu_cfg_get_long(f->cfg, "qneg", &v, 1), EINVAL);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "qspace", &v, 1), EINVAL);
    assert_int_equal(xlu_cfg_get_long(f->cfg, "over", &v, 1), ERANGE);
    assert_string_equal(msgs(f), "");
    assert_int_equal(v, 42);

    assert_int_equal(xlu_cfg_get_bounded_long(f->cfg, "five", 1, 5, &v, 0),
                     0);
    assert_int_equal(v, 5);
    assert_int_equal(xlu_cfg_get_bounded_long(f->cfg, "five", 6, 9, &v, 0),
                     ERANGE);
    assert_int_equal(xlu_cfg_get_bounded_long(f->cfg, "five", -3, 4, &v, 0),
                     ERANGE);
    assert_int_equal(xlu_cfg_get_bounded_long(f->cfg, "top", 0, 4, &v, 0),
                     ERANGE);
    assert_string_equal(msgs(f),
        "t.cfg:7: warning: parameter `five' is out of range: 5 is not "
        "between 6 and 9\n"
        "t.cfg:7: warning: parameter `five' is out of range: 5 is not "
        "between -3 and 4\n"
        "t.cfg:3: warning: parameter `top' is out of range: "
        "0xffffffffffffffff is not between 0 and 4\n");
    assert_int_equal(v, 5);

    assert_int_equal(xlu_cfg_get_defbool(f->cfg, "zero", &b, 0), 0);
    assert_false(b);
    assert_int_equal(xlu_cfg_get_defbool(f->cfg, "one", &b, 0), 0);
    assert_true(b);
    assert_int_equal(xlu_cfg_get_defbool(f->cfg, "two", &b, 0), ERANGE);
    assert_string_equal(msgs(f), "t.cfg:10: warning: parameter `two' is "
                        "out of range: 2 is not between 0 and 1\n");
    assert_true(b);
}

static void test_replace_string(void **state)
{
    struct fx *f = *state;
    char *s = strdup("old");

    assert_int_equal(rd(f, "a = \"new\"\nn = 0x10\n"), 0);
    assert_int_equal(xlu_cfg_replace_string(f->cfg, "a", &s, 0), 0);
    assert_string_equal(s, "new");
    assert_int_equal(xlu_cfg_replace_string(f->cfg, "n", &s, 0), 0);
    assert_string_equal(s, "0x10");
    free(s);
}

static void test_list_as_string_list(void **state)
{
    struct fx *f = *state;
    char **sl = NULL;
    int i;

    assert_int_equal(rd(f,
        "args = [ \"-a\", 'b c', 0x10, \"\" ]\n"
        "empty = []\n"
        "nested = [ \"a\",\n"
        "           [ \"b\" ] ]\n"), 0);
    assert_int_equal(xlu_cfg_get_list_as_string_list(f->cfg, "args", &sl, 0),
                     0);
    assert_string_equal(sl[0], "-a");
    assert_string_equal(sl[1], "b c");
    assert_string_equal(sl[2], "0x10");
    assert_string_equal(sl[3], "");
    assert_null(sl[4]);
    for (i = 0; sl[i]; i++)
        free(sl[i]);
    free(sl);

    assert_int_equal(xlu_cfg_get_list_as_string_list(f->cfg, "empty", &sl,
                                                     0), 0);
    assert_null(sl[0]);
    free(sl);

    sl = NULL;
    assert_int_equal(xlu_cfg_get_list_as_string_list(f->cfg, "nested", &sl,
                                                     0), EINVAL);
    assert_null(sl);
    assert_string_equal(msgs(f), "t.cfg:4: warning: parameter `nested': "
                        "entry 2 is a list but should be a single value\n");
}

/* ---- ioreq_pages ------------------------------------------------------ */

static void test_gfn_ranges_good(void **state)
{
    struct fx *f = *state;
    gfn_range *r = NULL;
    int n = -1;

    assert_int_equal(rd(f,
        "ioreq_pages = [\n"
        "    \"0x2000+16\",\n"
        "    \"0x1000-0x10ff\",\n"
        "    0x3000,\n"
        "    \"0x1100-0x11ff\",    # touches the one before: merged\n"
        "    \"0xffffffffffffffff\",\n"
        "]\n"), 0);
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), 0);
    assert_string_equal(msgs(f), "");
    /* Sorted and coalesced. */
    assert_int_equal(n, 4);
    assert_true(r[0].first == 0x1000 && r[0].last == 0x11ff);
    assert_true(r[1].first == 0x2000 && r[1].last == 0x200f);
    assert_true(r[2].first == 0x3000 && r[2].last == 0x3000);
    assert_true(r[3].first == UINT64_MAX && r[3].last == UINT64_MAX);
    free(r);

    /* An empty list: no pages. */
    r = (void *)1;
    assert_int_equal(rd(f, "ioreq_pages = []\n"), 0);
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), 0);
    assert_null(r);
    assert_int_equal(n, 0);

    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "absent", &r, &n, 0),
                     ESRCH);
    assert_string_equal(msgs(f), "");
}

static void test_gfn_ranges_single_value(void **state)
{
    struct fx *f = *state;
    gfn_range *r = (void *)1;
    int n = 42;

    assert_int_equal(rd(f, "\nioreq_pages = \"0x300\"\n"), 0);
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), EINVAL);
    assert_string_equal(msgs(f), "t.cfg:2: ioreq_pages: a list is "
                        "expected, e.g. ioreq_pages = [ \"0x1000-0x10ff\" "
                        "], not a single value\n");
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            1), EINVAL);
    assert_string_equal(msgs(f), "");
    assert_ptr_equal(r, (void *)1);
    assert_int_equal(n, 42);
}

/* Every class of malformed range, each reported with its own line. */
static void test_gfn_ranges_malformed(void **state)
{
    static const struct {
        const char *entry;
        const char *cls;        /* the gist of the library's message */
    } bad[] = {
        { "\"\"", "empty GFN range" },
        { "\"0x10-\"", "no number after '-'" },
        { "\"+5\"", "FIRST is missing" },
        { "\"0x\"", "must be followed by hex digits" },
        { "\"12abc\"", "hex numbers need the 0x prefix" },
        { "\"0x10-0x1fzz\"", "is not a hex digit" },
        { "\"0x10-0x20-0x30\"", "has one '-' or '+'" },
        { "\"-5\"", "negative numbers are not allowed" },
        { "\"0x10--5\"", "negative numbers are not allowed" },
        { "\"0x20-0x10\"", "range is reversed" },
        { "\"0x10+0\"", "COUNT is 0" },
        { "\"0xffffffffffffffff+2\"", "wraps past 0xffffffffffffffff" },
        { "\"0x10000000000000000\"", "does not fit in 64 bits" },
        { "\"18446744073709551616\"", "does not fit in 64 bits" },
        { "\"010\"", "leading zero" },
        { "\" 0x10\"", "whitespace" },
    };
    struct fx *f = *state;
    char *text = strdup("ioreq_pages = [\n    \"0x1\",\n"), *want = strdup("");
    gfn_range *r = (void *)1;
    gfn_range_err err;
    size_t i;
    int n = 42;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        char *entry = strndup(bad[i].entry + 1, strlen(bad[i].entry) - 2);
        char *t = fmt("%s    %s,\n", text, bad[i].entry);
        char *w = fmt("%st.cfg:%zu: ioreq_pages: %s\n", want, i + 3,
                      range_msg(entry, &err));

        if (!strstr(err.msg, bad[i].cls))
            fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].entry, err.msg,
                     bad[i].cls);
        free(entry);
        free(text);
        free(want);
        text = t;
        want = w;
    }
    /* A nested list is no range either. */
    {
        char *t = fmt("%s    [ \"0x5\" ],\n]\n", text);
        char *w = fmt("%st.cfg:%zu: ioreq_pages: entry %zu is a list, but "
                      "should be a GFN range such as \"0x1000-0x10ff\"\n",
                      want, ARRAY_SIZE(bad) + 3, ARRAY_SIZE(bad) + 2);

        free(text);
        free(want);
        text = t;
        want = w;
    }

    assert_int_equal(rd(f, text), 0);
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), EINVAL);
    assert_string_equal(msgs(f), want);
    assert_ptr_equal(r, (void *)1);
    assert_int_equal(n, 42);
    /* dont_warn does not hide bad entries: they are errors. */
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            1), EINVAL);
    assert_string_equal(msgs(f), want);
    free(text);
    free(want);

    /* Numbers are checked by the scanner already. */
    assert_int_equal(rd(f, "ioreq_pages = [ 0x10-0x20 ]\n"), EINVAL);
    assert_string_equal(msgs(f), NEAR(1, "-") "bad character; a value is "
                        "a \"string\", a number or a [list]\n");
}

static void test_gfn_ranges_overlap(void **state)
{
    struct fx *f = *state;
    gfn_range *r = (void *)1;
    int n = 42;

    assert_int_equal(rd(f,
        "ioreq_pages = [ \"0x10-0x1f\",\n"
        "                \"0x100\",\n"
        "                \"24+4\" ]\n"), 0);
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), EINVAL);
    assert_string_equal(msgs(f),
        "t.cfg:3: ioreq_pages: entries 1 (0x10-0x1f) and 3 (0x18-0x1b) "
        "overlap at 0x18-0x1b; give each page once (entry 1 is "
        "\"0x10-0x1f\" at t.cfg:1, entry 3 is \"24+4\" at t.cfg:3)\n");

    /* A duplicate, however it is written. */
    assert_int_equal(rd(f,
        "ioreq_pages = [ \"0x10-0x1f\", \"16+16\" ]\n"), 0);
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), EINVAL);
    assert_string_equal(msgs(f),
        "t.cfg:1: ioreq_pages: entry 2 (0x10-0x1f) repeats entry 1; give "
        "each range once (entry 1 is \"0x10-0x1f\" at t.cfg:1, entry 2 "
        "is \"16+16\" at t.cfg:1)\n");

    /* Across the file and the command line. */
    assert_int_equal(rd(f, "ioreq_pages = [ \"0x300+2\" ]\n"), 0);
    assert_int_equal(xlu_cfg_read_settings(f->cfg, NULL, 1,
        (const char *[]){ "ioreq_pages+=[\"0x301\"]" }), 0);
    assert_int_equal(xlu_cfg_get_gfn_ranges(f->cfg, "ioreq_pages", &r, &n,
                                            0), EINVAL);
    assert_string_equal(msgs(f),
        "command line:1: ioreq_pages: entries 1 (0x300-0x301) and 2 "
        "(0x301) overlap at 0x301; give each page once (entry 1 is "
        "\"0x300+2\" at t.cfg:1, entry 2 is \"0x301\" at command "
        "line:1)\n");
    assert_ptr_equal(r, (void *)1);
    assert_int_equal(n, 42);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_strings),
        T(test_numbers),
        T(test_lists),
        T(test_statements),
        T(test_repeated_keys),
        T(test_plus_equals),
        T(test_error_unterminated_string),
        T(test_error_bad_character),
        T(test_error_nul_byte),
        T(test_error_missing_equals),
        T(test_error_missing_value),
        T(test_error_brackets),
        T(test_error_too_deep),
        T(test_error_plus_equals),
        T(test_error_numbers),
        T(test_error_one_per_line),
        T(test_read_all_or_nothing),
        T(test_readfile),
        T(test_read_settings),
        T(test_readdata_source),
        T(test_init),
        T(test_get_absent_and_wrong_type),
        T(test_get_long_range),
        T(test_replace_string),
        T(test_list_as_string_list),
        T(test_gfn_ranges_good),
        T(test_gfn_ranges_single_value),
        T(test_gfn_ranges_malformed),
        T(test_gfn_ranges_overlap),
    };
#undef T

    return cmocka_run_group_tests(tests, NULL, NULL);
}
