# End-to-end tests: bats-core scripts (bats, bats-support, bats-assert)
# that start a private xensimd per file and drive demu, xensim-guest and
# the test domain builders through it.  See tests/bats/helpers.bash.
BATS_SIM_TESTS = \
	%reldir%/10-xensimd.bats \
	%reldir%/20-demu.bats \
	%reldir%/25-demu-options.bats \
	%reldir%/30-xensim-guest.bats \
	%reldir%/90-leaks.bats
# xl built --with-xen keeps its records in xenstore, which only real Xen
# has: make check-xen tests it there (tests/xen/dom0-tests.sh).
BATS_XL_TESTS = \
	%reldir%/40-xl-domains.bats \
	%reldir%/50-xl-ioreq.bats
BATS_TESTS = $(BATS_SIM_TESTS)
if !WITH_XEN
BATS_TESTS += $(BATS_XL_TESTS)
endif
TESTS += $(BATS_TESTS)
EXTRA_DIST += $(BATS_SIM_TESTS) $(BATS_XL_TESTS) %reldir%/helpers.bash

# Each .bats file runs as `bats --tap FILE`, its TAP read case by case by
# the same driver as the C tests.
TEST_EXTENSIONS = .bats
BATS_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
BATS_LOG_COMPILER = $(BATS)
AM_BATS_LOG_FLAGS = --tap
# The helpers put this build's programs first in PATH.
AM_TESTS_ENVIRONMENT += \
	abs_top_builddir='$(abs_top_builddir)'; export abs_top_builddir;

# Domain operations besides creation (mkdomain), until xl exists.
check_PROGRAMS += %reldir%/domctl
%canon_reldir%_domctl_SOURCES = %reldir%/domctl.c
%canon_reldir%_domctl_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS)
%canon_reldir%_domctl_LDADD = $(XEN_CONSUMER_LIBS)

# An LD_PRELOAD shim that makes one xendevicemodel_set_mem_type call fail
# part-way, for the rollback tests of 50-xl-ioreq.bats.  A module, built
# shared (-rpath) although it is never installed.
check_LTLIBRARIES += %reldir%/libfail-set-mem-type.la
%canon_reldir%_libfail_set_mem_type_la_SOURCES = %reldir%/fail-set-mem-type.c
%canon_reldir%_libfail_set_mem_type_la_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS)
%canon_reldir%_libfail_set_mem_type_la_LDFLAGS = -module -avoid-version \
	-shared -rpath $(abs_builddir)
%canon_reldir%_libfail_set_mem_type_la_LIBADD = -ldl
