# The client side of xensimd's socket, shared by the sim libraries and
# the simulator's own tools.
noinst_LTLIBRARIES += %reldir%/libxensim-client.la
%canon_reldir%_libxensim_client_la_SOURCES = %reldir%/transport.c \
	%reldir%/transport.h xen/include/public/xensim.h
%canon_reldir%_libxensim_client_la_CPPFLAGS = $(AM_CPPFLAGS) \
	$(XENSIM_PUBLIC_CPPFLAGS)
%canon_reldir%_libxensim_client_la_LIBADD = -lpthread
