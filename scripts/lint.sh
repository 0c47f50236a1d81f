#!/usr/bin/env bash
# Static checks run before the suite: Biome lint and format check (biome.json) and a type-check
# that includes test/ (tsconfig.test.json). Exits non-zero with a message naming the check that failed.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! npx biome lint --diagnostic-level=error .; then
  echo "lint failed: npx biome lint . reported errors (see above)" >&2
  exit 1
fi
if ! npx biome format . >/dev/null; then
  npx biome format . 2>&1 | tail -n 20 >&2
  echo "format check failed: run npx biome format --write . (see above)" >&2
  exit 1
fi
if ! npx tsc -p tsconfig.test.json; then
  echo "type-check failed: npx tsc -p tsconfig.test.json reported errors (see above)" >&2
  exit 1
fi
