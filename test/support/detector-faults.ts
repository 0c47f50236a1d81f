// Faults for the detector's recovery tests: a Detector built with `workerModule:
// FAULTY_DETECTOR_WORKER` runs faulty-detector-worker.ts, and `armFault` makes the next
// inference of its worker crash, hang or throw. The pool's recovery (restart, counting) is the
// real one.
import { BroadcastChannel } from 'node:worker_threads';

export type FaultMode = 'crash' | 'hang' | 'throw';

export const FAULT_CHANNEL = 'ioc-edge-detector-fault';
export const FAULTY_DETECTOR_WORKER = new URL('./faulty-detector-worker.ts', import.meta.url);

/** Resolves once a worker has the fault armed, so the next detect request meets it. */
export function armFault(mode: FaultMode, timeoutMs = 10_000): Promise<void> {
  const channel = new BroadcastChannel(FAULT_CHANNEL);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close();
      reject(new Error(`no detector worker armed ${mode} within ${timeoutMs} ms`));
    }, timeoutMs);
    channel.onmessage = (event) => {
      if ((event as { data: unknown }).data !== `armed:${mode}`) return;
      clearTimeout(timer);
      channel.close();
      resolve();
    };
    channel.postMessage(mode);
  });
}
