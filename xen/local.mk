# The hypervisor model: pure logic, no I/O.  Two builds of the same
# sources: optimised for the daemon and the benchmarks, and with debug
# checks and sanitizers for the tests.
xen_core_sources = \
	%reldir%/common/domain.c \
	%reldir%/common/domctl.c \
	%reldir%/common/memory.c \
	%reldir%/common/event_channel.c \
	%reldir%/common/ioreq.c \
	%reldir%/common/rangeset.c \
	%reldir%/arch/x86/mm/p2m.c \
	%reldir%/arch/x86/mm/paging.c \
	%reldir%/arch/x86/hvm/dm.c \
	%reldir%/arch/x86/hvm/emulate.c \
	%reldir%/arch/x86/hvm/hvm.c

xen_core_headers = \
	%reldir%/include/xen/dm.h \
	%reldir%/include/xen/domain.h \
	%reldir%/include/xen/emulate.h \
	%reldir%/include/xen/event.h \
	%reldir%/include/xen/hypercall.h \
	%reldir%/include/xen/ioreq.h \
	%reldir%/include/xen/lib.h \
	%reldir%/include/xen/p2m.h \
	%reldir%/include/xen/paging.h \
	%reldir%/include/xen/rangeset.h

noinst_LTLIBRARIES += %reldir%/libxencore.la
%canon_reldir%_libxencore_la_SOURCES = $(xen_core_sources) $(xen_core_headers)
%canon_reldir%_libxencore_la_CFLAGS = $(AM_CFLAGS) $(XEN_CORE_CFLAGS)

check_LTLIBRARIES += %reldir%/libxencore-debug.la
%canon_reldir%_libxencore_debug_la_SOURCES = $(xen_core_sources)
%canon_reldir%_libxencore_debug_la_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_libxencore_debug_la_CFLAGS = $(TEST_CFLAGS) $(XEN_CORE_CFLAGS)
