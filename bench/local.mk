# Benchmarks: built against the optimised core and run by `make bench`,
# never by `make check`.  Each prints `bench NAME: ... ratio R (target T)`.
EXTRA_PROGRAMS = %reldir%/bench-core
%canon_reldir%_bench_core_SOURCES = %reldir%/bench-core.c \
	%reldir%/rangeset-list.c %reldir%/rangeset-list.h
%canon_reldir%_bench_core_LDADD = xen/libxencore.la
BENCH_RUN = %reldir%/bench-core$(EXEEXT)
BENCH_NEEDS =

# Through the simulator: xensimd and demu from this build directory.
if !WITH_XEN
EXTRA_PROGRAMS += %reldir%/bench-sim
%canon_reldir%_bench_sim_SOURCES = %reldir%/bench-sim.c \
	tools/tests/guest-build.c tools/tests/guest-build.h
%canon_reldir%_bench_sim_CPPFLAGS = $(AM_CPPFLAGS) $(XENSIM_PUBLIC_CPPFLAGS) \
	-I$(srcdir)/tools/libs/sim -I$(srcdir)/tools/tests
%canon_reldir%_bench_sim_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS)
%canon_reldir%_bench_sim_LDADD = tools/libs/sim/libxensim-client.la \
	xen/libxencore.la $(XEN_CONSUMER_LIBS)
BENCH_RUN += %reldir%/bench-sim$(EXEEXT)
BENCH_NEEDS += xen/sim/xensimd$(EXEEXT) tools/demu/demu$(EXEEXT) \
	tools/xl/xl$(EXEEXT)
endif

CLEANFILES += $(EXTRA_PROGRAMS)

.PHONY: bench
bench: $(BENCH_RUN) $(BENCH_NEEDS)
	@for b in $(BENCH_RUN); do ./$$b || exit 1; done
