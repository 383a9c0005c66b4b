/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Turning what the user wrote into libxl's types: a guest config file
 * (xl.cfg) into a libxl_domain_config, and GFN-RANGE arguments into
 * libxl_gfn_ranges.  Messages go to stderr; the callers decide the exit
 * status.
 */
#ifndef XL_PARSE_H
#define XL_PARSE_H

#include <libxl.h>

/*
 * Read the config file filename, then settings[0..nsettings) (KEY=VALUE
 * lines given after it on the command line, which override the file's
 * and extend it with +=), into d_config, which the caller has
 * _init'ed and disposes.  Unknown keys are ignored.  0, or -1 after
 * messages naming the file or setting, the line, the key and the bad
 * value.
 */
int parse_config_file(const char *filename, int nsettings,
                      const char *const *settings,
                      libxl_domain_config *d_config);

/*
 * Parse args[0..n) as GFN-RANGEs (gfn-range.h) into a malloc'd array
 * (*ranges_r, the caller frees it), in the order given.  Ranges that
 * share a page are refused, as libxl would refuse them, but here with
 * the text the user wrote.  0, or -1 after a message "xl CMD: ..."
 * naming the argument.
 */
int parse_gfn_range_args(const char *cmd, int n, char *const *args,
                         libxl_gfn_range **ranges_r);

#endif /* XL_PARSE_H */

/*
 * Local variables:
 * mode: C
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
