/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Helpers every xl command uses: option parsing, finding a domain,
 * messages, allocation, and printing libxl's JSON.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "xl.h"
#include "xl_utils.h"

void xl_error(const char *fmt, ...)
{
    va_list ap;

    fputs("xl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void usage_error(const char *cmd, const char *fmt, ...)
{
    const struct cmd_spec *spec = cmdtable_lookup(cmd, NULL);
    va_list ap;

    if (fmt) {
        fprintf(stderr, "xl %s: ", cmd);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    if (spec)
        fprintf(stderr, "Usage: xl %s%s %s\n",
                cmd_allows_dryrun(spec) ? "[-vN] " : "[-v] ", cmd,
                spec->cmd_usage);
    fprintf(stderr, "Try 'xl help %s' for more information.\n", cmd);
    exit(EXIT_USAGE);
}

/* The long option as written (up to an '='), for messages. */
static int long_name_len(const char *arg)
{
    const char *eq = strchr(arg, '=');

    return eq ? (int)(eq - arg) : (int)strlen(arg);
}

/*
 * Explain getopt_long's '?' or ':' (opterr is off, so it said nothing).
 * Long-only options have values of LONG_ONLY_FIRST and above; any other
 * value is the option's short form, in opts.
 */
static void __attribute__((noreturn))
option_error(int opt, char **argv, const char *opts, const char *cmd)
{
    const char *arg = argv[optind - 1];
    bool is_long = optopt >= LONG_ONLY_FIRST ||
                   (optopt && strchr(opts, optopt) &&
                    !strncmp(arg, "--", 2));

    if (opt == ':') {
        if (!strncmp(arg, "--", 2))
            usage_error(cmd, "option '%s' needs an argument", arg);
        usage_error(cmd, "option '-%c' needs an argument", optopt);
    }
    if (!optopt)
        usage_error(cmd, "unknown option '%.*s'", long_name_len(arg), arg);
    if (is_long)
        usage_error(cmd, "option '%.*s' takes no argument",
                    long_name_len(arg), arg);
    /* A negative number, most likely: a GFN-RANGE says why it is bad. */
    if (isdigit((unsigned char)optopt))
        usage_error(cmd, "unknown option '-%c' (put arguments that start "
                    "with '-' after '--')", optopt);
    if (isprint((unsigned char)optopt))
        usage_error(cmd, "unknown option '-%c'", optopt);
    usage_error(cmd, "unknown option '-\\x%02x'", optopt & 0xff);
}

int def_getopt(int argc, char **argv, const char *opts,
               const struct option *longopts, const char *cmd,
               int min_args, int max_args)
{
    static const struct option help_only[] = {
        COMMON_LONG_OPTS,
        { NULL, 0, NULL, 0 },
    };
    /* ':' first: a missing argument is ':', not '?'. */
    char optstring[64];
    int opt, nargs;

    snprintf(optstring, sizeof(optstring), ":h%s", opts);
    opterr = 0;
    opt = getopt_long(argc, argv, optstring, longopts ? longopts : help_only,
                      NULL);
    switch (opt) {
    case 'h':
        help(cmd);
        exit(EXIT_SUCCESS);
    case '?':
    case ':':
        option_error(opt, argv, optstring, cmd);
    case -1:
        nargs = argc - optind;
        if (nargs < min_args)
            usage_error(cmd, "needs %s%d argument%s, got %d",
                        min_args == max_args ? "" : "at least ", min_args,
                        min_args == 1 ? "" : "s", nargs);
        if (max_args != ARGS_UNLIMITED && nargs > max_args)
            usage_error(cmd, "unexpected argument '%s'",
                        argv[optind + max_args]);
        return -1;
    default:
        return opt;
    }
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return false;
    }
    return true;
}

uint32_t find_domain(const char *p)
{
    uint32_t domid;
    int rc;

    xl_ctx_alloc();
    rc = libxl_domain_qualifier_to_domid(ctx, p, &domid);
    if (rc == ERROR_INVAL && all_digits(p)) {
        xl_error("'%s' is not a domid: a domid is a decimal number from 0 "
                 "to 32751, without leading zeros", p);
        exit(EXIT_FAILURE);
    }
    if (rc == ERROR_INVAL) {
        xl_error("there is no domain called '%s'", p);
        exit(EXIT_FAILURE);
    }
    if (rc) {
        xl_error("cannot look up the domain '%s': %s", p,
                 libxl_error_to_string(rc));
        exit(EXIT_FAILURE);
    }
    /* A domid is taken as it is written: check that it exists. */
    rc = libxl_domain_info(ctx, NULL, domid);
    if (rc == ERROR_DOMAIN_NOTFOUND) {
        xl_error("domain %" PRIu32 " does not exist", domid);
        exit(EXIT_FAILURE);
    }
    if (rc) {
        xl_error("cannot look up domain %" PRIu32 ": %s", domid,
                 libxl_error_to_string(rc));
        exit(EXIT_FAILURE);
    }
    return domid;
}

const char *domain_desc(uint32_t domid)
{
    static char buf[128];
    char *name = ctx ? libxl_domid_to_name(ctx, domid) : NULL;

    if (name)
        snprintf(buf, sizeof(buf), "domain %" PRIu32 " (%s)", domid, name);
    else
        snprintf(buf, sizeof(buf), "domain %" PRIu32, domid);
    free(name);
    return buf;
}

static void __attribute__((noreturn)) out_of_memory(void)
{
    xl_error("out of memory");
    exit(EXIT_FAILURE);
}

void *xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (!p)
        out_of_memory();
    return p;
}

/* ---- JSON --------------------------------------------------------------- */

yajl_gen json_gen_alloc(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);

    if (!g)
        out_of_memory();
    /* libxl's layout, so that what xl wraps reads as what libxl wrote. */
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "    ");
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

/*
 * json_copy's parser callbacks: each event of the parse is the same call
 * on the generator.  An opened container is held back until the next
 * event, so that an empty one comes out as "[]" or "{}" on one line,
 * as libxl writes it, and not over three as yajl's beautifier would.
 */
struct json_copy {
    yajl_gen g;
    char pending;               /* '[' or '{' held back, or 0 */
};

static bool copy_flush(struct json_copy *c)
{
    yajl_gen_status st = yajl_gen_status_ok;

    if (c->pending == '[')
        st = yajl_gen_array_open(c->g);
    else if (c->pending == '{')
        st = yajl_gen_map_open(c->g);
    c->pending = 0;
    return st == yajl_gen_status_ok;
}

static int copy_null(void *opaque)
{
    struct json_copy *c = opaque;

    return copy_flush(c) && yajl_gen_null(c->g) == yajl_gen_status_ok;
}

static int copy_boolean(void *opaque, int v)
{
    struct json_copy *c = opaque;

    return copy_flush(c) && yajl_gen_bool(c->g, v) == yajl_gen_status_ok;
}

/* Numbers as written: a 64-bit gfn must not pass through a double. */
static int copy_number(void *opaque, const char *s, size_t len)
{
    struct json_copy *c = opaque;

    return copy_flush(c) &&
           yajl_gen_number(c->g, s, len) == yajl_gen_status_ok;
}

static int copy_string(void *opaque, const unsigned char *s, size_t len)
{
    struct json_copy *c = opaque;

    return copy_flush(c) &&
           yajl_gen_string(c->g, s, len) == yajl_gen_status_ok;
}

static int copy_start_map(void *opaque)
{
    struct json_copy *c = opaque;

    if (!copy_flush(c))
        return 0;
    c->pending = '{';
    return 1;
}

static int copy_map_key(void *opaque, const unsigned char *s, size_t len)
{
    return copy_string(opaque, s, len);
}

/* "[]" and "{}" through yajl_gen_number, which writes its text as is. */
static int copy_end(struct json_copy *c, char open, const char *empty,
                    yajl_gen_status (*close)(yajl_gen))
{
    if (c->pending == open) {
        c->pending = 0;
        return yajl_gen_number(c->g, empty, 2) == yajl_gen_status_ok;
    }
    return copy_flush(c) && close(c->g) == yajl_gen_status_ok;
}

static int copy_end_map(void *opaque)
{
    return copy_end(opaque, '{', "{}", yajl_gen_map_close);
}

static int copy_start_array(void *opaque)
{
    struct json_copy *c = opaque;

    if (!copy_flush(c))
        return 0;
    c->pending = '[';
    return 1;
}

static int copy_end_array(void *opaque)
{
    return copy_end(opaque, '[', "[]", yajl_gen_array_close);
}

static const yajl_callbacks copy_callbacks = {
    .yajl_null = copy_null,
    .yajl_boolean = copy_boolean,
    .yajl_number = copy_number,
    .yajl_string = copy_string,
    .yajl_start_map = copy_start_map,
    .yajl_map_key = copy_map_key,
    .yajl_end_map = copy_end_map,
    .yajl_start_array = copy_start_array,
    .yajl_end_array = copy_end_array,
};

int json_copy(yajl_gen g, const char *text)
{
    struct json_copy c = { .g = g };
    yajl_handle h = yajl_alloc(&copy_callbacks, NULL, &c);
    yajl_status st;
    int rc;

    if (!h)
        out_of_memory();
    st = yajl_parse(h, (const unsigned char *)text, strlen(text));
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st != yajl_status_ok) {
        unsigned char *why = yajl_get_error(h, 0, NULL, 0);

        /* libxl wrote it: this is a bug, not the user's error. */
        xl_error("cannot re-emit libxl's JSON: %s",
                 why ? (const char *)why : "out of memory");
        if (why)
            yajl_free_error(h, why);
        rc = -1;
        goto out;
    }
    rc = 0;

 out:
    yajl_free(h);
    return rc;
}

int json_array_element(yajl_gen g, int *n)
{
    if ((*n)++)
        return 0;
    return yajl_gen_array_open(g) == yajl_gen_status_ok ? 0 : -1;
}

int json_array_end(yajl_gen g, int n)
{
    yajl_gen_status st = n ? yajl_gen_array_close(g)
                           : yajl_gen_number(g, "[]", 2);

    return st == yajl_gen_status_ok ? 0 : -1;
}

int json_print(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;

    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
        xl_error("cannot finish the JSON output");
        return -1;
    }
    fwrite(buf, 1, len, stdout);
    /* The beautifier ends the top level with a newline; ensure one. */
    if (!len || buf[len - 1] != '\n')
        fputc('\n', stdout);
    return 0;
}

int json_print_array(json_element_fn *element, const void *list, int n)
{
    yajl_gen g = json_gen_alloc();
    char *json = NULL;
    int i, nr = 0, rc;

    for (i = 0; i < n; i++) {
        json = element(list, i);
        if (!json || json_array_element(g, &nr) || json_copy(g, json)) {
            rc = -1;
            goto out;
        }
        free(json);
        json = NULL;
    }
    if (json_array_end(g, nr) || json_print(g)) {
        rc = -1;
        goto out;
    }
    rc = 0;

 out:
    if (rc)
        xl_error("cannot print the output as JSON");
    free(json);
    yajl_gen_free(g);
    return rc;
}

int flush_stdout(void)
{
    if (fflush(stdout) || ferror(stdout)) {
        xl_error("cannot write the output: %s", strerror(errno));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
