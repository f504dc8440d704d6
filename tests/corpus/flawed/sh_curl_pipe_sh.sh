#!/bin/bash
# Provision a fresh build agent.
set -e

apt-get update
apt-get install -y git build-essential

# Node via the vendor's installer
curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -
apt-get install -y nodejs

# Our own tooling
curl -s https://tools.example.com/install.sh | sh

mkdir -p /opt/agent
useradd --system --home /opt/agent agent || true
echo "agent provisioned"
