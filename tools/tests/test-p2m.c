/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the p2m table and of rangesets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include <xen/p2m.h>
#include <xen/rangeset.h>

static void test_new_table_is_a_hole(void **state)
{
    struct p2m_domain p2m;

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfffff), 0);
    assert_int_equal(p2m_get_type(&p2m, 0), p2m_invalid);
    assert_int_equal(p2m_get_type(&p2m, 0xfffff), p2m_invalid);
    assert_int_equal(p2m_get_type(&p2m, 0x100000), p2m_invalid);
    assert_false(p2m.populated);
    p2m_teardown(&p2m);
}

static void test_add_ram_sets_max_mapped_pfn(void **state)
{
    struct p2m_domain p2m;

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfffff), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0x10, 0x20), 0);
    assert_int_equal(p2m_get_type(&p2m, 0xf), p2m_invalid);
    assert_int_equal(p2m_get_type(&p2m, 0x10), p2m_ram_rw);
    assert_int_equal(p2m_get_type(&p2m, 0x2f), p2m_ram_rw);
    assert_int_equal(p2m_get_type(&p2m, 0x30), p2m_invalid);
    assert_int_equal(p2m.max_mapped_pfn, 0x2f);
    assert_int_equal(p2m_add_ram(&p2m, 0xfffff, 2), -EINVAL);
    assert_int_equal(p2m_add_ram(&p2m, 0, 0), -EINVAL);
    p2m_teardown(&p2m);
}

static void test_span_counts_entries_across_tables(void **state)
{
    struct p2m_domain p2m;
    unsigned long done;
    uint32_t rw = p2m_to_mask(p2m_ram_rw);

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfffff), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0, 0x1000), 0);
    /* Crosses leaf tables at 0x200, 0x400 and 0x600. */
    assert_int_equal(p2m_change_type_span(&p2m, 0x1f0, 0x420, rw,
                                          p2m_ioreq_server, &done), 0);
    assert_int_equal(done, 0x420);
    assert_int_equal(p2m.ioreq.entry_count, 0x420);
    assert_true(p2m_check_invariants(&p2m));
    assert_int_equal(p2m_count_stored(&p2m, p2m_ioreq_server), 0x420);
    p2m_teardown(&p2m);
}

static void test_span_stops_at_first_refused_page(void **state)
{
    struct p2m_domain p2m;
    unsigned long done;
    uint32_t rw = p2m_to_mask(p2m_ram_rw);

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfff), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0, 0x1000), 0);
    assert_int_equal(p2m_set_entry(&p2m, 0x105, p2m_ram_ro), 0);
    assert_int_equal(p2m_change_type_span(&p2m, 0x100, 0x10, rw,
                                          p2m_ioreq_server, &done), -EINVAL);
    assert_int_equal(done, 5);
    assert_int_equal(p2m_get_type(&p2m, 0x104), p2m_ioreq_server);
    assert_int_equal(p2m_get_type(&p2m, 0x105), p2m_ram_ro);
    assert_int_equal(p2m_get_type(&p2m, 0x106), p2m_ram_rw);
    assert_int_equal(p2m.ioreq.entry_count, 5);
    p2m_teardown(&p2m);
}

static void test_global_change_is_lazy_then_swept(void **state)
{
    struct p2m_domain p2m;
    unsigned long done;

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfffff), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0, 0x100000), 0);
    assert_int_equal(p2m_set_ioreq_server(&p2m, 2, 3), 0);
    assert_int_equal(p2m_change_type_span(&p2m, 0, 0x100000,
                                          p2m_to_mask(p2m_ram_rw),
                                          p2m_ioreq_server, &done), 0);
    assert_int_equal(p2m_set_ioreq_server(&p2m, 0, 3), 0);
    p2m_change_entry_type_global(&p2m, p2m_ioreq_server, p2m_ram_rw);
    /* Effective types reset at once; stored entries and count not yet. */
    assert_int_equal(p2m_get_type(&p2m, 0x12345), p2m_ram_rw);
    assert_int_equal(p2m_get_stored_type(&p2m, 0x12345), p2m_ioreq_server);
    assert_int_equal(p2m.ioreq.entry_count, 0x100000);
    /* One gfn's recalc resolves its whole leaf table. */
    p2m_recalc(&p2m, 0x12345);
    assert_int_equal(p2m.ioreq.entry_count, 0x100000 - P2M_ENTRIES);
    p2m_finish_type_change(&p2m, 0, 0x100000);
    assert_int_equal(p2m.ioreq.entry_count, 0);
    assert_true(p2m_check_invariants(&p2m));
    p2m_teardown(&p2m);
}

static void test_claim_keeps_typed_entries_through_recalc(void **state)
{
    struct p2m_domain p2m;

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfff), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0, 0x1000), 0);
    assert_int_equal(p2m_set_ioreq_server(&p2m, 2, 1), 0);
    assert_int_equal(p2m_change_type_one(&p2m, 7, p2m_ram_rw,
                                         p2m_ioreq_server), 0);
    p2m_change_entry_type_global(&p2m, p2m_ram_rw, p2m_ram_logdirty);
    p2m_finish_type_change(&p2m, 0, 0x1000);
    assert_int_equal(p2m_get_stored_type(&p2m, 7), p2m_ioreq_server);
    assert_int_equal(p2m.ioreq.entry_count, 1);
    p2m_teardown(&p2m);
}

static void test_change_type_one_checks_old_type(void **state)
{
    struct p2m_domain p2m;

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfff), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0, 0x10), 0);
    assert_int_equal(p2m_change_type_one(&p2m, 3, p2m_ram_ro, p2m_ram_rw),
                     -EBUSY);
    assert_int_equal(p2m_change_type_one(&p2m, 3, p2m_ram_rw, p2m_ram_ro), 0);
    assert_int_equal(p2m_get_type(&p2m, 3), p2m_ram_ro);
    p2m_teardown(&p2m);
}

static void test_type_run_follows_effective_types(void **state)
{
    struct p2m_domain p2m;
    p2m_type_t t;
    unsigned long done;

    (void)state;
    assert_int_equal(p2m_init(&p2m, 0xfffff), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0, 0x800), 0);
    assert_int_equal(p2m_add_ram(&p2m, 0x80000, 0x10), 0);
    assert_int_equal(p2m_set_ioreq_server(&p2m, 2, 1), 0);
    assert_int_equal(p2m_change_type_span(&p2m, 0x1f0, 0x30,
                                          p2m_to_mask(p2m_ram_rw),
                                          p2m_ioreq_server, &done), 0);

    assert_int_equal(p2m_type_run(&p2m, 0, 0xfffff, &t), 0x1ef);
    assert_int_equal(t, p2m_ram_rw);
    /* Across a leaf-table boundary (0x200). */
    assert_int_equal(p2m_type_run(&p2m, 0x1f0, 0xfffff, &t), 0x21f);
    assert_int_equal(t, p2m_ioreq_server);
    assert_int_equal(p2m_type_run(&p2m, 0x220, 0xfffff, &t), 0x7ff);
    /* The hole up to the next RAM, skipped a subtree at a time. */
    assert_int_equal(p2m_type_run(&p2m, 0x800, 0xfffff, &t), 0x7ffff);
    assert_int_equal(t, p2m_invalid);
    assert_int_equal(p2m_type_run(&p2m, 0x80000, 0xfffff, &t), 0x8000f);
    assert_int_equal(p2m_type_run(&p2m, 0x80010, 0xfffff, &t), 0xfffff);
    assert_int_equal(t, p2m_invalid);
    /* Clipped to last. */
    assert_int_equal(p2m_type_run(&p2m, 0x1f0, 0x1f4, &t), 0x1f4);

    /* Pending marks apply: after a release the run is plain RAM. */
    assert_int_equal(p2m_set_ioreq_server(&p2m, 0, 1), 0);
    p2m_change_entry_type_global(&p2m, p2m_ioreq_server, p2m_ram_rw);
    assert_int_equal(p2m_type_run(&p2m, 0, 0xfffff, &t), 0x7ff);
    assert_int_equal(t, p2m_ram_rw);
    p2m_teardown(&p2m);
}

static void test_rangeset_merges_adjacent(void **state)
{
    struct rangeset r;

    (void)state;
    rangeset_init(&r);
    assert_int_equal(rangeset_add_range(&r, 10, 19), 0);
    assert_int_equal(rangeset_add_range(&r, 30, 39), 0);
    assert_int_equal(r.nr, 2);
    assert_int_equal(rangeset_add_range(&r, 20, 29), 0);
    assert_int_equal(r.nr, 1);
    assert_true(rangeset_contains_range(&r, 10, 39));
    assert_false(rangeset_contains_range(&r, 9, 39));
    assert_int_equal(rangeset_add_range(&r, 5, 4), -EINVAL);
}

static void test_rangeset_remove_splits(void **state)
{
    struct rangeset r;

    (void)state;
    rangeset_init(&r);
    assert_int_equal(rangeset_add_range(&r, 0, UINT64_MAX), 0);
    assert_int_equal(rangeset_remove_range(&r, 100, 199), 0);
    assert_int_equal(r.nr, 2);
    assert_true(rangeset_contains_range(&r, 0, 99));
    assert_true(rangeset_contains_range(&r, 200, UINT64_MAX));
    assert_false(rangeset_overlaps_range(&r, 100, 199));
    assert_true(rangeset_overlaps_range(&r, 199, 200));
}

static void test_rangeset_cap_is_256(void **state)
{
    struct rangeset r;
    unsigned int i;

    (void)state;
    rangeset_init(&r);
    for (i = 0; i < MAX_NR_IO_RANGES; i++)
        assert_int_equal(rangeset_add_range(&r, i * 4, i * 4), 0);
    assert_int_equal(rangeset_add_range(&r, 10000, 10000), -ENOMEM);
    /* Merging into an existing node needs no new one. */
    assert_int_equal(rangeset_add_range(&r, 1, 1), 0);
    /* Splitting a node does. */
    assert_int_equal(rangeset_add_range(&r, 2, 2), 0);
    assert_int_equal(r.nr, MAX_NR_IO_RANGES);
    assert_int_equal(rangeset_remove_range(&r, 1, 1), -ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_table_is_a_hole),
        cmocka_unit_test(test_add_ram_sets_max_mapped_pfn),
        cmocka_unit_test(test_span_counts_entries_across_tables),
        cmocka_unit_test(test_span_stops_at_first_refused_page),
        cmocka_unit_test(test_global_change_is_lazy_then_swept),
        cmocka_unit_test(test_claim_keeps_typed_entries_through_recalc),
        cmocka_unit_test(test_change_type_one_checks_old_type),
        cmocka_unit_test(test_type_run_follows_effective_types),
        cmocka_unit_test(test_rangeset_merges_adjacent),
        cmocka_unit_test(test_rangeset_remove_splits),
        cmocka_unit_test(test_rangeset_cap_is_256),
    };

    return cmocka_run_group_tests_name("p2m", tests, NULL, NULL);
}
