#!/usr/bin/env -S node --max-semi-space-size=64
// Runs the compiled ioc-coordinator (make build). Larger young-generation semi-spaces (V8's
// default is 16 MB) cut garbage-collection work in ingest by a fifth: ~12.5k → ~15k records/s
// on the embedded store (bench/coordinator-ingest.ts). A coordinator has the memory to spare.
import '../dist/cloud/main.js';
