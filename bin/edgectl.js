#!/usr/bin/env node
// Runs the compiled edgectl (make build).
import '../dist/edge/cli/main.js';
