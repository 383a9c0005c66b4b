/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Helpers every xl command uses: option parsing, finding a domain,
 * messages, and printing libxl's JSON.
 */
#ifndef XL_UTILS_H
#define XL_UTILS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include <yajl/yajl_gen.h>

#include "xl.h"

/* End every command's long options with these (then a zeroed entry). */
#define COMMON_LONG_OPTS { "help", no_argument, NULL, 'h' }

/*
 * The values of long options that have no short form start here, so
 * that def_getopt can tell them from short ones in its messages.
 */
#define LONG_ONLY_FIRST 256

/* No upper limit on the number of positional arguments. */
#define ARGS_UNLIMITED (-1)

/*
 * getopt_long for command cmd, with its checks: -h and --help print the
 * command's help and exit 0; an unknown option, a missing or an
 * unexpected option argument exits 2 with a message.  Returns each
 * option the command knows (as getopt_long does); at the end (-1),
 * checks that there are min_args to max_args positional arguments
 * (ARGS_UNLIMITED: no maximum) from optind on, or exits 2 saying so.
 * longopts NULL means --help only.
 */
int def_getopt(int argc, char **argv, const char *opts,
               const struct option *longopts, const char *cmd,
               int min_args, int max_args);

/*
 * for each option of the command line: switch (opt) { case ...: }
 *
 *     SWITCH_FOREACH_OPT(opt, "p", NULL, "create", 1, ARGS_UNLIMITED) {
 *     case 'p':
 *         paused = true;
 *         break;
 *     }
 *
 * The cases need not cover -h or errors, which never reach them.
 * Positional arguments are then argv[optind..argc).  optind = 0 makes
 * getopt start afresh (main's getopt stopped at the command): options
 * may follow the positional arguments, up to a "--".
 */
#define SWITCH_FOREACH_OPT(opt, opts, longopts, cmd, min_args, max_args)   \
    for (optind = 0;                                                       \
         ((opt) = def_getopt(argc, argv, (opts), (longopts), (cmd),         \
                             (min_args), (max_args))) != -1; )             \
        switch (opt)

/*
 * Print "Usage: ..." and a pointer to the command's help on stderr and
 * exit 2, after "xl CMD: MESSAGE" when fmt is not NULL.
 */
void usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* "xl: MESSAGE" on stderr, with a newline. */
void xl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The domain p names: a domid (decimal) or a name.  Allocates ctx.  A
 * domain that does not exist, or p that is neither, is a failure: a
 * message naming p, and exit 1.
 */
uint32_t find_domain(const char *p);

/*
 * How messages name a domain: "guest1 (domain 3)", or "domain 3" if it
 * has no name.  A static buffer, overwritten by the next call.
 */
const char *domain_desc(uint32_t domid);

/* calloc that exits 1 with a message when memory runs out. */
void *xcalloc(size_t nmemb, size_t size);

/*
 * JSON output built from libxl's own (libxl_<type>_to_json), so that
 * xl never formats a libxl type a second way: a generator laid out as
 * libxl's (4-space indent), and json_copy, which emits the JSON value
 * text into g wherever g is (an array element, after a key).  0 on
 * success, or -1 with a message.
 */
yajl_gen json_gen_alloc(void);
int json_copy(yajl_gen g, const char *text);
/*
 * A JSON array whose "[" is held back until its first element, so that
 * an empty one comes out as "[]", as libxl writes it: call
 * json_array_element before each element (*n counts them, from 0) and
 * json_array_end after the last.  0, or -1 if yajl refuses.
 */
int json_array_element(yajl_gen g, int *n);
int json_array_end(yajl_gen g, int n);

/* Print what g holds on stdout, and a newline.  0 or -1 (message). */
int json_print(yajl_gen g);

/*
 * Print on stdout a JSON array of n elements: element(list, i) is the
 * JSON of element i (libxl_<type>_to_json, freed here; NULL if libxl
 * failed).  0, or -1 with a message.
 */
typedef char *json_element_fn(const void *list, int i);
int json_print_array(json_element_fn *element, const void *list, int n);

/* Flush stdout; on a write error, say so and return EXIT_FAILURE. */
int flush_stdout(void);

#endif /* XL_UTILS_H */

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
