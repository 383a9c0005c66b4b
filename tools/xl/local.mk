# tools/xl: xl, the command-line toolstack, on libxl (on the simulator,
# or --with-xen on real Xen).
bin_PROGRAMS += %reldir%/xl
%canon_reldir%_xl_SOURCES = %reldir%/xl.c %reldir%/xl.h \
	%reldir%/xl_cmdtable.c %reldir%/xl_utils.c %reldir%/xl_utils.h \
	%reldir%/xl_parse.c %reldir%/xl_parse.h %reldir%/xl_vmcontrol.c \
	%reldir%/xl_info.c %reldir%/xl_ioreq.c
# Our libxl.h before the system's: Debian's libxen-dev ships a libxl.h
# of its own in /usr/include, which the package flags may bring in.
%canon_reldir%_xl_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/tools/libxl \
	-I$(srcdir)/tools/libs/util
%canon_reldir%_xl_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS) $(YAJL_CFLAGS)
%canon_reldir%_xl_LDADD = tools/libxl/libxenlight.la \
	tools/libs/util/libxlutil.la $(XENTOOLLOG_LIBS) $(YAJL_LIBS)

# Every command of the table has its entry in xl(1), and the reverse.
TESTS += %reldir%/check-xl-man.sh
EXTRA_DIST += %reldir%/check-xl-man.sh
