/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * Helpers shared by the simulator's versions of Xen's libraries
 * (devicemodel.c, foreignmemory.c, evtchn.c, ctrl.c).  Internal: none of
 * this is exported (the version scripts keep everything but Xen's API
 * local).
 */
#ifndef XENSIM_SIM_PRIVATE_H
#define XENSIM_SIM_PRIVATE_H

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <xentoollog.h>

#include "transport.h"

#define SIM_PAGE_SHIFT 12
#define SIM_PAGE_SIZE  (1UL << SIM_PAGE_SHIFT)

/*
 * Turn a transport result (>= 0, or -errno) into the libraries'
 * convention: the value, or -1 with errno set.
 */
static inline int sim_result(int rc)
{
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    return rc;
}

/* Close the descriptors a reply brought and that the caller did not take. */
static inline void sim_close_fds(struct xensim_reply *reply)
{
    unsigned int i;

    for (i = 0; i < reply->nr_fds; i++)
        close(reply->fds[i]);
    reply->nr_fds = 0;
}

/*
 * Xen's libraries log to stderr at XTL_PROGRESS when their caller gives
 * them no logger; *tofree is what the handle must destroy on close.
 */
static inline xentoollog_logger *sim_logger(xentoollog_logger *logger,
                                            xentoollog_logger **tofree)
{
    *tofree = NULL;
    if (logger)
        return logger;
    *tofree = (xentoollog_logger *)
        xtl_createlogger_stdiostream(stderr, XTL_PROGRESS, 0);
    return *tofree;
}

#endif /* XENSIM_SIM_PRIVATE_H */
