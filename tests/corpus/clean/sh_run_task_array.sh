#!/bin/bash
# Run a maintenance command on every host listed in hosts.txt.
# usage: run-task.sh command [args...]
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi
LOG=/var/log/maintenance.log

while read -r host; do
  echo "== $host" >> "$LOG"
  ssh -- "deploy@$host" "$(printf '%q ' "$@")" >> "$LOG" 2>&1
done < hosts.txt

echo "done: $(wc -l < hosts.txt) hosts"
