#!/bin/sh
# The simulator's Xen libraries against Debian's (libxen-dev): the same
# SONAME; every function Debian's libxendevicemodel, libxenforeignmemory
# and libxenevtchn export, exported under the same version node; for
# libxenctrl and libxencall (subsets), every function we export carrying
# Debian's node; and nothing exported beyond Xen's API.  TAP output.
set -u
build=${top_builddir:-.}/tools/libs/sim
debian=${XEN_DEBIAN_LIBDIR:-/usr/lib/x86_64-linux-gnu}
n=0
fail=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

check() {
    n=$((n + 1))
    if [ -z "$2" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '%s\n' "$2" | sed 's/^/# /'
        fail=1
    fi
}

# "node name" for each function a shared object defines.
exports() {
    objdump -T "$1" | awk '$2 == "g" && $3 ~ /F/ && $4 != "*UND*" {
        print $(NF - 1), $NF }' | sort
}

soname() {
    objdump -p "$1" | awk '$1 == "SONAME" { print $2 }'
}

# The built object of a libtool library, from its .la.
built() {
    dlname=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$build/$1.la" 2>/dev/null)
    [ -n "$dlname" ] && echo "$build/.libs/$dlname"
}

if ! command -v objdump >/dev/null; then
    echo "1..0 # SKIP objdump (binutils) is missing"
    exit 0
fi
if [ ! -e "$debian/libxenctrl.so.4.17" ]; then
    echo "1..0 # SKIP Debian's Xen 4.17 libraries are not in $debian"
    exit 0
fi

echo "1..15"

# name, Debian's file, whether all of Debian's API is expected
for lib in libxendevicemodel:libxendevicemodel.so.1:all \
           libxenforeignmemory:libxenforeignmemory.so.1:all \
           libxenevtchn:libxenevtchn.so.1:all \
           libxenctrl:libxenctrl.so.4.17:subset \
           libxencall:libxencall.so.1:subset; do
    name=${lib%%:*}
    rest=${lib#*:}
    theirs=$debian/${rest%%:*}
    scope=${rest#*:}
    ours=$(built "$name")

    if [ -z "$ours" ] || [ ! -e "$ours" ]; then
        check "$name: SONAME ${rest%%:*}" "$name.la is not built"
        check "$name: Debian's version nodes" "$name.la is not built"
        check "$name: exports only Xen's API" "$name.la is not built"
        continue
    fi

    got=$(soname "$ours")
    want=$(soname "$theirs")
    if [ "$got" = "$want" ]; then
        check "$name: SONAME $want" ""
    else
        check "$name: SONAME $want" "ours is '$got'"
    fi

    exports "$theirs" > "$tmp/theirs"
    exports "$ours" > "$tmp/ours"
    if [ "$scope" = all ]; then
        # Every Debian export is ours, under its node, and no other is.
        check "$name: every Debian export, under Debian's node" \
            "$( (comm -23 "$tmp/theirs" "$tmp/ours" | sed 's/^/missing: /'
                 comm -13 "$tmp/theirs" "$tmp/ours" | sed 's/^/extra: /') )"
    else
        # Each of ours is Debian's function under Debian's node.
        check "$name: each export under Debian's node" \
            "$(comm -13 "$tmp/theirs" "$tmp/ours" |
               sed 's/^/not as in Debian: /')"
    fi

    # Nothing but Xen's names leaks out (the transport stays local).
    check "$name: exports only Xen's API" \
        "$(awk '{ print $2 }' "$tmp/ours" |
           grep -Ev '^(xendevicemodel|xenforeignmemory|xenevtchn|xc)_' |
           grep -Ev '^xencall([0-9]|_)')"
done

exit $fail
