#!/usr/bin/env bats
# xensimd: its command line, its socket, one daemon per socket, a clean
# shutdown on SIGTERM, and clients that send garbage.

load helpers

setup_file() { xensimd_setup_file; }
teardown_file() { xensimd_teardown_file; }
setup() { common_setup; }
teardown() { common_teardown; }

# A daemon of the test's own, on a socket in BATS_TEST_TMPDIR: sets SOCK,
# LOG, PIDFILE and PID.
start_own_daemon() {
    SOCK=$BATS_TEST_TMPDIR/own.sock
    LOG=$BATS_TEST_TMPDIR/own.log
    PIDFILE=$BATS_TEST_TMPDIR/own.pid
    xensimd_launch "$SOCK" "$LOG" "$XENSIMD" --pidfile "$PIDFILE" "$@"
    PID=$XENSIMD_LAUNCHED_PID
    track_process "$PID" "xensimd on $SOCK"
}

# start_detached SOCKET PIDFILE LOG: xensimd without --foreground, its
# stderr (which the detached daemon keeps as its log) in LOG, so that
# `run` does not wait on the daemon's end of its pipe.
start_detached() {
    bounded "$XENSIMD" --socket "$1" --pidfile "$2" 2>>"$3" 3>&-
}

@test "xensimd -h prints its usage on stdout and exits 0" {
    run --separate-stderr bounded "$XENSIMD" -h
    assert_success
    assert_line --index 0 "Usage: xensimd [--socket PATH] [--pidfile FILE] [--foreground]"
    assert_output --partial "--socket PATH"
    assert_output --partial "--pidfile FILE"
    assert_output --partial "--foreground"
    assert_equal "$stderr" ""
}

@test "xensimd with an unknown option prints its usage on stderr and exits 2" {
    run --separate-stderr bounded "$XENSIMD" --frobnicate
    assert_failure 2
    assert_equal "$output" ""
    [[ $stderr == *"Usage: xensimd"* ]]
}

@test "xensimd with an argument that is not an option names it and exits 2" {
    run --separate-stderr bounded "$XENSIMD" --foreground stray
    assert_failure 2
    [[ $stderr == *"unexpected argument 'stray'"* ]]
}

@test "xensimd refuses a socket path too long for a UNIX socket and exits 2" {
    local long
    long=$BATS_TEST_TMPDIR/$(printf 'x%.0s' {1..120}).sock
    run --separate-stderr bounded "$XENSIMD" --foreground --socket "$long"
    assert_failure 2
    [[ $stderr == *"socket path '$long' is too long"* ]]
    [[ ! -e $long ]]
}

@test "the socket is a UNIX socket of mode 0600" {
    run stat -c '%F %a' "$XENSIM_SOCKET"
    assert_success
    assert_output "socket 600"
}

@test "the socket appears under its own name only: no temporary name is left beside it" {
    run ls -A "$BATS_FILE_TMPDIR"
    assert_success
    refute_output --regexp 'xensimd\.sock\.[0-9]+'
    assert_line xensimd.sock
}

@test "the pidfile holds the pid of the serving daemon" {
    run cat "$XENSIMD_PIDFILE"
    assert_success
    assert_output "$XENSIMD_PID"
}

# A client that sees the socket may take the daemon as ready, pidfile
# included.  The pidfile is a FIFO here, so that a daemon writing it with
# open+write blocks in open (wchan wait_for_partner) until the test reads
# it: the socket must not exist then.  A daemon that writes it by rename
# does not block: then, once the socket exists, the pidfile must be a
# file holding the pid.
@test "when the socket appears, the pidfile already holds the daemon's pid" {
    local sock=$BATS_TEST_TMPDIR/fifo.sock pidfile=$BATS_TEST_TMPDIR/fifo.pid pid wchan
    mkfifo "$pidfile"
    "$XENSIMD" --foreground --socket "$sock" --pidfile "$pidfile" \
        </dev/null 2>"$BATS_TEST_TMPDIR/fifo.log" 3>&- &
    pid=$!
    track_process "$pid" xensimd
    serving_or_writing_pidfile() {
        [[ -S $sock ]] && return 0
        wchan=$(cat "/proc/$pid/wchan" 2>/dev/null) || return 1
        [[ $wchan == wait_for_partner ]]
    }
    wait_ready "$pid" xensimd "$BATS_TEST_TMPDIR/fifo.log" \
        "xensimd serves or opens its pidfile" serving_or_writing_pidfile
    if [[ -p $pidfile ]]; then
        local early=no
        [[ ! -e $sock ]] || early=yes
        # Reading the FIFO lets the daemon go on (and stop in teardown).
        run bounded cat "$pidfile"
        assert_output "$pid"
        [[ $early == no ]] ||
            fail "the socket existed while xensimd was still opening its pidfile"
        wait_ready "$pid" xensimd "$BATS_TEST_TMPDIR/fifo.log" "$sock exists" test -S "$sock"
    else
        run cat "$pidfile"
        assert_output "$pid"
    fi
}

@test "a detached xensimd returns only once its socket serves" {
    local sock=$BATS_TEST_TMPDIR/detached.sock pid
    run start_detached "$sock" "$BATS_TEST_TMPDIR/d.pid" "$BATS_TEST_TMPDIR/detached.log"
    assert_success
    pid=$(cat "$BATS_TEST_TMPDIR/d.pid")
    track_process "$pid" "detached xensimd"
    # No wait: the socket must already be there and answer.
    [[ -S $sock ]]
    XENSIM_SOCKET=$sock run mkdomain
    assert_success
    assert_output --regexp '^[0-9]+$'
    # SIGTERM stops it (it is not our child: its status is not ours to see).
    kill -TERM "$pid"
    untrack_process "$pid"
    wait_until "the detached xensimd has exited" process_exited "$pid"
    [[ ! -e $sock && ! -e $BATS_TEST_TMPDIR/d.pid ]]
}

@test "XENSIM_SOCKET names the socket when --socket is not given" {
    local sock=$BATS_TEST_TMPDIR/env.sock pid
    XENSIM_SOCKET=$sock "$XENSIMD" --foreground \
        </dev/null 2>"$BATS_TEST_TMPDIR/env.log" 3>&- &
    pid=$!
    track_process "$pid" "xensimd on \$XENSIM_SOCKET"
    wait_ready "$pid" xensimd "$BATS_TEST_TMPDIR/env.log" "$sock exists" test -S "$sock"
    XENSIM_SOCKET=$sock run mkdomain
    assert_success
}

@test "a second xensimd on the same socket refuses with a clear message and exits 1" {
    local before after
    before=$(stat -c %i "$XENSIM_SOCKET")
    run --separate-stderr bounded "$XENSIMD" --foreground --socket "$XENSIM_SOCKET"
    assert_failure 1
    assert_equal "$stderr" "xensimd: another xensimd (pid $XENSIMD_PID) is already serving $XENSIM_SOCKET"
    # The first one still serves, on the same socket.
    after=$(stat -c %i "$XENSIM_SOCKET")
    assert_equal "$after" "$before"
    run mkdomain
    assert_success
}

@test "a second detached xensimd on the same socket also exits 1" {
    run start_detached "$XENSIM_SOCKET" "$BATS_TEST_TMPDIR/2.pid" "$BATS_TEST_TMPDIR/2.log"
    assert_failure 1
    run cat "$BATS_TEST_TMPDIR/2.log"
    assert_output "xensimd: another xensimd (pid $XENSIMD_PID) is already serving $XENSIM_SOCKET"
    [[ ! -e $BATS_TEST_TMPDIR/2.pid ]]
    run mkdomain
    assert_success
}

@test "SIGTERM stops xensimd with status 0 and removes its socket and pidfile" {
    start_own_daemon
    wait_until "the pidfile is written" test -s "$PIDFILE"
    untrack_process "$PID"
    stop_child "$PID" xensimd
    assert_equal "$STOPPED_STATUS" 0
    [[ ! -e $SOCK ]]
    [[ ! -e $PIDFILE ]]
    [[ ! -e $SOCK.lock ]]
    run tail -n 1 "$LOG"
    assert_output --regexp '^xensimd\[[0-9]+\]: stopped$'
}

@test "SIGTERM stops xensimd cleanly while it has domains, a device model and clients" {
    local dom
    start_own_daemon
    dom=$(XENSIM_SOCKET=$SOCK make_domain --vcpus 2)
    XENSIM_SOCKET=$SOCK demu_start "$dom" --map 0x100-0x10f
    XENSIM_SOCKET=$SOCK run xensim-guest "$dom" write 0x100000 4 7
    assert_success
    untrack_process "$PID"
    stop_child "$PID" xensimd
    assert_equal "$STOPPED_STATUS" 0
    [[ ! -e $SOCK && ! -e $PIDFILE ]]
    # demu notices that the hypervisor went away and exits by itself.
    untrack_process "$DEMU_PID"
    wait_until "demu has exited" process_exited "$DEMU_PID"
    wait "$DEMU_PID" || true
}

@test "a second daemon may serve the socket once the first has stopped" {
    start_own_daemon
    untrack_process "$PID"
    stop_child "$PID" xensimd
    assert_equal "$STOPPED_STATUS" 0
    start_own_daemon
    XENSIM_SOCKET=$SOCK run mkdomain
    assert_success
}

# Garbage clients: the daemon drops the connection, logs one line saying
# why, and goes on serving everyone else.  A domain made before keeps
# its memory.
garbage_leaves_daemon_serving() {
    local hex=$1 why=$2 dom
    dom=$(make_domain)
    run xensim-guest "$dom" write 0x2000 8 0x1122334455667788
    assert_success

    run send_raw_message "$hex"
    assert_success
    assert_output closed

    run xensimd_log_since_test
    assert_line --regexp "^xensimd\[$XENSIMD_PID\]: client [0-9]+ \(pid [0-9]+\) $why; closing its connection\$"
    run grep -c 'closing its connection' <<<"$output"
    assert_output 1

    run xensim-guest "$dom" read 0x2000 8
    assert_success
    assert_output 0x1122334455667788
    run mkdomain
    assert_success
}

@test "a message shorter than the header costs the client its connection, not the daemon" {
    garbage_leaves_daemon_serving 0b0000 \
        "sent a message whose size does not match its header"
}

@test "a message whose size does not match its header costs the client its connection" {
    # op 1 (hello), size 100, but no payload.
    garbage_leaves_daemon_serving 0100000064000000 \
        "sent a message whose size does not match its header"
}

@test "an unknown request costs the client its connection, not the daemon" {
    garbage_leaves_daemon_serving 0f27000000000000 "sent an unknown request 9999"
}

@test "a malformed request costs the client its connection, not the daemon" {
    # op 5 (domctl) with a 3-byte payload: no struct xen_domctl fits.
    garbage_leaves_daemon_serving 0500000003000000616263 "sent a malformed request"
}

@test "an HTTP request costs the client its connection, not the daemon" {
    # "GET / HTTP/1.0\r\n\r\n": op "GET ", size "/ HT".
    garbage_leaves_daemon_serving "$(printf 'GET / HTTP/1.0\r\n\r\n' | od -An -tx1 -v | tr -d ' \n')" \
        "sent a message whose size does not match its header"
}
