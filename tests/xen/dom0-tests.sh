#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The tests that run inside dom0 of a real Xen 4.17 (tests/xen/run.sh boots
# it under QEMU; they also run by hand in any dom0 that has the programs
# below on PATH).  Output is TAP on stdout, each line prefixed with
# $TAP_PREFIX so that the host finds it in the serial console; the plan
# comes first, so that a crash shows as tests that never ran.
#
# Programs: demu, mkdomain and guest-peek (the project's), xl (Debian's,
# the system toolstack).  Files: the test guest, $XEN_TEST_GUEST.
#
# In this order:
# - the conformance test (xen-conformance), when it has been built;
# - (a) demu and a domain built with libxenctrl: claim, refusal of a
#   second claimant, release on SIGTERM, re-claim, destroy;
# - (b) a guest that runs: tests/xen/guest/guest.S started by xl, its
#   typed pages served by demu; what demu logged and what landed in RAM;
# - (c) the project's toolstack (its xl, when built): xl create of a
#   paused PVH guest with ioreq_pages and demu, the xl ioreq-* commands.
#
# Busybox ash: no bash-isms.

P=${TAP_PREFIX-}
GUEST=${XEN_TEST_GUEST:-/xen-tests/guest.elf}
W=$(mktemp -d /tmp/dom0-tests.XXXXXX)
n=0
planned=0

say() {
    printf '%s%s\n' "$P" "$*"
}

# TAP comments from stdin, or from the files given.
diag() {
    cat "$@" 2>/dev/null | while IFS= read -r line; do
        say "# $line"
    done
}

# After each test, a "#@ tN UPTIME" marker, which the host does not show
# with the TAP lines: the console log's record of how long each took.
mark() {
    say "#@ t$n $(cut -d' ' -f1 /proc/uptime)"
}

ok() {
    n=$((n + 1))
    say "ok $n - $*"
    mark
}

# not_ok DESCRIPTION [FILE...]: the files explain why.
not_ok() {
    n=$((n + 1))
    say "not ok $n - $1"
    shift
    [ $# -eq 0 ] || diag "$@"
    mark
}

# check DESCRIPTION COMMAND...: the command's status is the verdict; its
# output is shown only when it fails.
check() {
    desc=$1
    shift
    if "$@" > "$W/check.out" 2>&1; then
        ok "$desc"
    else
        not_ok "$desc" "$W/check.out"
    fi
}

# Wait up to $2 tenths of a second for "serving domain" in demu's stderr
# ($1), while demu ($3) lives.
wait_serving() {
    i=0
    while [ $i -lt "$2" ]; do
        grep -q "serving domain" "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# Wait up to $2 tenths of a second for process $1 to exit; its status in
# $status.
wait_exit() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        if [ $i -ge "$2" ]; then
            status=timeout
            return 1
        fi
        sleep 0.1
        i=$((i + 1))
    done
    wait "$1"
    status=$?
    return 0
}

# Stop a demu that a failed test left behind.
stop() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null && wait_exit "$1" 50
    kill -KILL "$1" 2>/dev/null
    return 0
}

# Does `xl list` show domain $1, with $2 (a regex) in its state column?
xl_lists() {
    xl list > "$W/xl-list" 2>&1 || return 1
    awk -v d="$1" -v s="${2:-.}" '
        $2 == d && $5 ~ s { found = 1 } END { exit !found }' "$W/xl-list"
}

# The words demu uses for EBUSY at the claim (tools/demu/log.c).
ebusy_words() {
    echo "another ioreq server already holds HVMMEM_ioreq_server for domain $1"
}

# ---------------------------------------------------------------------
# (a) demu against a domain built by mkdomain (libxenctrl only)
# ---------------------------------------------------------------------
PLAN_A=9

section_a() {
    check "Xen 4.17 runs with HAP (xl info: virt_caps has hap)" \
        sh -c 'xl info > '"$W"'/xl-info 2>&1 &&
               grep -q "^xen_major *: 4$" '"$W"'/xl-info &&
               grep -q "^xen_minor *: 17$" '"$W"'/xl-info &&
               grep -q "^virt_caps *:.* hap" '"$W"'/xl-info ||
               { cat '"$W"'/xl-info; false; }'

    desc="mkdomain builds a paused HVM domain with HAP; xl list shows it"
    dom=$(mkdomain --paused --memory 16 2> "$W/mkdomain.err")
    if [ -n "$dom" ] && xl_lists "$dom" p; then
        ok "$desc (dom$dom, paused)"
    else
        not_ok "$desc" "$W/mkdomain.err" "$W/xl-list"
        dom=
    fi
    if [ -z "$dom" ]; then
        for t in "demu claims" "second demu refused" "SIGTERM releases" \
                 "new demu claims" "xl destroy" "demu leaves" \
                 "domain gone"; do
            not_ok "$t (no domain: mkdomain failed)"
        done
        return
    fi

    desc="demu --domain $dom --map 0x100-0x10f claims HVMMEM_ioreq_server"
    demu --domain "$dom" --map 0x100-0x10f 2> "$W/demu1.err" &
    d1=$!
    if wait_serving "$W/demu1.err" 200 $d1; then
        ok "$desc"
    else
        not_ok "$desc" "$W/demu1.err"
    fi

    # A second claimant: its own server is created, its claim refused
    # with EBUSY, which demu says in words, and it exits 1.
    demu --domain "$dom" --map 0x200 > "$W/demu2.out" 2> "$W/demu2.err"
    status=$?
    if [ $status -eq 1 ] && grep -qF "$(ebusy_words "$dom")" "$W/demu2.err"
    then
        ok "a second demu is refused: EBUSY, in words, exit 1"
    else
        echo "exit status $status; expected 1 and: $(ebusy_words "$dom")" \
            >> "$W/demu2.err"
        not_ok "a second demu is refused: EBUSY, in words, exit 1" \
               "$W/demu2.err"
    fi

    kill -TERM $d1 2>/dev/null
    if wait_exit $d1 100 && [ "$status" = 0 ] &&
       grep -q "SIGTERM: releasing HVMMEM_ioreq_server of domain $dom" \
           "$W/demu1.err"; then
        ok "demu releases the claim on SIGTERM and exits 0"
    else
        echo "exit status $status" >> "$W/demu1.err"
        not_ok "demu releases the claim on SIGTERM and exits 0" \
               "$W/demu1.err"
        stop $d1
    fi

    # The same --map again: it retypes only pages that are ram_rw, so this
    # also shows that the release reset them.
    demu --domain "$dom" --map 0x100-0x10f 2> "$W/demu3.err" &
    d3=$!
    if wait_serving "$W/demu3.err" 200 $d3; then
        ok "a new demu claims at once, retyping the same pages"
    else
        not_ok "a new demu claims at once, retyping the same pages" \
               "$W/demu3.err"
    fi

    # Destroy the domain under the attached demu.  (libxl complains that
    # the domain has no /libxl/$dom in xenstore: mkdomain is not libxl.)
    if xl destroy "$dom" > "$W/destroy.out" 2>&1; then
        ok "xl destroy $dom with demu attached"
    else
        not_ok "xl destroy $dom with demu attached" "$W/destroy.out"
    fi
    desc="demu notices that dom$dom was destroyed and exits 0 within 10 s"
    if wait_exit $d3 100 && [ "$status" = 0 ]; then
        ok "$desc"
    else
        {
            echo "exit status $status; xl list:"
            xl list 2>&1 | awk -v d="$dom" 'NR == 1 || $2 == d'
        } > "$W/demu3.why"
        not_ok "$desc" "$W/demu3.err" "$W/demu3.why"
        stop $d3
        echo "demu's stderr after SIGTERM (exit status $status):" \
            > "$W/demu3.why"
        diag "$W/demu3.why" "$W/demu3.err"
    fi
    xl list > "$W/xl-list" 2>&1
    if awk -v d="$dom" '$2 == d { found = 1 } END { exit found }' \
           "$W/xl-list"; then
        ok "dom$dom is gone once demu has let go of it"
    else
        not_ok "dom$dom is gone once demu has let go of it" "$W/xl-list"
    fi
}

# ---------------------------------------------------------------------
# (b) a guest that runs (tests/xen/guest/guest.S)
# ---------------------------------------------------------------------
PLAN_B=9

# What the guest writes, as demu logs it: 3 rounds of a 4-byte write at
# 0x100000, a 2-byte one at 0x102010 and a 1-byte one at 0x102021 (its
# write to 0x101020 is to an untyped page: RAM, no ioreq).
expected_log() {
    for i in 1 2 3; do
        echo "{\"vcpu\":0,\"gpa\":$((0x100000)),\"size\":4,\"data\":$((0xa11ce000 + i))}"
        echo "{\"vcpu\":0,\"gpa\":$((0x102010)),\"size\":2,\"data\":$((0xb0b0 + i))}"
        echo "{\"vcpu\":0,\"gpa\":$((0x102021)),\"size\":1,\"data\":$((0xc0 + i))}"
    done
}

section_b() {
    cat > "$W/guest.cfg" <<CFG
name = "xentest-guest"
type = "pvh"
kernel = "$GUEST"
memory = 32
vcpus = 1
on_poweroff = "preserve"
on_crash = "preserve"
CFG
    desc="xl create -p of the PVH test guest gives a paused domain"
    if xl create -p "$W/guest.cfg" > "$W/create.out" 2>&1 &&
       gdom=$(xl domid xentest-guest 2>> "$W/create.out") &&
       xl_lists "$gdom" p; then
        ok "$desc (dom$gdom)"
    else
        not_ok "$desc" "$W/create.out" "$W/xl-list"
        for t in "demu claims" "guest finishes" "guest powers off" \
                 "demu log" "RAM" "read back" "debug port" "release"; do
            not_ok "$t (no guest)"
        done
        return
    fi

    demu --domain "$gdom" --map 0x100 --map 0x102 --log "$W/guest.log" \
        2> "$W/demu-guest.err" &
    dg=$!
    desc="demu claims and types gfns 0x100 and 0x102 of the guest"
    if wait_serving "$W/demu-guest.err" 200 $dg; then
        ok "$desc"
    else
        not_ok "$desc" "$W/demu-guest.err"
    fi

    # The guest marks its result page "DONE" last (guest.S).
    xl unpause "$gdom" > "$W/unpause.out" 2>&1
    i=0
    while [ $i -lt 300 ]; do
        done_word=$(guest-peek "$gdom" 0x110000 2 2> "$W/peek.err" |
                    tr '\n' ' ')
        [ "$done_word" = "0x454e4f44 0x00000003 " ] && break
        sleep 0.1
        i=$((i + 1))
    done
    desc="the guest runs its 3 rounds and marks its result page DONE"
    if [ "$done_word" = "0x454e4f44 0x00000003 " ]; then
        ok "$desc"
    else
        {
            echo "result page +0, +4: '$done_word' (expected 0x454e4f44" \
                 "0x00000003) after $((i / 10)) s"
            cat "$W/unpause.out" "$W/peek.err"
            xl list
        } > "$W/guest-run.out" 2>&1
        not_ok "$desc" "$W/guest-run.out"
    fi

    # Its last instructions, cli; hlt, take its only vCPU down, and Xen
    # powers off a domain whose vCPUs are all down (hvm_vcpu_down).
    desc="the guest powers itself off at the end (xl list: state s)"
    i=0
    while ! xl_lists "$gdom" s && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if xl_lists "$gdom" s; then
        ok "$desc"
    else
        not_ok "$desc" "$W/xl-list"
    fi

    expected_log > "$W/guest.expected"
    desc="demu logged the guest's 9 writes to its typed pages (gpa, size,"
    desc="$desc data) and none to its untyped page"
    if cmp -s "$W/guest.expected" "$W/guest.log"; then
        ok "$desc"
    else
        {
            echo "demu's log:"
            cat "$W/guest.log"
            echo "expected:"
            cat "$W/guest.expected"
        } > "$W/guest.log.diff" 2>&1
        not_ok "$desc" "$W/guest.log.diff"
    fi

    # Read from dom0, not from the guest's own account.
    desc="the guest's write to its untyped page is in RAM, read from dom0"
    word=$(guest-peek "$gdom" 0x101020 2> "$W/peek.err")
    if [ "$word" = 0x5afe0003 ]; then
        ok "$desc (0x101020: $word)"
    else
        echo "0x101020 = '$word'; expected 0x5afe0003" >> "$W/peek.err"
        not_ok "$desc" "$W/peek.err"
    fi

    # Reads never reach demu: what the guest read back of its typed
    # writes is what demu stored into RAM (write-through).
    desc="the guest read back its last writes from RAM, the typed ones"
    desc="$desc as demu stored them"
    back=$(guest-peek "$gdom" 0x110010 4 2> "$W/peek.err" | tr '\n' ' ')
    if [ "$back" = "0xa11ce003 0x0000b0b3 0x000000c3 0x5afe0003 " ]; then
        ok "$desc"
    else
        echo "read back: '$back'; expected 0xa11ce003 0x0000b0b3" \
             "0x000000c3 0x5afe0003" >> "$W/peek.err"
        not_ok "$desc" "$W/peek.err"
    fi

    # The guest's own words, through Xen's debug port 0xe9.
    xl dmesg > "$W/dmesg" 2>&1
    if grep -q "(d$gdom) xen-ioreq guest: done" "$W/dmesg"; then
        ok "the guest says \"done\" on Xen's debug console (d$gdom)"
    else
        grep "(d$gdom)" "$W/dmesg" > "$W/dmesg.guest"
        echo "no '(d$gdom) xen-ioreq guest: done' in xl dmesg" \
            >> "$W/dmesg.guest"
        not_ok "the guest says \"done\" on Xen's debug console" \
               "$W/dmesg.guest"
    fi
    grep "(d$gdom)" "$W/dmesg" | diag

    desc="demu releases the guest's pages on SIGTERM; xl destroy"
    kill -TERM $dg 2>/dev/null
    : > "$W/destroy.out"
    if wait_exit $dg 100 && [ "$status" = 0 ] &&
       xl destroy "$gdom" > "$W/destroy.out" 2>&1; then
        ok "$desc"
    else
        echo "demu's exit status $status" >> "$W/destroy.out"
        not_ok "$desc" "$W/demu-guest.err" "$W/destroy.out"
        stop $dg
        xl destroy "$gdom" > /dev/null 2>&1
    fi
}

# ---------------------------------------------------------------------
# (c) the project's toolstack on real Xen: xl create of a paused PVH guest
#     whose device model is demu, with ioreq_pages, then the xl ioreq-*
#     commands.  Its xl is apart from Debian's ($XLP).
# ---------------------------------------------------------------------
XLP=${XEN_TEST_XL:-/xen-tests/toolstack/xl}
PLAN_C=11

# The gfn ranges `$XLP ioreq-list -j $1` reports, one "first-last" a line
# (hex), from its JSON (no jq in dom0: the keys come one a line).
ioreq_ranges() {
    "$XLP" ioreq-list -j "$1" 2> "$W/c-list.err" |
        awk -F: '/"first"/ { gsub(/[ ,]/, "", $2); f = $2 }
                 /"last"/ { gsub(/[ ,]/, "", $2);
                            printf "0x%x-0x%x\n", f, $2 }'
}

# expect_ranges DESCRIPTION DOMID RANGE...: the list is exactly these.
expect_ranges() {
    desc=$1
    d=$2
    shift 2
    ioreq_ranges "$d" > "$W/c-ranges"
    printf '%s\n' "$@" > "$W/c-want"
    if cmp -s "$W/c-ranges" "$W/c-want"; then
        ok "$desc"
    else
        {
            echo "got:"; cat "$W/c-ranges"
            echo "expected:"; cat "$W/c-want"
            cat "$W/c-list.err"
        } > "$W/c-why"
        not_ok "$desc" "$W/c-why"
    fi
}

# How many demu processes run.
demus() {
    ps 2>/dev/null | grep -c '[d]emu --domain'
}

section_c() {
    if [ ! -x "$XLP" ]; then
        i=0
        while [ $i -lt $PLAN_C ]; do
            ok "the project's xl # SKIP not built (--with-xen build)"
            i=$((i + 1))
        done
        return
    fi
    before=$(demus)
    cat > "$W/ioreq.cfg" <<CFG
name = "ioreq-pvh"
type = "pvh"
memory = 16
vcpus = 1
device_model_override = "/xen-tests/bin/demu"
device_model_args = [ "--log", "$W/c-demu.log" ]
ioreq_pages = [ "0x100-0x10f", "0x200" ]
CFG
    desc="xl create -p of a PVH guest with ioreq_pages and demu"
    if "$XLP" create -p "$W/ioreq.cfg" > "$W/c-create.out" 2>&1 &&
       cdom=$("$XLP" domid ioreq-pvh 2>> "$W/c-create.out") &&
       xl_lists "$cdom" p; then
        ok "$desc (dom$cdom)"
    else
        not_ok "$desc" "$W/c-create.out" "$W/xl-list" \
               /var/log/xen/dm-ioreq-*.log
        i=1
        while [ $i -lt $PLAN_C ]; do
            not_ok "the project's xl (no domain: create failed)"
            i=$((i + 1))
        done
        return
    fi

    check "Debian's xl lists it by the name the project's xl gave it" \
        sh -c "xl list ioreq-pvh | grep -q '^ioreq-pvh '"
    expect_ranges "xl ioreq-list shows exactly the configured pages" \
        "$cdom" 0x100-0x10f 0x200-0x200

    check "xl ioreq-map adds 0x300+4 and xl ioreq-unmap removes 0x200" \
        sh -c "'$XLP' ioreq-map $cdom 0x300+4 && '$XLP' ioreq-unmap $cdom 0x200"
    expect_ranges "xl ioreq-list follows, coalesced and sorted" \
        "$cdom" 0x100-0x10f 0x300-0x303

    # Refused as a whole: 0x400 could be typed, 0x100 is typed already.
    "$XLP" ioreq-map "$cdom" 0x400 0x100 > "$W/c-bad.out" 2>&1
    status=$?
    if [ $status -eq 1 ] &&
       grep -q "page 0x100 is ioreq_server" "$W/c-bad.out"; then
        ok "xl ioreq-map of a typed page: exit 1, the page named"
    else
        echo "exit status $status" >> "$W/c-bad.out"
        not_ok "xl ioreq-map of a typed page: exit 1, the page named" \
               "$W/c-bad.out"
    fi
    expect_ranges "...and nothing changed (0x400 not typed)" \
        "$cdom" 0x100-0x10f 0x300-0x303

    check "xl ioreq-servers lists demu's server" \
        sh -c "'$XLP' ioreq-servers $cdom | grep -q '^0 '"

    check "xl ioreq-reset releases the claim; no page stays typed" \
        sh -c "'$XLP' ioreq-reset $cdom &&
               [ -z \"\$('$XLP' ioreq-list -j $cdom | grep first)\" ]"

    "$XLP" ioreq-reset "$cdom" > "$W/c-reset2.out" 2>&1
    status=$?
    if [ $status -eq 1 ]; then
        ok "a second xl ioreq-reset: exit 1 (no claim to release)"
    else
        echo "exit status $status" >> "$W/c-reset2.out"
        not_ok "a second xl ioreq-reset: exit 1 (no claim to release)" \
               "$W/c-reset2.out"
    fi

    "$XLP" destroy "$cdom" > "$W/c-destroy.out" 2>&1
    status=$?
    if [ $status -eq 0 ] && [ "$(demus)" = "$before" ] &&
       ! xl_lists "$cdom"; then
        ok "xl destroy: the domain and its demu are gone"
    else
        {
            echo "exit status $status; demu processes: $(demus)" \
                 "(before: $before)"
            ps
        } >> "$W/c-destroy.out" 2>&1
        not_ok "xl destroy: the domain and its demu are gone" \
               "$W/c-destroy.out" "$W/xl-list"
    fi
}

# ---------------------------------------------------------------------
# The conformance test of DESIGN.md section 4 (tools/tests/xen-conformance,
# TAP), when it is there: run first, to know its plan; each of its
# results becomes one of ours, named "xen-conformance: ...", its comments
# (the rules that differ from upstream Xen, by name) follow them, and one
# more test checks its exit status.
# ---------------------------------------------------------------------
run_conformance() {
    xen-conformance > "$W/conformance.out" 2>&1
    conformance_status=$?
    conformance_plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' \
                       "$W/conformance.out" | head -n 1)
}

section_conformance() {
    while IFS= read -r line; do
        case $line in
        "ok "[0-9]*|"not ok "[0-9]*)
            verdict=${line%%ok *}ok
            rest=${line#"$verdict" }
            rest=${rest#*[0-9]}         # its number
            rest=${rest#*[!0-9]}        # that number's last digits
            rest=${rest# }
            rest=${rest#- }
            n=$((n + 1))
            say "$verdict $n - xen-conformance: $rest"
            mark
            ;;
        1..*)
            ;;
        "#"*)
            say "$line"
            ;;
        *)
            say "# $line"
            ;;
        esac
    done < "$W/conformance.out"
    if [ "$conformance_status" = 0 ]; then
        ok "xen-conformance exits 0"
    else
        not_ok "xen-conformance exits 0 (exit status $conformance_status)"
    fi
}

planned=$((PLAN_A + PLAN_B + PLAN_C))
has_conformance=false
if command -v xen-conformance > /dev/null 2>&1; then
    has_conformance=true
    run_conformance
    planned=$((planned + ${conformance_plan:-0} + 1))
fi
say "1..$planned"
if $has_conformance; then
    section_conformance
fi
section_a
section_b
section_c
if [ $n -ne $planned ]; then
    say "# planned $planned tests but ran $n"
fi
rm -rf "$W"
