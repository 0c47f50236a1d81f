// A worker process of the fleet bench: hosts a share of the simulated boxes (so the generator is
// not one event loop) and runs the commands the bench sends over IPC.
import { randomBytes } from 'node:crypto';
import { FleetBox, type BoxIdentity, type BoxSink } from './fleet-box.js';

export interface WorkerInit {
  address: string;
  boxes: (BoxIdentity & { index: number; outage: boolean })[];
  /** Boxes connect spread over this long, as a fleet coming up does, not in one instant. */
  rampMs: number;
}

export type WorkerCommand =
  | { cmd: 'connect' }
  | { cmd: 'collect' }
  | { cmd: 'outage'; backlogMinutes: number }
  | { cmd: 'reconnect'; timeoutMs: number }
  | { cmd: 'progress' }
  | { cmd: 'stop' };

/** What the boxes measured since the last collect, by group (outage boxes vs the rest). */
export interface GroupSample {
  ackLatenciesMs: number[];
  batches: number;
  records: number;
}

export interface CollectReply {
  steady: GroupSample;
  outage: GroupSample;
  refused: string[];
  produced: number;
  dropped: number;
  backlogRecords: number;
  connected: number;
  streamsLost: number;
}

/** Per outage box during the storm: records acknowledged since it reconnected, and its backlog. */
export interface ProgressReply {
  boxes: { ackedRecords: number; backlogRecords: number }[];
}

export interface ReconnectReply {
  /** Per outage box: backlog records at reconnect and ms until all of them were acked (NaN: never). */
  boxes: { deviceId: string; backlogRecords: number; drainMs: number }[];
}

const THUMBNAIL_BYTES = 6 * 1024;

class GroupSink implements BoxSink {
  sample: GroupSample = { ackLatenciesMs: [], batches: 0, records: 0 };
  constructor(private readonly refusals: string[]) {}
  acked(latencyMs: number, records: number): void {
    this.sample.ackLatenciesMs.push(latencyMs);
    this.sample.batches++;
    this.sample.records += records;
  }
  refused(deviceId: string, reason: string): void {
    if (this.refusals.length < 20) this.refusals.push(`${deviceId}: ${reason}`);
  }
  take(): GroupSample {
    const s = this.sample;
    this.sample = { ackLatenciesMs: [], batches: 0, records: 0 };
    return s;
  }
}

export class FleetWorker {
  private readonly refusals: string[] = [];
  private readonly steadySink = new GroupSink(this.refusals);
  private readonly outageSink = new GroupSink(this.refusals);
  private readonly boxes: { box: FleetBox; outage: boolean }[];

  constructor(private readonly init: WorkerInit) {
    // Camera thumbnails are JPEG: incompressible, so random bytes stand in for them.
    const thumbnail = randomBytes(THUMBNAIL_BYTES);
    this.boxes = init.boxes.map((b) => ({
      outage: b.outage,
      box: new FleetBox(b, init.address, thumbnail, b.outage ? this.outageSink : this.steadySink, (b.index * 7919) % 60_000),
    }));
  }

  async run(command: WorkerCommand): Promise<unknown> {
    switch (command.cmd) {
      case 'connect':
        return this.connectAll();
      case 'collect':
        return this.collect();
      case 'outage':
        for (const { box, outage } of this.boxes) {
          if (!outage) continue;
          box.disconnect();
          box.addBacklog(command.backlogMinutes);
        }
        return this.collect();
      case 'reconnect':
        return this.reconnect(command.timeoutMs);
      case 'progress':
        return this.progress();
      case 'stop':
        for (const { box } of this.boxes) box.close();
        return { stopped: true };
    }
  }

  private async connectAll(): Promise<{ connected: number; failed: string[] }> {
    const failed: string[] = [];
    const gapMs = this.init.rampMs / Math.max(1, this.boxes.length);
    await Promise.all(
      this.boxes.map(async ({ box }, i) => {
        await new Promise((r) => setTimeout(r, i * gapMs));
        try {
          await box.connect();
          box.startProducing();
        } catch (err) {
          failed.push(`${box.identity.deviceId}: ${(err as Error).message}`);
        }
      }),
    );
    return { connected: this.boxes.length - failed.length, failed };
  }

  private readonly stormBacklog = new Map<FleetBox, number>();

  private progress(): ProgressReply {
    return { boxes: [...this.stormBacklog].map(([box, backlogRecords]) => ({ ackedRecords: box.drainAckedRecords, backlogRecords })) };
  }

  private collect(): CollectReply {
    let produced = 0;
    let dropped = 0;
    let backlogRecords = 0;
    let connected = 0;
    let streamsLost = 0;
    for (const { box } of this.boxes) {
      streamsLost += box.streamsLost;
      produced += box.produced;
      dropped += box.dropped;
      backlogRecords += box.backlogRecords();
      if (box.connected) connected++;
    }
    return {
      steady: this.steadySink.take(),
      outage: this.outageSink.take(),
      refused: [...this.refusals],
      produced,
      dropped,
      backlogRecords,
      connected,
      streamsLost,
    };
  }

  /** All outage boxes reconnect at once; resolves when every backlog is drained or at the timeout. */
  private async reconnect(timeoutMs: number): Promise<ReconnectReply> {
    const storm = this.boxes.filter((b) => b.outage).map((b) => b.box);
    const backlog = this.stormBacklog;
    backlog.clear();
    for (const box of storm) backlog.set(box, box.backlogRecords());
    await Promise.all(storm.map((box) => box.reconnectAndDrain().catch(() => undefined)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && storm.some((box) => box.drainedMs === 0)) await new Promise((r) => setTimeout(r, 100));
    return {
      boxes: storm.map((box) => ({
        deviceId: box.identity.deviceId,
        backlogRecords: backlog.get(box)!,
        drainMs: box.drainedMs > 0 ? box.drainedMs - box.drainStartedMs : Number.NaN,
      })),
    };
  }
}

// Run as a child process: the first message is the WorkerInit, each later one a command.
if (process.send) {
  let worker: FleetWorker | undefined;
  process.on('message', (msg: { id: number; init?: WorkerInit; command?: WorkerCommand }) => {
    const reply = (data: unknown) => process.send!({ id: msg.id, data });
    if (msg.init) {
      worker = new FleetWorker(msg.init);
      reply({ ready: true });
      return;
    }
    void worker!.run(msg.command!).then(reply, (err: unknown) => process.send!({ id: msg.id, error: (err as Error).message }));
    if (msg.command?.cmd === 'stop') setTimeout(() => process.exit(0), 200);
  });
  // The bench is gone: so are its boxes.
  process.on('disconnect', () => process.exit(0));
}
