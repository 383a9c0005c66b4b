#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the dom0 initramfs that tests/xen/run.sh builds: bring up
# dom0's side of Xen (the kernel modules, xenstored, xen-init-dom0,
# xenconsoled), run /xen-tests/dom0-tests.sh, and power the machine off.
#
# Every line meant for the host starts with "XENTEST: ", the prefix
# run.sh looks for in the serial console: TAP lines from the tests, and
# "#@ NAME UPTIME" markers that let the host time the phases.  Whatever
# happens, the machine powers off at the end, so QEMU exits.

/bin/busybox --install -s /bin
export PATH=/xen-tests/bin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin
export TAP_PREFIX="XENTEST: "

mark() {
    echo "${TAP_PREFIX}#@ $1 $(cut -d' ' -f1 /proc/uptime)"
}

# Lines that explain a failure to bring dom0 up, as TAP comments.
fail() {
    echo "${TAP_PREFIX}# dom0 setup: $*"
}

mkdir -p /proc /sys /dev /run /tmp /var/lib/xenstored /var/lib/xen \
         /var/log/xen/console /etc/xen
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts /run/xen /run/xenstored /run/lock
mount -t devpts devpts /dev/pts
ln -sfn /run /var/run
ln -sfn /run/lock /var/lock
mark dom0-up

# The Xen drivers Debian builds as modules, in an order that satisfies
# their dependencies (run.sh wrote it).
while read -r ko; do
    insmod "/lib/modules/xen/$ko" || fail "insmod $ko failed"
done < /xen-tests/modules.list
mount -t xenfs xenfs /proc/xen || fail "cannot mount xenfs"

xenstored --pid-file /run/xenstored.pid || fail "xenstored failed ($?)"
# xenstored daemonises before its socket is ready on a slow machine.
i=0
while [ ! -S /run/xenstored/socket ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
xen-init-dom0 || fail "xen-init-dom0 failed ($?)"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
    --log-dir=/var/log/xen/console || fail "xenconsoled failed ($?)"
mark toolstack-up

mark tests-begin
sh /xen-tests/dom0-tests.sh
mark tests-end

sync
mark poweroff
# poweroff ends Xen and QEMU; if it cannot, a reboot does, since run.sh
# starts QEMU with -no-reboot.
poweroff -f
sleep 5
reboot -f
