/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libfail-set-mem-type.so: an LD_PRELOAD shim for 50-xl-ioreq.bats, to
 * test libxl's rollback of a map or unmap that fails part-way, which the
 * hypervisor never does once libxl's own checks have passed.
 *
 * With XT_FAIL_SET_MEM_TYPE_CALL=N in the environment, the Nth call of
 * xendevicemodel_set_mem_type in the process retypes the first half of
 * its pages (rounded down) and then fails with EIO, as the hypervisor
 * does when it refuses a page part-way.  Every other call goes through.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <xendevicemodel.h>

typedef int set_mem_type_fn(xendevicemodel_handle *dmod, domid_t domid,
                            hvmmem_type_t mem_type, uint64_t first_pfn,
                            uint32_t nr);

int xendevicemodel_set_mem_type(xendevicemodel_handle *dmod, domid_t domid,
                                hvmmem_type_t mem_type, uint64_t first_pfn,
                                uint32_t nr)
{
    static set_mem_type_fn *real;
    static unsigned long calls;
    const char *fail_at = getenv("XT_FAIL_SET_MEM_TYPE_CALL");

    if (!real) {
        real = (set_mem_type_fn *)dlsym(RTLD_NEXT,
                                        "xendevicemodel_set_mem_type");
        if (!real) {
            fprintf(stderr, "fail-set-mem-type: no xendevicemodel_set_mem_type "
                    "to wrap: %s\n", dlerror());
            abort();
        }
    }
    if (fail_at && ++calls == strtoul(fail_at, NULL, 10)) {
        if (nr / 2 && real(dmod, domid, mem_type, first_pfn, nr / 2))
            return -1;
        errno = EIO;
        return -1;
    }
    return real(dmod, domid, mem_type, first_pfn, nr);
}
