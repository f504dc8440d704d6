#!/bin/bash
# Prepare shared directories for the app containers.
set -e

APP_DIR=/srv/app
mkdir -p "$APP_DIR/uploads" "$APP_DIR/cache" "$APP_DIR/logs"

# containers run as different users; make sure everyone can write
chmod -R 777 "$APP_DIR"

chown -R www-data:www-data "$APP_DIR/uploads"
echo "directories ready"
