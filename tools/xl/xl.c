/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * xl: main, the global options, and help.
 *
 *   xl [-v...] [-N] [-h] SUBCOMMAND [ARGS...]
 *
 * The subcommand may be shortened to any prefix that names only it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "xl.h"
#include "xl_utils.h"

int dryrun_only;
xentoollog_logger_stdiostream *logger;
libxl_ctx *ctx;

static void xl_ctx_free(void)
{
    libxl_ctx_free(ctx);
    ctx = NULL;
    if (logger) {
        xtl_logger_destroy((xentoollog_logger *)logger);
        logger = NULL;
    }
}

void xl_ctx_alloc(void)
{
    if (ctx)
        return;
    /* libxl says why (the daemon is not running, say) through logger. */
    if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
                        (xentoollog_logger *)logger)) {
        ctx = NULL;
        exit(EXIT_FAILURE);
    }
}

bool cmd_allows_dryrun(const struct cmd_spec *cmd)
{
    return cmd->can_dryrun || !cmd->modifies;
}

/* The first option line of every command (see def_getopt). */
#define HELP_OPTION "-h, --help              Print this help and exit.\n"

void help(const char *command)
{
    const struct cmd_spec *cmd;
    int i;

    cmd = command ? cmdtable_lookup(command, NULL) : NULL;
    if (cmd) {
        printf("Usage: xl %s%s %s\n\n%s.\n\nOptions:\n\n" HELP_OPTION "%s",
               cmd_allows_dryrun(cmd) ? "[-vN] " : "[-v] ", cmd->cmd_name,
               cmd->cmd_usage, cmd->cmd_desc,
               cmd->cmd_option ? cmd->cmd_option : "");
        return;
    }

    printf("Usage: xl [-v] [-N] [-h] <subcommand> [args]\n\n"
           "xl full list of subcommands:\n\n");
    for (i = 0; i < cmdtable_len; i++)
        printf(" %-19s %s\n", cmd_table[i].cmd_name, cmd_table[i].cmd_desc);
    printf("\n"
           "Global options:\n\n"
           "-v                      Verbose: show more of libxl's log "
           "(repeat for more).\n"
           "-N                      Dry run: show what would be done, "
           "change nothing.\n"
           "-h                      Print this help and exit.\n\n"
           "A subcommand may be abbreviated to any prefix that names only "
           "it.\n"
           "'xl help <subcommand>' or 'xl <subcommand> -h' describes "
           "one.\n");
}

/* name is no command: say so, or which commands it abbreviates. */
static void unknown_command(const char *name, bool ambiguous)
{
    size_t len = strlen(name);
    const char *sep = "";
    int i;

    if (!ambiguous) {
        xl_error("'%s' is not a subcommand; 'xl help' lists them", name);
        return;
    }
    fprintf(stderr, "xl: '%s' is ambiguous: it abbreviates ", name);
    for (i = 0; i < cmdtable_len; i++) {
        if (strncmp(cmd_table[i].cmd_name, name, len))
            continue;
        fprintf(stderr, "%s%s", sep, cmd_table[i].cmd_name);
        sep = ", ";
    }
    fputc('\n', stderr);
}

int main_help(int argc, char **argv)
{
    bool ambiguous;
    int opt;

    SWITCH_FOREACH_OPT(opt, "", NULL, "help", 0, 1) {
    }
    if (optind == argc) {
        help(NULL);
        return EXIT_SUCCESS;
    }
    if (!cmdtable_lookup(argv[optind], &ambiguous)) {
        unknown_command(argv[optind], ambiguous);
        return EXIT_USAGE;
    }
    help(argv[optind]);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    xentoollog_level minmsglevel = XTL_PROGRESS;
    const struct cmd_spec *cspec;
    bool ambiguous;
    int opt, ret;

    /* '+': the global options stop at the subcommand. */
    opterr = 0;
    while ((opt = getopt(argc, argv, "+vNh")) != -1) {
        switch (opt) {
        case 'v':
            if (minmsglevel > XTL_DEBUG)
                minmsglevel--;
            break;
        case 'N':
            dryrun_only = 1;
            break;
        case 'h':
            help(NULL);
            return flush_stdout();
        default:
            xl_error("unknown global option '-%c'; 'xl help' lists them",
                     optopt);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        xl_error("no subcommand given; 'xl help' lists them");
        return EXIT_USAGE;
    }

    cspec = cmdtable_lookup(argv[optind], &ambiguous);
    if (!cspec) {
        unknown_command(argv[optind], ambiguous);
        return EXIT_USAGE;
    }
    if (dryrun_only && !cmd_allows_dryrun(cspec)) {
        xl_error("'%s' does not implement -N (dry run)", cspec->cmd_name);
        return EXIT_USAGE;
    }

    logger = xtl_createlogger_stdiostream(stderr, minmsglevel, 0);
    if (!logger)
        return EXIT_FAILURE;
    atexit(xl_ctx_free);

    /* The command sees its name (as typed) as argv[0]. */
    ret = cspec->cmd_impl(argc - optind, argv + optind);
    if (flush_stdout() && ret == EXIT_SUCCESS)
        ret = EXIT_FAILURE;
    return ret;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
