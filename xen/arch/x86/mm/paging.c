/* SPDX-License-Identifier: GPL-2.0-only */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <xen/domain.h>

#define BITS_PER_WORD   (sizeof(unsigned long) * CHAR_BIT)

static unsigned long bitmap_words(const struct domain *d)
{
    return d->p2m.max_gfn / BITS_PER_WORD + 1;
}

bool paging_mode_log_dirty(const struct domain *d)
{
    return d->log_dirty.enabled;
}

int paging_log_dirty_enable(struct domain *d)
{
    if (d->log_dirty.enabled)
        return -EINVAL;
    /* Typed pages would lose their write protection (Xen: hap.c). */
    if (d->p2m.ioreq.entry_count)
        return -EBUSY;
    d->log_dirty.bitmap = calloc(bitmap_words(d), sizeof(unsigned long));
    if (!d->log_dirty.bitmap)
        return -ENOMEM;
    d->log_dirty.enabled = true;
    d->p2m.global_logdirty = true;
    p2m_change_entry_type_global(&d->p2m, p2m_ram_rw, p2m_ram_logdirty);
    return 0;
}

int paging_log_dirty_disable(struct domain *d)
{
    if (!d->log_dirty.enabled)
        return 0;
    d->log_dirty.enabled = false;
    d->p2m.global_logdirty = false;
    p2m_change_entry_type_global(&d->p2m, p2m_ram_logdirty, p2m_ram_rw);
    free(d->log_dirty.bitmap);
    d->log_dirty.bitmap = NULL;
    return 0;
}

void paging_mark_pfn_dirty(struct domain *d, unsigned long pfn)
{
    if (!d->log_dirty.enabled || pfn > d->p2m.max_gfn)
        return;
    d->log_dirty.bitmap[pfn / BITS_PER_WORD] |= 1UL << (pfn % BITS_PER_WORD);
}

int paging_log_dirty_op(struct domain *d, bool clean, unsigned long *bitmap,
                        unsigned long nr_pages, unsigned long *dirty_count)
{
    unsigned long words, i, count = 0;

    if (!d->log_dirty.enabled)
        return -EINVAL;
    nr_pages = MIN(nr_pages, d->p2m.max_gfn + 1);
    words = (nr_pages + BITS_PER_WORD - 1) / BITS_PER_WORD;
    for (i = 0; i < words; i++) {
        unsigned long w = d->log_dirty.bitmap[i];

        if (i == words - 1 && nr_pages % BITS_PER_WORD)
            w &= (1UL << (nr_pages % BITS_PER_WORD)) - 1;
        count += (unsigned long)__builtin_popcountl(w);
        if (bitmap)
            bitmap[i] = w;
        if (clean)
            d->log_dirty.bitmap[i] &= ~w;
    }
    if (clean) {
        /* Cleaned pages must fault again on their next write. */
        p2m_change_entry_type_global(&d->p2m, p2m_ram_rw, p2m_ram_logdirty);
    }
    if (dirty_count)
        *dirty_count = count;
    return 0;
}

void paging_teardown(struct domain *d)
{
    free(d->log_dirty.bitmap);
    d->log_dirty.bitmap = NULL;
    d->log_dirty.enabled = false;
}
