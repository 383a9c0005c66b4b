/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Strict parsing of guest frame numbers and GFN ranges, and operations on
 * lists of ranges.  One implementation for every place that reads them:
 * demu's --map, xl ioreq-map/ioreq-unmap, the ioreq_pages config key, and
 * the plain numbers of xensim-guest.
 *
 * Grammar (nothing else is accepted, not even a space):
 *
 *   GFN-RANGE := NUMBER | NUMBER "-" NUMBER | NUMBER "+" NUMBER
 *   NUMBER    := "0" | [1-9][0-9]* | ("0x" | "0X") [0-9a-fA-F]+
 *
 * FIRST-LAST is inclusive; FIRST+COUNT covers COUNT pages from FIRST.
 * Every number is 0 to 2^64 - 1.
 *
 * Leading zeros: a decimal number may not have one ("010" is refused, not
 * read as 8 or as 10), because C and strtoul(..., 0) read it as octal and
 * people read it as decimal; whichever we picked would surprise someone.
 * Hex numbers may have them ("0x00ff"): zero-padded hex addresses are
 * common and unambiguous.
 *
 * Contract: the functions do no I/O and keep no state.  They return 0 on
 * success or one of the negative GFN_RANGE_E* codes below, each a distinct
 * class of error.  When they fail and err is not NULL, err->rc is the code
 * and err->msg a one-line message (no trailing newline) that quotes the
 * bad input and says what would be right.  Outputs are written only on
 * success.
 */
#ifndef GFN_RANGE_H
#define GFN_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An inclusive range, first <= last; it can cover all 2^64 frames. */
typedef struct gfn_range {
    uint64_t first;
    uint64_t last;
} gfn_range;

enum {
    GFN_RANGE_EEMPTY = -1,          /* the input is empty (or NULL) */
    GFN_RANGE_ESPACE = -2,          /* whitespace anywhere */
    GFN_RANGE_ENONUMBER = -3,       /* a number is missing: "5-", "+3" */
    GFN_RANGE_ENEGATIVE = -4,       /* a minus sign where a number starts */
    GFN_RANGE_ENOHEXDIGITS = -5,    /* "0x" not followed by a hex digit */
    GFN_RANGE_ELEADINGZERO = -6,    /* a decimal number like "010" */
    GFN_RANGE_EJUNK = -7,           /* characters after a number: "12abc" */
    GFN_RANGE_EOVERFLOW = -8,       /* a number above 2^64 - 1 */
    GFN_RANGE_ETOOLARGE = -9,       /* a number above the caller's limit */
    GFN_RANGE_EREVERSED = -10,      /* FIRST-LAST with FIRST > LAST */
    GFN_RANGE_ECOUNTZERO = -11,     /* FIRST+0 */
    GFN_RANGE_EWRAP = -12,          /* FIRST+COUNT ends past 2^64 - 1 */
    GFN_RANGE_EOVERLAP = -13,       /* two ranges of a list overlap */
    GFN_RANGE_EDUPLICATE = -14,     /* a list repeats a range */
    GFN_RANGE_ENOMEM = -15,         /* out of memory */
};

#define GFN_RANGE_MSG_MAX 320

typedef struct gfn_range_err {
    int rc;                         /* a GFN_RANGE_E* code */
    char msg[GFN_RANGE_MSG_MAX];
} gfn_range_err;

/* "0x1f" or "0x10-0x1f": the longest is GFN_RANGE_STRLEN - 1 chars. */
#define GFN_RANGE_STRLEN sizeof("0x0123456789abcdef-0x0123456789abcdef")

/* Parse a whole GFN-RANGE string into *r. */
int gfn_range_parse(const char *s, gfn_range *r, gfn_range_err *err);

/*
 * Parse a whole string as one NUMBER no greater than max (UINT64_MAX for
 * no limit) into *val.  what names the number in messages ("GPA",
 * "--vcpu"); NULL means "number".
 */
int gfn_range_parse_u64(const char *s, const char *what, uint64_t max,
                        uint64_t *val, gfn_range_err *err);

/* A short description of a GFN_RANGE_E* code, for logs and tests. */
const char *gfn_range_strerror(int rc);

/* Canonical text of r: "0x1f" for one frame, else "0x10-0x1f". */
void gfn_range_format(const gfn_range *r, char buf[GFN_RANGE_STRLEN]);

/* Whether a and b share at least one frame (adjacent ones do not). */
bool gfn_range_overlaps(const gfn_range *a, const gfn_range *b);

/* The frames a and b share into *x; false (*x untouched) if none. */
bool gfn_range_intersect(const gfn_range *a, const gfn_range *b,
                         gfn_range *x);

/* Sort by first, then by last. */
void gfn_range_sort(gfn_range *r, size_t n);

/*
 * Sort r[0..n) and merge ranges that overlap or touch (0x0-0x4 and
 * 0x5-0x9 become 0x0-0x9), in place.  Returns the new number of ranges.
 */
size_t gfn_range_coalesce(gfn_range *r, size_t n);

/*
 * Check that no two of r[0..n) share a frame.  On an overlap, returns
 * GFN_RANGE_EOVERLAP, or GFN_RANGE_EDUPLICATE when the two are equal, and
 * stores the indices of the two ranges in *a_r < *b_r (either may be
 * NULL), so that the caller can name them as the user wrote them; the
 * message names them by position (1-based) and canonical text.  r is not
 * modified.
 */
int gfn_range_check_overlap(const gfn_range *r, size_t n, size_t *a_r,
                            size_t *b_r, gfn_range_err *err);

#endif /* GFN_RANGE_H */
