/* SPDX-License-Identifier: LGPL-2.1-only */
/* Information about domains: list, domid, domname. */
#include <inttypes.h>
#include <string.h>

#include "xl.h"
#include "xl_utils.h"

/* Xen's `xl list' layout, so that what reads Xen's output reads ours. */
#define LIST_HEADER \
    "Name                                        ID   Mem VCPUs\tState\t" \
    "Time(s)\n"

static void list_domains(const libxl_dominfo *info, int nb_domain)
{
    int i;

    printf(LIST_HEADER);
    for (i = 0; i < nb_domain; i++) {
        char *name = libxl_domid_to_name(ctx, info[i].domid);

        /*
         * s(hutdown) and c(rashed) are Xen's: the simulator's domains
         * are never either, so libxl_dominfo has no field for them.
         */
        printf("%-40s %5" PRIu32 " %5" PRIu64 " %5" PRIu32
               "     %c%c%c%c%c%c  %8.1f\n",
               name ? name : "-", info[i].domid,
               info[i].current_memkb / 1024, info[i].vcpu_online,
               info[i].running ? 'r' : '-', info[i].blocked ? 'b' : '-',
               info[i].paused ? 'p' : '-', '-', '-',
               info[i].dying ? 'd' : '-', (double)info[i].cpu_time / 1e9);
        free(name);
    }
}

/*
 * One element of `xl list -l': {"domid": N, "config": {...}}, the config
 * as libxl writes it.  1 if the domain has no config libxl knows of
 * (not created by libxl, or gone meanwhile): it is left out, as Xen's
 * xl does; 0 on success, -1 on failure (with a message).
 */
static int list_one_long(yajl_gen g, int *n, uint32_t domid)
{
    libxl_domain_config d_config;
    char *json = NULL;
    int rc, ret;

    libxl_domain_config_init(&d_config);
    rc = libxl_retrieve_domain_configuration(ctx, domid, &d_config);
    if (rc == ERROR_JSON_CONFIG_EMPTY || rc == ERROR_DOMAIN_NOTFOUND) {
        ret = 1;
        goto out;
    }
    if (rc) {
        xl_error("cannot read the configuration of %s: %s",
                 domain_desc(domid), libxl_error_to_string(rc));
        ret = -1;
        goto out;
    }
    json = libxl_domain_config_to_json(ctx, &d_config);
    if (!json) {
        xl_error("cannot print the configuration of %s as JSON",
                 domain_desc(domid));
        ret = -1;
        goto out;
    }
    if (json_array_element(g, n) ||
        yajl_gen_map_open(g) != yajl_gen_status_ok ||
        yajl_gen_string(g, (const unsigned char *)"domid", 5) !=
            yajl_gen_status_ok ||
        yajl_gen_integer(g, domid) != yajl_gen_status_ok ||
        yajl_gen_string(g, (const unsigned char *)"config", 6) !=
            yajl_gen_status_ok ||
        json_copy(g, json) ||
        yajl_gen_map_close(g) != yajl_gen_status_ok) {
        xl_error("cannot write the JSON of %s", domain_desc(domid));
        ret = -1;
        goto out;
    }
    ret = 0;

 out:
    free(json);
    libxl_domain_config_dispose(&d_config);
    return ret;
}

static int list_domains_long(const libxl_dominfo *info, int nb_domain)
{
    yajl_gen g = json_gen_alloc();
    int i, n = 0, ret;

    for (i = 0; i < nb_domain; i++) {
        if (list_one_long(g, &n, info[i].domid) < 0) {
            ret = EXIT_FAILURE;
            goto out;
        }
    }
    if (json_array_end(g, n) || json_print(g)) {
        xl_error("cannot write JSON");
        ret = EXIT_FAILURE;
        goto out;
    }
    ret = EXIT_SUCCESS;

 out:
    yajl_gen_free(g);
    return ret;
}

int main_list(int argc, char **argv)
{
    static const struct option opts[] = {
        { "long", no_argument, NULL, 'l' },
        COMMON_LONG_OPTS,
        { NULL, 0, NULL, 0 },
    };
    libxl_dominfo *info = NULL;
    bool details = false;
    int opt, nb_domain = 0, i, rc, ret;

    SWITCH_FOREACH_OPT(opt, "l", opts, "list", 0, ARGS_UNLIMITED) {
    case 'l':
        details = true;
        break;
    }

    xl_ctx_alloc();
    if (optind < argc) {
        info = xcalloc(argc - optind, sizeof(*info));
        for (i = optind; i < argc; i++) {
            uint32_t domid = find_domain(argv[i]);

            libxl_dominfo_init(&info[nb_domain]);
            rc = libxl_domain_info(ctx, &info[nb_domain], domid);
            if (rc) {
                xl_error("cannot get the information of %s: %s",
                         domain_desc(domid), libxl_error_to_string(rc));
                ret = EXIT_FAILURE;
                goto out;
            }
            nb_domain++;
        }
    } else {
        info = libxl_list_domain(ctx, &nb_domain);
        if (!info) {
            xl_error("cannot list the domains");
            ret = EXIT_FAILURE;
            goto out;
        }
    }

    if (details) {
        ret = list_domains_long(info, nb_domain);
    } else {
        list_domains(info, nb_domain);
        ret = EXIT_SUCCESS;
    }

 out:
    libxl_dominfo_list_free(info, nb_domain);
    return ret;
}

int main_domid(int argc, char **argv)
{
    uint32_t domid;
    int opt, rc;

    SWITCH_FOREACH_OPT(opt, "", NULL, "domid", 1, 1) {
    }
    xl_ctx_alloc();
    rc = libxl_name_to_domid(ctx, argv[optind], &domid);
    if (rc == ERROR_INVAL) {
        xl_error("there is no domain called '%s'", argv[optind]);
        return EXIT_FAILURE;
    }
    if (rc) {
        xl_error("cannot look up the domain '%s': %s", argv[optind],
                 libxl_error_to_string(rc));
        return EXIT_FAILURE;
    }
    printf("%" PRIu32 "\n", domid);
    return EXIT_SUCCESS;
}

int main_domname(int argc, char **argv)
{
    uint32_t domid;
    char *name;
    int opt;

    SWITCH_FOREACH_OPT(opt, "", NULL, "domname", 1, 1) {
    }
    domid = find_domain(argv[optind]);
    name = libxl_domid_to_name(ctx, domid);
    if (!name) {
        xl_error("domain %" PRIu32 " has no name (it was not created by "
                 "xl)", domid);
        return EXIT_FAILURE;
    }
    printf("%s\n", name);
    free(name);
    return EXIT_SUCCESS;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
