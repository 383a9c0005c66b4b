#!/bin/sh
# xen-conformance against a private xensimd-debug: start the daemon on a
# temporary socket, run the program with XENSIM_SOCKET pointing at it
# (so it expects the simulator's behaviour where the project differs
# from Xen), pass its TAP through, then stop the daemon with SIGTERM.
# One more test at the end: the daemon exits 0, with no sanitizer report
# in its log.  The plan goes last, covering both.
set -u
top=${top_builddir:-.}
daemon=$top/xen/sim/xensimd-debug
prog=$top/tools/tests/xen-conformance
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xen-conformance.XXXXXX") || exit 1
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null
        kill -CONT "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

"$daemon" --foreground --socket "$tmp/sock" </dev/null \
    >"$tmp/xensimd.log" 2>&1 &
pid=$!

# The daemon renames its socket into place once it serves.  The bound is
# a hang guard, not a measurement.
tries=0
while [ ! -S "$tmp/sock" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        echo "Bail out! xensimd-debug exited with status $? before serving"
        sed 's/^/# /' "$tmp/xensimd.log"
        pid=
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ]; then
        echo "Bail out! xensimd-debug did not serve $tmp/sock in 60 s"
        exit 1
    fi
    sleep 0.1
done

XENSIM_SOCKET=$tmp/sock "$prog" --backend sim >"$tmp/out" 2>"$tmp/err"
status=$?

# Pass the program's TAP through, holding its plan back.
plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/out" | head -n 1)
grep -v '^1\.\.[0-9][0-9]*$' "$tmp/out"
sed 's/^/# stderr: /' "$tmp/err"
if [ -z "$plan" ]; then
    echo "Bail out! xen-conformance printed no plan (exit status $status)"
    exit 1
fi

kill -TERM "$pid"
wait "$pid"
dstatus=$?
pid=
n=$((plan + 1))
if [ "$dstatus" -eq 0 ] &&
   ! grep -Eq 'Sanitizer|runtime error' "$tmp/xensimd.log"; then
    echo "ok $n - xensimd-debug exits 0 on SIGTERM, no sanitizer report"
else
    echo "not ok $n - xensimd-debug exits 0 on SIGTERM, no sanitizer" \
         "report # exit status $dstatus"
    sed 's/^/# xensimd: /' "$tmp/xensimd.log"
fi
echo "1..$n"
[ "$status" -eq 0 ] && [ "$dstatus" -eq 0 ]
