/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The xl.cfg grammar.  The scanner (libxlu_cfg_l.l) has already checked
 * strings and numbers; this file only says how tokens combine, and the
 * actions hand the pieces to libxlu_cfg.c.
 *
 *   file      := stmt* [assignment]      (the last line needs no newline)
 *   stmt      := assignment end | end | <error> NEWLINE
 *   end       := NEWLINE | ';'
 *   assignment:= NAME '=' value | NAME '+=' value
 *   value     := STRING | NUMBER
 *              | '[' ']' | '[' value (',' value)* [','] ']'
 *
 * Inside brackets the scanner returns no newlines, so lists may span
 * lines.  Error recovery skips to the end of the line (the end of the
 * bad list, if the error is in one), so that each bad line gets one
 * message and the lines after it are still checked.
 */

%define api.pure full
%define api.prefix {xlu__cfg_yy}
%define parse.error verbose
/* Lookahead correction: "expecting ..." lists exactly what may follow. */
%define parse.lac full
%locations

%parse-param {void *scanner} {CfgParseContext *ctx}
%lex-param {void *scanner}

%code requires {
#include "libxlu_internal.h"
}

%code provides {
int xlu__cfg_yylex(XLU__CFG_YYSTYPE *lvalp, XLU__CFG_YYLTYPE *llocp,
                   void *scanner);
}

%code {
static void xlu__cfg_yyerror(XLU__CFG_YYLTYPE *loc, void *scanner,
                             CfgParseContext *ctx, const char *msg);
}

%union {
    char *string;
    XLU_ConfigValue *value;
}

%token <string> IDENT "name"
%token <string> STRING "string"
%token <string> NUMBER "number"
%token NEWLINE "newline"
%token PLUSEQ "+="

%type <value> value items

/* What error recovery and aborts discard is freed here. */
%destructor { free($$); } <string>
%destructor { xlu__cfg_value_free($$); } <value>

%%

file
    : stmts
    | stmts assignment
    ;

stmts
    : %empty
    | stmts stmt
    ;

stmt
    : assignment end
    | end
    | error NEWLINE
        {
            /* Report the next bad line too, however close it is. */
            yyerrok;
            xlu__cfg_recovered(ctx);
        }
    ;

end
    : NEWLINE
    | ';'
    ;

assignment
    : IDENT '=' value
        {
            if (xlu__cfg_set_store(ctx, $1, XLU_OP_ASSIGNMENT, $3,
                                   @2.first_line))
                YYABORT;
        }
    | IDENT PLUSEQ value
        {
            if (xlu__cfg_set_store(ctx, $1, XLU_OP_ADDITION, $3,
                                   @2.first_line))
                YYABORT;
        }
    ;

value
    : STRING
        {
            $$ = xlu__cfg_string_mk(ctx, $1, @1.first_line);
            if (!$$)
                YYABORT;
        }
    | NUMBER
        {
            $$ = xlu__cfg_number_mk(ctx, $1, @1.first_line);
            if (!$$)
                YYABORT;
        }
    | '[' ']'
        {
            $$ = xlu__cfg_list_mk(ctx, @1.first_line);
            if (!$$)
                YYABORT;
        }
    | '[' items ']'
        {
            $$ = $2;
            $$->line = @1.first_line;
        }
    | '[' items ',' ']'
        {
            $$ = $2;
            $$->line = @1.first_line;
        }
    ;

/* The entries of a non-empty list; the line is set by value above. */
items
    : value
        {
            $$ = xlu__cfg_list_mk(ctx, @1.first_line);
            if (!$$) {
                xlu__cfg_value_free($1);
                YYABORT;
            }
            if (xlu__cfg_list_append(ctx, $$, $1)) {
                xlu__cfg_value_free($$);
                YYABORT;
            }
        }
    | items ',' value
        {
            $$ = $1;
            if (xlu__cfg_list_append(ctx, $$, $3)) {
                xlu__cfg_value_free($$);
                YYABORT;
            }
        }
    ;

%%

static void xlu__cfg_yyerror(XLU__CFG_YYLTYPE *loc, void *scanner,
                             CfgParseContext *ctx, const char *msg)
{
    (void)scanner;
    xlu__cfg_syntax_error(ctx, loc->first_line, msg);
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
