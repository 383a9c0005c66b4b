# tools/libs/util: strict parsing shared by demu, xensim-guest and the
# toolstack (xl ioreq-map, the ioreq_pages config key).  Pure: no I/O.
noinst_LTLIBRARIES += %reldir%/libgfnrange.la
%canon_reldir%_libgfnrange_la_SOURCES = %reldir%/gfn-range.c \
	%reldir%/gfn-range.h

# The test compiles the parser itself, so that it runs under the
# sanitizers of the test build.
check_PROGRAMS += %reldir%/test-gfn-range
%canon_reldir%_test_gfn_range_SOURCES = %reldir%/test-gfn-range.c \
	%reldir%/gfn-range.c %reldir%/gfn-range.h
%canon_reldir%_test_gfn_range_CPPFLAGS = $(TEST_CPPFLAGS)
%canon_reldir%_test_gfn_range_CFLAGS = $(TEST_CFLAGS) $(CMOCKA_CFLAGS)
%canon_reldir%_test_gfn_range_LDADD = $(CMOCKA_LIBS)
TESTS += %reldir%/test-gfn-range

# libxlutil: the xl.cfg parser (flex + bison, generated at build time
# into the build directory) and its getters, ioreq_pages included.
# Convenience library; it brings the GFN-range parser with it.
noinst_LTLIBRARIES += %reldir%/libxlutil.la
XLU_SOURCES = %reldir%/libxlu_cfg.c %reldir%/libxlu_cfg_y.y \
	%reldir%/libxlu_cfg_l.l %reldir%/libxlu_internal.h \
	%reldir%/libxlutil.h
# The generated scanner and parser live in the build directory and
# include libxlu_internal.h from the source directory.
XLU_CPPFLAGS = -I$(srcdir)/%reldir% -I%reldir%
%canon_reldir%_libxlutil_la_SOURCES = $(XLU_SOURCES)
%canon_reldir%_libxlutil_la_CPPFLAGS = $(AM_CPPFLAGS) $(XLU_CPPFLAGS)
%canon_reldir%_libxlutil_la_LIBADD = %reldir%/libgfnrange.la
# bison writes the header the scanner includes.  configure insists on
# bison, whose -y (yacc emulation, as autoconf runs it) warns about
# every bison feature the parser uses: -Wno-yacc.
AM_YFLAGS = -d -Wno-yacc

# The scanner includes the parser's header: generate it first, also
# when only this library is asked for (BUILT_SOURCES serves only `make
# all' and `make check').
%reldir%/libxlu_cfg_l.c: %reldir%/libxlu_cfg_y.h

# As test-gfn-range, the test compiles the library itself, so that it
# runs under the sanitizers of the test build.
check_PROGRAMS += %reldir%/test-cfg
%canon_reldir%_test_cfg_SOURCES = %reldir%/test-cfg.c $(XLU_SOURCES) \
	%reldir%/gfn-range.c %reldir%/gfn-range.h
%canon_reldir%_test_cfg_CPPFLAGS = $(TEST_CPPFLAGS) $(XLU_CPPFLAGS)
%canon_reldir%_test_cfg_CFLAGS = $(TEST_CFLAGS) $(CMOCKA_CFLAGS)
%canon_reldir%_test_cfg_LDADD = $(CMOCKA_LIBS)
TESTS += %reldir%/test-cfg

# The fuzz target's checks on its seeds, under the test build's
# sanitizers, so that it keeps compiling and holding.
check_PROGRAMS += %reldir%/fuzz-cfg-replay
%canon_reldir%_fuzz_cfg_replay_SOURCES = %reldir%/fuzz-cfg.c \
	$(XLU_SOURCES) %reldir%/gfn-range.c %reldir%/gfn-range.h \
	$(FUZZ_REPLAY_SOURCES)
%canon_reldir%_fuzz_cfg_replay_CPPFLAGS = $(TEST_CPPFLAGS) $(XLU_CPPFLAGS) \
	$(FUZZ_CPPFLAGS) -DFUZZ_REPLAY_MAIN
%canon_reldir%_fuzz_cfg_replay_CFLAGS = $(TEST_CFLAGS)
TESTS += %reldir%/fuzz-cfg-replay

# The libFuzzer target itself, built only on request, as configure does
# not look for clang:
#   make tools/libs/util/fuzz-cfg
#   tools/libs/util/fuzz-cfg -max_total_time=60 CORPUS_DIR
FUZZ_CC = clang
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined
%reldir%/fuzz-cfg: %reldir%/fuzz-cfg.c %reldir%/libxlu_cfg.c \
		%reldir%/libxlu_cfg_y.c %reldir%/libxlu_cfg_l.c \
		%reldir%/gfn-range.c %reldir%/libxlu_cfg_y.h tools/tests/fuzz.h
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_CFLAGS) $(XLU_CPPFLAGS) \
		$(FUZZ_CPPFLAGS) -o $@ $(filter %.c,$^)
CLEANFILES += %reldir%/fuzz-cfg

# The GFN-range parser's fuzz target, the same way: its seeds in make
# check, the libFuzzer target on request:
#   make tools/libs/util/fuzz-gfn-range
check_PROGRAMS += %reldir%/fuzz-gfn-range-replay
%canon_reldir%_fuzz_gfn_range_replay_SOURCES = %reldir%/fuzz-gfn-range.c \
	%reldir%/gfn-range.c %reldir%/gfn-range.h $(FUZZ_REPLAY_SOURCES)
%canon_reldir%_fuzz_gfn_range_replay_CPPFLAGS = $(TEST_CPPFLAGS) \
	$(FUZZ_CPPFLAGS) -DFUZZ_REPLAY_MAIN
%canon_reldir%_fuzz_gfn_range_replay_CFLAGS = $(TEST_CFLAGS)
TESTS += %reldir%/fuzz-gfn-range-replay

%reldir%/fuzz-gfn-range: %reldir%/fuzz-gfn-range.c %reldir%/gfn-range.c \
		tools/tests/fuzz.h
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CPPFLAGS) -o $@ \
		$(filter %.c,$^)
CLEANFILES += %reldir%/fuzz-gfn-range
