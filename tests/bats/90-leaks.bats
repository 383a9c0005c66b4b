#!/usr/bin/env bats
# The installed (optimised) xensimd under valgrind: a short scenario that
# goes through its main paths (domains, device models that stop, die or
# are refused, guest accesses, a garbage client, destroys), then SIGTERM.
# valgrind must find no leak and no memory error.

load helpers

# Everything is slower under valgrind.
XENSIM_TEST_TIMEOUT=$(( XENSIM_TEST_TIMEOUT * 4 ))

setup() { common_setup; }
teardown() { common_teardown; }

@test "xensimd leaks nothing and makes no memory error over a scenario, under valgrind" {
    command -v valgrind >/dev/null ||
        fail "valgrind is not installed: install the package valgrind"

    local vglog=$BATS_TEST_TMPDIR/valgrind.log a b c old_demu
    XENSIM_SOCKET=$BATS_TEST_TMPDIR/xensimd.sock
    export XENSIM_SOCKET
    xensimd_launch "$XENSIM_SOCKET" "$BATS_TEST_TMPDIR/xensimd.log" \
        valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        --log-file="$vglog" "$XENSIM_TEST_BUILDDIR/xen/sim/xensimd"
    local daemon=$XENSIMD_LAUNCHED_PID
    track_process "$daemon" "xensimd under valgrind"

    # Domains, a device model, and guest accesses of every kind.
    a=$(make_domain --vcpus 2)
    b=$(make_domain)
    demu_start "$a" --map 0x100-0x10f --map 0x200
    old_demu=$DEMU_PID
    run xensim-guest "$a" write 0x100000 4 0x1234
    assert_success
    run xensim-guest "$a" --vcpu 1 rmw add 0x100000 4 1
    assert_output 0x1234
    run xensim-guest "$a" write 0x10fffe 4 0xaabbccdd
    assert_success
    run xensim-guest "$a" read 0x100000 8
    assert_success
    run demu_log_count
    assert_output 3

    # A second device model is refused; a garbage client is dropped.
    run demu --domain "$a" --log "$BATS_TEST_TMPDIR/refused.log"
    assert_failure 1
    run send_raw_message 0f27000000000000
    assert_output closed

    # demu dies with the claim held; another takes over, then stops.
    demu_kill9 "$old_demu"
    run xensim-guest "$a" write 0x100000 4 0x5
    assert_success
    demu_start "$a" --map 0x100-0x10f --mode discard
    run xensim-guest "$a" write 0x100000 4 0x6
    assert_success
    demu_stop
    assert_equal "$STOPPED_STATUS" 0

    # A domain destroyed under its device model, a paused one.
    demu_start "$b" --map 0x100
    run xensim-guest "$b" write 0x100000 1 0x1
    assert_success
    run domctl destroy "$b"
    assert_success
    untrack_process "$DEMU_PID"
    wait_until "demu of the destroyed domain has exited" process_exited "$DEMU_PID"
    STOPPED_STATUS=0
    wait "$DEMU_PID" || STOPPED_STATUS=$?
    assert_equal "$STOPPED_STATUS" 0
    c=$(make_domain --paused)
    run xensim-guest "$c" read 0 4
    assert_failure 1

    # One device model still running and domains still there at shutdown.
    demu_start "$a" --map 0x100
    run domctl destroy "$c"
    assert_success

    untrack_process "$daemon"
    stop_child "$daemon" "xensimd under valgrind"
    local status_on_sigterm=$STOPPED_STATUS
    # With --quiet, valgrind says nothing unless it found something.
    run cat "$vglog"
    refute_output --partial "definitely lost"
    refute_output --partial "indirectly lost"
    refute_output --regexp "Invalid (read|write|free)"
    refute_output --partial "uninitialised"
    assert_output ""
    # 99 would be valgrind's status for an error or a leak.
    assert_equal "$status_on_sigterm" 0
}
