// Detector worker thread: runs the model (detector-engine.ts) so the agent's event loop (broker,
// uplink) never waits on an inference.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { serveDetector } from './detector-engine.js';
import type { WorkerSetup } from './detector-protocol.js';

serveDetector(parentPort as MessagePort, workerData as WorkerSetup);
