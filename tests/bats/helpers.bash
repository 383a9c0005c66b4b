# tests/bats/helpers.bash: what every tests/bats/*.bats file shares.
#
# Load it first in a .bats file (`load helpers`), then name the hooks:
#
#   setup_file()    { xensimd_setup_file; }     # a private xensimd
#   teardown_file() { xensimd_teardown_file; }  # SIGTERM, must exit 0
#   setup()         { common_setup; }           # mark the daemon's log
#   teardown()      { common_teardown; }        # stop what the test started
#
# A file that needs no daemon of its own (or one started differently, as
# 90-leaks.bats does under valgrind) leaves out the file hooks.
#
# Which build is tested
#   `make check` passes abs_top_builddir (tests/bats/local.mk).  To run
#   the files by hand, name the build directory in XENSIM_TEST_BUILDDIR:
#       XENSIM_TEST_BUILDDIR=$PWD/build bats tests/bats
#   after `make check` has built the test programs there (or
#   `make check TESTS=`).  The build's programs then come first in PATH,
#   and its simulator libraries first in LD_LIBRARY_PATH, so a consumer
#   built --with-xen against Debian's libraries runs on the simulator too.
#
# Knobs (environment, all optional)
#   XENSIMD              the daemon the tests start: xensimd-debug (debug
#                        checks, ASan, UBSan) by default; XENSIMD=xensimd
#                        runs them against the optimised one.
#   XENSIM_TEST_TIMEOUT  seconds that any one wait, or any one run of a
#                        program, may take before the test fails (30).
#
# Conventions
#   - Programs that might hang are wrapped: `xensim-guest`, `demu`,
#     `mkdomain`, `domctl` and `xl` below are functions that run the
#     program of that name under timeout(1), so `run xensim-guest ...`
#     fails, rather than hangs, if an access never completes.  `bounded
#     CMD...` does the same for anything else.
#   - Background processes are started by helpers that wait for a sign
#     that they serve (never a fixed sleep) and register them, so that
#     common_teardown stops them whether the test passed or not.
#   - Helpers that start a background process set global variables
#     (DEMU_PID, ...) instead of printing: the process must be a child of
#     the test's own shell for its exit status to be collected.

bats_require_minimum_version 1.7.0      # Debian 12 ships 1.8.2
bats_load_library bats-support
bats_load_library bats-assert

XENSIM_TEST_BUILDDIR=${abs_top_builddir:-${XENSIM_TEST_BUILDDIR:-}}
if [[ -z $XENSIM_TEST_BUILDDIR ]]; then
    printf '%s\n' "helpers.bash: which build should be tested? make check" \
        "passes abs_top_builddir; by hand, set XENSIM_TEST_BUILDDIR to the" \
        "build directory, e.g. XENSIM_TEST_BUILDDIR=\$PWD/build bats tests/bats" >&2
    return 1
fi
if [[ ! -x $XENSIM_TEST_BUILDDIR/xen/sim/xensimd ]]; then
    printf '%s\n' "helpers.bash: $XENSIM_TEST_BUILDDIR/xen/sim/xensimd is" \
        "missing: is XENSIM_TEST_BUILDDIR a build directory after make check?" >&2
    return 1
fi
export XENSIM_TEST_BUILDDIR

if [[ ":$PATH:" != *":$XENSIM_TEST_BUILDDIR/xen/sim:"* ]]; then
    # tools/xl is there before xl is; an empty PATH entry costs nothing.
    PATH=$XENSIM_TEST_BUILDDIR/xen/sim:$XENSIM_TEST_BUILDDIR/tools/demu:$XENSIM_TEST_BUILDDIR/tools/xensim-guest:$XENSIM_TEST_BUILDDIR/tools/xl:$XENSIM_TEST_BUILDDIR/tools/tests:$XENSIM_TEST_BUILDDIR/tests/bats:$PATH
    # libtool's objdir: where the uninstalled simulator libraries are.
    LD_LIBRARY_PATH=$XENSIM_TEST_BUILDDIR/tools/libs/sim/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export PATH LD_LIBRARY_PATH
fi

: "${XENSIMD:=xensimd-debug}"
: "${XENSIM_TEST_TIMEOUT:=30}"
export XENSIMD XENSIM_TEST_TIMEOUT

# ---------------------------------------------------------------------
# Bounded runs and waits

# bounded CMD [ARG...]: run CMD, killed if it takes longer than
# XENSIM_TEST_TIMEOUT seconds (status 124, or 137 if it ignored SIGTERM).
bounded() {
    timeout --kill-after=5 "$XENSIM_TEST_TIMEOUT" "$@"
}

xensim-guest() { bounded xensim-guest "$@"; }
demu() { bounded demu "$@"; }
mkdomain() { bounded mkdomain "$@"; }
domctl() { bounded domctl "$@"; }
xl() { bounded xl "$@"; }

# Milliseconds on a monotonic-enough clock, for deadlines only.
_xt_now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    _xt_now=$(( t / 1000 ))
}

# process_running PID: PID exists and is not a zombie.
process_running() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# process_exited PID: PID has exited (a zombie counts as exited).
process_exited() {
    ! process_running "$1"
}

# wait_until WHAT CMD [ARG...]: run CMD until it succeeds; fail, naming
# WHAT, if that takes more than XENSIM_TEST_TIMEOUT seconds.
wait_until() {
    local what=$1 deadline
    shift
    _xt_now_ms
    deadline=$(( _xt_now + XENSIM_TEST_TIMEOUT * 1000 ))
    until "$@"; do
        _xt_now_ms
        if (( _xt_now >= deadline )); then
            fail "timed out after ${XENSIM_TEST_TIMEOUT}s waiting until $what"
            return 1
        fi
        sleep 0.01
    done
}

# wait_ready PID NAME LOG WHAT CMD [ARG...]: like wait_until, for a
# process that is starting: fail at once, showing LOG, if PID exits first.
wait_ready() {
    local pid=$1 name=$2 log=$3 what=$4 deadline
    shift 4
    _xt_now_ms
    deadline=$(( _xt_now + XENSIM_TEST_TIMEOUT * 1000 ))
    until "$@"; do
        if ! process_running "$pid"; then
            fail "$name (pid $pid) exited before $what; its output:
$(cat "$log" 2>/dev/null)"
            return 1
        fi
        _xt_now_ms
        if (( _xt_now >= deadline )); then
            fail "timed out after ${XENSIM_TEST_TIMEOUT}s waiting until $what; $name's output:
$(cat "$log" 2>/dev/null)"
            return 1
        fi
        sleep 0.01
    done
}

# wait_gone PID: wait (bounded) until PID has exited; 1 if it has not.
wait_gone() {
    local deadline
    _xt_now_ms
    deadline=$(( _xt_now + XENSIM_TEST_TIMEOUT * 1000 ))
    while process_running "$1"; do
        _xt_now_ms
        (( _xt_now < deadline )) || return 1
        sleep 0.01
    done
}

# stop_child PID NAME [SIGNAL]: send SIGNAL (TERM) to a child of this
# shell, wait for it to exit and set STOPPED_STATUS to its exit status
# (128+N for death by signal N).  If it does not exit in time: SIGKILL,
# then fail.
stop_child() {
    local pid=$1 name=$2 sig=${3:-TERM}
    kill "-$sig" "$pid" 2>/dev/null || true
    if ! wait_gone "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        fail "$name (pid $pid) did not exit within ${XENSIM_TEST_TIMEOUT}s of SIG$sig; killed it with SIGKILL"
        return 1
    fi
    STOPPED_STATUS=0
    wait "$pid" 2>/dev/null || STOPPED_STATUS=$?
}

# ---------------------------------------------------------------------
# Processes a test starts, stopped by common_teardown

_XT_PIDS=()
_XT_NAMES=()

# track_process PID NAME: stop PID (SIGTERM) when the test ends.
track_process() {
    _XT_PIDS+=("$1")
    _XT_NAMES+=("$2")
}

# untrack_process PID: the test stopped PID itself.
untrack_process() {
    local i
    for i in "${!_XT_PIDS[@]}"; do
        if [[ ${_XT_PIDS[$i]} == "$1" ]]; then
            unset '_XT_PIDS[i]' '_XT_NAMES[i]'
        fi
    done
}

# processes_of NAME: the pids of the live processes called NAME (their
# comm) that talk to this test's xensimd, i.e. have XENSIM_SOCKET set to
# ours in their environment: what other files, running in parallel with
# daemons of their own, start is not counted.
processes_of() {
    local name=$1 p comm
    for p in /proc/[0-9]*; do
        { read -r comm <"$p/comm"; } 2>/dev/null || continue
        [[ $comm == "$name" ]] || continue
        tr '\0' '\n' 2>/dev/null <"$p/environ" |
            grep -qxF "XENSIM_SOCKET=${XENSIM_SOCKET:-}" || continue
        echo "${p#/proc/}"
    done
}

# ---------------------------------------------------------------------
# xensimd

# xensimd_launch SOCKET LOG CMD [ARG...]: start `CMD ARG... --foreground
# --socket SOCKET` in the background, its output in LOG, and return once
# SOCKET exists (xensimd creates it only once it serves).  Sets
# XENSIMD_LAUNCHED_PID.  CMD is the daemon, or a wrapper such as valgrind
# followed by the daemon.
xensimd_launch() {
    local sock=$1 log=$2
    shift 2
    # xensimd refuses paths within 16 bytes of sun_path's 108.
    if (( ${#sock} > 91 )); then
        fail "socket path $sock is too long for a UNIX socket; set TMPDIR to a shorter directory"
        return 1
    fi
    # fd 3 is bats's: a daemon holding it would make bats wait for it.
    "$@" --foreground --socket "$sock" </dev/null >>"$log" 2>&1 3>&- &
    XENSIMD_LAUNCHED_PID=$!
    wait_ready "$XENSIMD_LAUNCHED_PID" xensimd "$log" \
        "xensimd serves $sock" test -S "$sock"
}

# xensimd_stop PID LOG: SIGTERM a daemon started by xensimd_launch and
# fail unless it exits with status 0.
xensimd_stop() {
    local pid=$1 log=$2
    stop_child "$pid" xensimd || return 1
    if (( STOPPED_STATUS != 0 )); then
        fail "xensimd (pid $pid) exited with status $STOPPED_STATUS on SIGTERM; its log:
$(cat "$log" 2>/dev/null)"
        return 1
    fi
}

# xensimd_setup_file: a private daemon for this file, on a socket in
# BATS_FILE_TMPDIR.  Exports XENSIM_SOCKET (where clients find it),
# XENSIMD_PID, XENSIMD_LOG and XENSIMD_PIDFILE.
xensimd_setup_file() {
    XENSIM_SOCKET=$BATS_FILE_TMPDIR/xensimd.sock
    XENSIMD_LOG=$BATS_FILE_TMPDIR/xensimd.log
    XENSIMD_PIDFILE=$BATS_FILE_TMPDIR/xensimd.pid
    xensimd_launch "$XENSIM_SOCKET" "$XENSIMD_LOG" \
        "$XENSIMD" --pidfile "$XENSIMD_PIDFILE"
    XENSIMD_PID=$XENSIMD_LAUNCHED_PID
    export XENSIM_SOCKET XENSIMD_LOG XENSIMD_PIDFILE XENSIMD_PID
}

# xensimd_teardown_file: stop the file's daemon; it must exit 0.
xensimd_teardown_file() {
    [[ -n ${XENSIMD_PID:-} ]] || return 0
    xensimd_stop "$XENSIMD_PID" "$XENSIMD_LOG"
}

# xensimd_log_since_test: the lines the file's daemon logged during this
# test.
xensimd_log_since_test() {
    tail -n "+$(( ${_XT_XENSIMD_LOG_LINES:-0} + 1 ))" "$XENSIMD_LOG"
}

# ---------------------------------------------------------------------
# Domains (mkdomain now; xl once it exists)

# make_domain [MKDOMAIN-ARG...]: build a domain on $XENSIM_SOCKET (16 MiB
# of RAM from gfn 0 and one vCPU unless told otherwise, unpaused unless
# --paused) and print its domid.  common_teardown destroys it if that
# daemon still serves.
make_domain() {
    local out
    out=$(mkdomain "$@") || {
        fail "mkdomain $* failed: $out"
        return 1
    }
    if [[ ! $out =~ ^[0-9]+$ ]]; then
        fail "mkdomain $* printed '$out', not a domid"
        return 1
    fi
    printf '%s %s\n' "$out" "${XENSIM_SOCKET:-}" >>"$BATS_TEST_TMPDIR/.domains"
    echo "$out"
}

# domain_exists DOMID: the hypervisor lists DOMID.
domain_exists() {
    local out
    out=$(domctl list) || return 2
    [[ $'\n'$out == *$'\n'"$1 "* ]]
}

# ---------------------------------------------------------------------
# demu

# demu_start DOMID [DEMU-ARG...]: start demu for DOMID in the background,
# with a JSON log and a stderr file of its own, and return once it says
# "demu: serving domain DOMID".  Sets DEMU_PID, DEMU_LOG (the JSON log:
# a new file, unless the arguments give --log FILE) and DEMU_ERR (its
# stderr); common_teardown stops it.
demu_start() {
    local domid=$1 arg prev= log_args
    shift
    _XT_DEMU_SEQ=$(( ${_XT_DEMU_SEQ:-0} + 1 ))
    DEMU_LOG=$BATS_TEST_TMPDIR/demu.$_XT_DEMU_SEQ.log
    DEMU_ERR=$BATS_TEST_TMPDIR/demu.$_XT_DEMU_SEQ.err
    log_args=(--log "$DEMU_LOG")
    for arg in "$@"; do
        if [[ $prev == --log ]]; then
            DEMU_LOG=$arg
            log_args=()
        fi
        prev=$arg
    done
    command demu --domain "$domid" "${log_args[@]}" "$@" \
        </dev/null >"$DEMU_ERR" 2>&1 3>&- &
    DEMU_PID=$!
    track_process "$DEMU_PID" demu
    wait_ready "$DEMU_PID" demu "$DEMU_ERR" "demu serves domain $domid" \
        grep -q "^demu: serving domain $domid:" "$DEMU_ERR"
}

# demu_stop [PID]: SIGTERM demu (default DEMU_PID) and wait for it; sets
# STOPPED_STATUS.
demu_stop() {
    local pid=${1:-${DEMU_PID:-}}
    [[ -n $pid ]] || { fail "demu_stop: no demu was started"; return 1; }
    untrack_process "$pid"
    stop_child "$pid" demu
}

# demu_kill9 [PID]: SIGKILL demu (default DEMU_PID) and reap it.
demu_kill9() {
    local pid=${1:-${DEMU_PID:-}}
    [[ -n $pid ]] || { fail "demu_kill9: no demu was started"; return 1; }
    untrack_process "$pid"
    stop_child "$pid" demu KILL
}

# demu_log_entries [LOG]: the lines of demu's JSON log (default DEMU_LOG),
# one per line as "vcpu=V gpa=0xG size=S data=0xD".  Each line must be a
# JSON object whose members are exactly vcpu, gpa, size and data, all
# non-negative integers (checked with jq); the numbers are taken from the
# text, since jq 1.6 rounds integers above 2^53.
demu_log_entries() {
    local log=${1:-${DEMU_LOG:-}} line n=0 v g s d
    local shape='type == "object" and (keys_unsorted == ["vcpu","gpa","size","data"])
                 and all(.[]; type == "number" and . >= 0 and . == floor)'
    local num='[[:space:]]*:[[:space:]]*([0-9]+)[[:space:]]*[,}]'
    [[ -e $log ]] || { fail "demu's log $log does not exist"; return 1; }
    while IFS= read -r line || [[ -n $line ]]; do
        n=$(( n + 1 ))
        if ! jq -e "$shape" <<<"$line" >/dev/null 2>&1; then
            fail "line $n of $log is not {\"vcpu\":N,\"gpa\":N,\"size\":N,\"data\":N}: $line"
            return 1
        fi
        [[ $line =~ \"vcpu\"$num ]] && v=${BASH_REMATCH[1]}
        [[ $line =~ \"gpa\"$num ]] && g=${BASH_REMATCH[1]}
        [[ $line =~ \"size\"$num ]] && s=${BASH_REMATCH[1]}
        [[ $line =~ \"data\"$num ]] && d=${BASH_REMATCH[1]}
        if [[ -z ${v:-} || -z ${g:-} || -z ${s:-} || -z ${d:-} ]]; then
            fail "line $n of $log has a number jq accepts but not in plain digits: $line"
            return 1
        fi
        printf 'vcpu=%u gpa=0x%x size=%u data=0x%x\n' "$v" "$g" "$s" "$d"
        v= g= s= d=
    done <"$log"
}

# demu_log_count [LOG]: how many lines demu's log has.
demu_log_count() {
    local log=${1:-${DEMU_LOG:-}} n=0 line
    [[ -e $log ]] || { fail "demu's log $log does not exist"; return 1; }
    while IFS= read -r line || [[ -n $line ]]; do
        n=$(( n + 1 ))
    done <"$log"
    echo "$n"
}

# ---------------------------------------------------------------------
# xl

# xl_demu_cfg NAME [LINE...]: write a guest config file for `xl create`,
# $BATS_TEST_TMPDIR/NAME.cfg, and print its path: domain NAME with 16 MiB
# of RAM (gfns 0x0-0xfff) and 2 vCPUs, served by this build's demu,
# which logs the guest's writes to $BATS_TEST_TMPDIR/NAME.demu.log; then
# each LINE as it is (more keys, or settings that replace these).
xl_demu_cfg() {
    local name=$1 cfg=$BATS_TEST_TMPDIR/$1.cfg demu_path line
    shift
    demu_path=$(type -P demu) || {
        fail "xl_demu_cfg: demu is not in PATH"
        return 1
    }
    {
        printf 'name = "%s"\n' "$name"
        printf 'memory = 16\n'
        printf 'vcpus = 2\n'
        printf 'device_model_override = "%s"\n' "$demu_path"
        printf 'device_model_args = [ "--log", "%s" ]\n' \
            "$BATS_TEST_TMPDIR/$name.demu.log"
        for line in "$@"; do
            printf '%s\n' "$line"
        done
    } >"$cfg"
    echo "$cfg"
}

# xl_create [-p] CFG [KEY=VALUE...]: `xl create` with these arguments,
# which must succeed and print nothing on stdout; sets XL_DOMID to the
# new domain's domid (found by its name, as `xl -N create` reads it).
# xl_destroy_domains destroys it.
xl_create() {
    local out name
    # fd 3 is bats's: a device model that kept it would make bats wait.
    out=$(xl create "$@" 2>&1 3>&-) || {
        fail "xl create $* failed: $out"
        return 1
    }
    if [[ -n $out ]]; then
        fail "xl create $* succeeded but printed: $out"
        return 1
    fi
    local args=("$@")
    [[ ${args[0]} == -p ]] && args=("${args[@]:1}")
    name=$(xl -N create "${args[@]}" | jq -r .c_info.name) || {
        fail "xl -N create ${args[*]} does not give the domain's name"
        return 1
    }
    XL_DOMID=$(xl domid "$name") || {
        fail "xl create $* succeeded but xl domid $name fails"
        return 1
    }
}

# device_model_pids DOMID [NAME]: the pids of the live processes called
# NAME (demu) of this test's xensimd that were started as a device model
# of DOMID, i.e. with the arguments "--domain DOMID".
device_model_pids() {
    local domid=$1 name=${2:-demu} p args
    # (processes_of complains of zombies, whose environ cannot be read.)
    for p in $(processes_of "$name" 2>/dev/null); do
        args=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
        [[ " $args" == *" --domain $domid "* ]] && echo "$p"
    done
    return 0
}

# xl_destroy_domains: `xl destroy` every domain of this test's xensimd,
# so that the device models xl started stop with them; fails (after
# trying them all) if one cannot be destroyed.  For teardown, before
# common_teardown, which fails the test if a demu is left running.
xl_destroy_domains() {
    local out domid state rc=0
    [[ -n ${XENSIM_SOCKET:-} && -S $XENSIM_SOCKET ]] || return 0
    out=$(domctl list) || {
        fail "xl_destroy_domains: domctl list failed: $out"
        return 1
    }
    while read -r domid state; do
        [[ -n $domid ]] || continue
        if ! xl destroy "$domid" >/dev/null 2>&1 && domain_exists "$domid"; then
            echo "xl destroy $domid failed"
            rc=1
        fi
    done <<<"$out"
    return "$rc"
}

# ---------------------------------------------------------------------
# Raw clients

# send_raw_message HEX: connect to XENSIM_SOCKET, send the bytes HEX as
# one message, and print "closed" if xensimd then closes the connection,
# or "reply N bytes" if it answers.
send_raw_message() {
    bounded perl -MIO::Socket::UNIX -MSocket -e '
        my ($path, $hex) = @ARGV;
        my $s = IO::Socket::UNIX->new(Type => SOCK_SEQPACKET, Peer => $path)
            or die "cannot connect to $path: $!\n";
        defined $s->send(pack("H*", $hex)) or die "send: $!\n";
        my $buf;
        defined $s->recv($buf, 65536) or die "recv: $!\n";
        print length($buf) ? "reply " . length($buf) . " bytes\n" : "closed\n";
    ' "${XENSIM_SOCKET:-}" "$1"
}

# ---------------------------------------------------------------------
# Per-test hooks

common_setup() {
    if [[ -n ${XENSIMD_LOG:-} && -e $XENSIMD_LOG ]]; then
        _XT_XENSIMD_LOG_LINES=$(wc -l <"$XENSIMD_LOG")
    fi
}

# common_teardown: stop the processes the test started (SIGTERM, then
# SIGKILL and fail), destroy its domains, show the logs if it failed,
# and fail if the file's xensimd died during the test.
common_teardown() {
    local i rc=0 domid sock f

    for i in "${!_XT_PIDS[@]}"; do
        if process_running "${_XT_PIDS[$i]}"; then
            stop_child "${_XT_PIDS[$i]}" "${_XT_NAMES[$i]}" || rc=1
        else
            wait "${_XT_PIDS[$i]}" 2>/dev/null || true
        fi
    done
    _XT_PIDS=()
    _XT_NAMES=()

    # Device models and guest accesses started some other way (by xl,
    # say) must not outlive the test either.
    for f in demu xensim-guest; do
        for i in $(processes_of "$f"); do
            echo "$f (pid $i) was left running; killing it"
            kill -KILL "$i" 2>/dev/null || true
            rc=1
        done
    done

    if [[ -e $BATS_TEST_TMPDIR/.domains ]]; then
        while read -r domid sock; do
            [[ -S $sock ]] || continue      # that daemon has stopped
            if XENSIM_SOCKET=$sock domain_exists "$domid"; then
                XENSIM_SOCKET=$sock domctl destroy "$domid" || rc=1
            fi
        done <"$BATS_TEST_TMPDIR/.domains"
    fi

    if [[ -z ${BATS_TEST_COMPLETED:-} || $rc != 0 ]]; then
        for f in "$BATS_TEST_TMPDIR"/demu.*.err; do
            [[ -e $f ]] || continue
            echo "${f##*/}:"
            sed 's/^/    /' "$f"
        done
        if [[ -n ${XENSIMD_LOG:-} ]]; then
            echo "xensimd's log during this test:"
            xensimd_log_since_test | sed 's/^/    /'
        fi
    fi

    if [[ -n ${XENSIMD_PID:-} ]] && ! process_running "$XENSIMD_PID"; then
        echo "the file's xensimd (pid $XENSIMD_PID) died during this test; its log:"
        sed 's/^/    /' "$XENSIMD_LOG"
        return 1
    fi
    return "$rc"
}
