/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest side of event channels: the ports an ioreq server allocates in
 * its target domain (one per vCPU, one more for buffered ioreqs), left
 * unbound for the emulator to bind to.  Delivery is the host's business.
 */
#ifndef XEN_EVENT_H
#define XEN_EVENT_H

#include <xen/lib.h>

/* Xen's toolstack gives HVM guests max_evtchn_port = 1023. */
#define EVTCHN_MAX_PORTS 1024

enum evtchn_state {
    ECS_FREE = 0,
    ECS_RESERVED,           /* port 0 is never handed out */
    ECS_UNBOUND,            /* waiting for remote_dom to bind */
    ECS_INTERDOMAIN,        /* bound by remote_dom */
};

struct evtchn {
    uint8_t state;
    domid_t remote_dom;
};

struct evtchn_domain {
    struct evtchn port[EVTCHN_MAX_PORTS];
};

void evtchn_init(struct evtchn_domain *ed);
int evtchn_alloc_unbound(struct evtchn_domain *ed, domid_t remote_dom,
                         evtchn_port_t *port);
/* remote_dom binds to port: -EINVAL unless it is unbound for remote_dom. */
int evtchn_bind_interdomain(struct evtchn_domain *ed, evtchn_port_t port,
                            domid_t remote_dom);
/* The remote end closed: the port waits for a new binding. */
void evtchn_unbind_remote(struct evtchn_domain *ed, evtchn_port_t port);
void evtchn_close(struct evtchn_domain *ed, evtchn_port_t port);

#endif /* XEN_EVENT_H */
