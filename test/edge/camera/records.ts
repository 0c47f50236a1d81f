// Test helpers: a real outbox in a temp dir, and everything in it decoded (what the
// coordinator would receive), plus camera configs parsed through the real schema.
import { join } from 'node:path';
import { Outbox } from '../../../edge/outbox/outbox.js';
import { decodeRecord, type Record__Output } from '../../../common/proto.js';
import { CameraSchema, type CameraConfig } from '../../../common/config/camera-schema.js';
import { tempDir } from '../../support/tmp.js';

const DAY = 86_400_000;

export async function openOutbox(t: { teardown(fn: () => unknown): void }): Promise<Outbox> {
  const dir = tempDir(t);
  const outbox = await Outbox.open({
    dir: join(dir, 'outbox'),
    diskBudgetBytes: 256 * 1024 * 1024,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => performance.now(),
  });
  t.teardown(() => outbox.close());
  return outbox;
}

/** Every record not yet read, in lane order then sequence. */
export async function drain(outbox: Outbox): Promise<Record__Output[]> {
  const out: Record__Output[] = [];
  for (;;) {
    const batch = await outbox.nextBatch({ maxRecords: 1000, maxBytes: 256 * 1024 * 1024 });
    if (batch.length === 0) return out;
    out.push(...batch.map((b) => decodeRecord(b.record)));
  }
}

export function cameraConfig(input: Record<string, unknown>): CameraConfig {
  return CameraSchema.parse(input);
}

export const events = (records: Record__Output[]) => records.filter((r) => r.camera_event).map((r) => ({ kind: r.kind, ...r.camera_event! }));
export const thumbnails = (records: Record__Output[]) => records.filter((r) => r.thumbnail).map((r) => r.thumbnail!);

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}
