# xensimd: the process hosting the hypervisor model.  The installed daemon
# links the optimised core; the tests run a copy with the model's debug
# checks and the sanitizers.  Everything but main.c (the daemon's state
# and its handlers) is also hosted in-process by the fuzz target.
xensimd_state_sources = \
	%reldir%/channel.c \
	%reldir%/conn.c \
	%reldir%/evtchn.c \
	%reldir%/hypercall.c \
	%reldir%/introspect.c \
	%reldir%/log.c \
	%reldir%/records.c \
	%reldir%/shm.c \
	%reldir%/sim.h \
	%reldir%/state.c \
	%reldir%/vcpu.c \
	xen/include/public/xensim.h
xensimd_sources = %reldir%/main.c $(xensimd_state_sources)
XENSIMD_CPPFLAGS = $(AM_CPPFLAGS) $(XENSIM_PUBLIC_CPPFLAGS)

sbin_PROGRAMS += %reldir%/xensimd
%canon_reldir%_xensimd_SOURCES = $(xensimd_sources)
%canon_reldir%_xensimd_CPPFLAGS = $(XENSIMD_CPPFLAGS)
%canon_reldir%_xensimd_LDADD = xen/libxencore.la

check_PROGRAMS += %reldir%/xensimd-debug
%canon_reldir%_xensimd_debug_SOURCES = $(xensimd_sources)
%canon_reldir%_xensimd_debug_CPPFLAGS = $(XENSIMD_CPPFLAGS) -DCONFIG_DEBUG
%canon_reldir%_xensimd_debug_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_xensimd_debug_LDADD = xen/libxencore-debug.la

# The protocol fuzz target's checks on its seeds, under the test build's
# sanitizers and the model's debug checks.
check_PROGRAMS += %reldir%/fuzz-protocol-replay
%canon_reldir%_fuzz_protocol_replay_SOURCES = %reldir%/fuzz-protocol.c \
	$(xensimd_state_sources) $(FUZZ_REPLAY_SOURCES)
%canon_reldir%_fuzz_protocol_replay_CPPFLAGS = $(XENSIMD_CPPFLAGS) \
	$(FUZZ_CPPFLAGS) -DCONFIG_DEBUG -DFUZZ_REPLAY_MAIN
%canon_reldir%_fuzz_protocol_replay_CFLAGS = $(TEST_CFLAGS)
%canon_reldir%_fuzz_protocol_replay_LDADD = xen/libxencore-debug.la
TESTS += %reldir%/fuzz-protocol-replay

# The libFuzzer target, built only on request (as fuzz-cfg):
#   make xen/sim/fuzz-protocol
%reldir%/fuzz-protocol: %reldir%/fuzz-protocol.c \
		%reldir%/fuzz-protocol.ignorelist tools/tests/fuzz.h \
		$(xensimd_state_sources) $(xen_core_sources)
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_CFLAGS) $(XENSIMD_CPPFLAGS) \
		$(FUZZ_CPPFLAGS) \
		-fsanitize-coverage-ignorelist=$(filter %.ignorelist,$^) \
		-DCONFIG_DEBUG -o $@ $(filter %.c,$^)
EXTRA_DIST += %reldir%/fuzz-protocol.ignorelist
CLEANFILES += %reldir%/fuzz-protocol
