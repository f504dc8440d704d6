#!/bin/bash
# Prepare shared directories for the app containers (one shared group, no world write).
set -euo pipefail

APP_DIR=/srv/app
getent group appdata >/dev/null || groupadd --system appdata
mkdir -p "$APP_DIR/uploads" "$APP_DIR/cache" "$APP_DIR/logs"

chgrp -R appdata "$APP_DIR"
chmod -R 2770 "$APP_DIR/uploads" "$APP_DIR/cache" "$APP_DIR/logs"
echo "directories ready"
