#!/bin/sh
# The hypervisor model (xen/, the daemon in xen/sim/ aside) is pure logic:
# it includes nothing from tools/, performs no I/O, and none of its
# internal headers hides one of Xen's public headers.  TAP output.
set -u
src=${top_srcdir:-.}
lib=${top_builddir:-.}/xen/.libs/libxencore.a
n=0
fail=0

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

echo "1..4"

core_files=$(find "$src/xen" -path "$src/xen/sim" -prune -o \
                  -name '*.[ch]' -print)

check "xen/ includes nothing from tools/" \
    "$(grep -n '#include.*tools/' $core_files)"

# What the model may call: memory, string and assertion helpers.
allowed='^(malloc|calloc|realloc|free|aligned_alloc|memcpy|memmove|memset|memcmp|__assert_fail|__stack_chk_fail|__popcountdi2)$'
if [ -f "$lib" ]; then
    # Symbols the archive needs from outside itself.
    nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort -u \
        > purity-defined.tmp
    external=$(nm -u "$lib" | awk 'NF == 2 {print $2}' | sort -u |
               comm -23 - purity-defined.tmp | grep -Ev "$allowed")
    rm -f purity-defined.tmp
    check "libxencore calls no I/O (only memory and string helpers)" \
        "$external"
else
    check "libxencore calls no I/O (only memory and string helpers)" \
        "missing $lib"
fi

check "xen/ includes no I/O headers" \
    "$(grep -nE '#include <(stdio|unistd|fcntl|pthread|time|signal)\.h>|#include <sys/' $core_files)"

shadowed=
for h in "$src"/xen/include/xen/*.h; do
    name=$(basename "$h")
    if [ -e "/usr/include/xen/$name" ]; then
        shadowed="$shadowed xen/include/xen/$name hides <xen/$name>"
    fi
done
check "no internal header hides a public Xen header" "$shadowed"

exit $fail
