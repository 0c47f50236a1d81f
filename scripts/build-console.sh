#!/usr/bin/env bash
# Builds the operator console (console/) into dist/console, which the coordinator serves at `/`.
# Type-checks it first with its own tsconfig (browser libs, Preact JSX).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p console/tsconfig.json
npx vite build --config console/vite.config.ts
