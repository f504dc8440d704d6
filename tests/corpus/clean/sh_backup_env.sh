#!/bin/bash
set -euo pipefail
# Nightly backup of the orders database to S3.
# PGPASSFILE and the instance role provide the credentials; nothing secret lives here.

: "${PGPASSFILE:?PGPASSFILE must point at a .pgpass file}"

STAMP=$(date +%F)
OUT=$(mktemp "/tmp/orders-$STAMP.XXXXXX.sql.gz")
trap 'rm -f "$OUT"' EXIT

pg_dump -h db.internal -U orders orders | gzip > "$OUT"
aws s3 cp "$OUT" "s3://acme-backups/orders/$STAMP.sql.gz"
