#!/usr/bin/env bats
# demu's command line: -h, usage errors (exit 2, a message naming the
# bad input, nothing done), and every class of malformed --map range.

load helpers

setup_file() { xensimd_setup_file; }
teardown_file() { xensimd_teardown_file; }
setup() {
    common_setup
    # A real domain, so that the option under test is the only thing wrong.
    DOM=$(make_domain)
}
teardown() { common_teardown; }

# demu_usage_error WHAT [ARG...]: demu ARG... exits 2, prints nothing on
# stdout, and on stderr one line "demu: ..." containing WHAT followed by
# the pointer to --help.
demu_usage_error() {
    local what=$1
    shift
    run --separate-stderr demu "$@"
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "${#stderr_lines[@]}" 2
    [[ ${stderr_lines[0]} == "demu: "*"$what"* ]] ||
        fail "expected a message containing '$what', got '${stderr_lines[0]}'"
    assert_equal "${stderr_lines[1]}" "Try 'demu --help' for more information."
}

# map_error RANGE WHAT: --map RANGE is a usage error whose message names
# RANGE and contains WHAT.
map_error() {
    demu_usage_error "--map \"$1\": $2" --domain "$DOM" --map "$1" \
        --log "$BATS_TEST_TMPDIR/log"
    [[ ! -s $BATS_TEST_TMPDIR/log ]]
}

@test "demu -h prints its usage on stdout and exits 0" {
    run --separate-stderr demu -h
    assert_success
    assert_line --index 0 "Usage: demu --domain DOMID [--map GFN-RANGE]... [--mode MODE] [--log FILE]"
    assert_output --partial '{"vcpu":0,"gpa":N,"size":N,"data":N}'
    assert_output --partial "Exit status: 0 success, 1 failure, 2 usage error."
    assert_equal "$stderr" ""
}

@test "demu without --domain is a usage error" {
    demu_usage_error "--domain DOMID is required"
}

@test "demu --domain without its argument is a usage error" {
    demu_usage_error "option --domain needs an argument" --domain
}

@test "demu --domain 0 is a usage error: domain 0 is the control domain" {
    demu_usage_error "--domain 0: domain 0 is the control domain" --domain 0
}

@test "demu --domain with a non-number is a usage error naming it" {
    demu_usage_error '--domain "abc": ' --domain abc
}

@test "demu --domain beyond the last guest domid is a usage error" {
    demu_usage_error '--domain "32752": 32752 is too large (at most 32751)' --domain 32752
}

@test "demu --domain given twice is a usage error" {
    demu_usage_error "--domain given twice" --domain "$DOM" --domain "$DOM"
}

@test "demu --mode other than write-through or discard is a usage error naming it" {
    demu_usage_error '--mode "bogus": expected write-through or discard' \
        --domain "$DOM" --mode bogus
}

@test "demu --mode given twice is a usage error" {
    demu_usage_error "--mode given twice" --domain "$DOM" --mode discard --mode discard
}

@test "demu --log with an empty file name is a usage error" {
    demu_usage_error '--log "": the file name is empty' --domain "$DOM" --log ""
}

@test "demu --log given twice is a usage error" {
    demu_usage_error "--log given twice" --domain "$DOM" \
        --log "$BATS_TEST_TMPDIR/a" --log "$BATS_TEST_TMPDIR/b"
    [[ ! -e $BATS_TEST_TMPDIR/a && ! -e $BATS_TEST_TMPDIR/b ]]
}

@test "demu with an unknown long option is a usage error naming it" {
    demu_usage_error "unknown option --bogus" --domain "$DOM" --bogus
}

@test "demu with an unknown short option is a usage error naming it" {
    demu_usage_error "unknown option -x" --domain "$DOM" -x
}

@test "demu with an argument that is not an option is a usage error naming it" {
    demu_usage_error 'unexpected argument "stray"' --domain "$DOM" stray
}

@test "demu --map without its argument is a usage error" {
    demu_usage_error "option --map needs an argument" --domain "$DOM" --map
}

@test "a usage error changes nothing: a demu started afterwards claims at once" {
    demu_usage_error "--mode given twice" --domain "$DOM" --map 0x100 \
        --mode discard --mode discard
    demu_start "$DOM" --map 0x100
    run xensim-guest "$DOM" write 0x100000 4 1
    assert_success
    run demu_log_count
    assert_output 1
}

# --map GFN-RANGE: one test per class of malformed input.

@test "--map with an empty range is a usage error" {
    demu_usage_error '--map "": empty GFN range' --domain "$DOM" --map ""
}

@test "--map with 0x and no digits is a usage error" {
    map_error 0x '"0x" at position 0 must be followed by hex digits'
}

@test "--map with no number after '-' is a usage error" {
    map_error 5- "no number after '-'"
}

@test "--map with no FIRST before '+' is a usage error" {
    map_error +3 "FIRST is missing before '+'"
}

@test "--map with a minus sign is a usage error" {
    map_error -5 "negative numbers are not allowed"
}

@test "--map with a reversed range is a usage error that suggests the right order" {
    map_error 5-3 "range is reversed (first 5 > last 3); write 3-5"
}

@test "--map with a count of 0 is a usage error" {
    map_error 1+0 "COUNT is 0"
}

@test "--map with a range that wraps past 2^64 is a usage error" {
    map_error 0xffffffffffffffff+2 "range wraps past 0xffffffffffffffff"
}

@test "--map with a number past 64 bits is a usage error" {
    map_error 0x10000000000000000 "0x10000000000000000 does not fit in 64 bits"
}

@test "--map with a decimal number past 64 bits is a usage error" {
    map_error 18446744073709551616 "18446744073709551616 does not fit in 64 bits"
}

@test "--map with trailing junk is a usage error naming the junk" {
    map_error 12abc 'unexpected "abc" after the number 12'
}

@test "--map with two separators is a usage error" {
    map_error 1-2-3 'unexpected "-3" after 2'
}

@test "--map with whitespace is a usage error" {
    map_error " 5" "contains whitespace at position 0"
}

@test "--map with a leading zero (octal?) is a usage error" {
    map_error 010 "leading zero in decimal number 010"
}

@test "--map with a non-hex digit after 0x is a usage error" {
    map_error 0xg '"0x" at position 0 must be followed by hex digits'
}

@test "--map given the same range twice is a usage error naming both" {
    demu_usage_error '--map "5" repeats --map "5"' --domain "$DOM" --map 5 --map 5
}

@test "--map with overlapping ranges is a usage error naming both and the overlap" {
    demu_usage_error '--map "1-10" and --map "5-20" overlap at 0x5-0xa' \
        --domain "$DOM" --map 1-10 --map 5-20
}

@test "--map with ranges written differently that overlap is a usage error" {
    demu_usage_error '--map "0x10+4" and --map "0x13" overlap at 0x13' \
        --domain "$DOM" --map 0x10+4 --map 0x13
}
