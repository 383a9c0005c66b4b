# docs/man: the manual pages.  Each NAME.SECTION.pod here is turned into
# docs/man/NAME.SECTION (roff) in the build directory by pod2man, as part
# of `make'; `make install' puts it in man/manSECTION.  The pages are
# generated, so they are not distributed; their POD sources are.
#
# A new page: add its .pod to MAN_PODS, its page to MAN_PAGES, and a
# rule below.  docs/man/check-pod.sh (make check) runs podchecker on
# every docs/man/*.pod and fails if one has no built page.

MAN_POD2MAN = $(POD2MAN) --release=$(VERSION) -c "xen-ioreq" --errors=die

# $(MAN_GEN) SECTION NAME SOURCE: pod2man into a temporary file, so
# that a failure (any POD error fails) leaves no page behind for a later
# `make' to take for up to date.
MAN_GEN = $(AM_V_GEN)man_gen() { \
	$(MKDIR_P) $(@D) && rm -f $@.tmp && \
	if $(MAN_POD2MAN) -s "$$1" -n "$$2" "$$3" $@.tmp; then \
	  mv -f $@.tmp $@; \
	else \
	  rm -f $@.tmp; exit 1; \
	fi; \
	}; man_gen

MAN_PODS = \
	%reldir%/xl.1.pod \
	%reldir%/xl.cfg.5.pod \
	%reldir%/xensimd.8.pod \
	%reldir%/demu.1.pod \
	%reldir%/libxl-ioreq.3.pod
MAN_PAGES = \
	%reldir%/xl.1 \
	%reldir%/xl.cfg.5 \
	%reldir%/xensimd.8 \
	%reldir%/demu.1 \
	%reldir%/libxl-ioreq.3

nodist_man_MANS = $(MAN_PAGES)
CLEANFILES += $(MAN_PAGES)
EXTRA_DIST += $(MAN_PODS) %reldir%/check-pod.sh

%reldir%/xl.1: %reldir%/xl.1.pod
	$(MAN_GEN) 1 xl $(srcdir)/%reldir%/xl.1.pod
%reldir%/xl.cfg.5: %reldir%/xl.cfg.5.pod
	$(MAN_GEN) 5 xl.cfg $(srcdir)/%reldir%/xl.cfg.5.pod
%reldir%/xensimd.8: %reldir%/xensimd.8.pod
	$(MAN_GEN) 8 xensimd $(srcdir)/%reldir%/xensimd.8.pod
%reldir%/demu.1: %reldir%/demu.1.pod
	$(MAN_GEN) 1 demu $(srcdir)/%reldir%/demu.1.pod
%reldir%/libxl-ioreq.3: %reldir%/libxl-ioreq.3.pod
	$(MAN_GEN) 3 libxl-ioreq $(srcdir)/%reldir%/libxl-ioreq.3.pod

# podchecker on every page (warnings fail too), and a page built for each.
TESTS += %reldir%/check-pod.sh
AM_TESTS_ENVIRONMENT += PODCHECKER='$(PODCHECKER)'; export PODCHECKER;
