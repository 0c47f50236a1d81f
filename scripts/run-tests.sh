#!/usr/bin/env bash
# Runs the tap suite and ends with one line "N passed, N failed" (assertions).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
log=test-artifacts/tap-output.txt
npx tap --reporter=tap "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -a -E '^# \{ total: [0-9]+' "$log" | tail -n 1)
total=$(sed -E 's/.*total: ([0-9]+).*/\1/' <<<"$summary")
pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
total=${total:-0}; pass=${pass:-0}; fail=${fail:-0}
if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=$(( total - pass > 0 ? total - pass : 1 )); fi
echo "$pass passed, $fail failed"
exit "$status"
