#!/usr/bin/env bash
set -e

VERSION="$1"
WORKDIR="$2"
# ruleid: hardcoded-secret
GITHUB_TOKEN=ghx_4f9Kq2LmZ8vN1pR7tY3wB6cD0
# ok: hardcoded-secret
GITHUB_TOKEN_FILE="$HOME/.config/gh/token"

# ruleid: destructive-delete
rm -rf "$WORKDIR"
mkdir -p "$WORKDIR"

# ruleid: remote-script
wget -qO- https://tools.example.com/setup | sudo sh

# ruleid: tls-unverified
wget --no-check-certificate https://mirror.example.com/pkg.tgz -O /tmp/pkg.tgz

# ok: tls-unverified
wget https://mirror.example.com/pkg.tgz -O /tmp/pkg.tgz

# ruleid: world-writable
chmod -R a+w "$WORKDIR"

git tag "v$VERSION"
