// A detector worker that can be told to fail its next inference: crash the thread, hang past
// the pool's watchdog, or throw. Otherwise it is the production worker (the same engine). The
// fault is armed over a BroadcastChannel (see detector-faults.ts), so the pool's own messages
// and the production worker stay as they are.
import { BroadcastChannel, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { detect, serveDetector, type DetectRequest } from '../../edge/camera/detector-engine.js';
import type { WorkerSetup } from '../../edge/camera/detector-protocol.js';
import { IocError } from '../../common/errors.js';
import { FAULT_CHANNEL, type FaultMode } from './detector-faults.js';

let armed: FaultMode | undefined;
const channel = new BroadcastChannel(FAULT_CHANNEL);
channel.onmessage = (event) => {
  armed = (event as { data: FaultMode }).data;
  channel.postMessage(`armed:${armed}`);
};

async function faultyDetect(request: DetectRequest) {
  const fault = armed;
  armed = undefined;
  if (fault === 'crash') process.exit(70);
  if (fault === 'hang') for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  if (fault === 'throw') throw new IocError('INTERNAL', 'injected detector fault');
  return detect(request);
}

serveDetector(parentPort as MessagePort, workerData as WorkerSetup, faultyDetect);
