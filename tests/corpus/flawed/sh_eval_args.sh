#!/bin/sh
# Run a maintenance task on every host listed in hosts.txt.
# usage: run-task.sh "<command>"
TASK="$1"
LOG=/var/log/maintenance.log

while read -r host; do
  echo "== $host" >> "$LOG"
  eval "ssh deploy@$host $TASK" >> "$LOG" 2>&1
done < hosts.txt

echo "done: $(wc -l < hosts.txt) hosts"
