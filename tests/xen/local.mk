# tests/xen: the project's tests on Debian's real Xen 4.17, booted under
# QEMU by run.sh (see README.md there).  `make check-xen' runs them from
# a build directory configured --with-xen; it is not part of `make check'
# (it downloads Debian's Xen and boots it, a minute or two).

EXTRA_DIST += %reldir%/README.md %reldir%/run.sh %reldir%/dom0-init.sh \
	%reldir%/dom0-tests.sh %reldir%/guest/guest.S %reldir%/guest/guest.ld

# The test guest: a 32-bit PVH kernel of a few instructions, assembled by
# binutils alone (no C preprocessor, no 32-bit libc).  Not $(LD): libtool
# sets it to the 64-bit linker emulation.
XEN_GUEST_AS = as
XEN_GUEST_LD = ld
%reldir%/guest/guest.elf: %reldir%/guest/guest.S %reldir%/guest/guest.ld
	@$(MKDIR_P) $(@D)
	$(AM_V_GEN)$(XEN_GUEST_AS) --32 -o $@.o \
		$(srcdir)/%reldir%/guest/guest.S && \
	$(XEN_GUEST_LD) -m elf_i386 -T $(srcdir)/%reldir%/guest/guest.ld \
		-o $@ $@.o && rm -f $@.o
CLEANFILES += %reldir%/guest/guest.elf %reldir%/guest/guest.elf.o \
	%reldir%/console.log

if WITH_XEN
# Reads guest RAM from dom0, so that the tests check what a guest wrote
# without relying on the guest or the device model.  Not $(AM_CPPFLAGS):
# xen/include holds the hypervisor model's headers, not Xen's.
check_PROGRAMS += %reldir%/guest-peek
%canon_reldir%_guest_peek_SOURCES = %reldir%/guest-peek.c
%canon_reldir%_guest_peek_CPPFLAGS = -D_GNU_SOURCE
%canon_reldir%_guest_peek_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
%canon_reldir%_guest_peek_LDADD = $(XEN_LIBS)

# The programs run.sh needs, then those that join them when this build
# defines them (run.sh's PROGRAMS list).  run.sh keeps its package cache
# (XEN_TEST_CACHE, default tests/xen/cache) and the console log
# (tests/xen/console.log) in this directory.
check-xen: tools/demu/demu$(EXEEXT) tools/tests/mkdomain$(EXEEXT) \
		%reldir%/guest-peek$(EXEEXT) %reldir%/guest/guest.elf
	@defined=' $(bin_PROGRAMS) $(sbin_PROGRAMS) $(check_PROGRAMS) \
	    $(noinst_PROGRAMS) '; optional=; \
	for p in tools/tests/xen-conformance tools/xl/xl; do \
	    case $$defined in *" $$p$(EXEEXT) "*) \
	        optional="$$optional $$p$(EXEEXT)";; esac; \
	done; \
	test -z "$$optional" || $(MAKE) $(AM_MAKEFLAGS) $$optional
	XEN_TEST_NO_MAKE=1 bash $(srcdir)/%reldir%/run.sh $(abs_top_builddir)
else
check-xen:
	@echo "make check-xen: $(abs_top_builddir) is configured without" \
	      "--with-xen, so its programs use the simulator, not Xen." \
	      "Configure a build directory with '../configure --with-xen'" \
	      "and run make check-xen there." >&2; exit 1
endif
.PHONY: check-xen
