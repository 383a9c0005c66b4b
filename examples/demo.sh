#!/usr/bin/env bash
# The main job, on the simulated hypervisor: start xensimd, create the
# example guest (examples/guest.cfg) with ioreq_pages and demu, have the
# guest write to tracked and untracked pages, and show what `xl ioreq-*`
# and demu's log say; then reset the pages and tear everything down.
#
# On a fresh Debian 12 machine it first installs what the build needs and
# builds the project in build/ (or $BUILD_DIR).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

if [ ! -x "$build/tools/xl/xl" ]; then
    echo "== installing what the build needs, and building in $build"
    bash "$top/.ci/deps.sh"
    (cd "$top" && ./autogen.sh)
    mkdir -p "$build"
    (cd "$build" && "$top/configure" && make -j"$(nproc)")
fi

xl="$build/tools/xl/xl"
guest="$build/tools/xensim-guest/xensim-guest"
work=$(mktemp -d /tmp/xen-ioreq-demo.XXXXXX)
export XENSIM_SOCKET="$work/xensimd.sock"

cleanup() {
    "$xl" destroy demo-guest > /dev/null 2>&1 || true
    [ -f "$work/xensimd.pid" ] && kill "$(cat "$work/xensimd.pid")" 2>/dev/null
    sleep 0.2
    rm -rf "$work"
}
trap cleanup EXIT

run() {
    echo "\$ $*"
    "$@"
    echo
}

echo "== the simulated hypervisor"
run "$build/xen/sim/xensimd" --socket "$XENSIM_SOCKET" \
    --pidfile "$work/xensimd.pid"

echo "== the guest, with demu tracking its pages"
run cat "$top/examples/guest.cfg"
# Settings after the file use its syntax: strings in quotes.
run "$xl" create "$top/examples/guest.cfg" \
    "device_model_override=\"$build/tools/demu/demu\"" \
    "device_model_args+=[\"--log\",\"$work/demu.log\"]"
run "$xl" list
domid=$("$xl" domid demo-guest)
run "$xl" ioreq-list demo-guest
run "$xl" ioreq-servers demo-guest

echo "== the guest writes: to a tracked page (gfn 0x100) and an untracked one"
run "$guest" "$domid" write 0x100010 4 0x12345678
run "$guest" "$domid" --vcpu 1 rmw add 0x100010 4 0x10
run "$guest" "$domid" write 0x300000 4 0xcafe
echo "demu saw the tracked writes only (the add as its final value):"
run cat "$work/demu.log"
echo "reads come from RAM, which demu wrote through:"
run "$guest" "$domid" read 0x100010 4

echo "== more pages, fewer pages"
run "$xl" ioreq-map demo-guest 0x300+4
run "$xl" ioreq-unmap demo-guest 0x200
run "$xl" ioreq-list -j demo-guest

echo "== reset: every page back to ordinary RAM"
run "$xl" ioreq-reset demo-guest
run "$xl" ioreq-list demo-guest
run "$guest" "$domid" write 0x100010 4 0x9999
echo "that write went straight to RAM; demu's log is unchanged:"
run cat "$work/demu.log"

run "$xl" destroy demo-guest
echo "== done"
