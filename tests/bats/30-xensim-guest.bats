#!/usr/bin/env bats
# xensim-guest: a guest vCPU's accesses to plain RAM, its usage errors
# (exit 2) and its failures (exit 1).

load helpers

setup_file() { xensimd_setup_file; }
teardown_file() { xensimd_teardown_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# guest_usage_error WHAT [ARG...]: xensim-guest ARG... exits 2, prints
# nothing on stdout, and on stderr "xensim-guest: ..." containing WHAT,
# then the pointer to --help.
guest_usage_error() {
    local what=$1
    shift
    run --separate-stderr xensim-guest "$@"
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "${#stderr_lines[@]}" 2
    [[ ${stderr_lines[0]} == "xensim-guest: "*"$what"* ]] ||
        fail "expected a message containing '$what', got '${stderr_lines[0]}'"
    assert_equal "${stderr_lines[1]}" "Try 'xensim-guest --help' for more information."
}

@test "xensim-guest -h prints its usage on stdout and exits 0" {
    run --separate-stderr xensim-guest -h
    assert_success
    assert_line --index 0 "Usage: xensim-guest DOMID [--vcpu N] read GPA SIZE"
    assert_line --index 1 "       xensim-guest DOMID [--vcpu N] write GPA SIZE VALUE"
    assert_line --index 2 "       xensim-guest DOMID [--vcpu N] rmw OP GPA SIZE OPERAND"
    assert_output --partial "Exit status: 0 success, 1 failure, 2 usage error."
    assert_equal "$stderr" ""
}

# Accesses to plain RAM (no device model).

@test "a write then a read of RAM gives back the value, printed in 0x hex" {
    local dom
    dom=$(make_domain)
    run xensim-guest "$dom" write 0x3000 4 0xcafef00d
    assert_success
    assert_output ""
    run xensim-guest "$dom" read 0x3000 4
    assert_success
    assert_output 0xcafef00d
}

@test "decimal and hex numbers are accepted alike" {
    local dom
    dom=$(make_domain)
    run xensim-guest "$dom" write 12288 2 4660
    assert_success
    run xensim-guest "$dom" read 0x3000 2
    assert_output 0x1234
}

@test "accesses are little-endian, as on x86" {
    local dom
    dom=$(make_domain)
    run xensim-guest "$dom" write 0x4000 8 0x0807060504030201
    assert_success
    run xensim-guest "$dom" read 0x4000 1
    assert_output 0x1
    run xensim-guest "$dom" read 0x4001 2
    assert_output 0x302
    run xensim-guest "$dom" read 0x4004 4
    assert_output 0x8070605
}

@test "an access that crosses a page boundary reads and writes both pages" {
    local dom
    dom=$(make_domain)
    run xensim-guest "$dom" write 0x4ffc 8 0x1122334455667788
    assert_success
    run xensim-guest "$dom" read 0x4ffc 8
    assert_output 0x1122334455667788
    run xensim-guest "$dom" read 0x4ffc 4
    assert_output 0x55667788
    run xensim-guest "$dom" read 0x5000 4
    assert_output 0x11223344
}

@test "rmw on RAM prints the old value and stores the result" {
    local dom
    dom=$(make_domain)
    run xensim-guest "$dom" write 0x6000 4 40
    assert_success
    run xensim-guest "$dom" rmw add 0x6000 4 2
    assert_success
    assert_output 0x28
    run xensim-guest "$dom" read 0x6000 4
    assert_output 0x2a
}

@test "each vCPU of a domain can access its memory" {
    local dom
    dom=$(make_domain --vcpus 3)
    run xensim-guest "$dom" --vcpu 2 write 0x7000 4 0x2222
    assert_success
    run xensim-guest "$dom" --vcpu 1 read 0x7000 4
    assert_success
    assert_output 0x2222
}

@test "domains do not share memory" {
    local a b
    a=$(make_domain)
    b=$(make_domain)
    run xensim-guest "$a" write 0x8000 4 0xaaaa
    assert_success
    run xensim-guest "$b" write 0x8000 4 0xbbbb
    assert_success
    run xensim-guest "$a" read 0x8000 4
    assert_output 0xaaaa
}

# Failures: exit 1 with a message saying what is wrong.

@test "an access to a domain that does not exist exits 1 saying so" {
    run --separate-stderr xensim-guest 4321 read 0x1000 4
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xensim-guest: 4-byte read at 0x1000 by vCPU 0 of domain 4321 failed: no such domain 4321"
}

@test "an access to a destroyed domain exits 1 saying there is no such domain" {
    local dom
    dom=$(make_domain)
    run domctl destroy "$dom"
    assert_success
    run --separate-stderr xensim-guest "$dom" write 0x1000 4 1
    assert_failure 1
    [[ $stderr == *"no such domain $dom" ]]
}

@test "an access by a vCPU the domain does not have exits 1 naming the vCPU" {
    local dom
    dom=$(make_domain --vcpus 2)
    run --separate-stderr xensim-guest "$dom" --vcpu 2 read 0x1000 4
    assert_failure 1
    assert_equal "$stderr" "xensim-guest: 4-byte read at 0x1000 by vCPU 2 of domain $dom failed: domain $dom has no vCPU 2"
}

@test "an access to a paused domain exits 1 and says to unpause it" {
    local dom
    dom=$(make_domain --paused)
    run --separate-stderr xensim-guest "$dom" write 0x1000 4 1
    assert_failure 1
    [[ $stderr == *"domain $dom is paused; unpause it first"* ]]
    # Nothing was written: once unpaused, RAM still holds 0.
    run domctl unpause "$dom"
    assert_success
    run xensim-guest "$dom" read 0x1000 4
    assert_success
    assert_output 0x0
}

@test "an access to a domain paused after it was built exits 1, and succeeds once unpaused" {
    local dom
    dom=$(make_domain)
    run domctl pause "$dom"
    assert_success
    run --separate-stderr xensim-guest "$dom" read 0x1000 4
    assert_failure 1
    [[ $stderr == *"is paused"* ]]
    run domctl unpause "$dom"
    assert_success
    run xensim-guest "$dom" read 0x1000 4
    assert_success
}

# vCPU 0's write waits on a stopped device model; meanwhile another
# access by the same vCPU is refused, one by another vCPU is not.
@test "an access by a vCPU that is waiting on a device model exits 1 saying it is busy" {
    local dom writer
    dom=$(make_domain --vcpus 2)
    demu_start "$dom" --map 0x100
    kill -STOP "$DEMU_PID"
    xensim-guest "$dom" write 0x100000 4 0x5 3>&- &
    writer=$!
    track_process "$writer" "xensim-guest (pending write)"
    busy() {
        run --separate-stderr xensim-guest "$dom" read 0x100000 4
        [[ $status == 1 ]]
    }
    wait_until "vCPU 0 is busy with the pending write" busy
    assert_equal "$stderr" "xensim-guest: 4-byte read at 0x100000 by vCPU 0 of domain $dom failed: vCPU 0 is busy with another client's access; try again when it has completed"
    run xensim-guest "$dom" --vcpu 1 read 0x200000 4
    assert_success
    # Once demu runs again, the pending write completes.
    kill -CONT "$DEMU_PID"
    untrack_process "$writer"
    wait_until "the pending write has completed" process_exited "$writer"
    STOPPED_STATUS=0
    wait "$writer" || STOPPED_STATUS=$?
    assert_equal "$STOPPED_STATUS" 0
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100000 size=4 data=0x5"
}

@test "xensim-guest with no xensimd at XENSIM_SOCKET exits 1 naming the socket" {
    XENSIM_SOCKET=$BATS_TEST_TMPDIR/nobody.sock run --separate-stderr xensim-guest 1 read 0 4
    assert_failure 1
    assert_equal "$stderr" "xensim-guest: cannot connect to xensimd at $BATS_TEST_TMPDIR/nobody.sock: no socket there (is xensimd running? XENSIM_SOCKET names its socket)"
}

# Usage errors: exit 2.

@test "xensim-guest without arguments is a usage error" {
    guest_usage_error "DOMID is missing"
}

@test "a DOMID that is not a number is a usage error naming it" {
    guest_usage_error 'DOMID "abc": ' abc read 0 4
}

@test "a DOMID past 16 bits is a usage error" {
    guest_usage_error 'DOMID "70000": 70000 is too large (at most 65535)' 70000 read 0 4
}

@test "a DOMID without an access is a usage error" {
    guest_usage_error "the access is missing: read, write or rmw" 1
}

@test "an unknown access is a usage error naming it" {
    guest_usage_error 'unknown access "jump": expected read, write or rmw' 1 jump 0 4
}

@test "read with too few arguments is a usage error saying what it takes" {
    guest_usage_error "read takes 2 arguments, GPA SIZE; got 1" 1 read 0
}

@test "write with too many arguments is a usage error saying what it takes" {
    guest_usage_error "write takes 3 arguments, GPA SIZE VALUE; got 4" 1 write 0 4 1 2
}

@test "rmw with too few arguments is a usage error saying what it takes" {
    guest_usage_error "rmw takes 4 arguments, OP GPA SIZE OPERAND; got 3" 1 rmw add 0 4
}

@test "a SIZE other than 1, 2, 4 or 8 is a usage error" {
    guest_usage_error 'SIZE "3": expected 1, 2, 4 or 8 (bytes)' 1 read 0 3
}

@test "a SIZE of 16 is a usage error" {
    guest_usage_error 'SIZE "16": expected 1, 2, 4 or 8 (bytes)' 1 read 0 16
}

@test "a VALUE too large for the access size is a usage error" {
    guest_usage_error 'VALUE "0x100": 0x100 is too large (at most 0xff) for a 1-byte access' \
        1 write 0 1 0x100
}

@test "an OPERAND too large for the access size is a usage error" {
    guest_usage_error 'OPERAND "0x10000": 0x10000 is too large (at most 0xffff) for a 2-byte access' \
        1 rmw add 0 2 0x10000
}

@test "a VALUE past 64 bits is a usage error" {
    guest_usage_error 'VALUE "0x10000000000000000": 0x10000000000000000 does not fit in 64 bits' \
        1 write 0 8 0x10000000000000000
}

@test "a negative VALUE is a usage error naming it" {
    guest_usage_error '-1' 1 write 0 4 -1
}

@test "a GPA that is not a number is a usage error naming it" {
    guest_usage_error 'GPA "0x": ' 1 read 0x 4
}

@test "an access running past the top of the address space is a usage error" {
    guest_usage_error "GPA 0xffffffffffffffff with SIZE 2 runs past the top of the address space" \
        1 read 0xffffffffffffffff 2
}

@test "an unknown rmw OP is a usage error listing the known ones" {
    guest_usage_error 'rmw OP "mul": expected add, or, and, xor or xchg' 1 rmw mul 0 4 1
}

@test "--vcpu given twice is a usage error" {
    guest_usage_error "--vcpu given twice" --vcpu 1 --vcpu 2 1 read 0 4
}

@test "--vcpu that is not a number is a usage error naming it" {
    guest_usage_error '--vcpu "x": ' --vcpu x 1 read 0 4
}

@test "--vcpu without its argument is a usage error" {
    guest_usage_error "option --vcpu needs an argument" --vcpu
}

@test "an unknown option is a usage error naming it" {
    guest_usage_error "unknown option --bogus" --bogus 1 read 0 4
}

@test "a usage error does not touch the guest: RAM is unchanged" {
    local dom
    dom=$(make_domain)
    run xensim-guest "$dom" write 0x9000 1 0x11
    assert_success
    guest_usage_error 'VALUE "0x1ff"' "$dom" write 0x9000 1 0x1ff
    run xensim-guest "$dom" read 0x9000 1
    assert_output 0x11
}
