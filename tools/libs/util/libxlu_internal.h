/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxlutil's internals: the config's data structures, and the interface
 * between libxlu_cfg.c, the bison parser (libxlu_cfg_y.y) and the flex
 * scanner (libxlu_cfg_l.l).
 *
 * A read parses into a CfgParseContext of its own, and only a read
 * without errors is merged into the config: that is what makes a read
 * all or nothing.  Inside a read, each statement is applied as soon as
 * it is parsed, so that += sees the statements before it.
 */
#ifndef LIBXLU_INTERNAL_H
#define LIBXLU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libxlutil.h"

struct XLU_ConfigList {
    int nvalues;
    int avalues;                /* allocated entries of values */
    XLU_ConfigValue **values;
};

struct XLU_ConfigValue {
    enum XLU_ConfigValueType type;
    /*
     * An unquoted number: u.string is its text as written, and num its
     * value.  Both are needed: get_string gives the text, and += must
     * tell numbers from strings.
     */
    bool number;
    uint64_t num;
    union {
        char *string;
        XLU_ConfigList list;
    } u;
    const char *source;         /* owned by the config (its sources) */
    int line;                   /* where the value starts */
};

typedef struct XLU_ConfigSetting {
    struct XLU_ConfigSetting *next;
    char *name;
    XLU_ConfigValue *value;
} XLU_ConfigSetting;

struct XLU_Config {
    FILE *report;               /* NULL: no messages */
    const char *report_source;  /* one of sources */
    XLU_ConfigSetting *settings;    /* one per key */
    /*
     * Values replaced by a later read: getters' results must live as
     * long as the config, so they are only freed by xlu_cfg_destroy.
     */
    XLU_ConfigSetting *retired;
    /* Every source name of a read, for values to point to. */
    char **sources;
    int nsources;
};

/* What the scanner last returned, for the error messages. */
enum cfg_tok_kind {
    CFG_TOK_NONE,               /* nothing yet */
    CFG_TOK_EOF,
    CFG_TOK_NEWLINE,
    CFG_TOK_NAME,
    CFG_TOK_VALUE_START,        /* '=', '+=', '[' or ',' */
    CFG_TOK_OTHER,
};

typedef struct CfgParseContext {
    XLU_Config *cfg;
    const char *source;         /* for messages; owned by cfg */
    XLU_ConfigSetting *settings;    /* this read's, merged on success */
    int err;                    /* 0, EINVAL or ENOMEM */

    int err_line;               /* line of the last error reported */
    /* Brackets open at the scanner's position, for messages/recovery. */
    int depth;
    int open_line;              /* line of the outermost open '[' */
    bool recovering;            /* after a syntax error, until NEWLINE */
    bool unclosed;              /* a name starts a statement in a list */

    enum cfg_tok_kind tok, prev_tok;
    const char *tok_text;       /* the scanner's yytext of tok */
    size_t tok_len;
    int tok_line;
} CfgParseContext;

/* Print "SOURCE:LINE: " ("SOURCE: " if line is 0), the message, "\n". */
void xlu__cfg_report(const XLU_Config *cfg, const char *source, int line,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Report a parse error and mark the read as failed:
 * "SOURCE:LINE: config parsing error near `TOKEN': WHY", with TOKEN's
 * non-printable bytes escaped.  Each line gets at most one message,
 * whatever its kind: an error on a line that already had one only
 * marks the read as failed.
 */
void xlu__cfg_parse_error(CfgParseContext *ctx, int line, const char *tok,
                          size_t toklen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Constructors used by the parser.  Each takes ownership of its pointer
 * arguments, also on failure, when it returns NULL or -1 after setting
 * ctx->err to ENOMEM.
 */
XLU_ConfigValue *xlu__cfg_string_mk(CfgParseContext *ctx, char *text,
                                    int line);
XLU_ConfigValue *xlu__cfg_number_mk(CfgParseContext *ctx, char *text,
                                    int line);
XLU_ConfigValue *xlu__cfg_list_mk(CfgParseContext *ctx, int line);
int xlu__cfg_list_append(CfgParseContext *ctx, XLU_ConfigValue *list,
                         XLU_ConfigValue *item);
void xlu__cfg_value_free(XLU_ConfigValue *value);

/*
 * Apply KEY = VALUE or KEY += VALUE (op_line: the line of the operator,
 * for errors).  Returns 0, or -1 on ENOMEM; a statement refused (+= with
 * a number, or of another type) is reported and returns 0.
 */
int xlu__cfg_set_store(CfgParseContext *ctx, char *name,
                       enum XLU_Operation op, XLU_ConfigValue *value,
                       int op_line);

/*
 * The parser's yyerror: report a syntax error at the scanner's current
 * token (with hints for an unquoted string or an unclosed '['), unless
 * the line was already reported.
 */
void xlu__cfg_syntax_error(CfgParseContext *ctx, int line, const char *msg);

/* Called by the grammar when it has resynchronised after an error. */
void xlu__cfg_recovered(CfgParseContext *ctx);

/* The scanner's side (libxlu_cfg_l.l): scan and parse data into ctx. */
int xlu__cfg_scan_parse(CfgParseContext *ctx, const char *data,
                        size_t len);

#endif /* LIBXLU_INTERNAL_H */

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
