#!/usr/bin/env node
// Runs the compiled ioc-coordinator (make build).
import '../dist/cloud/main.js';
