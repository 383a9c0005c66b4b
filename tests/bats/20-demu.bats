#!/usr/bin/env bats
# demu serving a domain, driven by xensim-guest: what reaches its log,
# what reaches guest RAM, and what happens to its claim when it stops or
# dies.

load helpers

setup_file() { xensimd_setup_file; }
teardown_file() { xensimd_teardown_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# The pages most tests track: gfns 0x100-0x10f, guest-physical
# 0x100000-0x10ffff.
TYPED=0x100-0x10f

# guest_with_demu [DEMU-ARG...]: a fresh domain (DOM) served by demu with
# TYPED mapped, and any further demu arguments.
guest_with_demu() {
    DOM=$(make_domain)
    demu_start "$DOM" --map "$TYPED" "$@"
}

# ram_write DOM GPA SIZE VALUE: write as the guest, asserting success.
ram_write() {
    run xensim-guest "$1" write "$2" "$3" "$4"
    assert_success
    assert_output ""
}

# assert_ram DOM GPA SIZE VALUE: a guest read of GPA gives VALUE.
assert_ram() {
    run xensim-guest "$1" read "$2" "$3"
    assert_success
    assert_output "$4"
}

# assert_log_empty [LOG]: demu logged no write.
assert_log_empty() {
    run demu_log_count "${1:-$DEMU_LOG}"
    assert_success
    assert_output 0
}

@test "demu says which domain, server, vCPUs, ranges and mode it serves, and logs nothing yet" {
    DOM=$(make_domain --vcpus 2)
    demu_start "$DOM" --map 0x100 --map 0x200-0x203 --mode discard
    run cat "$DEMU_ERR"
    assert_output --regexp "^demu: serving domain $DOM: ioreq server [0-9]+, 2 vCPUs, 2 ranges typed, mode discard\$"
    assert_log_empty
}

@test "a read of a typed page returns what RAM holds and produces no log line" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x100010 4 0x1234abcd
    demu_start "$DOM" --map "$TYPED"
    assert_ram "$DOM" 0x100010 4 0x1234abcd
    assert_log_empty
    run cat "$DEMU_ERR"
    refute_output --partial "answered a read"
    # The page is typed: a write to it is logged.
    ram_write "$DOM" 0x100010 4 0x1
    run demu_log_count
    assert_output 1
}

@test "a write to a typed page produces exactly one log line with its gpa, size and data" {
    guest_with_demu
    ram_write "$DOM" 0x100020 4 0x1234
    run demu_log_entries
    assert_success
    assert_output "vcpu=0 gpa=0x100020 size=4 data=0x1234"
}

@test "writes of 1, 2, 4 and 8 bytes are each logged once with their own size and data" {
    guest_with_demu
    ram_write "$DOM" 0x100001 1 0xab
    ram_write "$DOM" 0x100102 2 0xbeef
    ram_write "$DOM" 0x100204 4 0xdeadbeef
    ram_write "$DOM" 0x100308 8 0x0123456789abcdef
    run demu_log_entries
    assert_success
    assert_output "vcpu=0 gpa=0x100001 size=1 data=0xab
vcpu=0 gpa=0x100102 size=2 data=0xbeef
vcpu=0 gpa=0x100204 size=4 data=0xdeadbeef
vcpu=0 gpa=0x100308 size=8 data=0x123456789abcdef"
}

@test "an 8-byte write keeps all 64 bits of its data in the log" {
    guest_with_demu
    ram_write "$DOM" 0x10fff8 8 0xfedcba9876543210
    run demu_log_entries
    assert_success
    assert_output "vcpu=0 gpa=0x10fff8 size=8 data=0xfedcba9876543210"
    run grep -c '"data":18364758544493064720}' "$DEMU_LOG"
    assert_output 1
}

@test "a write that repeats the value already in RAM is logged too" {
    guest_with_demu
    ram_write "$DOM" 0x100040 2 0x77
    ram_write "$DOM" 0x100040 2 0x77
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100040 size=2 data=0x77
vcpu=0 gpa=0x100040 size=2 data=0x77"
}

@test "a write to an untyped page is not logged and lands in RAM" {
    guest_with_demu
    ram_write "$DOM" 0x200000 4 0xcafe
    assert_log_empty
    assert_ram "$DOM" 0x200000 4 0xcafe
}

@test "a write by vCPU 1 is logged with vcpu 1" {
    DOM=$(make_domain --vcpus 2)
    demu_start "$DOM" --map "$TYPED"
    run xensim-guest "$DOM" --vcpu 1 write 0x100050 4 0x51
    assert_success
    run demu_log_entries
    assert_output "vcpu=1 gpa=0x100050 size=4 data=0x51"
}

@test "--map takes GFN, FIRST-LAST and FIRST+COUNT and types exactly those pages" {
    DOM=$(make_domain)
    demu_start "$DOM" --map 0x100 --map 0x200-0x201 --map 0x300+2
    local gpa
    # First and last byte of each range: logged.
    for gpa in 0x100000 0x100fff 0x200000 0x201fff 0x300000 0x301fff; do
        ram_write "$DOM" "$gpa" 1 0x5a
    done
    # The pages just outside: not logged.
    for gpa in 0xfffff 0x101000 0x1fffff 0x202000 0x2fffff 0x302000; do
        ram_write "$DOM" "$gpa" 1 0xa5
    done
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100000 size=1 data=0x5a
vcpu=0 gpa=0x100fff size=1 data=0x5a
vcpu=0 gpa=0x200000 size=1 data=0x5a
vcpu=0 gpa=0x201fff size=1 data=0x5a
vcpu=0 gpa=0x300000 size=1 data=0x5a
vcpu=0 gpa=0x301fff size=1 data=0x5a"
}

@test "in write-through mode RAM holds the written value afterwards" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x100060 4 0x11111111
    demu_start "$DOM" --map "$TYPED" --mode write-through
    ram_write "$DOM" 0x100060 4 0x22222222
    assert_ram "$DOM" 0x100060 4 0x22222222
    run demu_log_count
    assert_output 1
}

@test "write-through is the default mode" {
    guest_with_demu
    ram_write "$DOM" 0x100060 4 0x22222222
    assert_ram "$DOM" 0x100060 4 0x22222222
}

@test "in discard mode RAM keeps the old value" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x100060 4 0x11111111
    demu_start "$DOM" --map "$TYPED" --mode discard
    ram_write "$DOM" 0x100060 4 0x22222222
    assert_ram "$DOM" 0x100060 4 0x11111111
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100060 size=4 data=0x22222222"
}

@test "an rmw on a typed page prints the old value and logs only the write, with old+operand as data" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x100070 4 0x100
    demu_start "$DOM" --map "$TYPED"
    run xensim-guest "$DOM" rmw add 0x100070 4 5
    assert_success
    assert_output 0x100
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100070 size=4 data=0x105"
    assert_ram "$DOM" 0x100070 4 0x105
}

@test "an rmw in discard mode logs old+operand and leaves RAM unchanged" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x100070 4 0x100
    demu_start "$DOM" --map "$TYPED" --mode discard
    run xensim-guest "$DOM" rmw add 0x100070 4 5
    assert_success
    assert_output 0x100
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100070 size=4 data=0x105"
    assert_ram "$DOM" 0x100070 4 0x100
}

@test "an rmw add wraps at the access size" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x100080 1 0xff
    demu_start "$DOM" --map "$TYPED"
    run xensim-guest "$DOM" rmw add 0x100080 1 2
    assert_success
    assert_output 0xff
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100080 size=1 data=0x1"
    # The byte after it is untouched.
    assert_ram "$DOM" 0x100080 2 0x1
}

@test "rmw or, and, xor and xchg each log the value they computed" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x100090 2 0xf0f0
    demu_start "$DOM" --map "$TYPED"
    run xensim-guest "$DOM" rmw or 0x100090 2 0x0f00
    assert_output 0xf0f0
    run xensim-guest "$DOM" rmw and 0x100090 2 0x0ff0
    assert_output 0xfff0
    run xensim-guest "$DOM" rmw xor 0x100090 2 0x00ff
    assert_output 0xff0
    run xensim-guest "$DOM" rmw xchg 0x100090 2 0x1234
    assert_output 0xf0f
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100090 size=2 data=0xfff0
vcpu=0 gpa=0x100090 size=2 data=0xff0
vcpu=0 gpa=0x100090 size=2 data=0xf0f
vcpu=0 gpa=0x100090 size=2 data=0x1234"
    assert_ram "$DOM" 0x100090 2 0x1234
}

@test "a write straddling a typed page and the untyped page after it logs only the typed part" {
    guest_with_demu
    ram_write "$DOM" 0x10fffe 4 0xaabbccdd
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x10fffe size=2 data=0xccdd"
    assert_ram "$DOM" 0x10fffe 4 0xaabbccdd
    assert_ram "$DOM" 0x110000 2 0xaabb
}

@test "a write straddling an untyped page and the typed page after it logs only the typed part" {
    guest_with_demu
    ram_write "$DOM" 0xffffc 8 0x1122334455667788
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100000 size=4 data=0x11223344"
    assert_ram "$DOM" 0xffffc 8 0x1122334455667788
}

@test "in discard mode a straddling write changes only its untyped part" {
    DOM=$(make_domain)
    ram_write "$DOM" 0x10fffe 4 0x01020304
    demu_start "$DOM" --map "$TYPED" --mode discard
    ram_write "$DOM" 0x10fffe 4 0xaabbccdd
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x10fffe size=2 data=0xccdd"
    assert_ram "$DOM" 0x10fffe 4 0xaabb0304
}

@test "demu appends to a log that exists already" {
    DOM=$(make_domain)
    local log=$BATS_TEST_TMPDIR/existing.log
    echo '{"vcpu":9,"gpa":1,"size":1,"data":1}' >"$log"
    demu_start "$DOM" --map "$TYPED" --log "$log"
    ram_write "$DOM" 0x100000 1 0x42
    run demu_log_entries "$log"
    assert_output "vcpu=9 gpa=0x1 size=1 data=0x1
vcpu=0 gpa=0x100000 size=1 data=0x42"
}

@test "without --log demu writes its JSON lines to stdout" {
    DOM=$(make_domain)
    local out=$BATS_TEST_TMPDIR/stdout err=$BATS_TEST_TMPDIR/stderr
    command demu --domain "$DOM" --map "$TYPED" </dev/null >"$out" 2>"$err" 3>&- &
    DEMU_PID=$!
    track_process "$DEMU_PID" demu
    wait_ready "$DEMU_PID" demu "$err" "demu serves" grep -q '^demu: serving' "$err"
    ram_write "$DOM" 0x100004 4 0x4444
    run demu_log_entries "$out"
    assert_output "vcpu=0 gpa=0x100004 size=4 data=0x4444"
}

@test "SIGTERM makes demu release its claim, say so and exit 0" {
    guest_with_demu
    demu_stop
    assert_equal "$STOPPED_STATUS" 0
    run tail -n 1 "$DEMU_ERR"
    assert_output --regexp "^demu: SIGTERM: releasing HVMMEM_ioreq_server of domain $DOM and destroying ioreq server [0-9]+\$"
}

@test "after SIGTERM of demu, a write to a formerly typed page lands in RAM unlogged" {
    guest_with_demu
    demu_stop
    assert_equal "$STOPPED_STATUS" 0
    ram_write "$DOM" 0x100008 4 0x8888
    assert_ram "$DOM" 0x100008 4 0x8888
    assert_log_empty
}

@test "after SIGTERM of demu, a new demu can claim and type the same pages at once" {
    guest_with_demu
    demu_stop
    assert_equal "$STOPPED_STATUS" 0
    demu_start "$DOM" --map "$TYPED"
    ram_write "$DOM" 0x100008 4 0x9999
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100008 size=4 data=0x9999"
}

@test "after kill -9 of demu, a write to a formerly typed page lands in RAM" {
    guest_with_demu
    ram_write "$DOM" 0x100000 4 0x1
    demu_kill9
    assert_equal "$STOPPED_STATUS" $(( 128 + 9 ))
    ram_write "$DOM" 0x100000 4 0x2
    assert_ram "$DOM" 0x100000 4 0x2
    # Only the write made while demu lived is in its log.
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100000 size=4 data=0x1"
    run xensimd_log_since_test
    assert_line --regexp "client [0-9]+ closed: destroying ioreq server [0-9]+ of domain $DOM\$"
}

@test "a write waiting on a demu that is killed with -9 completes and lands in RAM" {
    guest_with_demu
    local writer
    # Stopped, demu takes the request but never answers it.
    kill -STOP "$DEMU_PID"
    xensim-guest "$DOM" write 0x100010 4 0xabcd 3>&- &
    writer=$!
    track_process "$writer" "xensim-guest (waiting write)"
    waiting() {
        run xensim-guest "$DOM" read 0x100010 4
        [[ $status == 1 && $output == *"is busy"* ]]
    }
    wait_until "vCPU 0 waits on demu" waiting
    demu_kill9
    untrack_process "$writer"
    wait_until "the waiting write has completed" process_exited "$writer"
    STOPPED_STATUS=0
    wait "$writer" || STOPPED_STATUS=$?
    assert_equal "$STOPPED_STATUS" 0
    assert_ram "$DOM" 0x100010 4 0xabcd
    assert_log_empty
}

@test "after kill -9 of demu, a new demu can claim and type the same pages at once" {
    guest_with_demu
    local old_log=$DEMU_LOG
    demu_kill9
    demu_start "$DOM" --map "$TYPED"
    ram_write "$DOM" 0x10f000 8 0x77
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x10f000 size=8 data=0x77"
    assert_log_empty "$old_log"
}

@test "a second demu on the same domain is refused for EBUSY, in words, and exits 1" {
    guest_with_demu
    local first_log=$DEMU_LOG other=$BATS_TEST_TMPDIR/second.log
    run --separate-stderr demu --domain "$DOM" --map 0x200 --log "$other"
    assert_failure 1
    [[ $stderr == *"cannot claim HVMMEM_ioreq_server for domain $DOM: another ioreq server already holds HVMMEM_ioreq_server for domain $DOM"* ]]
    # The first one still serves; the second typed nothing and logged nothing.
    ram_write "$DOM" 0x100000 2 0x10
    ram_write "$DOM" 0x200000 2 0x20
    run demu_log_entries "$first_log"
    assert_output "vcpu=0 gpa=0x100000 size=2 data=0x10"
    assert_log_empty "$other"
    assert_ram "$DOM" 0x200000 2 0x20
}

@test "refused demus leave no ioreq server behind: the ninth is still refused for EBUSY" {
    guest_with_demu
    local i
    # A domain has 8 ioreq servers; demu's is one.  A refused demu that
    # leaked its server would soon be refused for want of servers.
    for i in 1 2 3 4 5 6 7 8 9; do
        run --separate-stderr demu --domain "$DOM" --log "$BATS_TEST_TMPDIR/refused.log"
        assert_failure 1
        [[ $stderr == *"another ioreq server already holds HVMMEM_ioreq_server"* ]]
    done
}

@test "demu for a domain that does not exist exits 1 naming the domain" {
    run --separate-stderr demu --domain 4321 --log "$BATS_TEST_TMPDIR/log"
    assert_failure 1
    [[ $stderr == *"cannot create an ioreq server for domain 4321: domain 4321 does not exist"* ]]
}

@test "demu for a domain without HAP exits 1 saying that HVMMEM_ioreq_server needs HAP" {
    DOM=$(make_domain --shadow)
    run --separate-stderr demu --domain "$DOM" --map "$TYPED" --log "$BATS_TEST_TMPDIR/log"
    assert_failure 1
    [[ $stderr == *"domain $DOM does not use hardware-assisted paging (HAP)"* ]]
}

@test "demu with no xensimd to talk to exits 1 and says where it looked" {
    XENSIM_SOCKET=$BATS_TEST_TMPDIR/nobody.sock run --separate-stderr demu --domain 1
    assert_failure 1
    [[ $stderr == *"$BATS_TEST_TMPDIR/nobody.sock"* ]]
    [[ $stderr == *"demu: cannot open the device-model interface"* ]]
}

@test "a --map range beyond the guest's memory exits 1 naming the range, and leaves no claim" {
    DOM=$(make_domain --memory 16)
    run --separate-stderr demu --domain "$DOM" --map 0x1000-0x1003 --log "$BATS_TEST_TMPDIR/log"
    assert_failure 1
    [[ $stderr == *"--map 0x1000-0x1003: cannot retype gfns 0x1000-0x1003 of domain $DOM"* ]]
    # Nothing is left claimed: a new demu claims at once.
    demu_start "$DOM" --map "$TYPED"
}

@test "a --map range partly beyond the guest's memory is rolled back: no page stays typed" {
    DOM=$(make_domain --memory 16)
    run --separate-stderr demu --domain "$DOM" --map "$TYPED" --map 0xffe-0x1001 \
        --log "$BATS_TEST_TMPDIR/log"
    assert_failure 1
    [[ $stderr == *"--map 0xffe-0x1001: cannot retype"* ]]
    # A claim needs no page of the type left (entry_count 0): this one
    # succeeds, and none of those pages reaches it.
    demu_start "$DOM"
    ram_write "$DOM" 0x100000 4 0x1
    ram_write "$DOM" 0xffe000 4 0x2
    ram_write "$DOM" 0xfff000 4 0x3
    assert_log_empty
    assert_ram "$DOM" 0x100000 4 0x1
    assert_ram "$DOM" 0xfff000 4 0x3
}

@test "demu exits 0 by itself when its domain is destroyed" {
    guest_with_demu
    run domctl destroy "$DOM"
    assert_success
    untrack_process "$DEMU_PID"
    wait_until "demu has exited" process_exited "$DEMU_PID"
    STOPPED_STATUS=0
    wait "$DEMU_PID" || STOPPED_STATUS=$?
    assert_equal "$STOPPED_STATUS" 0
    run tail -n 1 "$DEMU_ERR"
    assert_output "demu: domain $DOM has gone away; exiting"
}
