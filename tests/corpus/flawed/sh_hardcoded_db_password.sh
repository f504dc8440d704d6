#!/bin/bash
set -euo pipefail
# Nightly backup of the orders database to S3.

export PGPASSWORD="orders-Pr0d-2024!"
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

STAMP=$(date +%F)
OUT="/tmp/orders-$STAMP.sql.gz"

pg_dump -h db.internal -U orders orders | gzip > "$OUT"
aws s3 cp "$OUT" "s3://acme-backups/orders/$STAMP.sql.gz"
rm -f "$OUT"
