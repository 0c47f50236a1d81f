#!/usr/bin/env node
// Runs the compiled edge-agent (make build).
import '../dist/edge/main.js';
