/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxlutil: the xl.cfg configuration-file parser.
 *
 * Syntax (see libxlu_cfg_y.y for the grammar):
 *
 *   # a comment runs to the end of the line
 *   name = "guest1"                 a string, in "..." or '...'
 *   memory = 256; vcpus = 0x2       numbers: decimal or 0x hex
 *   disk = [ "a", "b",              a list, over several lines, with
 *            [ "nested" ], ]        nested lists and a trailing comma
 *   extra += " console=hvc0"        += appends to the earlier setting
 *
 * A statement ends at a newline or ';'; inside brackets newlines are
 * only space.  Keys are [a-z][a-z0-9_.]*.  Escapes in strings: \\ \"
 * \' \n \t \r and \xHH (not \x00); any other backslash is an error,
 * and a string ends on its line.  Numbers are strict, in gfn-range.h's
 * NUMBER syntax: 0, decimal without a leading zero, or 0x and hex
 * digits; no sign; at most 2^64 - 1.  Lists nest at most 64 deep.
 *
 * A key set again replaces the earlier value: the last one wins.
 * KEY += VALUE concatenates strings and appends a list's entries to a
 * list; with no earlier setting it is KEY = VALUE.  It refuses numbers
 * (on either side) and a value of the other type.
 *
 * Contract:
 *
 * - Every function that returns int returns 0 or a positive errno
 *   value, and nothing else: ESRCH (key absent), EINVAL (bad input or
 *   wrong type), ERANGE (number out of range), ENOMEM, or the errno of
 *   a failed read.
 * - Messages go to the report stream given to xlu_cfg_init (none if it
 *   is NULL), one line each, ending with a newline.  They start with
 *   "SOURCE:LINE: " naming where the offending text was written (the
 *   value's first line for getters), or "SOURCE: " for a file that
 *   cannot be read:
 *
 *     SOURCE:LINE: config parsing error near `TOKEN': WHY
 *     SOURCE:LINE: warning: parameter `KEY' ...            (getters)
 *     SOURCE:LINE: KEY: WHAT              (xlu_cfg_get_gfn_ranges)
 *     SOURCE: cannot read config file `PATH': STRERROR
 *
 *   TOKEN is the text at fault (non-printable bytes as \xHH), or
 *   `<newline>' or `<end of file>'.  WHY is bison's "syntax error,
 *   unexpected X, expecting Y" (with a hint for a string without quotes
 *   or an unclosed '['), or one of: unterminated string, bad character,
 *   not a valid name, unknown escape sequence, a string cannot contain a
 *   NUL byte, lists nested too deeply, the number parser's message on a
 *   bad number, or why a += is refused.
 *
 *   Each line gets at most one message; after an error the parser
 *   resumes at the next line (after a bad list, at its end), so every
 *   bad line is reported, once.
 * - Strings, lists and values returned by the getters belong to the
 *   config and live until xlu_cfg_destroy, even if a later read sets
 *   the key again.  Getters never modify the config.
 * - Getters of a single value fail with EINVAL on a list, getters of a
 *   list fail with EINVAL on a single value.  dont_warn suppresses the
 *   getters' warnings (not xlu_cfg_get_gfn_ranges' messages about bad
 *   entries, which are errors).  Outputs are written only on success.
 * - Not thread-safe for concurrent use of one config; separate configs
 *   are independent.
 */
#ifndef LIBXLUTIL_H
#define LIBXLUTIL_H

#include <stdbool.h>
#include <stdio.h>

#include "gfn-range.h"

enum XLU_ConfigValueType {
    XLU_STRING,                 /* a string or a number, as text */
    XLU_LIST,
};

enum XLU_Operation {
    XLU_OP_ASSIGNMENT = 0,      /* KEY = VALUE */
    XLU_OP_ADDITION,            /* KEY += VALUE */
};

typedef struct XLU_Config XLU_Config;
typedef struct XLU_ConfigList XLU_ConfigList;
typedef struct XLU_ConfigValue XLU_ConfigValue;

/*
 * A new, empty config.  report receives every message (NULL: none) and
 * must stay open until xlu_cfg_destroy; report_source names the input
 * in messages and is copied.  Returns NULL with errno set on failure
 * (ENOMEM, or EINVAL if report_source is NULL).
 */
XLU_Config *xlu_cfg_init(FILE *report, const char *report_source);

/*
 * Read a whole file (real_filename; messages name the init's
 * report_source) or a buffer of length bytes, which may contain NULs
 * and need not be NUL-terminated, and add its settings to the config.
 *
 * Returns 0, EINVAL if any error was reported (all of them are, one per
 * bad line), ENOMEM, or the errno of opening or reading the file (with
 * a message).  A read is all or nothing: on failure the config is as it
 * was before the call, and may still be used.
 *
 * Reads may be repeated: each later read is parsed after the earlier
 * ones, so its settings replace or (with +=) extend theirs.
 */
int xlu_cfg_readfile(XLU_Config *cfg, const char *real_filename);
int xlu_cfg_readdata(XLU_Config *cfg, const char *data, int length);

/* xlu_cfg_readdata, with messages naming source instead. */
int xlu_cfg_readdata_source(XLU_Config *cfg, const char *source,
                            const char *data, int length);

/*
 * Settings given on a command line after the config file, as in
 *
 *   xl create guest.cfg 'memory=256' 'ioreq_pages+=["0x300"]'
 *
 * Xen's xl appends them to the file's text and parses the whole.  Here,
 * read the file first, then pass the settings: settings[0..n) are
 * parsed as the lines of one more read (all or nothing, as above), so
 * they override the file's settings and += extends them.  Messages name
 * source ("command line" if NULL) and the line, which is the 1-based
 * position of the setting unless a setting contains a newline.
 * n == 0 does nothing.  Returns as xlu_cfg_readdata.
 */
int xlu_cfg_read_settings(XLU_Config *cfg, const char *source, int n,
                          const char *const *settings);
#define LIBXLU_HAVE_CFG_READ_SETTINGS 1

/* Free the config and everything the getters returned.  NULL is ok. */
void xlu_cfg_destroy(XLU_Config *cfg);

/*
 * The value of KEY as a string.  A number gives its text as written
 * ("0x10").  Returns 0, ESRCH, or EINVAL for a list.
 */
int xlu_cfg_get_string(const XLU_Config *cfg, const char *key,
                       const char **value_r, int dont_warn);

/*
 * xlu_cfg_get_string, but on success free(*value_r) and store a copy
 * there, which the caller frees.  ENOMEM leaves *value_r alone.
 */
int xlu_cfg_replace_string(const XLU_Config *cfg, const char *key,
                           char **value_r, int dont_warn);

/*
 * The value of KEY as a number.  Either a number or a string holding
 * one in the same strict syntax ("256" is accepted, as in Xen; "" and
 * " 256" are not).  Returns 0, ESRCH, EINVAL (a list, or a string that
 * is not a number) or ERANGE (above LONG_MAX).
 *
 *   SOURCE:LINE: warning: parameter `KEY' is not a number: DETAIL
 *   SOURCE:LINE: warning: parameter `KEY' is out of range: VALUE is
 *                above LONG_MAX (9223372036854775807)
 */
int xlu_cfg_get_long(const XLU_Config *cfg, const char *key, long *value_r,
                     int dont_warn);

/*
 * xlu_cfg_get_long, and ERANGE unless min <= value <= max:
 *
 *   SOURCE:LINE: warning: parameter `KEY' is out of range: VALUE is
 *                not between MIN and MAX
 */
int xlu_cfg_get_bounded_long(const XLU_Config *cfg, const char *key,
                             long min, long max, long *value_r,
                             int dont_warn);

/*
 * A boolean: the number 0 or 1 (ERANGE otherwise).  ESRCH means "not
 * set", which leaves a libxl_defbool at its default.
 */
int xlu_cfg_get_defbool(const XLU_Config *cfg, const char *key,
                        bool *value_r, int dont_warn);

/*
 * The list that is the value of KEY and its number of entries (either
 * pointer may be NULL).  Returns 0, ESRCH, or EINVAL for a single value:
 *
 *   SOURCE:LINE: warning: parameter `KEY' is a single value but should
 *                be a list
 */
int xlu_cfg_get_list(const XLU_Config *cfg, const char *key,
                     const XLU_ConfigList **list_r, int *entries_r,
                     int dont_warn);

/*
 * Entry i of list as a string (a number gives its text); NULL if i is
 * out of range or the entry is a list.  Sets no errno.
 */
const char *xlu_cfg_get_listitem(const XLU_ConfigList *list, int entry);

/*
 * The list KEY as a NULL-terminated array of copies of its strings
 * (numbers as their text), which the caller frees, each string and then
 * the array (libxl_string_list_dispose does both).  An empty list gives
 * an array holding only NULL.  Returns 0, ESRCH, ENOMEM, or EINVAL for
 * a single value or a list with a nested list:
 *
 *   SOURCE:LINE: warning: parameter `KEY': entry N is a list but should
 *                be a single value
 */
int xlu_cfg_get_list_as_string_list(const XLU_Config *cfg, const char *key,
                                    char ***strings_r, int dont_warn);

/* Nested lists: entry i of list as a value (NULL if out of range). */
const XLU_ConfigValue *xlu_cfg_get_listitem2(const XLU_ConfigList *list,
                                             int entry);
enum XLU_ConfigValueType xlu_cfg_value_type(const XLU_ConfigValue *value);
/* 0, or EINVAL if value is not of the type asked for (with a warning). */
int xlu_cfg_value_get_string(const XLU_Config *cfg,
                             const XLU_ConfigValue *value,
                             const char **value_r, int dont_warn);
int xlu_cfg_value_get_list(const XLU_Config *cfg,
                           const XLU_ConfigValue *value,
                           const XLU_ConfigList **value_r, int dont_warn);

/*
 * A list of GFN ranges, such as the ioreq_pages key:
 *
 *   ioreq_pages = [ "0x1000-0x10ff", "0x2000+16", "0x3000" ]
 *
 * Each entry is a string (or a number) in gfn-range.h's GFN-RANGE
 * syntax.  Every bad entry is reported, then ranges that overlap or
 * repeat; the messages name the key, and the line of the entry:
 *
 *   SOURCE:LINE: KEY: MESSAGE OF gfn_range_parse
 *   SOURCE:LINE: KEY: entry N is a list, but should be a GFN range
 *                such as "0x1000-0x10ff"
 *   SOURCE:LINE: KEY: MESSAGE OF gfn_range_check_overlap (entry A is
 *                "TEXT" at SOURCE:LINE, entry B is "TEXT" at
 *                SOURCE:LINE)
 *   SOURCE:LINE: KEY: a list is expected, e.g. KEY = [ "0x1000-0x10ff"
 *                ], not a single value
 *
 * On success, *ranges_r is a malloc'd array the caller frees, holding
 * the pages as *count_r sorted, disjoint ranges (gfn_range_coalesce:
 * adjacent entries are merged); an empty list gives NULL and 0.
 *
 * Returns 0, ESRCH, ENOMEM, or EINVAL: a single value (dont_warn
 * suppresses only that message), a bad entry, or an overlap.
 */
int xlu_cfg_get_gfn_ranges(const XLU_Config *cfg, const char *key,
                           gfn_range **ranges_r, int *count_r,
                           int dont_warn);
#define LIBXLU_HAVE_CFG_GET_GFN_RANGES 1

#endif /* LIBXLUTIL_H */

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
