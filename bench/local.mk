# Benchmarks: built against the optimised core and run by `make bench`,
# never by `make check`.  Each prints `bench NAME: ... ratio R (target T)`.
EXTRA_PROGRAMS = %reldir%/bench-core
%canon_reldir%_bench_core_SOURCES = %reldir%/bench-core.c \
	%reldir%/rangeset-list.c %reldir%/rangeset-list.h
%canon_reldir%_bench_core_LDADD = xen/libxencore.la
CLEANFILES += $(EXTRA_PROGRAMS)

.PHONY: bench
bench: %reldir%/bench-core$(EXEEXT)
	./%reldir%/bench-core$(EXEEXT)
