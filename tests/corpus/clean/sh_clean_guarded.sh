#!/bin/bash
# Clean old build output before a release build.
set -euo pipefail

BUILD_ROOT=${1:?usage: clean.sh BUILD_ROOT [KEEP_DAYS]}
KEEP_DAYS=${2:-7}

echo "cleaning $BUILD_ROOT"
rm -rf -- "${BUILD_ROOT:?}"/*
find /var/cache/builds -mindepth 1 -maxdepth 1 -mtime "+$KEEP_DAYS" -exec rm -rf -- {} +

mkdir -p "$BUILD_ROOT/dist"
cp -r src/. "$BUILD_ROOT/"
make -C "$BUILD_ROOT" release
