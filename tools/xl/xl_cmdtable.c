/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The command table: every xl subcommand, its implementation, whether it
 * honours -N and changes state, and its help.  Grouped by subject, as
 * `xl help' lists them.  Option lines: the option at column 0, the text
 * at column 24; then, after an empty line, notes.  help() lists
 * -h, --help first, as def_getopt gives it to every command.
 */
#include <string.h>

#include "xl.h"

const struct cmd_spec cmd_table[] = {
    /* Domains */
    { "create",
      &main_create, 1, 1,
      "Create a domain from a config file",
      "[-p] <ConfigFile> [KEY=VALUE...]",
      "-p                      Leave the domain paused after it is "
      "created.\n"
      "\n"
      "Each KEY=VALUE is a config setting, read as one more line after "
      "the\n"
      "file's: memory=256, ioreq_pages+=[\"0x300\"].  With -N (xl -N "
      "create),\n"
      "print the domain's configuration as JSON and create nothing.\n",
    },
    { "list",
      &main_list, 0, 0,
      "List information about all or some domains",
      "[-l] [Domain...]",
      "-l, --long              Print each domain's configuration as "
      "JSON.\n",
    },
    { "destroy",
      &main_destroy, 0, 1,
      "Terminate a domain immediately",
      "<Domain>",
      "\n"
      "The device model xl create started for it is stopped too.\n",
    },
    { "pause",
      &main_pause, 0, 1,
      "Pause execution of a domain",
      "<Domain>",
      NULL,
    },
    { "unpause",
      &main_unpause, 0, 1,
      "Unpause a paused domain",
      "<Domain>",
      NULL,
    },
    { "domid",
      &main_domid, 0, 0,
      "Convert a domain name to a domain id",
      "<DomainName>",
      NULL,
    },
    { "domname",
      &main_domname, 0, 0,
      "Convert a domain id to a domain name",
      "<DomainId>",
      NULL,
    },

    /* p2m_ioreq_server pages */
    { "ioreq-map",
      &main_ioreq_map, 1, 1,
      "Type guest pages HVMMEM_ioreq_server",
      "<Domain> <GFN-RANGE>...",
      "\n"
      "A GFN-RANGE is GFN, FIRST-LAST (inclusive) or FIRST+COUNT; numbers "
      "are\n"
      "decimal, or hex with 0x.  Every range is checked before any page "
      "changes,\n"
      "and a failure part-way is undone.  Guest writes to the pages then "
      "go to\n"
      "the device model that claimed HVMMEM_ioreq_server.  With -N, print "
      "the\n"
      "ranges as JSON and change nothing.\n",
    },
    { "ioreq-unmap",
      &main_ioreq_unmap, 1, 1,
      "Type HVMMEM_ioreq_server pages back to HVMMEM_ram_rw",
      "<Domain> <GFN-RANGE>...",
      "\n"
      "GFN-RANGE as for ioreq-map; every page of it must be "
      "HVMMEM_ioreq_server.\n"
      "All or nothing, as ioreq-map.  With -N, print the ranges as JSON "
      "and\n"
      "change nothing.\n",
    },
    { "ioreq-list",
      &main_ioreq_list, 0, 0,
      "List a domain's HVMMEM_ioreq_server pages and claim",
      "[-j] <Domain>",
      "-j, --json              Print JSON instead of a table.\n",
    },
    { "ioreq-servers",
      &main_ioreq_servers, 0, 0,
      "List a domain's ioreq servers",
      "[-j] <Domain>",
      "-j, --json              Print JSON instead of a table.\n",
    },
    { "ioreq-reset",
      &main_ioreq_reset, 0, 1,
      "Release the claim, typing every page back to ram_rw",
      "[--async] <Domain>",
      "--async                 Return once the pages read as ram_rw, "
      "while the\n"
      "                        hypervisor finishes its sweep in the "
      "background.\n",
    },

    /* xl itself */
    { "help",
      &main_help, 0, 0,
      "Print help on xl or on a subcommand",
      "[<Subcommand>]",
      NULL,
    },
};

const int cmdtable_len = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_spec *cmdtable_lookup(const char *name, bool *ambiguous)
{
    const struct cmd_spec *found = NULL;
    size_t len = strlen(name);
    int i, matches = 0;

    if (ambiguous)
        *ambiguous = false;
    if (!len)
        return NULL;
    for (i = 0; i < cmdtable_len; i++) {
        if (!strcmp(cmd_table[i].cmd_name, name))
            return &cmd_table[i];
        if (!strncmp(cmd_table[i].cmd_name, name, len)) {
            found = &cmd_table[i];
            matches++;
        }
    }
    if (matches == 1)
        return found;
    if (matches > 1 && ambiguous)
        *ambiguous = true;
    return NULL;
}

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
