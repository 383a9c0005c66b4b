# The client side of xensimd's socket, shared by the sim libraries and
# the simulator's own tools.
noinst_LTLIBRARIES += %reldir%/libxensim-client.la
%canon_reldir%_libxensim_client_la_SOURCES = %reldir%/transport.c \
	%reldir%/transport.h xen/include/public/xensim.h
%canon_reldir%_libxensim_client_la_CPPFLAGS = $(AM_CPPFLAGS) \
	$(XENSIM_PUBLIC_CPPFLAGS)
%canon_reldir%_libxensim_client_la_LIBADD = -lpthread

# Xen's libraries over xensimd, under Xen's names, SONAMEs and symbol
# versions (Debian's libxen-dev, Xen 4.17), so that a program built
# against Debian's libraries runs on the simulator with
# LD_LIBRARY_PATH=$(xensimlibdir).  Each version script exports Xen's
# functions and keeps everything else (the transport too) local.
XENSIM_LIB_CPPFLAGS = $(AM_CPPFLAGS) $(XENSIM_PUBLIC_CPPFLAGS)
XENSIM_LIB_CFLAGS = $(AM_CFLAGS) $(XENTOOLLOG_CFLAGS)
XENSIM_LIB_ADD = %reldir%/libxensim-client.la $(XENTOOLLOG_LIBS)
XENSIM_LIB_LINKFLAGS = -no-undefined -Wl,--version-script=$(srcdir)/%reldir%

# libxendevicemodel.so.1.4.0, SONAME libxendevicemodel.so.1 (5 - 4).
xensimlib_LTLIBRARIES += %reldir%/libxendevicemodel.la
%canon_reldir%_libxendevicemodel_la_SOURCES = %reldir%/devicemodel.c \
	%reldir%/sim-private.h
%canon_reldir%_libxendevicemodel_la_CPPFLAGS = $(XENSIM_LIB_CPPFLAGS)
%canon_reldir%_libxendevicemodel_la_CFLAGS = $(XENSIM_LIB_CFLAGS)
%canon_reldir%_libxendevicemodel_la_LIBADD = $(XENSIM_LIB_ADD)
%canon_reldir%_libxendevicemodel_la_LDFLAGS = -version-info 5:0:4 \
	$(XENSIM_LIB_LINKFLAGS)/devicemodel.map
EXTRA_%canon_reldir%_libxendevicemodel_la_DEPENDENCIES = \
	%reldir%/devicemodel.map

# libxenforeignmemory.so.1.4.0, SONAME libxenforeignmemory.so.1.
xensimlib_LTLIBRARIES += %reldir%/libxenforeignmemory.la
%canon_reldir%_libxenforeignmemory_la_SOURCES = %reldir%/foreignmemory.c \
	%reldir%/sim-private.h
%canon_reldir%_libxenforeignmemory_la_CPPFLAGS = $(XENSIM_LIB_CPPFLAGS)
%canon_reldir%_libxenforeignmemory_la_CFLAGS = $(XENSIM_LIB_CFLAGS)
%canon_reldir%_libxenforeignmemory_la_LIBADD = $(XENSIM_LIB_ADD)
%canon_reldir%_libxenforeignmemory_la_LDFLAGS = -version-info 5:0:4 \
	$(XENSIM_LIB_LINKFLAGS)/foreignmemory.map
EXTRA_%canon_reldir%_libxenforeignmemory_la_DEPENDENCIES = \
	%reldir%/foreignmemory.map

# libxenevtchn.so.1.2.0, SONAME libxenevtchn.so.1.
xensimlib_LTLIBRARIES += %reldir%/libxenevtchn.la
%canon_reldir%_libxenevtchn_la_SOURCES = %reldir%/evtchn.c \
	%reldir%/sim-private.h
%canon_reldir%_libxenevtchn_la_CPPFLAGS = $(XENSIM_LIB_CPPFLAGS)
%canon_reldir%_libxenevtchn_la_CFLAGS = $(XENSIM_LIB_CFLAGS)
%canon_reldir%_libxenevtchn_la_LIBADD = $(XENSIM_LIB_ADD)
%canon_reldir%_libxenevtchn_la_LDFLAGS = -version-info 3:0:2 \
	$(XENSIM_LIB_LINKFLAGS)/evtchn.map
EXTRA_%canon_reldir%_libxenevtchn_la_DEPENDENCIES = %reldir%/evtchn.map

# libxenctrl.so.4.17, SONAME libxenctrl.so.4.17: no -version-info gives
# a two-part major, so -avoid-version drops libtool's version suffix and
# -shrext makes ".so.4.17" the library's extension.
xensimlib_LTLIBRARIES += %reldir%/libxenctrl.la
%canon_reldir%_libxenctrl_la_SOURCES = %reldir%/ctrl.c \
	%reldir%/sim-private.h
%canon_reldir%_libxenctrl_la_CPPFLAGS = $(XENSIM_LIB_CPPFLAGS)
%canon_reldir%_libxenctrl_la_CFLAGS = $(XENSIM_LIB_CFLAGS)
%canon_reldir%_libxenctrl_la_LIBADD = $(XENSIM_LIB_ADD)
%canon_reldir%_libxenctrl_la_LDFLAGS = -avoid-version -shrext .so.4.17 \
	$(XENSIM_LIB_LINKFLAGS)/ctrl.map
EXTRA_%canon_reldir%_libxenctrl_la_DEPENDENCIES = %reldir%/ctrl.map

EXTRA_DIST += %reldir%/devicemodel.map %reldir%/foreignmemory.map \
	%reldir%/evtchn.map %reldir%/ctrl.map

# The libraries against a fake daemon (a thread on a temporary socket),
# and their ABI against Debian's.
check_PROGRAMS += %reldir%/test-client
%canon_reldir%_test_client_SOURCES = %reldir%/test-client.c
%canon_reldir%_test_client_CPPFLAGS = $(TEST_CPPFLAGS) \
	$(XENSIM_PUBLIC_CPPFLAGS)
%canon_reldir%_test_client_CFLAGS = $(TEST_CFLAGS) $(CMOCKA_CFLAGS) \
	$(XENTOOLLOG_CFLAGS)
%canon_reldir%_test_client_LDADD = $(XEN_SIM_LIBS) $(XENTOOLLOG_LIBS) \
	$(CMOCKA_LIBS) -lpthread

TESTS += %reldir%/check-abi.sh %reldir%/test-client
EXTRA_DIST += %reldir%/check-abi.sh

# libxencall.so.1.3.0, SONAME libxencall.so.1: only HVMOP_get_mem_type,
# which no Xen library wraps (see call.c); every other hypercall ENOSYS.
xensimlib_LTLIBRARIES += %reldir%/libxencall.la
%canon_reldir%_libxencall_la_SOURCES = %reldir%/call.c %reldir%/sim-private.h
%canon_reldir%_libxencall_la_CPPFLAGS = $(XENSIM_LIB_CPPFLAGS)
%canon_reldir%_libxencall_la_CFLAGS = $(XENSIM_LIB_CFLAGS)
%canon_reldir%_libxencall_la_LIBADD = $(XENSIM_LIB_ADD)
%canon_reldir%_libxencall_la_LDFLAGS = -version-info 4:0:3 \
	$(XENSIM_LIB_LINKFLAGS)/call.map
EXTRA_%canon_reldir%_libxencall_la_DEPENDENCIES = %reldir%/call.map
EXTRA_DIST += %reldir%/call.map

# libxencall against a fake daemon: what goes on the wire, what comes
# back, and that nothing but HVMOP_get_mem_type is sent.
check_PROGRAMS += %reldir%/test-xencall
%canon_reldir%_test_xencall_SOURCES = %reldir%/test-xencall.c
%canon_reldir%_test_xencall_CPPFLAGS = $(TEST_CPPFLAGS) \
	$(XENSIM_PUBLIC_CPPFLAGS)
%canon_reldir%_test_xencall_CFLAGS = $(TEST_CFLAGS) $(CMOCKA_CFLAGS)
%canon_reldir%_test_xencall_LDADD = %reldir%/libxencall.la $(CMOCKA_LIBS) \
	-lpthread
TESTS += %reldir%/test-xencall
