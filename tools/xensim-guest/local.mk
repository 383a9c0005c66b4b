# xensim-guest: plays a guest vCPU on the simulator, one access per run.
bin_PROGRAMS += %reldir%/xensim-guest
%canon_reldir%_xensim_guest_SOURCES = %reldir%/xensim-guest.c
%canon_reldir%_xensim_guest_CPPFLAGS = $(AM_CPPFLAGS) \
	$(XENSIM_PUBLIC_CPPFLAGS) -I$(top_srcdir)/tools/libs/sim \
	-I$(top_srcdir)/tools/libs/util
%canon_reldir%_xensim_guest_LDADD = tools/libs/util/libgfnrange.la \
	tools/libs/sim/libxensim-client.la
