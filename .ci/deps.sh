#!/usr/bin/env bash
# Install, from Debian's archive, what the build, the tests and the demo
# need (Debian 12).  Used by .ci/run and examples/demo.sh.
set -euo pipefail

packages=(
    # the build
    build-essential autoconf automake libtool pkg-config flex bison
    libxen-dev libyajl-dev
    # the tests
    libcmocka-dev bats bats-support bats-assert valgrind jq
    # real Xen under QEMU (make check-xen)
    qemu-system-x86 cpio
)

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${packages[@]}"
