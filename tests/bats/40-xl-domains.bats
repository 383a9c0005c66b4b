#!/usr/bin/env bats
# xl and domains: help, subcommand prefixes, -h, exit statuses 0/1/2,
# create [-p] with KEY=VALUE settings, xl -N create, list [-l], destroy,
# pause, unpause, domid, domname; and creates that fail (a device model
# that exits, cannot run or never claims; a bad config) leaving no
# domain, no ioreq server and no process behind.

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

# Xen's `xl list` header.
LIST_HEADER=$'Name                                        ID   Mem VCPUs\tState\tTime(s)'

# Every subcommand, in the order `xl help` lists them.
SUBCOMMANDS=(create list destroy pause unpause domid domname ioreq-map
             ioreq-unmap ioreq-list ioreq-servers ioreq-reset help)

# list_line_regex NAME DOMID MEM VCPUS STATE-REGEX: a line of `xl list`.
list_line_regex() {
    local prefix
    prefix=$(printf '%-40s %5s %5s %5s' "$1" "$2" "$3" "$4")
    printf '^%s     %s +[0-9]+\\.[0-9]$' "$prefix" "$5"
}

# assert_no_domains: xl list shows no domain and the hypervisor has none.
assert_no_domains() {
    run --separate-stderr xl list
    assert_success
    assert_output "$LIST_HEADER"
    assert_equal "$stderr" ""
    run domctl list
    assert_success
    assert_output ""
}

# assert_no_device_model: no demu of this test's xensimd is running.
assert_no_device_model() {
    # (processes_of complains of zombies, whose environ cannot be read.)
    run --separate-stderr processes_of demu
    assert_output ""
}

# assert_usage_error WHAT ARG...: xl ARG... exits 2, prints nothing on
# stdout, and WHAT on the first line of stderr.
assert_usage_error() {
    local what=$1
    shift
    run --separate-stderr xl "$@"
    assert_failure 2
    assert_equal "$output" ""
    [[ ${stderr_lines[0]} == *"$what"* ]] ||
        fail "expected a first line of stderr containing '$what', got: $stderr"
}

# dm_logs: the device models' logs in the file's directory, one a line.
dm_logs() {
    local f
    for f in "$BATS_FILE_TMPDIR"/dm-*.log; do
        [[ -e $f ]] && echo "$f"
    done
    return 0
}

# never_claims SCRIPT [TRAP]: write a device model that records its pid in
# SCRIPT.pid and then sleeps without claiming anything; with TRAP, it
# ignores SIGTERM too.
never_claims() {
    local script=$1 trap=${2:-}
    {
        echo '#!/bin/sh'
        [[ -n $trap ]] && echo "trap '' TERM"
        echo "echo \$\$ >'$script.pid'"
        echo 'exec sleep 1000'
    } >"$script"
    chmod +x "$script"
}

# --------------------------------------------------------------------
# help, prefixes, usage errors

@test "xl help lists every subcommand with its description and exits 0" {
    run --separate-stderr xl help
    assert_success
    assert_equal "$stderr" ""
    assert_line --index 0 "Usage: xl [-v] [-N] [-h] <subcommand> [args]"
    local cmd
    for cmd in "${SUBCOMMANDS[@]}"; do
        assert_line --regexp "^ $cmd +[A-Z].*[a-z]\$"
    done
    assert_line --regexp "^ ioreq-list +List a domain's HVMMEM_ioreq_server pages and claim\$"
}

@test "xl -h prints what xl help prints and exits 0" {
    local expected
    expected=$(xl help)
    run --separate-stderr xl -h
    assert_success
    assert_equal "$stderr" ""
    assert_output "$expected"
}

@test "xl help CMD prints the usage, description and options of CMD" {
    run --separate-stderr xl help ioreq-list
    assert_success
    assert_equal "$stderr" ""
    assert_output "Usage: xl [-vN] ioreq-list [-j] <Domain>

List a domain's HVMMEM_ioreq_server pages and claim.

Options:

-h, --help              Print this help and exit.
-j, --json              Print JSON instead of a table."
}

@test "every subcommand accepts -h and --help, prints what xl help CMD prints, and exits 0" {
    local cmd expected opt
    for cmd in "${SUBCOMMANDS[@]}"; do
        expected=$(xl help "$cmd")
        [[ $expected == "Usage: xl "*" $cmd "* ]] ||
            fail "xl help $cmd does not start with its usage: $expected"
        for opt in -h --help; do
            run --separate-stderr xl "$cmd" "$opt"
            assert_success
            assert_equal "$stderr" ""
            assert_output "$expected"
        done
    done
}

@test "-h needs no hypervisor: xl CMD -h works with no xensimd" {
    XENSIM_SOCKET=$BATS_TEST_TMPDIR/nobody.sock run --separate-stderr xl destroy -h
    assert_success
    assert_equal "$stderr" ""
    assert_line --index 0 "Usage: xl [-v] destroy <Domain>"
}

@test "xl help with an unknown subcommand exits 2 and says it is not one" {
    run --separate-stderr xl help frobnicate
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: 'frobnicate' is not a subcommand; 'xl help' lists them"
}

@test "an unknown subcommand exits 2 naming it" {
    run --separate-stderr xl frobnicate
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: 'frobnicate' is not a subcommand; 'xl help' lists them"
}

@test "an ambiguous prefix exits 2 and names every subcommand it abbreviates" {
    run --separate-stderr xl ioreq
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: 'ioreq' is ambiguous: it abbreviates ioreq-map, ioreq-unmap, ioreq-list, ioreq-servers, ioreq-reset"
    run --separate-stderr xl d
    assert_failure 2
    assert_equal "$stderr" "xl: 'd' is ambiguous: it abbreviates destroy, domid, domname"
}

@test "an ambiguous prefix changes nothing: xl d 1 destroys no domain" {
    local dom
    dom=$(make_domain)
    run xl d "$dom"
    assert_failure 2
    run domain_exists "$dom"
    assert_success
}

@test "an unambiguous prefix runs its subcommand: xl li is xl list" {
    local expected
    make_domain >/dev/null
    expected=$(xl list)
    run --separate-stderr xl li
    assert_success
    assert_equal "$stderr" ""
    assert_output "$expected"
}

@test "an unambiguous prefix runs its subcommand: xl help ioreq-l is xl help ioreq-list" {
    local expected
    expected=$(xl help ioreq-list)
    run --separate-stderr xl help ioreq-l
    assert_success
    assert_output "$expected"
}

@test "xl with no subcommand exits 2 and says so" {
    run --separate-stderr xl
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: no subcommand given; 'xl help' lists them"
}

@test "an unknown global option exits 2 naming it" {
    run --separate-stderr xl -x list
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: unknown global option '-x'; 'xl help' lists them"
}

@test "an unknown option of a subcommand exits 2 naming it, with the subcommand's usage" {
    run --separate-stderr xl list --bogus
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "$stderr" "xl list: unknown option '--bogus'
Usage: xl [-vN] list [-l] [Domain...]
Try 'xl help list' for more information."
}

@test "too many arguments exit 2, naming the first one too many, and change nothing" {
    local dom
    dom=$(make_domain)
    assert_usage_error "xl destroy: unexpected argument 'extra'" destroy "$dom" extra
    assert_equal "${stderr_lines[1]}" "Usage: xl [-v] destroy <Domain>"
    run domain_exists "$dom"
    assert_success
}

@test "too few arguments exit 2 and say how many are needed" {
    assert_usage_error "xl pause: needs 1 argument, got 0" pause
}

@test "xl -N with a subcommand that does not implement it exits 2 and changes nothing" {
    local dom
    dom=$(make_domain)
    assert_usage_error "xl: 'destroy' does not implement -N (dry run)" -N destroy "$dom"
    run domain_exists "$dom"
    assert_success
}

@test "with no xensimd to talk to, xl list exits 1 and says where it looked" {
    XENSIM_SOCKET=$BATS_TEST_TMPDIR/nobody.sock run --separate-stderr xl list
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"$BATS_TEST_TMPDIR/nobody.sock"* ]] ||
        fail "stderr does not name the socket: $stderr"
}

# --------------------------------------------------------------------
# create, list

@test "xl create starts the device model, creates the domain running, and prints nothing" {
    local cfg
    cfg=$(xl_demu_cfg web1)
    run --separate-stderr xl create "$cfg" 3>&-
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    run --separate-stderr xl domid web1
    assert_success
    assert_output --regexp '^[0-9]+$'
    local dom=$output
    run device_model_pids "$dom"
    assert_output --regexp '^[0-9]+$'
    run xl list web1
    assert_line --index 1 --regexp "$(list_line_regex web1 "$dom" 16 2 '[-r][-b]----')"
    # Running: the guest's accesses are served.
    run xensim-guest "$dom" write 0x3000 4 0x1234
    assert_success
}

@test "xl create passes --domain DOMID and device_model_args to the device model, in order" {
    local cfg
    cfg=$(xl_demu_cfg web1 'device_model_args += [ "--mode", "discard" ]')
    xl_create "$cfg"
    local pid
    pid=$(device_model_pids "$XL_DOMID")
    [[ -n $pid ]] || fail "no device model runs for domain $XL_DOMID"
    run bash -c 'tr "\0" "\n" <"/proc/$1/cmdline" | tail -n +2' _ "$pid"
    assert_output "--domain
$XL_DOMID
--log
$BATS_TEST_TMPDIR/web1.demu.log
--mode
discard"
}

@test "the device model keeps none of its caller's descriptors: a pipe xl writes to closes when xl exits" {
    local cfg pid
    cfg=$(xl_demu_cfg web1)
    # Fd 7 stands for any file of xl's caller (fd 3, bats's, is closed:
    # a device model holding it would hang bats rather than fail a test).
    exec 7>"$BATS_TEST_TMPDIR/held"
    # Were xl's stdout kept by demu, the command substitution would wait.
    run timeout 10 bash -c 'out=$(xl create "$1") && echo "done$out"' _ \
        "$cfg" 3>&-
    exec 7>&-
    assert_success
    assert_output done
    run --separate-stderr xl domid web1
    assert_success
    pid=$(device_model_pids "$output")
    [[ -n $pid ]] || fail "no device model runs for web1"
    run bash -c 'for f in /proc/$1/fd/*; do readlink "$f"; done' _ "$pid"
    refute_output --partial "$BATS_TEST_TMPDIR/held"
    refute_output --partial "pipe:"
}

@test "xl list shows a domain in Xen's columns: name, id, memory, vCPUs, state, time" {
    local cfg
    cfg=$(xl_demu_cfg web1 'memory = 32' 'vcpus = 3')
    xl_create "$cfg"
    run --separate-stderr xl list
    assert_success
    assert_equal "$stderr" ""
    assert_equal "${#lines[@]}" 2
    assert_line --index 0 "$LIST_HEADER"
    assert_line --index 1 --regexp "$(list_line_regex web1 "$XL_DOMID" 32 3 '[-r][-b]----')"
}

@test "xl list shows a domain xl did not create with the name -" {
    local dom
    dom=$(make_domain --memory 8)
    run --separate-stderr xl list
    assert_success
    assert_line --index 1 --regexp "$(list_line_regex - "$dom" 8 1 '[-r][-b]----')"
}

@test "xl list DOMAIN lists only that domain, by name or by domid" {
    local a b
    xl_create "$(xl_demu_cfg alpha)"
    a=$XL_DOMID
    xl_create "$(xl_demu_cfg beta)"
    b=$XL_DOMID
    run --separate-stderr xl list beta
    assert_success
    assert_equal "${#lines[@]}" 2
    assert_line --index 1 --regexp "^beta +$b "
    run --separate-stderr xl list "$a"
    assert_success
    assert_equal "${#lines[@]}" 2
    assert_line --index 1 --regexp "^alpha +$a "
}

@test "xl list of a domain that does not exist exits 1 naming it" {
    run --separate-stderr xl list nosuch
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: there is no domain called 'nosuch'"
}

@test "xl create -p leaves the domain paused, with its device model running and its pages typed" {
    local cfg
    cfg=$(xl_demu_cfg web1 'ioreq_pages = [ "0x100-0x10f" ]')
    xl_create -p "$cfg"
    run xl list web1
    assert_line --index 1 --regexp "$(list_line_regex web1 "$XL_DOMID" 16 2 '[-r][-b]p---')"
    run device_model_pids "$XL_DOMID"
    assert_output --regexp '^[0-9]+$'
    run xl ioreq-list -j web1
    assert_success
    run jq -c '[.claim != null, .ranges]' <<<"$output"
    assert_output '[true,[{"first":256,"last":271,"count":16}]]'
    # Paused: a guest access is refused.
    run --separate-stderr xensim-guest "$XL_DOMID" write 0x3000 4 0x1
    assert_failure 1
    [[ $stderr == *"is paused"* ]] || fail "expected 'is paused', got: $stderr"
}

@test "xl unpause runs a domain created with -p" {
    xl_create -p "$(xl_demu_cfg web1 'ioreq_pages = [ "0x100" ]')"
    run --separate-stderr xl unpause web1
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    run xl list web1
    assert_line --index 1 --regexp "$(list_line_regex web1 "$XL_DOMID" 16 2 '[-r][-b]----')"
    run xensim-guest "$XL_DOMID" write 0x100000 4 0xabc
    assert_success
    run demu_log_entries "$BATS_TEST_TMPDIR/web1.demu.log"
    assert_output "vcpu=0 gpa=0x100000 size=4 data=0xabc"
}

@test "KEY=VALUE settings after the config file replace its values" {
    local cfg
    cfg=$(xl_demu_cfg web1)
    xl_create "$cfg" 'name="web2"' memory=32 vcpus=3
    run --separate-stderr xl list
    assert_success
    assert_equal "${#lines[@]}" 2
    assert_line --index 1 --regexp "$(list_line_regex web2 "$XL_DOMID" 32 3 '[-r][-b]----')"
}

@test "a += setting after the config file extends its list" {
    local cfg
    cfg=$(xl_demu_cfg web1 'ioreq_pages = [ "0x100" ]')
    xl_create "$cfg" 'ioreq_pages+=["0x300"]'
    run xl ioreq-list -j web1
    assert_success
    run jq -c .ranges <<<"$output"
    assert_output '[{"first":256,"last":256,"count":1},{"first":768,"last":768,"count":1}]'
}

@test "a setting on the command line that is not KEY=VALUE is a usage error that creates nothing" {
    local cfg
    cfg=$(xl_demu_cfg web1)
    assert_usage_error "xl create: 'memory' is not a KEY=VALUE setting" create "$cfg" memory
    assert_equal "${stderr_lines[1]}" "Usage: xl [-vN] create [-p] <ConfigFile> [KEY=VALUE...]"
    assert_no_domains
    assert_no_device_model
}

@test "a config file with syntax errors exits 1, reports each bad line with file and line, and creates nothing" {
    local cfg=$BATS_TEST_TMPDIR/bad.cfg
    printf '%s\n' 'name = "bad"' 'memory = 010' 'vcpus = two' >"$cfg"
    run --separate-stderr xl create "$cfg" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "${#stderr_lines[@]}" 2
    [[ ${stderr_lines[0]} == "$cfg:2: config parsing error near \`010': "* ]] ||
        fail "line 2 is not reported as expected: ${stderr_lines[0]}"
    [[ ${stderr_lines[1]} == "$cfg:3: config parsing error near \`two': "*'strings need quotes: "two"' ]] ||
        fail "line 3 is not reported as expected: ${stderr_lines[1]}"
    assert_no_domains
}

@test "a bad value on the command line exits 1 naming the key, and creates nothing" {
    local cfg
    cfg=$(xl_demu_cfg web1)
    run --separate-stderr xl create "$cfg" memory=0 3>&-
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "command line:1: warning: parameter \`memory' is out of range: 0 is not between 1 and 9007199254740991
xl: config key memory: expected a whole number of MiB from 1 to 9007199254740991"
    assert_no_domains
    assert_no_device_model
}

@test "a config file that does not exist exits 1 naming it" {
    run --separate-stderr xl create "$BATS_TEST_TMPDIR/missing.cfg" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"$BATS_TEST_TMPDIR/missing.cfg"* ]] ||
        fail "stderr does not name the file: $stderr"
    assert_no_domains
}

@test "xl -N create prints the parsed config as JSON, with the settings applied, and creates nothing" {
    local cfg
    cfg=$(xl_demu_cfg web1 'ioreq_pages = [ "0x100-0x10f" ]')
    run --separate-stderr xl -N create "$cfg" memory=32 'ioreq_pages+=["0x200+2"]'
    assert_success
    assert_equal "$stderr" ""
    run jq -c '[.c_info.name, .c_info.type, .b_info.max_vcpus, .b_info.target_memkb,
                .b_info.device_model, .b_info.extra, .b_info.ioreq_pages]' <<<"$output"
    assert_success
    assert_output "[\"web1\",\"hvm\",2,32768,\"$(type -P demu)\",[\"--log\",\"$BATS_TEST_TMPDIR/web1.demu.log\"],[{\"first\":256,\"last\":271,\"count\":16},{\"first\":512,\"last\":513,\"count\":2}]]"
    assert_no_domains
    assert_no_device_model
}

@test "xl -N create leaves what the config does not set to libxl: hap <default>, max_memkb not set" {
    local cfg
    cfg=$(xl_demu_cfg web1)
    run --separate-stderr xl -N create "$cfg"
    assert_success
    run jq -r .c_info.hap <<<"$output"
    assert_output "<default>"
    # jq 1.6 rounds integers above 2^53: the number as xl printed it.
    run --separate-stderr xl -N create "$cfg"
    assert_line --regexp '^ *"max_memkb": 18446744073709551615,$'
}

@test "xl list -l prints each domain's domid and the config it was created with" {
    local cfg
    cfg=$(xl_demu_cfg web1 'ioreq_pages = [ "0x100-0x10f", "0x200" ]')
    xl_create "$cfg" memory=32
    run --separate-stderr xl list -l
    assert_success
    assert_equal "$stderr" ""
    run jq -c "[length, .[0].domid, .[0].config.c_info.name, .[0].config.c_info.hap,
                .[0].config.b_info.target_memkb, .[0].config.b_info.max_memkb,
                .[0].config.b_info.device_model, .[0].config.b_info.ioreq_pages]" <<<"$output"
    assert_success
    assert_output "[1,$XL_DOMID,\"web1\",\"True\",32768,32768,\"$(type -P demu)\",[{\"first\":256,\"last\":271,\"count\":16},{\"first\":512,\"last\":512,\"count\":1}]]"
}

@test "xl list --long DOMAIN prints only that domain's config" {
    xl_create "$(xl_demu_cfg alpha)"
    xl_create "$(xl_demu_cfg beta)"
    run --separate-stderr xl list --long beta
    assert_success
    run jq -c '[length, .[0].domid, .[0].config.c_info.name]' <<<"$output"
    assert_output "[1,$XL_DOMID,\"beta\"]"
}

@test "xl list -l leaves out a domain libxl did not create, and prints [] when none is left" {
    make_domain >/dev/null
    run --separate-stderr xl list -l
    assert_success
    assert_equal "$stderr" ""
    assert_output "[]"
}

@test "a second domain with the name of an existing one is refused, and the first is untouched" {
    local cfg first
    cfg=$(xl_demu_cfg web1)
    xl_create "$cfg"
    first=$XL_DOMID
    run --separate-stderr xl create "$cfg" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"a domain called web1 already exists (domid $first)"* ]] ||
        fail "stderr does not say the name is taken: $stderr"
    run xl list
    assert_equal "${#lines[@]}" 2
    assert_line --index 1 --regexp "^web1 +$first "
    run device_model_pids "$first"
    assert_output --regexp '^[0-9]+$'
    run --separate-stderr processes_of demu
    assert_equal "${#lines[@]}" 1
}

# --------------------------------------------------------------------
# destroy, pause, unpause, domid, domname

@test "xl destroy removes the domain, stops its device model, and prints nothing" {
    xl_create "$(xl_demu_cfg web1)"
    local pid
    pid=$(device_model_pids "$XL_DOMID")
    [[ -n $pid ]] || fail "no device model runs for domain $XL_DOMID"
    run --separate-stderr xl destroy web1
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    run process_running "$pid"
    assert_failure
    assert_no_device_model
    assert_no_domains
}

@test "xl destroy takes a domid as well as a name" {
    xl_create "$(xl_demu_cfg web1)"
    run --separate-stderr xl destroy "$XL_DOMID"
    assert_success
    assert_equal "$stderr" ""
    assert_no_domains
    assert_no_device_model
}

@test "xl destroy of a domain created without a device model removes it" {
    local cfg=$BATS_TEST_TMPDIR/plain.cfg
    printf '%s\n' 'name = "plain"' 'memory = 8' >"$cfg"
    xl_create "$cfg"
    run xl destroy plain
    assert_success
    assert_no_domains
}

@test "xl destroy of a domain that does not exist exits 1 naming it, and destroys nothing" {
    xl_create "$(xl_demu_cfg web1)"
    run --separate-stderr xl destroy nosuch
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: there is no domain called 'nosuch'"
    run --separate-stderr xl destroy 4000
    assert_failure 1
    assert_equal "$stderr" "xl: domain 4000 does not exist"
    run xl list web1
    assert_success
    run device_model_pids "$XL_DOMID"
    assert_output --regexp '^[0-9]+$'
}

@test "a domid with a leading zero is refused for what it is" {
    run --separate-stderr xl pause 01
    assert_failure 1
    assert_equal "$stderr" "xl: '01' is not a domid: a domid is a decimal number from 0 to 32751, without leading zeros"
}

@test "xl pause pauses a running domain: xl list shows p and guest accesses are refused" {
    xl_create "$(xl_demu_cfg web1)"
    run --separate-stderr xl pause web1
    assert_success
    assert_equal "$output" ""
    assert_equal "$stderr" ""
    run xl list web1
    assert_line --index 1 --regexp "$(list_line_regex web1 "$XL_DOMID" 16 2 '[-r][-b]p---')"
    run --separate-stderr xensim-guest "$XL_DOMID" read 0x3000 4
    assert_failure 1
    [[ $stderr == *"is paused"* ]] || fail "expected 'is paused', got: $stderr"
}

@test "xl unpause after xl pause lets the domain run again" {
    xl_create "$(xl_demu_cfg web1)"
    run xl pause web1
    assert_success
    run --separate-stderr xl unpause web1
    assert_success
    assert_equal "$stderr" ""
    run xl list web1
    assert_line --index 1 --regexp "$(list_line_regex web1 "$XL_DOMID" 16 2 '[-r][-b]----')"
    run xensim-guest "$XL_DOMID" write 0x3000 4 0x77
    assert_success
}

@test "xl unpause of a domain that is not paused exits 1 saying so" {
    xl_create "$(xl_demu_cfg web1)"
    run --separate-stderr xl unpause web1
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"Domain $XL_DOMID: it is not paused"* ]] ||
        fail "libxl does not say it is not paused: $stderr"
    assert_equal "${stderr_lines[-1]}" "xl: cannot unpause domain $XL_DOMID (web1): failed"
}

@test "xl pause of a domain that does not exist exits 1 naming it" {
    run --separate-stderr xl pause nosuch
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: there is no domain called 'nosuch'"
}

@test "xl domid and xl domname convert between a domain's name and its domid" {
    xl_create "$(xl_demu_cfg web1)"
    run --separate-stderr xl domid web1
    assert_success
    assert_output "$XL_DOMID"
    run --separate-stderr xl domname "$XL_DOMID"
    assert_success
    assert_output web1
    assert_equal "$stderr" ""
}

@test "xl domid of an unknown name exits 1 naming it" {
    run --separate-stderr xl domid nosuch
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: there is no domain called 'nosuch'"
}

@test "xl domname of a domain xl did not create exits 1: it has no name" {
    local dom
    dom=$(make_domain)
    run --separate-stderr xl domname "$dom"
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "xl: domain $dom has no name (it was not created by xl)"
}

# --------------------------------------------------------------------
# creates that fail leave nothing behind

@test "a device model that exits before claiming fails the create, with its status and log, and leaves nothing" {
    local dm=$BATS_TEST_TMPDIR/exits
    printf '%s\n' '#!/bin/sh' 'echo "exits: giving up" >&2' 'exit 3' >"$dm"
    chmod +x "$dm"
    run --separate-stderr xl create "$(xl_demu_cfg web1)" "device_model_override=\"$dm\"" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    local re='Domain ([0-9]+): the device model exited with status 3 before claiming HVMMEM_ioreq_server; see ([^ ]+/dm-[0-9]+\.log)'
    [[ $stderr =~ $re ]] ||
        fail "libxl does not say the device model exited with status 3: $stderr"
    local dom=${BASH_REMATCH[1]} log=${BASH_REMATCH[2]}
    assert_equal "$log" "$BATS_FILE_TMPDIR/dm-$dom.log"
    assert_equal "${stderr_lines[-1]}" "xl: domain 'web1' (from $BATS_TEST_TMPDIR/web1.cfg) was not created: failed"
    run cat "$log"
    assert_output --partial "exits: giving up"
    assert_no_domains
    run --separate-stderr xl ioreq-servers "$dom"
    assert_failure 1
    assert_equal "$stderr" "xl: domain $dom does not exist"
}

@test "demu refused the claim (hap=0) fails the create and leaves no domain, server or process" {
    run --separate-stderr xl create "$(xl_demu_cfg web1)" hap=0 3>&-
    assert_failure 1
    local re='Domain ([0-9]+): the device model exited with status 1 before claiming HVMMEM_ioreq_server'
    [[ $stderr =~ $re ]] ||
        fail "libxl does not say the device model exited with status 1: $stderr"
    local dom=${BASH_REMATCH[1]}
    run cat "$BATS_FILE_TMPDIR/dm-$dom.log"
    assert_output --partial "hardware-assisted paging"
    assert_no_domains
    assert_no_device_model
    run xl ioreq-servers "$dom"
    assert_failure 1
}

@test "a device model that cannot be run fails the create, naming it, and leaves nothing" {
    run --separate-stderr xl create "$(xl_demu_cfg web1)" \
        "device_model_override=\"$BATS_TEST_TMPDIR/no-such-dm\"" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"cannot run the device model $BATS_TEST_TMPDIR/no-such-dm: No such file or directory"* ]] ||
        fail "libxl does not say it cannot run the device model: $stderr"
    assert_no_domains
}

@test "a device model that never claims fails the create after device_model_timeout, and is stopped" {
    local dm=$BATS_TEST_TMPDIR/sleeper pid
    never_claims "$dm"
    run --separate-stderr xl create "$(xl_demu_cfg web1)" \
        "device_model_override=\"$dm\"" device_model_timeout=1 3>&-
    pid=$(cat "$dm.pid") || fail "the device model did not record its pid"
    track_process "$pid" "the device model that never claims"
    assert_failure 1
    assert_equal "$output" ""
    local re='the device model did not claim HVMMEM_ioreq_server within 1000 ms; see [^ ]+/dm-[0-9]+\.log'
    [[ $stderr =~ $re ]] ||
        fail "libxl does not say the device model did not claim in time: $stderr"
    assert_equal "${stderr_lines[-1]}" "xl: domain 'web1' (from $BATS_TEST_TMPDIR/web1.cfg) was not created: timed out"
    run process_running "$pid"
    assert_failure
    assert_no_domains
}

@test "a device model that never claims and ignores SIGTERM is killed, and the create leaves nothing" {
    local dm=$BATS_TEST_TMPDIR/stubborn pid
    never_claims "$dm" trap
    run --separate-stderr xl create "$(xl_demu_cfg web1)" \
        "device_model_override=\"$dm\"" device_model_timeout=1 3>&-
    pid=$(cat "$dm.pid") || fail "the device model did not record its pid"
    track_process "$pid" "the device model that ignores SIGTERM"
    assert_failure 1
    [[ $stderr == *"did not stop within 5000 ms; killing it"* ]] ||
        fail "libxl does not say it killed the device model: $stderr"
    run process_running "$pid"
    assert_failure
    assert_no_domains
}

@test "ioreq_pages the device model has typed already fail the create after the claim; demu is stopped, nothing is left" {
    run --separate-stderr xl create "$(xl_demu_cfg web1 'ioreq_pages = [ "0x100-0x10f" ]')" \
        'device_model_args+=["--map","0x108"]' 3>&-
    assert_failure 1
    assert_equal "$output" ""
    local re='Domain ([0-9]+): cannot map 0x100-0x10f: page 0x108 is ioreq_server'
    [[ $stderr =~ $re ]] ||
        fail "libxl does not name the page already typed: $stderr"
    local dom=${BASH_REMATCH[1]}
    # demu had claimed the type, so it had an ioreq server: it is gone
    # with demu and the domain.
    run grep -c '^demu: serving domain' "$BATS_FILE_TMPDIR/dm-$dom.log"
    assert_output 1
    assert_no_device_model
    assert_no_domains
    run xl ioreq-servers "$dom"
    assert_failure 1
}

@test "ioreq_pages beyond the guest's memory are refused before anything is built" {
    local logs_before
    logs_before=$(dm_logs)
    run --separate-stderr xl create "$(xl_demu_cfg web1 'ioreq_pages = [ "0x100", "0xff0-0x1000" ]')" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"ioreq_pages: 0xff0-0x1000 leaves the guest's memory"* ]] ||
        fail "libxl does not name the range beyond memory: $stderr"
    assert_equal "${stderr_lines[-1]}" "xl: domain 'web1' (from $BATS_TEST_TMPDIR/web1.cfg) was not created: invalid argument"
    assert_no_domains
    assert_no_device_model
    # No device model was started: no new log.
    run dm_logs
    assert_output "$logs_before"
}

@test "ioreq_pages without a device model are refused, and nothing is created" {
    local cfg=$BATS_TEST_TMPDIR/nodm.cfg
    printf '%s\n' 'name = "nodm"' 'memory = 16' 'ioreq_pages = [ "0x100" ]' >"$cfg"
    run --separate-stderr xl create "$cfg" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    [[ $stderr == *"ioreq_pages needs a device model (device_model_override) to claim HVMMEM_ioreq_server"* ]] ||
        fail "libxl does not say a device model is needed: $stderr"
    assert_no_domains
}

@test "overlapping ioreq_pages are a config error naming both entries, and nothing is created" {
    run --separate-stderr xl create "$(xl_demu_cfg web1 'ioreq_pages = [ "0x100-0x1ff", "0x180+16" ]')" 3>&-
    assert_failure 1
    assert_equal "$output" ""
    [[ ${stderr_lines[0]} == *"ioreq_pages: entries 1 (0x100-0x1ff) and 2 (0x180-0x18f) overlap at 0x180-0x18f"* ]] ||
        fail "the overlap is not reported as expected: $stderr"
    assert_no_domains
    assert_no_device_model
}
