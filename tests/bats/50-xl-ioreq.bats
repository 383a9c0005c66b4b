#!/usr/bin/env bats
# xl and HVMMEM_ioreq_server pages: a guest created with ioreq_pages and
# demu; ioreq-list (text and -j), ioreq-map, ioreq-unmap, ioreq-servers,
# ioreq-reset [--async]; bad inputs of every kind, which must fail and
# change nothing; guest writes that reach demu, or RAM once the pages
# are reset or demu is gone; and xl destroy, which leaves no process.

load helpers

setup_file() { xensimd_setup_file; }
teardown_file() { xensimd_teardown_file; }
setup() { common_setup; }
teardown() {
    local rc=0
    xl_destroy_domains || rc=1
    common_teardown || rc=1
    return "$rc"
}

# The ioreq_pages of the guest most tests use, out of order and with two
# entries that touch (0x100-0x10f and 0x110+16): 37 pages in 3 ranges.
PAGES='ioreq_pages = [ "0x300+4", "0x110+16", "0x200", "0x100-0x10f" ]'
PAGES_RANGES='{"first":256,"last":287,"count":32},{"first":512,"last":512,"count":1},{"first":768,"last":771,"count":4}'

# guest [LINE...]: create web1 (16 MiB, 2 vCPUs, demu) with PAGES and any
# further config lines.  Sets DOM, DEMU_LOG (demu's JSON log) and SERVER,
# the ioreq server demu says it created.
guest() {
    xl_create "$(xl_demu_cfg web1 "$PAGES" "$@")"
    DOM=$XL_DOMID
    DEMU_LOG=$BATS_TEST_TMPDIR/web1.demu.log
    local line re='^demu: serving domain [0-9]+: ioreq server ([0-9]+),'
    line=$(grep '^demu: serving domain' "$BATS_FILE_TMPDIR/dm-$DOM.log")
    [[ $line =~ $re ]] || {
        fail "demu's output does not say which server it serves with: $line"
        return 1
    }
    SERVER=${BASH_REMATCH[1]}
}

# list_json: web1's `xl ioreq-list -j`, compacted by jq, which must
# succeed with nothing on stderr.
list_json() {
    local out err=$BATS_TEST_TMPDIR/list.err
    out=$(xl ioreq-list -j web1 2>"$err") || {
        fail "xl ioreq-list -j web1 failed: $(cat "$err")"
        return 1
    }
    [[ ! -s $err ]] || {
        fail "xl ioreq-list -j web1 wrote to stderr: $(cat "$err")"
        return 1
    }
    jq -c . <<<"$out"
}

# claimed_json COUNT RANGES: web1's ioreq-list -j with demu's claim.
claimed_json() {
    printf '{"domid":%s,"claim":{"server":%s,"flags":["write"]},"entry_count":%s,"ranges":[%s]}' \
        "$DOM" "$SERVER" "$1" "$2"
}

# unclaimed_json: web1's ioreq-list -j with no claim and no page.
unclaimed_json() {
    printf '{"domid":%s,"claim":null,"entry_count":0,"ranges":[]}' "$DOM"
}

# assert_list JSON: web1's ioreq-list -j is JSON (compact).
assert_list() {
    run list_json
    assert_success
    assert_output "$1"
}

# assert_unchanged STATUS MESSAGE XL-ARG...: xl XL-ARG... exits STATUS,
# prints nothing on stdout and MESSAGE as a whole line of stderr, and
# leaves `xl ioreq-list -j web1` exactly as it was.  Sets REFUSED_STDERR
# and REFUSED_STDERR_LINES to the stderr of xl XL-ARG...
assert_unchanged() {
    local status=$1 message=$2 before
    shift 2
    before=$(xl ioreq-list -j web1) || fail "xl ioreq-list -j web1 failed"
    run --separate-stderr xl "$@"
    assert_failure "$status"
    assert_equal "$output" ""
    REFUSED_STDERR=$stderr
    REFUSED_STDERR_LINES=("${stderr_lines[@]}")
    local line found=
    for line in "${stderr_lines[@]}"; do
        [[ $line == "$message" ]] && found=1
    done
    [[ -n $found ]] || fail "no line of stderr is '$message'; stderr:
$stderr"
    run --separate-stderr xl ioreq-list -j web1
    assert_success
    assert_output "$before"
}

# assert_malformed RANGE MESSAGE: `xl ioreq-map web1 -- RANGE` is a usage
# error (2) that quotes RANGE, as MESSAGE (its only line of stderr), and
# changes nothing.
assert_malformed() {
    assert_unchanged 2 "xl ioreq-map: \"$1\": $2" ioreq-map web1 -- "$1"
    assert_equal "${#REFUSED_STDERR_LINES[@]}" 1
}

# ram_write GPA SIZE VALUE / assert_ram GPA SIZE VALUE: web1's guest
# accesses.
ram_write() {
    run xensim-guest "$DOM" write "$1" "$2" "$3"
    assert_success
    assert_output ""
}
assert_ram() {
    run xensim-guest "$DOM" read "$1" "$2"
    assert_success
    assert_output "$3"
}

# --------------------------------------------------------------------
# ioreq-list

@test "xl ioreq-list shows exactly the configured ranges, coalesced and sorted, the claim and the count" {
    guest
    run --separate-stderr xl ioreq-list web1
    assert_success
    assert_equal "$stderr" ""
    assert_output "GFN range                                    Pages
0x100-0x11f                                     32
0x200                                            1
0x300-0x303                                      4
Claim: ioreq server $SERVER, flags write
Entry count: 37"
}

@test "xl ioreq-list -j prints libxl's JSON, in its shape, with the configured ranges coalesced" {
    guest
    run --separate-stderr xl ioreq-list -j web1
    assert_success
    assert_equal "$stderr" ""
    local json=$output
    run jq -e 'keys_unsorted == ["domid","claim","entry_count","ranges"]
               and (.claim | keys_unsorted == ["server","flags"])
               and all(.ranges[]; keys_unsorted == ["first","last","count"])' <<<"$json"
    assert_success
    run jq -c . <<<"$json"
    assert_output "$(claimed_json 37 "$PAGES_RANGES")"
}

@test "xl ioreq-list --json is -j, and the JSON says what the table says" {
    guest 'ioreq_pages += [ "0x400+8" ]'
    local short
    short=$(xl ioreq-list -j web1)
    run --separate-stderr xl ioreq-list --json web1
    assert_success
    assert_output "$short"
    # Each range of the JSON is a row of the table, with its page count.
    local table rows
    table=$(xl ioreq-list web1)
    rows=$(jq -r '.ranges[] | if .first == .last then "\(.first) \(.count)"
                              else "\(.first)-\(.last) \(.count)" end' <<<"$short")
    run bash -c 'sed -n "2,\$p" | sed "/^Claim:/,\$d" |
                 while read -r r n; do
                     if [[ $r == *-* ]]; then
                         printf "%d-%d %s\n" "${r%-*}" "${r#*-}" "$n"
                     else
                         printf "%d %s\n" "$r" "$n"
                     fi
                 done' <<<"$table"
    assert_output "$rows"
    assert_equal "$(jq .entry_count <<<"$short")" 45
    [[ $table == *$'\nEntry count: 45' ]] || fail "the table's count is not 45: $table"
}

@test "xl ioreq-list by domid prints what it prints by name" {
    guest
    local by_name
    by_name=$(xl ioreq-list -j web1)
    run --separate-stderr xl ioreq-list -j "$DOM"
    assert_success
    assert_output "$by_name"
}

@test "xl ioreq-list of a domain with no claim and no page says so" {
    local cfg=$BATS_TEST_TMPDIR/plain.cfg
    printf '%s\n' 'name = "plain"' 'memory = 16' >"$cfg"
    xl_create "$cfg"
    run --separate-stderr xl ioreq-list plain
    assert_success
    assert_equal "$stderr" ""
    assert_output "GFN range                                    Pages
(none)                                           0
Claim: none (no ioreq server holds HVMMEM_ioreq_server)
Entry count: 0"
    run xl ioreq-list -j plain
    run jq -c . <<<"$output"
    assert_output "{\"domid\":$XL_DOMID,\"claim\":null,\"entry_count\":0,\"ranges\":[]}"
}

@test "xl ioreq-list of a domain that does not exist exits 1 naming it" {
    run --separate-stderr xl ioreq-list nosuch
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: there is no domain called 'nosuch'"
    run --separate-stderr xl ioreq-list -j 4000
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: domain 4000 does not exist"
}

# --------------------------------------------------------------------
# ioreq-map, ioreq-unmap

@test "xl ioreq-map types ranges given as GFN, FIRST-LAST and FIRST+COUNT, and prints nothing" {
    guest
    run --separate-stderr xl ioreq-map web1 0x500 0x600-0x603 1792+2
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    assert_list "$(claimed_json 44 "$PAGES_RANGES"',{"first":1280,"last":1280,"count":1},{"first":1536,"last":1539,"count":4},{"first":1792,"last":1793,"count":2}')"
}

@test "a range mapped next to typed ones coalesces with them in xl ioreq-list" {
    guest
    run xl ioreq-map web1 0x120-0x12f
    assert_success
    run xl ioreq-map web1 0x201-0x2ff
    assert_success
    run --separate-stderr xl ioreq-list web1
    assert_success
    assert_output "GFN range                                    Pages
0x100-0x12f                                     48
0x200-0x303                                    260
Claim: ioreq server $SERVER, flags write
Entry count: 308"
}

@test "xl ioreq-unmap of the middle of a range splits it, and prints nothing" {
    guest
    run --separate-stderr xl ioreq-unmap web1 0x108-0x10b
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    assert_list "$(claimed_json 33 '{"first":256,"last":263,"count":8},{"first":268,"last":287,"count":20},{"first":512,"last":512,"count":1},{"first":768,"last":771,"count":4}')"
}

@test "xl ioreq-unmap of several ranges types them all back to RAM" {
    guest
    run xl ioreq-unmap web1 0x200 0x100-0x11f
    assert_success
    assert_list "$(claimed_json 4 '{"first":768,"last":771,"count":4}')"
}

@test "xl ioreq-map and ioreq-unmap take a domid as well as a name" {
    guest
    run xl ioreq-map "$DOM" 0x500
    assert_success
    run xl ioreq-unmap "$DOM" 0x200
    assert_success
    assert_list "$(claimed_json 37 '{"first":256,"last":287,"count":32},{"first":768,"last":771,"count":4},{"first":1280,"last":1280,"count":1}')"
}

@test "xl -N ioreq-map prints the ranges as JSON and types nothing" {
    guest
    local before
    before=$(xl ioreq-list -j web1)
    run --separate-stderr xl -N ioreq-map web1 0x500 0x600+2
    assert_success
    assert_equal "$stderr" ""
    run jq -c . <<<"$output"
    assert_output '[{"first":1280,"last":1280,"count":1},{"first":1536,"last":1537,"count":2}]'
    run xl ioreq-list -j web1
    assert_output "$before"
}

@test "xl -N ioreq-unmap prints the ranges as JSON and untypes nothing" {
    guest
    local before
    before=$(xl ioreq-list -j web1)
    run --separate-stderr xl -N ioreq-unmap web1 0x100-0x11f
    assert_success
    assert_equal "$stderr" ""
    run jq -c . <<<"$output"
    assert_output '[{"first":256,"last":287,"count":32}]'
    run xl ioreq-list -j web1
    assert_output "$before"
}

# --------------------------------------------------------------------
# Malformed GFN-RANGEs: usage errors (2) that quote the range, before xl
# reaches the hypervisor; nothing changes.

@test "a malformed range: an empty one" {
    guest
    assert_malformed "" "empty GFN range; expected GFN, FIRST-LAST or FIRST+COUNT, e.g. 0x1000, 0x1000-0x10ff or 0x1000+16"
}

@test "a malformed range: no number after '-'" {
    guest
    assert_malformed "0x400-" "no number after '-'; expected FIRST-LAST, e.g. 0x1000-0x10ff"
}

@test "a malformed range: no number after '+'" {
    guest
    assert_malformed "0x400+" "no number after '+'; expected FIRST+COUNT, e.g. 0x1000+16"
}

@test "a malformed range: no number before '+'" {
    guest
    assert_malformed "+5" "FIRST is missing before '+'; expected FIRST+COUNT, e.g. 0x1000+16"
}

@test "a malformed range: 0x without hex digits" {
    guest
    assert_malformed "0x" "\"0x\" at position 0 must be followed by hex digits (0-9, a-f), found nothing; e.g. 0x1f"
}

@test "a malformed range: trailing junk after a hex number" {
    guest
    assert_malformed "0x400zz" "unexpected \"zz\" after the number 0x400: 'z' is not a hex digit (0-9, a-f)"
}

@test "a malformed range: trailing junk after a decimal number" {
    guest
    assert_malformed "12abc" "unexpected \"abc\" after the number 12; hex numbers need the 0x prefix: 0x12abc"
}

@test "a malformed range: a second '-'" {
    guest
    assert_malformed "1-2-3" "unexpected \"-3\" after 2; a GFN-RANGE has one '-' or '+': give several ranges as separate entries"
}

@test "a malformed range: whitespace" {
    guest
    assert_malformed "0x400 " "contains whitespace at position 5; write it without spaces, e.g. 0x1000-0x10ff"
}

@test "a malformed range: a minus sign" {
    guest
    assert_malformed "-0x400" "negative numbers are not allowed ('-' at position 0); expected GFN, FIRST-LAST or FIRST+COUNT, e.g. 0x1000, 0x1000-0x10ff or 0x1000+16"
}

@test "a malformed range: a negative COUNT" {
    guest
    assert_malformed "0x400+-2" "negative numbers are not allowed ('-' at position 6); expected FIRST+COUNT, e.g. 0x1000+16"
}

@test "a malformed range: a minus sign before --, taken for an option, is a usage error too" {
    guest
    assert_unchanged 2 "xl ioreq-map: unknown option '-5' (put arguments that start with '-' after '--')" \
        ioreq-map web1 -5
}

@test "a malformed range: a leading zero" {
    guest
    assert_malformed "0400" "leading zero in decimal number 0400 (octal is not supported); write 400 for decimal or 0x400 for hex"
}

@test "a malformed range: reversed" {
    guest
    assert_malformed "0x420-0x410" "range is reversed (first 0x420 > last 0x410); write 0x410-0x420"
}

@test "a malformed range: a COUNT of 0" {
    guest
    assert_malformed "0x400+0" "COUNT is 0, but a range covers at least one page; write 0x400 for one page"
}

@test "a malformed range: wrap-around past 2^64 - 1" {
    guest
    assert_malformed "0xffffffffffffffff+2" "range wraps past 0xffffffffffffffff (FIRST + COUNT - 1 must not exceed it); from 0xffffffffffffffff, COUNT is at most 1"
}

@test "a malformed range: a decimal number past 64 bits" {
    guest
    assert_malformed "18446744073709551616" "18446744073709551616 does not fit in 64 bits (the largest number is 0xffffffffffffffff = 18446744073709551615)"
}

@test "a malformed range: a hex number past 64 bits" {
    guest
    assert_malformed "0x400-0x10000000000000000" "0x10000000000000000 does not fit in 64 bits (the largest number is 0xffffffffffffffff = 18446744073709551615)"
}

@test "two ranges that overlap are a usage error quoting both, and nothing changes" {
    guest
    assert_unchanged 2 "xl ioreq-map: \"0x400-0x40f\" and \"0x408+16\" overlap at 0x408-0x40f; give each page once" \
        ioreq-map web1 0x400-0x40f 0x408+16
}

@test "the same range twice is a usage error quoting it, and nothing changes" {
    guest
    assert_unchanged 2 "xl ioreq-map: \"0x400\" and \"0x400\" are the same range; give each range once" \
        ioreq-map web1 0x400 0x400
}

@test "a malformed range after good ones maps none of them" {
    guest
    assert_unchanged 2 "xl ioreq-map: \"0x500-\": no number after '-'; expected FIRST-LAST, e.g. 0x1000-0x10ff" \
        ioreq-map web1 0x400 0x500-
}

@test "xl ioreq-unmap reads ranges as strictly: a reversed one is a usage error, and nothing is untyped" {
    guest
    assert_unchanged 2 "xl ioreq-unmap: \"0x10f-0x100\": range is reversed (first 0x10f > last 0x100); write 0x100-0x10f" \
        ioreq-unmap web1 0x10f-0x100
}

@test "xl ioreq-unmap of overlapping ranges is a usage error, and nothing is untyped" {
    guest
    assert_unchanged 2 "xl ioreq-unmap: \"0x100-0x10f\" and \"0x10f-0x11f\" overlap at 0x10f; give each page once" \
        ioreq-unmap web1 0x100-0x10f 0x10f-0x11f
}

@test "xl -N ioreq-map of a malformed range is a usage error too" {
    guest
    assert_unchanged 2 "xl ioreq-map: \"0x420-0x410\": range is reversed (first 0x420 > last 0x410); write 0x410-0x420" \
        -N ioreq-map web1 0x420-0x410
}

@test "a malformed range is a usage error (2) even for a domain that does not exist" {
    guest
    assert_unchanged 2 "xl ioreq-map: \"0x5-\": no number after '-'; expected FIRST-LAST, e.g. 0x1000-0x10ff" \
        ioreq-map nosuch 0x5-
}

@test "xl ioreq-map with no range is a usage error" {
    guest
    assert_unchanged 2 "xl ioreq-map: needs at least 2 arguments, got 1" ioreq-map web1
}

# --------------------------------------------------------------------
# Requests the domain, libxl or the hypervisor refuse (1): the message
# names the domain and the range; nothing changes.

@test "xl ioreq-map for a domain name that does not exist exits 1 naming it, and changes nothing" {
    guest
    assert_unchanged 1 "xl: there is no domain called 'nosuch'" ioreq-map nosuch 0x400
}

@test "xl ioreq-map for a domid that does not exist exits 1 naming it, and changes nothing" {
    guest
    assert_unchanged 1 "xl: domain 4000 does not exist" ioreq-map 4000 0x400
}

@test "xl ioreq-unmap for a domain that does not exist exits 1 naming it, and changes nothing" {
    guest
    assert_unchanged 1 "xl: there is no domain called 'nosuch'" ioreq-unmap nosuch 0x100
}

@test "a range past the guest's memory exits 1 naming it and the highest gfn; the good range is not mapped" {
    guest
    assert_unchanged 1 "xl: cannot map 0x400 0xff0-0x1000 in domain $DOM (web1): invalid argument" \
        ioreq-map web1 0x400 0xff0-0x1000
    [[ $REFUSED_STDERR == *"Domain $DOM: 0xff0-0x1000 leaves the guest's memory (its highest gfn is 0xfff)"* ]] ||
        fail "libxl does not name the range and the guest's highest gfn: $REFUSED_STDERR"
}

@test "a range far past the guest's memory, near 2^64, exits 1 naming it" {
    guest
    assert_unchanged 1 "xl: cannot map 0xffffffffffffff00-0xffffffffffffffff in domain $DOM (web1): invalid argument" \
        ioreq-map web1 0xffffffffffffff00-0xffffffffffffffff
    [[ $REFUSED_STDERR == *"0xffffffffffffff00-0xffffffffffffffff leaves the guest's memory"* ]] ||
        fail "libxl does not name the range: $REFUSED_STDERR"
}

@test "xl ioreq-unmap of a range past the guest's memory exits 1 naming it, and untypes nothing" {
    guest
    assert_unchanged 1 "xl: cannot unmap 0x100-0x11f 0x1000 from domain $DOM (web1): invalid argument" \
        ioreq-unmap web1 0x100-0x11f 0x1000
    [[ $REFUSED_STDERR == *"0x1000 leaves the guest's memory"* ]] ||
        fail "libxl does not name the range: $REFUSED_STDERR"
}

@test "mapping a page that is typed already exits 1 naming the page and its type; the other range is not mapped" {
    guest
    assert_unchanged 1 "xl: cannot map 0x400 0x108 in domain $DOM (web1): invalid argument" \
        ioreq-map web1 0x400 0x108
    [[ $REFUSED_STDERR == *"Domain $DOM: cannot map 0x108: page 0x108 is ioreq_server; only ram_rw pages can become ioreq_server"* ]] ||
        fail "libxl does not name the page and its type: $REFUSED_STDERR"
}

@test "unmapping a page that is not typed exits 1 naming the page and its type; the other range stays typed" {
    guest
    assert_unchanged 1 "xl: cannot unmap 0x100-0x10f 0x2ff-0x300 from domain $DOM (web1): invalid argument" \
        ioreq-unmap web1 0x100-0x10f 0x2ff-0x300
    [[ $REFUSED_STDERR == *"Domain $DOM: cannot unmap 0x2ff-0x300: page 0x2ff is ram_rw; only ioreq_server pages can be unmapped"* ]] ||
        fail "libxl does not name the page and its type: $REFUSED_STDERR"
}

@test "xl ioreq-map with no claim exits 1 saying no ioreq server holds it, and changes nothing" {
    guest
    run xl ioreq-reset web1
    assert_success
    assert_unchanged 1 "xl: cannot map 0x400 in domain $DOM (web1): not ready" ioreq-map web1 0x400
    [[ $REFUSED_STDERR == *"Domain $DOM: no ioreq server holds HVMMEM_ioreq_server"* ]] ||
        fail "libxl does not say there is no claim: $REFUSED_STDERR"
    assert_list "$(unclaimed_json)"
}

@test "xl ioreq-map in a domain without a device model exits 1 saying there is no claim" {
    local cfg=$BATS_TEST_TMPDIR/plain.cfg before
    printf '%s\n' 'name = "plain"' 'memory = 16' >"$cfg"
    xl_create "$cfg"
    before=$(xl ioreq-list -j plain)
    run --separate-stderr xl ioreq-map plain 0x100
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "${stderr_lines[-1]}" "xl: cannot map 0x100 in domain $XL_DOMID (plain): not ready"
    run xl ioreq-list -j plain
    assert_output "$before"
}

# --------------------------------------------------------------------
# A failure part-way is rolled back.  The hypervisor refuses nothing that
# libxl does not check first, so the refusal is injected: an LD_PRELOAD
# shim (fail-set-mem-type.c) makes one xendevicemodel_set_mem_type call
# retype half its pages and then fail, as the hypervisor does when it
# refuses a page part-way.

# with_failing_call N CMD...: CMD with the Nth set_mem_type call failing.
with_failing_call() {
    local shim=$XENSIM_TEST_BUILDDIR/tests/bats/.libs/libfail-set-mem-type.so n=$1
    shift
    [[ -e $shim ]] || {
        fail "$shim is missing: build it with make check"
        return 1
    }
    LD_PRELOAD=$shim XT_FAIL_SET_MEM_TYPE_CALL=$n "$@"
}

@test "a map refused part-way through its second range is rolled back: no page of either range stays typed" {
    guest
    local before
    before=$(xl ioreq-list -j web1)
    run --separate-stderr with_failing_call 2 xl ioreq-map web1 0x400-0x40f 0x500-0x50f
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"Domain $DOM: cannot map 0x500-0x50f: the hypervisor refused page 0x508 (ram_rw)"* ]] ||
        fail "libxl does not name the refused page: $stderr"
    assert_equal "${stderr_lines[-1]}" "xl: cannot map 0x400-0x40f 0x500-0x50f in domain $DOM (web1): failed"
    run xl ioreq-list -j web1
    assert_output "$before"
    # The pages are RAM again: the guest's writes do not reach demu.
    ram_write 0x400000 4 0x1
    ram_write 0x500000 4 0x2
    run demu_log_count
    assert_output 0
}

@test "an unmap refused part-way is rolled back: every page stays typed" {
    guest
    local before
    before=$(xl ioreq-list -j web1)
    run --separate-stderr with_failing_call 2 xl ioreq-unmap web1 0x300-0x303 0x100-0x11f
    assert_failure 1
    assert_equal "${stderr_lines[-1]}" "xl: cannot unmap 0x300-0x303 0x100-0x11f from domain $DOM (web1): failed"
    run xl ioreq-list -j web1
    assert_output "$before"
}

# --------------------------------------------------------------------
# Guest writes

@test "guest writes to the configured pages reach demu; writes elsewhere land in RAM unlogged" {
    guest
    ram_write 0x100010 4 0x12345678
    ram_write 0x11fffc 4 0x9
    ram_write 0x303ff8 8 0x0123456789abcdef
    run xensim-guest "$DOM" --vcpu 1 write 0x200000 2 0xbeef
    assert_success
    ram_write 0x120000 4 0xcafe
    ram_write 0x3000 4 0xf00d
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100010 size=4 data=0x12345678
vcpu=0 gpa=0x11fffc size=4 data=0x9
vcpu=0 gpa=0x303ff8 size=8 data=0x123456789abcdef
vcpu=1 gpa=0x200000 size=2 data=0xbeef"
    assert_ram 0x120000 4 0xcafe
    assert_ram 0x3000 4 0xf00d
}

@test "a write to a page mapped with xl ioreq-map reaches demu" {
    guest
    run xl ioreq-map web1 0x500+2
    assert_success
    ram_write 0x501008 4 0x55
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x501008 size=4 data=0x55"
}

@test "after xl ioreq-unmap, a write to the page lands in RAM unlogged" {
    guest
    run xl ioreq-unmap web1 0x200
    assert_success
    ram_write 0x200010 4 0x66
    assert_ram 0x200010 4 0x66
    run demu_log_count
    assert_output 0
}

# --------------------------------------------------------------------
# ioreq-servers

@test "xl ioreq-servers lists demu's server, enabled and holding the claim" {
    guest
    run --separate-stderr xl ioreq-servers web1
    assert_success
    assert_equal "$stderr" ""
    assert_output "ID    Enabled Claim  Ranges
$(printf '%-5s %-7s %-6s %s' "$SERVER" yes yes -)"
}

@test "xl ioreq-servers -j prints a JSON array of each server's id, state, claim and ranges" {
    guest
    run --separate-stderr xl ioreq-servers -j web1
    assert_success
    assert_equal "$stderr" ""
    run jq -c . <<<"$output"
    assert_output "[{\"id\":$SERVER,\"enabled\":true,\"claim\":true,\"ports\":[],\"mmio\":[],\"pci\":[]}]"
}

@test "xl ioreq-servers of a domain without a device model lists none" {
    local cfg=$BATS_TEST_TMPDIR/plain.cfg
    printf '%s\n' 'name = "plain"' 'memory = 16' >"$cfg"
    xl_create "$cfg"
    run --separate-stderr xl ioreq-servers plain
    assert_success
    assert_output "ID    Enabled Claim  Ranges"
    run --separate-stderr xl ioreq-servers --json plain
    assert_success
    assert_output "[]"
}

@test "xl ioreq-servers of a domain that does not exist exits 1 naming it" {
    run --separate-stderr xl ioreq-servers nosuch
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: there is no domain called 'nosuch'"
}

# --------------------------------------------------------------------
# ioreq-reset

@test "xl ioreq-reset empties the list, drops the claim and prints nothing" {
    guest
    run --separate-stderr xl ioreq-reset web1
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    assert_list "$(unclaimed_json)"
}

@test "after xl ioreq-reset, writes to the formerly typed pages land in RAM unlogged" {
    guest
    ram_write 0x100000 4 0x1
    run xl ioreq-reset web1
    assert_success
    ram_write 0x100000 4 0x2
    ram_write 0x303000 8 0x3
    assert_ram 0x100000 4 0x2
    assert_ram 0x303000 8 0x3
    run demu_log_entries
    assert_output "vcpu=0 gpa=0x100000 size=4 data=0x1"
}

@test "after xl ioreq-reset, demu keeps running and its server stays, without the claim" {
    guest
    local pid
    pid=$(device_model_pids "$DOM")
    run xl ioreq-reset web1
    assert_success
    run process_running "$pid"
    assert_success
    run xl ioreq-servers -j web1
    run jq -c . <<<"$output"
    assert_output "[{\"id\":$SERVER,\"enabled\":true,\"claim\":false,\"ports\":[],\"mmio\":[],\"pci\":[]}]"
}

@test "xl ioreq-reset --async returns with the pages untyped and the claim gone; the count reaches 0" {
    guest 'ioreq_pages += [ "0x400-0xfff" ]'
    run --separate-stderr xl ioreq-reset --async web1
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    # On return the pages read as RAM, and the claim is gone ...
    run list_json
    run jq -c '[.claim, .ranges]' <<<"$output"
    assert_output '[null,[]]'
    # ... while the sweep of the entries may still run.
    entry_count_is_0() { [[ $(list_json | jq .entry_count) == 0 ]]; }
    wait_until "the entry count of domain $DOM is 0" entry_count_is_0
    assert_list "$(unclaimed_json)"
    ram_write 0x400000 4 0x44
    assert_ram 0x400000 4 0x44
    run demu_log_count
    assert_output 0
}

@test "xl ioreq-reset of a domain with no claim exits 1 and says so" {
    guest
    run xl ioreq-reset web1
    assert_success
    run --separate-stderr xl ioreq-reset web1
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "${stderr_lines[-1]}" "xl: domain $DOM (web1) has no claim to reset: no ioreq server holds HVMMEM_ioreq_server"
    assert_list "$(unclaimed_json)"
}

@test "xl ioreq-reset --async of a domain with no claim exits 1 and says so" {
    local cfg=$BATS_TEST_TMPDIR/plain.cfg
    printf '%s\n' 'name = "plain"' 'memory = 16' >"$cfg"
    xl_create "$cfg"
    run --separate-stderr xl ioreq-reset --async plain
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "${stderr_lines[-1]}" "xl: domain $XL_DOMID (plain) has no claim to reset: no ioreq server holds HVMMEM_ioreq_server"
}

@test "xl ioreq-reset of a domain that does not exist exits 1 naming it" {
    run --separate-stderr xl ioreq-reset nosuch
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: there is no domain called 'nosuch'"
}

@test "after xl ioreq-reset, xl ioreq-map fails until a device model claims again" {
    guest
    run xl ioreq-reset web1
    assert_success
    run xl ioreq-map web1 0x100
    assert_failure 1
    # A new demu (the old one keeps its unclaimed server) claims at once.
    demu_start "$DOM"
    run xl ioreq-map web1 0x100
    assert_success
    run list_json
    run jq -c '[.claim.flags, .entry_count, .ranges]' <<<"$output"
    assert_output '[["write"],1,[{"first":256,"last":256,"count":1}]]'
}

# --------------------------------------------------------------------
# When demu dies, and xl destroy

@test "killing demu empties the list and drops the claim; the guest keeps running, its writes land in RAM" {
    guest
    local pid
    pid=$(device_model_pids "$DOM")
    [[ $pid =~ ^[0-9]+$ ]] || fail "expected one device model of domain $DOM, got '$pid'"
    kill -KILL "$pid"
    wait_until "demu (pid $pid) has exited" process_exited "$pid"
    unclaimed() { [[ $(list_json) == "$(unclaimed_json)" ]]; }
    wait_until "domain $DOM has no claim and no typed page" unclaimed
    run xl list web1
    assert_success
    ram_write 0x100000 4 0x77
    assert_ram 0x100000 4 0x77
    run demu_log_count
    assert_output 0
    run xl ioreq-servers -j web1
    assert_output "[]"
}

@test "after demu dies, xl list -l still shows the ioreq_pages the guest was created with" {
    guest
    local pid
    pid=$(device_model_pids "$DOM")
    kill -KILL "$pid"
    wait_until "demu (pid $pid) has exited" process_exited "$pid"
    run xl list -l web1
    assert_success
    run jq -c '.[0].config.b_info.ioreq_pages' <<<"$output"
    assert_output "[$PAGES_RANGES]"
}

@test "xl destroy of a guest with typed pages leaves no process behind" {
    guest
    local pid
    pid=$(device_model_pids "$DOM")
    [[ $pid =~ ^[0-9]+$ ]] || fail "expected one device model of domain $DOM, got '$pid'"
    run --separate-stderr xl destroy web1
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    run process_running "$pid"
    assert_failure
    run --separate-stderr processes_of demu
    assert_output ""
    run --separate-stderr processes_of xensim-guest
    assert_output ""
    run --separate-stderr xl ioreq-list web1
    assert_failure 1
    assert_equal "$stderr" "xl: there is no domain called 'web1'"
}
