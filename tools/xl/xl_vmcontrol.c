/* SPDX-License-Identifier: LGPL-2.1-only */
/* Domain life cycle: create, destroy, pause, unpause. */
#include <string.h>

#include "xl.h"
#include "xl_parse.h"
#include "xl_utils.h"

/* Print d_config as libxl writes it; EXIT_SUCCESS or EXIT_FAILURE. */
static int print_config(const char *filename,
                        const libxl_domain_config *d_config)
{
    char *json = libxl_domain_config_to_json(ctx, d_config);
    size_t len;

    if (!json) {
        xl_error("cannot print the configuration read from %s as JSON",
                 filename);
        return EXIT_FAILURE;
    }
    len = strlen(json);
    fputs(json, stdout);
    if (!len || json[len - 1] != '\n')
        fputc('\n', stdout);
    free(json);
    return EXIT_SUCCESS;
}

int main_create(int argc, char **argv)
{
    static const struct option opts[] = {
        COMMON_LONG_OPTS,
        { NULL, 0, NULL, 0 },
    };
    libxl_domain_config d_config;
    const char *filename;
    bool paused = false;
    uint32_t domid;
    int opt, i, rc, ret;

    SWITCH_FOREACH_OPT(opt, "p", opts, "create", 1, ARGS_UNLIMITED) {
    case 'p':
        paused = true;
        break;
    }
    filename = argv[optind];
    for (i = optind + 1; i < argc; i++) {
        if (!strchr(argv[i], '='))
            usage_error("create", "'%s' is not a KEY=VALUE setting",
                        argv[i]);
    }

    libxl_domain_config_init(&d_config);
    if (parse_config_file(filename, argc - optind - 1,
                          (const char *const *)argv + optind + 1,
                          &d_config)) {
        ret = EXIT_FAILURE;
        goto out;
    }

    xl_ctx_alloc();
    if (dryrun_only) {
        ret = print_config(filename, &d_config);
        goto out;
    }

    rc = libxl_domain_create_new(ctx, &d_config, &domid, paused);
    if (rc) {
        /* libxl said why; this says what did not happen. */
        xl_error("domain '%s' (from %s) was not created: %s",
                 d_config.c_info.name, filename, libxl_error_to_string(rc));
        ret = EXIT_FAILURE;
        goto out;
    }
    ret = EXIT_SUCCESS;

 out:
    libxl_domain_config_dispose(&d_config);
    return ret;
}

/* The commands that take one domain and do one thing to it. */
static int domain_op(int argc, char **argv, const char *cmd,
                     int (*op)(libxl_ctx *, uint32_t), const char *verb)
{
    char desc[128];
    uint32_t domid;
    int opt, rc;

    SWITCH_FOREACH_OPT(opt, "", NULL, cmd, 1, 1) {
    }
    domid = find_domain(argv[optind]);
    /* Named now: a destroyed domain has no name left to look up. */
    snprintf(desc, sizeof(desc), "%s", domain_desc(domid));
    rc = op(ctx, domid);
    if (rc) {
        xl_error("cannot %s %s: %s", verb, desc, libxl_error_to_string(rc));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int main_destroy(int argc, char **argv)
{
    return domain_op(argc, argv, "destroy", libxl_domain_destroy,
                     "destroy");
}

int main_pause(int argc, char **argv)
{
    return domain_op(argc, argv, "pause", libxl_domain_pause, "pause");
}

int main_unpause(int argc, char **argv)
{
    return domain_op(argc, argv, "unpause", libxl_domain_unpause,
                     "unpause");
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
