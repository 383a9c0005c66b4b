/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * demu's main: options, the log, setup, the serving loop, teardown.  See
 * demu.h for what demu is, setup.c for the order of the hypervisor calls
 * and ioreq.c for the request protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "demu.h"

/* The JSON log: FILE opened for appending, or stdout. */
static FILE *open_log(const char *path)
{
    FILE *f;
    int fd;

    if (!path)
        return stdout;
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        demu_err("cannot open the log \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    f = fdopen(fd, "a");
    if (!f) {
        demu_err("cannot open the log \"%s\": %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int main(int argc, char **argv)
{
    struct demu_options opts;
    struct demu d = { .opts = &opts };
    sigset_t mask;
    int sfd = -1, status, r, rc;

    /*
     * Block the stop signals before anything else: one arriving during
     * setup then waits in the signalfd and ends demu through the same
     * teardown as one arriving later.  A log reader that goes away gives
     * EPIPE, handled like any log failure, rather than killing demu with
     * the claim still held.
     */
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);

    switch (demu_parse_options(argc, argv, &opts)) {
    case DEMU_OPTS_RUN:
        break;
    case DEMU_OPTS_HELP:
        status = DEMU_EXIT_OK;
        goto out;
    case DEMU_OPTS_USAGE_ERROR:
        status = DEMU_EXIT_USAGE;
        goto out;
    default:
        status = DEMU_EXIT_FAIL;
        goto out;
    }

    d.log = open_log(opts.log_path);
    if (!d.log) {
        status = DEMU_EXIT_FAIL;
        goto out;
    }
    sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0) {
        demu_err("cannot create a signalfd: %s", strerror(errno));
        status = DEMU_EXIT_FAIL;
        goto out;
    }

    rc = demu_setup(&d);
    if (!rc) {
        demu_err("serving domain %u: ioreq server %u, %u vCPU%s, %zu "
                 "range%s typed, mode %s", opts.domid, d.id, d.nr_vcpus,
                 d.nr_vcpus == 1 ? "" : "s", opts.nr_ranges,
                 opts.nr_ranges == 1 ? "" : "s",
                 opts.mode == DEMU_MODE_DISCARD ? "discard"
                                                : "write-through");
        rc = demu_serve(&d, sfd);
    }
    r = demu_teardown(&d);
    status = rc || r ? DEMU_EXIT_FAIL : DEMU_EXIT_OK;

 out:
    if (sfd >= 0)
        close(sfd);
    if (d.log && d.log != stdout && fclose(d.log))
        status = DEMU_EXIT_FAIL;
    demu_options_dispose(&opts);
    return status;
}
