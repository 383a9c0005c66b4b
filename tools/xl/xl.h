/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * xl: the command-line toolstack, on libxl.
 *
 * Every subcommand is a `main_<name>(argc, argv)' listed in the command
 * table (xl_cmdtable.c) and behaves as a program's main: argv[0] is the
 * command's name, and it returns an exit status, never a libxl ERROR_*
 * code:
 *
 *   EXIT_SUCCESS (0)   it did what was asked
 *   EXIT_FAILURE (1)   it could not (the reason is on stderr)
 *   EXIT_USAGE   (2)   the command line is wrong (unknown option, too
 *                      few or too many arguments, a malformed argument)
 */
#ifndef XL_H
#define XL_H

#include <stdbool.h>
#include <stdlib.h>

#include <libxl.h>
#include <xentoollog.h>

#define EXIT_USAGE 2

struct cmd_spec {
    const char *cmd_name;
    int (*cmd_impl)(int argc, char **argv);
    /* Honours the global -N: shows what it would do, changes nothing. */
    int can_dryrun;
    /*
     * Changes the hypervisor's state.  A command that does not may run
     * under -N as it is, since it has nothing to leave out.
     */
    int modifies;
    const char *cmd_desc;       /* one line, no final period */
    const char *cmd_usage;      /* the arguments after the name */
    const char *cmd_option;     /* "-x, --long            What.\n"... */
};

extern const struct cmd_spec cmd_table[];
extern const int cmdtable_len;

/*
 * The command called name, or a command of which name is the only
 * prefix; NULL if none.  *ambiguous is set when name is a prefix of
 * several commands and of none exactly.
 */
const struct cmd_spec *cmdtable_lookup(const char *name, bool *ambiguous);

/* Whether the command may run under the global -N. */
bool cmd_allows_dryrun(const struct cmd_spec *cmd);

/*
 * Set by main before any command runs, read-only afterwards: the global
 * options, and the logger libxl reports through.
 */
extern int dryrun_only;
extern xentoollog_logger_stdiostream *logger;

/*
 * libxl's context, NULL until a command asks for it with xl_ctx_alloc
 * (after parsing its options, so that `-h' and usage errors never need
 * a hypervisor).  Freed at exit.
 */
extern libxl_ctx *ctx;
/* Allocate ctx if it is not yet; on failure, say why and exit 1. */
void xl_ctx_alloc(void);

/* On stdout: the help of command (a full name), or of xl if NULL. */
void help(const char *command);

/* xl_vmcontrol.c */
int main_create(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_unpause(int argc, char **argv);

/* xl_info.c */
int main_list(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);

/* xl_ioreq.c */
int main_ioreq_map(int argc, char **argv);
int main_ioreq_unmap(int argc, char **argv);
int main_ioreq_list(int argc, char **argv);
int main_ioreq_servers(int argc, char **argv);
int main_ioreq_reset(int argc, char **argv);

/* xl.c */
int main_help(int argc, char **argv);

#endif /* XL_H */

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
