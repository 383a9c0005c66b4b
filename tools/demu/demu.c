/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * demu's main: options, the log, setup, the serving loop, teardown.  See
 * demu.h for what demu is, setup.c for the order of the hypervisor calls
 * and ioreq.c for the request protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
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

/*
 * A toolstack that started us may wait for our claim: it gives us the
 * write end of a pipe in LIBXL_DM_READY_FD (libxl does), and we say a
 * line there once the claim is held and the pages typed.  On real Xen
 * nothing else would tell it.
 */
static void tell_ready(void)
{
    const char *env = getenv("LIBXL_DM_READY_FD");
    char *end;
    long fd;

    if (!env || !*env)
        return;
    errno = 0;
    fd = strtol(env, &end, 10);
    if (errno || *end || fd < 3 || fd > INT_MAX ||
        fcntl((int)fd, F_GETFD) < 0) {
        demu_err("ignoring LIBXL_DM_READY_FD=\"%s\": not an open "
                 "descriptor", env);
        return;
    }
    if (write((int)fd, "ready\n", 6) != 6)
        demu_err("cannot tell the toolstack we are ready: %s",
                 strerror(errno));
    close((int)fd);
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
        tell_ready();
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
