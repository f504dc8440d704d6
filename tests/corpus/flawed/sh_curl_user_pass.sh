#!/bin/bash
set -eu
# Trigger the nightly Jenkins job and wait for it.

JENKINS=https://ci.internal.example
JOB=nightly-build

curl -s -u admin:Jenk1ns-Adm1n -X POST "$JENKINS/job/$JOB/build"
sleep 10
for i in $(seq 1 60); do
  status=$(curl -s -u admin:Jenk1ns-Adm1n "$JENKINS/job/$JOB/lastBuild/api/json" | jq -r .result)
  if [ "$status" != "null" ]; then
    echo "build finished: $status"
    exit 0
  fi
  sleep 30
done
echo "timed out" >&2
exit 1
