#!/bin/sh
# Generate configure and the Makefile templates (nothing generated is
# committed).
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf --force --install
