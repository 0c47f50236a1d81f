#!/usr/bin/env bash
# Regenerates the TypeScript types of proto/edgelink.proto into proto/generated/.
# The generator writes extension-less relative imports; NodeNext ESM needs ".js".
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf proto/generated
npx proto-loader-gen-types --longs=Number --enums=String --defaults --oneofs --keepCase \
  --grpcLib=@grpc/grpc-js --outDir=proto/generated proto/edgelink.proto >/dev/null
find proto/generated -name '*.ts' -print0 |
  xargs -0 sed -i -E "s#(from '\.{1,2}/[^']+)';#\1.js';#"
echo "proto/generated regenerated"
