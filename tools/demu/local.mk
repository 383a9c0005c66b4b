# demu: a demonstration device model for HVMMEM_ioreq_server, written
# only against Xen's libraries: the simulator's by default, Debian's real
# ones --with-xen.
bin_PROGRAMS += %reldir%/demu
%canon_reldir%_demu_SOURCES = %reldir%/demu.c %reldir%/demu.h \
	%reldir%/options.c %reldir%/setup.c %reldir%/ioreq.c %reldir%/log.c
# Not $(AM_CPPFLAGS): xen/include holds the hypervisor model's internal
# headers, which a device model must not see; Xen's public headers come
# from libxen-dev.
%canon_reldir%_demu_CPPFLAGS = -I$(top_srcdir)/tools/libs/util
%canon_reldir%_demu_CFLAGS = $(AM_CFLAGS) $(XEN_CONSUMER_CFLAGS)
%canon_reldir%_demu_LDADD = tools/libs/util/libgfnrange.la \
	$(XEN_CONSUMER_LIBS)
