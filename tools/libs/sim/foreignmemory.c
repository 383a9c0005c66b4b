/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * libxenforeignmemory over xensimd.  Where privcmd maps guest frames into
 * a VMA it created, the daemon hands over a descriptor of the guest's
 * RAM (or of an ioreq server's pages) and the library maps the frames
 * from it: an address range is reserved first, then each run of
 * consecutive frames is mapped over it with MAP_FIXED, so the result is
 * one linear range as Xen's library returns it.
 */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "sim-private.h"

/* A range this handle mapped and has not unmapped yet. */
struct fmem_mapping {
    struct fmem_mapping *next;
    uint8_t *addr;
    size_t pages;
};

struct xenforeignmemory_resource_handle {
    struct xenforeignmemory_resource_handle *next;
    void *addr;                 /* NULL for a size query */
    unsigned long nr_frames;
};

struct xenforeignmemory_handle {
    xentoollog_logger *logger;
    xentoollog_logger *logger_tofree;
    struct xensim_conn conn;
    pthread_mutex_t lock;       /* protects the two lists */
    struct fmem_mapping *mappings;
    struct xenforeignmemory_resource_handle *resources;
};

/* Frames per XENSIM_OP_MAP_FOREIGN: the request is the larger message. */
#define MAP_BATCH ((XENSIM_MSG_MAX - sizeof(struct xensim_req) - \
                    sizeof(struct xensim_map_foreign)) / sizeof(uint64_t))

/* The highest frame whose file offset an off_t can hold. */
#define MAX_FILE_FRAME ((uint64_t)LLONG_MAX >> SIM_PAGE_SHIFT)

xenforeignmemory_handle *xenforeignmemory_open(
    struct xentoollog_logger *logger, unsigned open_flags)
{
    xenforeignmemory_handle *fmem = calloc(1, sizeof(*fmem));
    int rc;

    (void)open_flags;           /* Xen defines none */
    if (!fmem)
        return NULL;
    fmem->logger = sim_logger(logger, &fmem->logger_tofree);
    if (!fmem->logger) {
        free(fmem);
        errno = ENOMEM;
        return NULL;
    }
    rc = pthread_mutex_init(&fmem->lock, NULL);
    if (rc == 0) {
        rc = -xensim_connect(&fmem->conn);
        if (rc)
            pthread_mutex_destroy(&fmem->lock);
    }
    if (rc) {
        /* Where Xen's library reports a missing privcmd. */
        xtl_log(fmem->logger, XTL_ERROR, rc, "xenforeignmemory",
                "could not connect to xensimd at %s", xensim_socket_path());
        xtl_logger_destroy(fmem->logger_tofree);
        free(fmem);
        errno = rc;
        return NULL;
    }
    return fmem;
}

/*
 * Unlike privcmd's, our mappings are the handle's to release: close
 * unmaps whatever the caller left mapped.
 */
int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
    if (!fmem)
        return 0;
    while (fmem->mappings) {
        struct fmem_mapping *m = fmem->mappings;

        fmem->mappings = m->next;
        munmap(m->addr, m->pages << SIM_PAGE_SHIFT);
        free(m);
    }
    while (fmem->resources) {
        struct xenforeignmemory_resource_handle *fres = fmem->resources;

        fmem->resources = fres->next;
        if (fres->addr)
            munmap(fres->addr, fres->nr_frames << SIM_PAGE_SHIFT);
        free(fres);
    }
    xensim_disconnect(&fmem->conn);
    pthread_mutex_destroy(&fmem->lock);
    xtl_logger_destroy(fmem->logger_tofree);
    free(fmem);
    return 0;
}

/*
 * Forget [addr, addr + pages) in the list of mappings, trimming or
 * splitting the records it overlaps.  -ENOMEM if a split needs a record
 * it cannot allocate (the list is then left as it was for that record).
 */
static int forget_range(xenforeignmemory_handle *fmem, uint8_t *addr,
                        size_t pages)
{
    uint8_t *end = addr + (pages << SIM_PAGE_SHIFT);
    struct fmem_mapping **pm = &fmem->mappings;
    int rc = 0;

    while (*pm) {
        struct fmem_mapping *m = *pm;
        uint8_t *mend = m->addr + (m->pages << SIM_PAGE_SHIFT);

        if (mend <= addr || m->addr >= end) {
            pm = &m->next;
            continue;
        }
        if (m->addr < addr && mend > end) {
            struct fmem_mapping *tail = malloc(sizeof(*tail));

            if (!tail) {
                rc = -ENOMEM;
                pm = &m->next;
                continue;
            }
            tail->addr = end;
            tail->pages = (size_t)(mend - end) >> SIM_PAGE_SHIFT;
            tail->next = m->next;
            m->pages = (size_t)(addr - m->addr) >> SIM_PAGE_SHIFT;
            m->next = tail;
            pm = &tail->next;
        } else if (m->addr < addr) {
            m->pages = (size_t)(addr - m->addr) >> SIM_PAGE_SHIFT;
            pm = &m->next;
        } else if (mend > end) {
            m->pages = (size_t)(mend - end) >> SIM_PAGE_SHIFT;
            m->addr = end;
            pm = &m->next;
        } else {
            *pm = m->next;
            free(m);
        }
    }
    return rc;
}

/*
 * Map the frames of one reply: each run of consecutive frames that
 * mapped without error becomes one mmap of the guest's RAM file over the
 * reservation.  0 or -errno.
 */
static int map_runs(uint8_t *base, int prot, int extra_flags, int fd,
                    const xen_pfn_t *arr, const int *err, size_t num)
{
    size_t i = 0;

    while (i < num) {
        size_t n = 1;
        void *p;

        if (err[i]) {
            i++;
            continue;
        }
        while (i + n < num && !err[i + n] && arr[i + n] == arr[i] + n)
            n++;
        p = mmap(base + (i << SIM_PAGE_SHIFT), n << SIM_PAGE_SHIFT, prot,
                 extra_flags | MAP_SHARED | MAP_FIXED, fd,
                 (off_t)arr[i] << SIM_PAGE_SHIFT);
        if (p == MAP_FAILED)
            return -errno;
        i += n;
    }
    return 0;
}

/*
 * XENSIM_OP_MAP_FOREIGN for arr[0..num), num <= MAP_BATCH, mapped at
 * base.  Per-frame results go to err[] (0 or -errno, as privcmd gives
 * them).  0, or -errno if the batch failed as a whole.
 */
static int map_batch(xenforeignmemory_handle *fmem, uint32_t dom,
                     uint8_t *base, int prot, int extra_flags,
                     const xen_pfn_t *arr, int *err, size_t num)
{
    struct xensim_map_foreign req = {
        .domid = dom, .prot = prot, .num = num,
    };
    uint64_t *gfns = malloc(num * sizeof(*gfns));
    int32_t *errs = malloc(num * sizeof(*errs));
    struct iovec iov[2] = {
        { .iov_base = &req, .iov_len = sizeof(req) },
        { .iov_base = gfns, .iov_len = num * sizeof(*gfns) },
    };
    struct xensim_reply reply = {
        .buf = errs, .size = num * sizeof(*errs),
    };
    size_t i;
    int rc = -ENOMEM;

    if (!gfns || !errs)
        goto out;
    for (i = 0; i < num; i++)
        gfns[i] = arr[i];

    rc = xensim_call(&fmem->conn, XENSIM_OP_MAP_FOREIGN, iov, 2, &reply);
    if (rc < 0)
        goto out;
    if (reply.len != num * sizeof(*errs) || reply.nr_fds != 1) {
        rc = -EPROTO;
        goto out;
    }
    for (i = 0; i < num; i++) {
        err[i] = errs[i];
        /* A frame no off_t reaches cannot be RAM: refuse it here. */
        if (!err[i] && arr[i] > MAX_FILE_FRAME)
            err[i] = -EINVAL;
    }
    rc = map_runs(base, prot, extra_flags, reply.fds[0], arr, err, num);

 out:
    sim_close_fds(&reply);
    free(gfns);
    free(errs);
    return rc;
}

void *xenforeignmemory_map2(xenforeignmemory_handle *fmem, uint32_t dom,
                            void *addr, int prot, int flags, size_t pages,
                            const xen_pfn_t arr[/*pages*/],
                            int err[/*pages*/])
{
    /* Placement flags shape the reservation, the others each mapping. */
    int place = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    int extra = flags & ~(MAP_TYPE | MAP_FIXED | MAP_FIXED_NOREPLACE |
                          MAP_ANONYMOUS);
    struct fmem_mapping *m = NULL;
    int *errs = err;
    uint8_t *base = MAP_FAILED;
    size_t done = 0, i;
    int rc = 0;

    if (pages == 0 || pages > (SIZE_MAX >> SIM_PAGE_SHIFT)) {
        errno = EINVAL;
        return NULL;
    }
    if (dom > UINT16_MAX) {
        errno = ESRCH;          /* no domain has such an id */
        return NULL;
    }
    m = malloc(sizeof(*m));
    if (!errs)
        errs = malloc(pages * sizeof(*errs));
    if (!m || !errs) {
        rc = -ENOMEM;
        goto fail;
    }
    base = mmap(addr, pages << SIM_PAGE_SHIFT, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | place, -1, 0);
    if (base == MAP_FAILED) {
        rc = -errno;
        goto fail;
    }

    while (done < pages) {
        size_t n = pages - done;

        if (n > MAP_BATCH)
            n = MAP_BATCH;
        rc = map_batch(fmem, dom, base + (done << SIM_PAGE_SHIFT), prot,
                       extra, arr + done, errs + done, n);
        if (rc)
            goto fail;
        done += n;
        if (err)
            continue;
        /* Without err[], one bad frame fails the call: stop early. */
        for (i = done - n; i < done; i++) {
            if (errs[i]) {
                rc = errs[i];
                goto fail;
            }
        }
    }

    m->addr = base;
    m->pages = pages;
    pthread_mutex_lock(&fmem->lock);
    m->next = fmem->mappings;
    fmem->mappings = m;
    pthread_mutex_unlock(&fmem->lock);
    if (errs != err)
        free(errs);
    return base;

 fail:
    if (base != MAP_FAILED)
        munmap(base, pages << SIM_PAGE_SHIFT);
    if (errs != err)
        free(errs);
    free(m);
    errno = -rc;
    return NULL;
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom,
                           int prot, size_t pages,
                           const xen_pfn_t arr[/*pages*/], int err[/*pages*/])
{
    return xenforeignmemory_map2(fmem, dom, NULL, prot, 0, pages, arr, err);
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem,
                           void *addr, size_t pages)
{
    int r;

    if (pages > (SIZE_MAX >> SIM_PAGE_SHIFT)) {
        errno = EINVAL;
        return -1;
    }
    r = munmap(addr, pages << SIM_PAGE_SHIFT);
    if (r == 0) {
        pthread_mutex_lock(&fmem->lock);
        /* A failed split only means close unmaps a little too much. */
        (void)forget_range(fmem, addr, pages);
        pthread_mutex_unlock(&fmem->lock);
    }
    return r;
}

int xenforeignmemory_restrict(xenforeignmemory_handle *fmem,
                              domid_t domid)
{
    struct xensim_restrict req = { .domid = domid };

    return sim_result(xensim_call_simple(&fmem->conn, XENSIM_OP_RESTRICT,
                                         &req, sizeof(req), NULL, 0));
}

/*
 * XENMEM_acquire_resource.  nr_frames 0 asks for the resource's size.
 * On success *rsp is filled and *fd (if fd is not NULL) is the
 * descriptor to map, else closed.  0 or -errno.
 */
static int acquire_resource(xenforeignmemory_handle *fmem, domid_t domid,
                            unsigned int type, unsigned int id,
                            unsigned long frame, unsigned long nr_frames,
                            struct xensim_map_resource_rsp *rsp, int *fd)
{
    struct xensim_map_resource req = {
        .domid = domid, .type = type, .id = id,
        .frame = frame, .nr_frames = nr_frames,
    };
    struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
    struct xensim_reply reply = { .buf = rsp, .size = sizeof(*rsp) };
    int rc;

    /* privcmd's fields are 32 bits too; refuse rather than truncate. */
    if (frame > UINT32_MAX || nr_frames > UINT32_MAX)
        return -EINVAL;
    rc = xensim_call(&fmem->conn, XENSIM_OP_MAP_RESOURCE, &iov, 1, &reply);
    if (rc >= 0 && reply.len != sizeof(*rsp))
        rc = -EPROTO;
    if (rc >= 0 && fd && reply.nr_fds != 1)
        rc = -EPROTO;
    if (rc >= 0 && fd) {
        *fd = reply.fds[0];
        reply.nr_fds = 0;
    }
    sim_close_fds(&reply);
    return rc < 0 ? rc : 0;
}

xenforeignmemory_resource_handle *xenforeignmemory_map_resource(
    xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
    unsigned int id, unsigned long frame, unsigned long nr_frames,
    void **paddr, int prot, int flags)
{
    xenforeignmemory_resource_handle *fres = calloc(1, sizeof(*fres));
    struct xensim_map_resource_rsp rsp;
    int fd = -1, rc;

    if (!fres)
        return NULL;

    if (nr_frames == 0) {
        /* As Xen's library: no address wanted means a size query. */
        if (*paddr) {
            rc = -EINVAL;
            goto fail;
        }
        rc = acquire_resource(fmem, domid, type, id, frame, 0, &rsp, NULL);
        if (rc)
            goto fail;
        fres->nr_frames = rsp.nr_frames;
    } else {
        void *p;

        if (nr_frames > (SIZE_MAX >> SIM_PAGE_SHIFT)) {
            rc = -EINVAL;
            goto fail;
        }
        rc = acquire_resource(fmem, domid, type, id, frame, nr_frames,
                              &rsp, &fd);
        if (rc)
            goto fail;
        /* The frames are contiguous in the file: one mapping does. */
        p = mmap(*paddr, nr_frames << SIM_PAGE_SHIFT, prot,
                 (flags & ~(MAP_TYPE | MAP_ANONYMOUS)) | MAP_SHARED, fd,
                 (off_t)rsp.offset);
        rc = p == MAP_FAILED ? -errno : 0;
        close(fd);
        if (rc)
            goto fail;
        fres->addr = p;
        fres->nr_frames = nr_frames;
        *paddr = p;
    }

    pthread_mutex_lock(&fmem->lock);
    fres->next = fmem->resources;
    fmem->resources = fres;
    pthread_mutex_unlock(&fmem->lock);
    return fres;

 fail:
    free(fres);
    errno = -rc;
    return NULL;
}

int xenforeignmemory_unmap_resource(
    xenforeignmemory_handle *fmem, xenforeignmemory_resource_handle *fres)
{
    xenforeignmemory_resource_handle **pr;
    int r = 0;

    if (!fres)
        return 0;
    pthread_mutex_lock(&fmem->lock);
    for (pr = &fmem->resources; *pr; pr = &(*pr)->next) {
        if (*pr == fres) {
            *pr = fres->next;
            break;
        }
    }
    pthread_mutex_unlock(&fmem->lock);
    if (fres->addr)
        r = munmap(fres->addr, fres->nr_frames << SIM_PAGE_SHIFT);
    free(fres);
    return r;
}

int xenforeignmemory_resource_size(
    xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
    unsigned int id, size_t *size)
{
    struct xensim_map_resource_rsp rsp;
    int rc = acquire_resource(fmem, domid, type, id, 0, 0, &rsp, NULL);

    if (rc)
        return sim_result(rc);
    *size = (size_t)rsp.nr_frames << SIM_PAGE_SHIFT;
    return 0;
}
