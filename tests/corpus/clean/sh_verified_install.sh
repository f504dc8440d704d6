#!/bin/bash
# Provision a fresh build agent from the distribution's packages.
set -euo pipefail

apt-get update
apt-get install -y git build-essential nodejs npm

TOOLS_VERSION=2.4.1
TOOLS_SHA256=3f7a9c2d5e8b1a4f6c0d9e2b7a5c8f1d4e6b9a2c5f8d1e4b7a0c3f6d9e2b5a8c
curl -fsSL -o /tmp/tools.tgz "https://tools.example.com/releases/tools-$TOOLS_VERSION.tgz"
echo "$TOOLS_SHA256  /tmp/tools.tgz" | sha256sum --check --strict
tar -xzf /tmp/tools.tgz -C /usr/local/bin

mkdir -p /opt/agent
id agent >/dev/null 2>&1 || useradd --system --home /opt/agent agent
echo "agent provisioned"
