# cmocka tests of the hypervisor model, built with debug checks and
# sanitizers, linked against the debug build of the core.
TEST_XEN_LDADD = xen/libxencore-debug.la $(CMOCKA_LIBS)
TEST_XEN_CFLAGS = $(TEST_CFLAGS) $(CMOCKA_CFLAGS)

check_PROGRAMS += %reldir%/test-p2m
%canon_reldir%_test_p2m_SOURCES = %reldir%/test-p2m.c
%canon_reldir%_test_p2m_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_p2m_CFLAGS = $(TEST_XEN_CFLAGS)
%canon_reldir%_test_p2m_LDADD = $(TEST_XEN_LDADD)

# One test per row of DESIGN.md section 4, and the upstream regressions.
check_PROGRAMS += %reldir%/test-conformance
%canon_reldir%_test_conformance_SOURCES = %reldir%/test-conformance.c \
	%reldir%/harness.c %reldir%/harness.h
%canon_reldir%_test_conformance_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_conformance_CFLAGS = $(TEST_XEN_CFLAGS)
%canon_reldir%_test_conformance_LDADD = $(TEST_XEN_LDADD)

# Random operation sequences against a flat reference model.
check_PROGRAMS += %reldir%/test-model
%canon_reldir%_test_model_SOURCES = %reldir%/test-model.c \
	%reldir%/harness.c %reldir%/harness.h
%canon_reldir%_test_model_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_model_CFLAGS = $(TEST_XEN_CFLAGS)
%canon_reldir%_test_model_LDADD = $(TEST_XEN_LDADD)

TESTS += %reldir%/test-p2m %reldir%/test-conformance %reldir%/test-model

# xen/ stays pure: no I/O, nothing from tools/.
TESTS += %reldir%/check-core-purity.sh
EXTRA_DIST += %reldir%/check-core-purity.sh

# A minimal domain builder on libxenctrl, for the end-to-end tests.
check_PROGRAMS += %reldir%/mkdomain
%canon_reldir%_mkdomain_SOURCES = %reldir%/mkdomain.c %reldir%/guest-build.c \
	%reldir%/guest-build.h
%canon_reldir%_mkdomain_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS)
%canon_reldir%_mkdomain_LDADD = $(XEN_CONSUMER_LIBS)

# xensimd-debug end to end, driven through the simulator's Xen libraries
# and its client transport; each test runs a private daemon.
check_PROGRAMS += %reldir%/test-sim
%canon_reldir%_test_sim_SOURCES = %reldir%/test-sim.c %reldir%/guest-build.c \
	%reldir%/guest-build.h
%canon_reldir%_test_sim_CPPFLAGS = $(TEST_CPPFLAGS) $(XENSIM_PUBLIC_CPPFLAGS) \
	-DXENSIMD_DEBUG='"$(abs_top_builddir)/xen/sim/xensimd-debug$(EXEEXT)"'
%canon_reldir%_test_sim_CFLAGS = $(TEST_CFLAGS) $(CMOCKA_CFLAGS) \
	$(XENTOOLLOG_CFLAGS)
%canon_reldir%_test_sim_LDADD = $(XEN_SIM_LIBS) \
	tools/libs/sim/libxensim-client.la $(XENTOOLLOG_LIBS) $(CMOCKA_LIBS)
EXTRA_%canon_reldir%_test_sim_DEPENDENCIES = xen/sim/xensimd-debug$(EXEEXT)
TESTS += %reldir%/test-sim

# The rules of DESIGN.md section 4 that need no running guest, through
# Xen's libraries only: a Xen program (no project header; not
# $(AM_CPPFLAGS), which holds the model's internal headers), printing
# TAP itself so that it runs in a minimal dom0.  --with-xen builds the
# real-Xen binary that tests/xen runs in dom0; by default make check runs
# it against a private xensimd.
check_PROGRAMS += %reldir%/xen-conformance
%canon_reldir%_xen_conformance_SOURCES = %reldir%/xen-conformance.c \
	%reldir%/guest-build.c %reldir%/guest-build.h
%canon_reldir%_xen_conformance_CPPFLAGS = -D_GNU_SOURCE
%canon_reldir%_xen_conformance_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS)
%canon_reldir%_xen_conformance_LDADD = $(XEN_CONSUMER_LIBS)
if !WITH_XEN
EXTRA_%canon_reldir%_xen_conformance_DEPENDENCIES = \
	xen/sim/xensimd-debug$(EXEEXT)
TESTS += %reldir%/check-xen-conformance.sh
EXTRA_DIST += %reldir%/check-xen-conformance.sh
endif

# What the fuzz targets across the tree share (fuzz.h), and the main of
# their replay builds, which run their seeds in make check.
FUZZ_REPLAY_SOURCES = %reldir%/fuzz-replay.c %reldir%/fuzz.h
FUZZ_CPPFLAGS = -I$(top_srcdir)/%reldir%

# The DMOP decoder's fuzz target: its seeds against the debug core, the
# libFuzzer target on request:
#   make tools/tests/fuzz-dm-op
check_PROGRAMS += %reldir%/fuzz-dm-op-replay
%canon_reldir%_fuzz_dm_op_replay_SOURCES = %reldir%/fuzz-dm-op.c \
	$(FUZZ_REPLAY_SOURCES)
%canon_reldir%_fuzz_dm_op_replay_CPPFLAGS = $(TEST_CPPFLAGS) \
	$(FUZZ_CPPFLAGS) -DFUZZ_REPLAY_MAIN
%canon_reldir%_fuzz_dm_op_replay_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_fuzz_dm_op_replay_LDADD = xen/libxencore-debug.la
TESTS += %reldir%/fuzz-dm-op-replay

%reldir%/fuzz-dm-op: %reldir%/fuzz-dm-op.c %reldir%/fuzz.h \
		%reldir%/fuzz-dm-op.ignorelist $(xen_core_sources)
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_CFLAGS) $(TEST_CPPFLAGS) \
		$(FUZZ_CPPFLAGS) \
		-fsanitize-coverage-ignorelist=$(filter %.ignorelist,$^) \
		-o $@ $(filter %.c,$^)
CLEANFILES += %reldir%/fuzz-dm-op
EXTRA_DIST += %reldir%/fuzz-dm-op.ignorelist
