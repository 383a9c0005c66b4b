# xen/sim
