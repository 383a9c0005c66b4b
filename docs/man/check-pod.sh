#!/bin/sh
# The manual pages: podchecker on every docs/man/*.pod of the source tree
# (an error or a warning fails), and for each one, the page that `make'
# builds from it (docs/man/NAME.SECTION in the build tree), so that a
# page whose source exists but which the build does not know about
# fails here rather than going missing from `make install'.  TAP output.
set -u
srcdir=${top_srcdir:-.}/docs/man
builddir=${top_builddir:-.}/docs/man
n=0

check() {
    n=$((n + 1))
    if [ -z "$2" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '%s\n' "$2" | sed 's/^/# /'
    fi
}

podchecker=${PODCHECKER:-}
if [ -z "$podchecker" ]; then
    podchecker=$(command -v podchecker) || podchecker=
fi
if [ -z "$podchecker" ]; then
    echo "Bail out! podchecker was not found: install the package perl"
    exit 1
fi

set -- "$srcdir"/*.pod
if [ ! -e "$1" ]; then
    echo "Bail out! no POD source in $srcdir"
    exit 1
fi

echo "1..$(($# * 2))"
for pod in "$@"; do
    name=${pod##*/}
    page=${name%.pod}

    # -warnings twice: the second level too (e.g. a link to a section
    # that is not there).  podchecker says "WARNING" without failing.
    out=$("$podchecker" -warnings -warnings "$pod" 2>&1)
    rc=$?
    if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -q 'WARNING\|ERROR'; then
        check "podchecker $name" "$out"
    else
        check "podchecker $name" ""
    fi

    if [ -s "$builddir/$page" ]; then
        check "$page is built" ""
    else
        check "$page is built" "$builddir/$page is missing: list $name \
in MAN_PODS and $page in MAN_PAGES of docs/man/local.mk, with a rule"
    fi
done
