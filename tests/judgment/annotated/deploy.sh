#!/bin/bash
set -euo pipefail

TARGET=$1
# ruleid: hardcoded-secret
export DB_PASSWORD="pr0d-Secr3t-2024"
# ok: hardcoded-secret
export DB_PASSWORD_FILE=/run/secrets/db

# ruleid: remote-script
curl -fsSL https://get.example.com/install.sh | bash

# ok: remote-script
curl -fsSL -o /tmp/install.sh https://get.example.com/install.sh

# ruleid: destructive-delete
rm -rf $TARGET/cache

# ok: destructive-delete
rm -rf "${TARGET:?}/cache"

# ruleid: tls-unverified
curl -k https://internal.example.com/health

# ok: tls-unverified
curl -fsS https://internal.example.com/health

# ruleid: world-writable
chmod 777 /srv/shared

# ok: world-writable
chmod 750 /srv/shared

# ruleid: shell-injection
eval "deploy --target $TARGET"
