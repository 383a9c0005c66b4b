#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot Debian's real Xen 4.17 under QEMU (TCG, an emulated AMD CPU with
# SVM and NPT), run the project's tests inside dom0, and report their
# results here.
#
#   tests/xen/run.sh [BUILD_DIR]
#
# BUILD_DIR (or $XEN_BUILD_DIR; default: the current directory) is a build
# directory configured --with-xen.  `make check-xen' runs this script.
#
# Phases:
#   packages   Debian's Xen, dom0 kernel and busybox, by name with
#              `apt-get download' (Debian's archive only), kept in a cache
#              so that a second run downloads nothing; unpacked with
#              `dpkg -x' (the unpacked tree is cached too).
#   initramfs  dom0's root: busybox, the Xen modules, xenstored,
#              xenconsoled, xen-init-dom0, Debian's xl, the project's
#              programs (PROGRAMS below), the test guest, and every shared
#              library they need (ldd); /init is tests/xen/dom0-init.sh.
#   boot       qemu-system-x86_64 loads Xen with its own multiboot loader
#              (no GRUB, no network), the serial console goes to a file.
#   tests      tests/xen/dom0-tests.sh prints TAP lines prefixed
#              "XENTEST: " on the console; this script prints them and
#              "N passed, N failed".
#
# Environment:
#   XEN_TEST_CACHE         package cache (default BUILD_DIR/tests/xen/cache)
#   XEN_TEST_TIMEOUT       seconds QEMU may run in all (default 600)
#   XEN_TEST_BOOT_TIMEOUT  seconds until dom0 must be up (default 180)
#   XEN_TEST_NO_MAKE       1: do not run make for the programs (make
#                          check-xen has built them)
#   XEN_TEST_KEEP          1: keep the temporary directory
#
# Exit status: 0 every test passed, 1 a test failed or the run did,
# 2 usage error.  The serial console is kept in
# BUILD_DIR/tests/xen/console.log.

set -euo pipefail

# The project's programs: one line each, PATH-IN-BUILD-DIR, whether the
# tests need it, and where it goes in dom0 (default /xen-tests/bin, which
# is in dom0's PATH).  Optional ones are included when they have been
# built.  The project's xl goes apart, not to hide Debian's.
PROGRAMS=(
    "tools/demu/demu                required"
    "tools/tests/mkdomain           required"
    "tests/xen/guest-peek           required"
    "tools/tests/xen-conformance    optional"
    "tools/xl/xl                    optional /xen-tests/toolstack"
)

# Debian's packages, by name; the kernel's is found at run time.
XEN_VERSION=4.17
PACKAGES=(
    "xen-hypervisor-$XEN_VERSION-amd64"
    "xen-utils-$XEN_VERSION"
    "xen-utils-common"
    "xenstore-utils"
    "busybox-static"
)
# Debian's Xen drivers that dom0 needs, built as modules.
MODULES=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs)

# README.md of the xen-in-qemu reference: this CPU and these arguments
# are the ones that work under TCG (no KVM: no nested VMX, and Xen meets
# instructions KVM cannot emulate here).
QEMU_ARGS=(-accel "tcg,thread=multi" -cpu "qemu64,+svm,+npt" -machine pc
           -smp 2 -m 1024 -nographic -monitor none -nic none -no-reboot)
XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M"
XEN_ARGS+=" dom0_max_vcpus=2 bootscrub=false loglvl=all guest_loglvl=all"
DOM0_ARGS="console=hvc0 earlyprintk=xen loglevel=4 rdinit=/init"

PREFIX="XENTEST: "

die() {
    echo "run.sh: $*" >&2
    exit 1
}

usage() {
    sed -n '/^#   tests\/xen\/run.sh/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'
}

now() {
    echo "$EPOCHREALTIME"
}

# Seconds from $1 to $2, one decimal.
elapsed() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

case "${1:-}" in
-h|--help)
    usage
    exit 0
    ;;
-*)
    usage >&2
    exit 2
    ;;
esac
[ $# -le 1 ] || { usage >&2; exit 2; }

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-${XEN_BUILD_DIR:-.}}
[ -d "$build" ] || die "no build directory '$build'"
build=$(cd "$build" && pwd)
[ -f "$build/config.status" ] ||
    die "'$build' is not a configured build directory (no config.status)"
# configure's AM_CONDITIONAL([WITH_XEN]) holds: its _TRUE prefix is empty.
grep -qF 'S["WITH_XEN_TRUE"]=""' "$build/config.status" ||
    die "'$build' was not configured --with-xen, so its programs run on" \
        "the simulator, not on Xen; configure a build directory with" \
        "'../configure --with-xen' and run this there"

for tool in qemu-system-x86_64:qemu-system-x86 cpio:cpio gzip:gzip \
            as:binutils ld:binutils apt-get:apt dpkg-deb:dpkg ldd:libc-bin \
            apt-cache:apt; do
    command -v "${tool%%:*}" > /dev/null ||
        die "${tool%%:*} is missing: install the package ${tool#*:}"
done

cache=${XEN_TEST_CACHE:-$build/tests/xen/cache}
mkdir -p "$cache/debs" "$build/tests/xen"
cache=$(cd "$cache" && pwd)
console="$build/tests/xen/console.log"

tmp=
qemu_pid=
cleanup() {
    local rc=$?
    if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2> /dev/null; then
        kill -TERM "$qemu_pid" 2> /dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$qemu_pid" 2> /dev/null || break
            sleep 0.2
        done
        kill -KILL "$qemu_pid" 2> /dev/null || true
        wait "$qemu_pid" 2> /dev/null || true
    fi
    if [ -n "$tmp" ] && [ "${XEN_TEST_KEEP:-0}" != 1 ]; then
        rm -rf "$tmp"
    elif [ -n "$tmp" ]; then
        echo "run.sh: kept $tmp" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xen-test.XXXXXX")
# QEMU's -initrd takes "PATH ARGS,PATH": no spaces or commas in paths.
case "$tmp" in
*[\ ,]*) die "the temporary directory '$tmp' has a space or a comma;" \
             "set TMPDIR to a plainer path" ;;
esac

t_start=$(now)

# ---------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------

# apt's candidate version of each package, in one call (apt is slow to
# start), as lines "PKG VERSION"; the kernel's package and version come
# from linux-image-amd64's Depends.
apt-cache show --no-all-versions linux-image-amd64 "${PACKAGES[@]}" \
        2> /dev/null |
    awk '$1 == "Package:" { pkg = $2 }
         $1 == "Version:" { print pkg, $2 }
         pkg == "linux-image-amd64" && $1 == "Depends:" &&
         match($0, /linux-image-[0-9][^ ,]* \(= [^)]*\)/) {
             split(substr($0, RSTART, RLENGTH), dep, /[ ()=]+/)
             print "kernel", dep[1], dep[2]
         }' > "$tmp/candidates"
read -r _ kpkg kversion < <(grep '^kernel ' "$tmp/candidates") || true
[ -n "${kpkg:-}" ] ||
    die "apt knows no linux-image-amd64: run apt-get update (Debian 12's" \
        "archive, main and security)"
kver=${kpkg#linux-image-}
PACKAGES+=("$kpkg")
echo "$kpkg $kversion" >> "$tmp/candidates"

# The cached .deb of PKG in VERSION, if any; other versions are removed.
cached() {
    local pkg=$1 want=$2 f have=
    for f in "$cache/debs/${pkg}"_*.deb; do
        [ -e "$f" ] || continue
        if [ "$(dpkg-deb -f "$f" Package Version | tr '\n' ' ')" = \
             "Package: $pkg Version: $want " ]; then
            have=$f
        else
            rm -f "$f"
        fi
    done
    echo "$have"
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    want=$(awk -v p="$pkg" '$1 == p { print $2 }' "$tmp/candidates")
    if [ -z "$want" ] || [ "$want" = "(none)" ]; then
        die "apt knows no package $pkg: run apt-get update (Debian 12's" \
            "archive, main and security)"
    fi
    [ -n "$(cached "$pkg" "$want")" ] || missing+=("$pkg=$want")
done
if [ ${#missing[@]} -gt 0 ]; then
    (cd "$cache/debs" && apt-get download -q "${missing[@]}") \
        > "$tmp/apt.log" 2>&1 ||
        { cat "$tmp/apt.log" >&2; die "apt-get download ${missing[*]} failed"; }
fi
debs=()
for pkg in "${PACKAGES[@]}"; do
    want=$(awk -v p="$pkg" '$1 == p { print $2 }' "$tmp/candidates")
    f=$(cached "$pkg" "$want")
    [ -n "$f" ] || die "apt-get download $pkg=$want left no .deb"
    debs+=("$f")
done
new=${#missing[@]}

# The project was built against the host's libxen-dev: it must be the
# Xen that boots, or libxenctrl and the hypervisor disagree.
xen_deb=${debs[0]}
xen_ver=$(dpkg-deb -f "$xen_deb" Version)
host_ver=$(dpkg-query -W -f '${Version}' libxen-dev 2> /dev/null || true)
[ "$host_ver" = "$xen_ver" ] ||
    die "the build uses libxen-dev ${host_ver:-(not installed)} but" \
        "Debian's archive has Xen $xen_ver: apt-get install libxen-dev" \
        "to bring them together, and rebuild"

# Unpack once per set of packages.
root="$cache/unpacked"
stamp=$(for f in "${debs[@]}"; do basename "$f"; done)
if [ ! -f "$root.stamp" ] || [ "$(cat "$root.stamp")" != "$stamp" ]; then
    rm -rf "$root" "$root.stamp"
    mkdir -p "$root"
    for f in "${debs[@]}"; do
        dpkg -x "$f" "$root"
    done
    # QEMU's multiboot loader takes Xen's 32-bit ELF, uncompressed.
    gzip -dc "$root/boot/xen-$XEN_VERSION-amd64.gz" > "$root/xen.elf"
    echo "$stamp" > "$root.stamp"
    unpacked=yes
else
    unpacked=no
fi
t_packages=$(now)
echo "packages: Xen $xen_ver, kernel $kver; $new downloaded," \
     "unpacked: $unpacked ($(elapsed "$t_start" "$t_packages") s)"

# ---------------------------------------------------------------------
# Initramfs
# ---------------------------------------------------------------------

if [ "${XEN_TEST_NO_MAKE:-0}" != 1 ]; then
    targets=()
    for p in "${PROGRAMS[@]}"; do
        read -r path need dest <<< "$p"
        [ "$need" = required ] && targets+=("$path")
    done
    make -C "$build" --no-print-directory -s "${targets[@]}" \
        tests/xen/guest/guest.elf ||
        die "cannot build ${targets[*]} tests/xen/guest/guest.elf in $build"
fi

rd="$tmp/root"
mkdir -p "$rd"/{bin,sbin,usr/bin,usr/sbin,lib64,etc/xen,lib/modules/xen} \
         "$rd"/xen-tests/bin "$rd/usr/lib/xen-$XEN_VERSION/bin"
elfs=()

install -m 755 "$root/bin/busybox" "$rd/bin/busybox"
install -m 755 "$srcdir/dom0-init.sh" "$rd/init"
install -m 755 "$srcdir/dom0-tests.sh" "$rd/xen-tests/dom0-tests.sh"

# Debian's dom0 programs; xl is the system toolstack.
for b in xl xenstored xenconsoled xen-init-dom0; do
    install -m 755 "$root/usr/lib/xen-$XEN_VERSION/bin/$b" \
        "$rd/usr/lib/xen-$XEN_VERSION/bin/$b"
    elfs+=("$rd/usr/lib/xen-$XEN_VERSION/bin/$b")
done
cp -a "$root"/usr/bin/xenstore* "$rd/usr/bin/"
elfs+=("$rd/usr/bin/xenstore")
cp -a "$root"/etc/xen/xl.conf "$rd/etc/xen/"

# The project's programs.  A libtool wrapper script stands for the real
# program in .libs/.
included=()
for p in "${PROGRAMS[@]}"; do
    read -r path need dest <<< "$p"
    dest=${dest:-/xen-tests/bin}
    f="$build/$path"
    if [ -f "$f" ] && head -c 2 "$f" | grep -q '#!'; then
        f="$(dirname "$f")/.libs/$(basename "$f")"
    fi
    if [ ! -x "$f" ]; then
        [ "$need" = optional ] && continue
        die "$path has not been built in $build (make $path)"
    fi
    mkdir -p "$rd$dest"
    install -m 755 "$f" "$rd$dest/$(basename "$path")"
    elfs+=("$rd$dest/$(basename "$path")")
    included+=("$(basename "$path")")
done

# The project's own shared library (libxl), from the build directory,
# put where dom0's loader looks.  Never the simulator's libraries, which
# a --with-xen build has too: on real Xen, Xen's are Debian's.
project_libs=$build/tools/libxl/.libs

# The test guest: the build's, or assembled here (binutils only).
guest="$build/tests/xen/guest/guest.elf"
if [ ! -f "$guest" ] || [ "$guest" -ot "$srcdir/guest/guest.S" ] ||
   [ "$guest" -ot "$srcdir/guest/guest.ld" ]; then
    as --32 -o "$tmp/guest.o" "$srcdir/guest/guest.S"
    ld -m elf_i386 -T "$srcdir/guest/guest.ld" -o "$tmp/guest.elf" \
        "$tmp/guest.o"
    guest="$tmp/guest.elf"
fi
install -m 644 "$guest" "$rd/xen-tests/guest.elf"

# Kernel modules, each after those it depends on (from .modinfo; the
# package has no modules.dep, depmod writes it at installation).
kmods="$root/lib/modules/$kver/kernel"
modpath() {
    find "$kmods/drivers/xen" "$kmods" -name "$1.ko" -print -quit
}
declare -A loaded=()
add_module() {
    local name=$1 f dep
    [ -z "${loaded[$name]:-}" ] || return 0
    f=$(modpath "$name")
    [ -n "$f" ] || die "no module $name.ko in linux-image-$kver"
    for dep in $(strings -a "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    loaded[$name]=1
    cp "$f" "$rd/lib/modules/xen/"
    echo "$name.ko" >> "$rd/xen-tests/modules.list"
}
for m in "${MODULES[@]}"; do
    add_module "$m"
done

# Shared libraries, from the host: its libxen-dev is Debian's same Xen
# (checked above).  libgcc_s is loaded by glibc's pthread_cancel.
{
    for e in "${elfs[@]}"; do
        out=$(LD_LIBRARY_PATH="$project_libs" ldd "$e" 2>&1) ||
            die "ldd $e failed: $out"
        if grep -q 'not found' <<< "$out"; then
            die "$e needs libraries this machine lacks:" \
                "$(grep 'not found' <<< "$out")"
        fi
        awk '$2 == "=>" && $3 ~ /^\// { print $3 }
             $1 ~ /^\// { print $1 }' <<< "$out"
    done
    ls /lib/x86_64-linux-gnu/libgcc_s.so.1
} | sort -u > "$tmp/libs"
while read -r lib; do
    case $lib in
    "$build"/*)
        # The project's: into the loader's default directory.
        dest=/lib/x86_64-linux-gnu/$(basename "$lib") ;;
    *)
        dest=$lib ;;
    esac
    mkdir -p "$rd$(dirname "$dest")"
    cp -L "$lib" "$rd$dest"
done < "$tmp/libs"

echo 'root:x:0:0:root:/root:/bin/sh' > "$rd/etc/passwd"
echo 'root:x:0:' > "$rd/etc/group"

(cd "$rd" && find . | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$tmp/initrd.gz"
cp "$root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
t_initramfs=$(now)
echo "initramfs: $(du -k "$tmp/initrd.gz" | cut -f1) KiB gzipped; project" \
     "programs: ${included[*]} ($(elapsed "$t_packages" "$t_initramfs") s)"

# ---------------------------------------------------------------------
# Boot and tests
# ---------------------------------------------------------------------

timeout=${XEN_TEST_TIMEOUT:-600}
boot_timeout=${XEN_TEST_BOOT_TIMEOUT:-180}
: > "$console"
qemu-system-x86_64 "${QEMU_ARGS[@]}" -serial "file:$console" \
    -kernel "$root/xen.elf" -append "$XEN_ARGS" \
    -initrd "$tmp/vmlinuz $DOM0_ARGS,$tmp/initrd.gz" \
    < /dev/null > "$tmp/qemu.err" 2>&1 &
qemu_pid=$!
t_qemu=$(now)
echo "boot: QEMU $qemu_pid started (timeout ${timeout} s)"

# The host's clock when it first saw each of dom0's markers (polled, so
# within 0.2 s).
declare -A seen=()
markers=(dom0-up toolstack-up tests-begin tests-end poweroff)
scan_markers() {
    local m
    for m in "${markers[@]}"; do
        if [ -z "${seen[$m]:-}" ] &&
           grep -aqF "$PREFIX#@ $m " "$console"; then
            seen[$m]=$1
            if [ "$m" = dom0-up ]; then
                echo "boot: dom0 up after $(elapsed "$t_qemu" "$1") s"
            fi
        fi
    done
}
why_stopped=
while kill -0 "$qemu_pid" 2> /dev/null; do
    t=$(now)
    scan_markers "$t"
    # dom0 powers off; if QEMU lingers after that, it is done anyway.
    if [ -n "${seen[poweroff]:-}" ] &&
       [ "$(elapsed "${seen[poweroff]}" "$t" | cut -d. -f1)" -ge 15 ]; then
        why_stopped="QEMU did not exit 15 s after dom0 powered off"
        break
    fi
    if [ -z "${seen[dom0-up]:-}" ] &&
       [ "$(elapsed "$t_qemu" "$t" | cut -d. -f1)" -ge "$boot_timeout" ]; then
        why_stopped="dom0 was not up after $boot_timeout s"
        break
    fi
    if [ "$(elapsed "$t_qemu" "$t" | cut -d. -f1)" -ge "$timeout" ]; then
        why_stopped="the run took more than $timeout s"
        break
    fi
    sleep 0.2
done
qemu_rc=0
if [ -z "$why_stopped" ]; then
    wait "$qemu_pid" || qemu_rc=$?
    qemu_pid=
else
    echo "boot: $why_stopped; stopping QEMU" >&2
    kill -TERM "$qemu_pid" 2> /dev/null || true
    wait "$qemu_pid" 2> /dev/null || true
    qemu_pid=
    qemu_rc="none: stopped by run.sh"
fi
t_end=$(now)
scan_markers "$t_end"           # those printed since the last poll

# ---------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------

tail_console() {
    echo "--- last 40 lines of the console ($console) ---" >&2
    tail -n 40 "$console" | tr -d '\r' >&2
    if [ -s "$tmp/qemu.err" ]; then
        echo "--- QEMU's stderr ---" >&2
        cat "$tmp/qemu.err" >&2
    fi
    echo "---" >&2
}

# The TAP lines, prefix and carriage returns removed.
grep -a -F "$PREFIX" "$console" | tr -d '\r' |
    sed "s/^.*$PREFIX//" > "$tmp/tap" || true

plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tmp/tap" | head -n 1)
# TAP: "ok ... # SKIP" is a skip; "not ok ... # TODO" a known failure,
# not counted as one.
skipped=$(grep -c '^ok [0-9].*# *SKIP' "$tmp/tap" || true)
passed=$(( $(grep -c '^ok [0-9]' "$tmp/tap" || true) - skipped ))
todo=$(grep -c '^not ok [0-9].*# *TODO' "$tmp/tap" || true)
failed=$(( $(grep -c '^not ok [0-9]' "$tmp/tap" || true) - todo ))
problem=

if [ -z "${seen[dom0-up]:-}" ]; then
    problem="Xen or dom0 never came up: no dom0 shell on the console"
elif [ -z "${seen[tests-begin]:-}" ]; then
    problem="dom0 came up but the tests never started"
elif [ -z "$plan" ]; then
    problem="the tests printed no plan"
elif [ -z "${seen[tests-end]:-}" ]; then
    problem="the tests did not finish"
fi
[ -z "$problem" ] || [ -z "$why_stopped" ] || problem+=" ($why_stopped)"

grep -v '^#@ ' "$tmp/tap" || true
ran=$((passed + failed + skipped + todo))
if [ -n "$plan" ] && [ "$ran" -lt "$plan" ]; then
    echo "# $((plan - ran)) of $plan planned tests did not run"
    failed=$((failed + plan - ran))
fi
if [ -n "$problem" ]; then
    echo "run.sh: $problem" >&2
    tail_console
    [ "$failed" -gt 0 ] || failed=1
fi

# Timings: the host's clock up to dom0's shell and at the end; in
# between, dom0's uptime in its markers, which polling does not blur.
uptime_at() {
    sed -n "s/^#@ $1 \([0-9.]*\)$/\1/p" "$tmp/tap" | head -n 1
}
span() {
    if [ -n "$1" ] && [ -n "$2" ]; then
        echo "$(elapsed "$1" "$2") s"
    else
        echo "-"
    fi
}
echo "timings: packages $(span "$t_start" "$t_packages")," \
     "initramfs $(span "$t_packages" "$t_initramfs")," \
     "boot to dom0 shell $(span "$t_qemu" "${seen[dom0-up]:-}")," \
     "toolstack $(span "$(uptime_at dom0-up)" "$(uptime_at toolstack-up)")," \
     "tests $(span "$(uptime_at tests-begin)" "$(uptime_at tests-end)")," \
     "shutdown $(span "${seen[tests-end]:-}" "$t_end")," \
     "total $(span "$t_start" "$t_end")"
echo "console: $console (QEMU exit status $qemu_rc)"
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary+=", $skipped skipped"
[ "$todo" -eq 0 ] || summary+=", $todo known failures (TODO)"
echo "$summary"
[ "$failed" -eq 0 ] && [ -z "$problem" ]
