#!/usr/bin/env bash
# Runs every benchmark in bench/ (each prints one JSON object) and collects the results in
# bench/results/latest.json. `make bench BENCH=broker` runs just one.
set -uo pipefail
cd "$(dirname "$0")/.."
export LOG_LEVEL=${LOG_LEVEL:-warn}
mkdir -p bench/results
out=bench/results/latest.json
: > "$out.tmp"
status=0
for file in bench/*.ts; do
  name=$(basename "$file" .ts)
  if [ -n "${BENCH:-}" ] && [ "$name" != "$BENCH" ]; then continue; fi
  echo "== $name" >&2
  # The fleet simulation runs ten minutes per store plus the reconnect storms.
  limit=900
  if [ "$name" = fleet ]; then limit=3600; fi
  if line=$(timeout "$limit" node --import tsx "$file" | tail -n 1) && [ -n "$line" ]; then
    echo "$line" | tee -a "$out.tmp"
  else
    echo "{\"bench\":\"$name\",\"error\":\"failed or timed out\"}" | tee -a "$out.tmp"
    status=1
  fi
done
node -e 'const fs=require("fs");const lines=fs.readFileSync(process.argv[1],"utf8").trim().split("\n").filter(Boolean).map(l=>JSON.parse(l));fs.writeFileSync(process.argv[2],JSON.stringify({machine:{cpus:require("os").cpus().length,node:process.version},results:lines},null,2)+"\n")' "$out.tmp" "$out"
rm -f "$out.tmp"
echo "results: $out" >&2
exit $status
