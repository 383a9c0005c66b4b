/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Records a toolstack keeps about a domain (its name, its configuration,
 * its device model), kept with the domain and dropped with it.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct record {
    struct record *next;
    char *key;
    uint8_t *value;
    size_t len;
};

static struct record *find(struct sim_domain *sd, const char *key,
                           size_t key_len)
{
    struct record *r;

    for (r = sd->records; r; r = r->next)
        if (strlen(r->key) == key_len && !memcmp(r->key, key, key_len))
            return r;
    return NULL;
}

void sim_records_free(struct sim_domain *sd)
{
    struct record *r, *next;

    for (r = sd->records; r; r = next) {
        next = r->next;
        free(r->key);
        free(r->value);
        free(r);
    }
    sd->records = NULL;
}

/* The domain (other than except) whose record key is value, or -1. */
static int owner_of(struct xensim *sim, const char *key, size_t key_len,
                    const uint8_t *value, size_t value_len,
                    const struct sim_domain *except)
{
    domid_t domid;

    for (domid = 0; domid < XENSIM_DM_DOMID_FIRST; domid++) {
        struct sim_domain *sd = sim->dom[domid];
        struct record *r = sd && sd != except ? find(sd, key, key_len)
                                              : NULL;

        if (r && r->len == value_len && !memcmp(r->value, value, r->len))
            return domid;
    }
    return -1;
}

/* Parse the fixed part; the key and value follow it. */
static int parse(const void *p, size_t len, struct xensim_record *hdr,
                 const char **key, const uint8_t **value)
{
    if (len < sizeof(*hdr))
        return SIM_MALFORMED;
    memcpy(hdr, p, sizeof(*hdr));
    if ((uint64_t)hdr->key_len + hdr->value_len != len - sizeof(*hdr))
        return SIM_MALFORMED;
    if (hdr->key_len == 0 || hdr->key_len > XENSIM_RECORD_KEY_MAX)
        return -EINVAL;
    *key = (const char *)p + sizeof(*hdr);
    *value = (const uint8_t *)*key + hdr->key_len;
    return 0;
}

int op_record_set(struct conn *c, const void *p, size_t len)
{
    struct xensim *sim = c->sim;
    struct xensim_record hdr;
    struct sim_domain *sd;
    struct record *r;
    const uint8_t *value;
    const char *key;
    uint8_t *copy;
    int rc = parse(p, len, &hdr, &key, &value);

    if (rc)
        return rc;
    if (!c->caller.is_control)
        return -EPERM;
    sd = sim_domain(sim, hdr.domid);
    if (!sd || !domain_lookup(&sim->hv, hdr.domid))
        return -ESRCH;
    if (hdr.flags & ~XENSIM_RECORD_UNIQUE)
        return -EINVAL;
    if ((hdr.flags & XENSIM_RECORD_UNIQUE) &&
        owner_of(sim, key, hdr.key_len, value, hdr.value_len, sd) >= 0)
        return -EEXIST;

    /* Out of memory, the record stays as it was (or absent). */
    copy = malloc(hdr.value_len + 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, value, hdr.value_len);
    r = find(sd, key, hdr.key_len);
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (r)
            r->key = strndup(key, hdr.key_len);
        if (!r || !r->key) {
            free(r);
            free(copy);
            return -ENOMEM;
        }
        r->next = sd->records;
        sd->records = r;
    }
    free(r->value);
    r->value = copy;
    r->len = hdr.value_len;
    return 0;
}

int op_record_get(struct conn *c, const void *p, size_t len)
{
    struct xensim_record hdr;
    struct sim_domain *sd;
    struct record *r;
    const uint8_t *value;
    const char *key;
    int rc = parse(p, len, &hdr, &key, &value);

    if (rc)
        return rc;
    if (!c->caller.is_control)
        return -EPERM;
    sd = sim_domain(c->sim, hdr.domid);
    if (!sd)
        return -ESRCH;
    r = find(sd, key, hdr.key_len);
    if (!r)
        return -ENOENT;
    conn_reply(c, 0, r->value, r->len, NULL, 0);
    return SIM_REPLIED;
}

int op_record_find(struct conn *c, const void *p, size_t len)
{
    struct xensim_record hdr;
    const uint8_t *value;
    const char *key;
    int rc = parse(p, len, &hdr, &key, &value);

    if (rc)
        return rc;
    if (!c->caller.is_control)
        return -EPERM;
    rc = owner_of(c->sim, key, hdr.key_len, value, hdr.value_len, NULL);
    return rc >= 0 ? rc : -ENOENT;
}
