# tools/libxl: libxl, the toolstack library (libxenlight), and its tests.

# The types, their JSON (yajl) and logging.  The unit test compiles these
# same sources with the test flags, so that they run under the sanitizers.
LIBXL_TYPES_SOURCES = %reldir%/libxl_types.c %reldir%/libxl_json.c \
	%reldir%/libxl_json.h %reldir%/libxl_log.c %reldir%/libxl_internal.h

# Domains, device models and ioreq pages, over Xen's libraries; what
# differs between the simulator and real Xen is in one backend file.
LIBXL_CORE_SOURCES = %reldir%/libxl.c %reldir%/libxl_domain.c \
	%reldir%/libxl_dm.c %reldir%/libxl_ioreq.c

pkglib_LTLIBRARIES = %reldir%/libxenlight.la
%canon_reldir%_libxenlight_la_SOURCES = $(LIBXL_TYPES_SOURCES) \
	$(LIBXL_CORE_SOURCES)
%canon_reldir%_libxenlight_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(srcdir)/%reldir% -I$(srcdir)/tools/libs/util
%canon_reldir%_libxenlight_la_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS) \
	$(YAJL_CFLAGS)
%canon_reldir%_libxenlight_la_LIBADD = tools/libs/util/libgfnrange.la \
	$(XEN_CONSUMER_LIBS) $(YAJL_LIBS)
if WITH_XEN
%canon_reldir%_libxenlight_la_SOURCES += %reldir%/libxl_backend_xen.c
%canon_reldir%_libxenlight_la_CFLAGS += $(XENSTORE_CFLAGS)
%canon_reldir%_libxenlight_la_LIBADD += $(XENSTORE_LIBS)
else
%canon_reldir%_libxenlight_la_SOURCES += %reldir%/libxl_backend_sim.c
%canon_reldir%_libxenlight_la_CPPFLAGS += -I$(srcdir)/tools/libs/sim \
	$(XENSIM_PUBLIC_CPPFLAGS)
%canon_reldir%_libxenlight_la_LIBADD += tools/libs/sim/libxensim-client.la
endif
EXTRA_DIST += %reldir%/libxl_backend_xen.c %reldir%/libxl_backend_sim.c

pkginclude_HEADERS = %reldir%/libxl.h

check_PROGRAMS += %reldir%/test-json
%canon_reldir%_test_json_SOURCES = %reldir%/test-json.c \
	$(LIBXL_TYPES_SOURCES)
%canon_reldir%_test_json_CPPFLAGS = $(TEST_CPPFLAGS) -I$(srcdir)/%reldir%
%canon_reldir%_test_json_CFLAGS = $(TEST_CFLAGS) $(CMOCKA_CFLAGS) \
	$(XENTOOLLOG_CFLAGS) $(YAJL_CFLAGS)
%canon_reldir%_test_json_LDADD = $(CMOCKA_LIBS) $(XENTOOLLOG_LIBS) \
	$(YAJL_LIBS)
TESTS += %reldir%/test-json

# The JSON parser's fuzz target (tools/tests/fuzz.h): its seeds in make
# check, the libFuzzer target on request:
#   make tools/libxl/fuzz-json
check_PROGRAMS += %reldir%/fuzz-json-replay
%canon_reldir%_fuzz_json_replay_SOURCES = %reldir%/fuzz-json.c \
	$(LIBXL_TYPES_SOURCES) $(FUZZ_REPLAY_SOURCES)
%canon_reldir%_fuzz_json_replay_CPPFLAGS = $(TEST_CPPFLAGS) \
	-I$(srcdir)/%reldir% $(FUZZ_CPPFLAGS) -DFUZZ_REPLAY_MAIN
%canon_reldir%_fuzz_json_replay_CFLAGS = $(TEST_CFLAGS) \
	$(XENTOOLLOG_CFLAGS) $(YAJL_CFLAGS)
%canon_reldir%_fuzz_json_replay_LDADD = $(XENTOOLLOG_LIBS) $(YAJL_LIBS)
TESTS += %reldir%/fuzz-json-replay

%reldir%/fuzz-json: %reldir%/fuzz-json.c $(LIBXL_TYPES_SOURCES) \
		tools/tests/fuzz.h
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_CFLAGS) $(AM_CPPFLAGS) \
		-I$(srcdir)/%reldir% $(FUZZ_CPPFLAGS) $(XENTOOLLOG_CFLAGS) \
		$(YAJL_CFLAGS) -o $@ $(filter %.c,$^) $(XENTOOLLOG_LIBS) \
		$(YAJL_LIBS)
CLEANFILES += %reldir%/fuzz-json
