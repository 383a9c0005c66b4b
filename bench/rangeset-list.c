/* SPDX-License-Identifier: GPL-2.0-only */
/* A Xen-style linked-list rangeset (see rangeset-list.h). */
#include <errno.h>
#include <stdlib.h>

#include "rangeset-list.h"

void list_rangeset_init(struct list_rangeset *r)
{
    r->head = r->tail = NULL;
    r->nr = 0;
}

void list_rangeset_destroy(struct list_rangeset *r)
{
    struct list_range *x = r->head;

    while (x) {
        struct list_range *next = x->next;

        free(x);
        x = next;
    }
    list_rangeset_init(r);
}

int list_rangeset_append(struct list_rangeset *r, uint64_t s, uint64_t e)
{
    struct list_range *x;

    if (s > e || (r->tail && s <= r->tail->e))
        return -EINVAL;
    if (r->tail && s == r->tail->e + 1) {
        r->tail->e = e;
        return 0;
    }
    /* One allocation per node, as Xen's xmalloc'ed ranges. */
    x = malloc(sizeof(*x));
    if (!x)
        return -ENOMEM;
    x->next = NULL;
    x->s = s;
    x->e = e;
    if (r->tail)
        r->tail->next = x;
    else
        r->head = x;
    r->tail = x;
    r->nr++;
    return 0;
}

/* The last range starting at or below s, or NULL (Xen's find_range). */
static const struct list_range *find_range(const struct list_rangeset *r,
                                           uint64_t s)
{
    const struct list_range *x = NULL, *y;

    for (y = r->head; y; y = y->next) {
        if (y->s > s)
            break;
        x = y;
    }
    return x;
}

bool list_rangeset_contains_range(const struct list_rangeset *r,
                                  uint64_t s, uint64_t e)
{
    const struct list_range *x = find_range(r, s);

    return x && x->e >= e;
}
