/* SPDX-License-Identifier: GPL-2.0-only */
#include <string.h>

#include <xen/event.h>

void evtchn_init(struct evtchn_domain *ed)
{
    memset(ed, 0, sizeof(*ed));
    ed->port[0].state = ECS_RESERVED;
}

int evtchn_alloc_unbound(struct evtchn_domain *ed, domid_t remote_dom,
                         evtchn_port_t *port)
{
    evtchn_port_t p;

    for (p = 1; p < EVTCHN_MAX_PORTS; p++) {
        if (ed->port[p].state == ECS_FREE) {
            ed->port[p].state = ECS_UNBOUND;
            ed->port[p].remote_dom = remote_dom;
            *port = p;
            return 0;
        }
    }
    return -ENOSPC;
}

int evtchn_bind_interdomain(struct evtchn_domain *ed, evtchn_port_t port,
                            domid_t remote_dom)
{
    if (port >= EVTCHN_MAX_PORTS || ed->port[port].state != ECS_UNBOUND ||
        ed->port[port].remote_dom != remote_dom)
        return -EINVAL;
    ed->port[port].state = ECS_INTERDOMAIN;
    return 0;
}

void evtchn_unbind_remote(struct evtchn_domain *ed, evtchn_port_t port)
{
    if (port < EVTCHN_MAX_PORTS && ed->port[port].state == ECS_INTERDOMAIN)
        ed->port[port].state = ECS_UNBOUND;
}

void evtchn_close(struct evtchn_domain *ed, evtchn_port_t port)
{
    if (port > 0 && port < EVTCHN_MAX_PORTS)
        ed->port[port].state = ECS_FREE;
}
