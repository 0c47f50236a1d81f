// Uplink cost of the camera pipeline: bytes of the records it produced for one pass of the
// vtest clip (events, thumbnails), scaled to an hour, against the H.264 stream the camera
// itself would send (the clip re-encoded as the RTSP test camera does, and the clip file).
// Also the same with plain object events turned off (rule events only), the setting for
// busy scenes on a thin uplink. Prints one JSON object.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Camera } from '../edge/camera/camera.js';
import { Detector } from '../edge/camera/detector.js';
import { createEdgeMetrics } from '../edge/metrics.js';
import { Outbox } from '../edge/outbox/outbox.js';
import { CameraSchema } from '../common/config/camera-schema.js';
import { projectPath } from '../common/paths.js';
import { decodeRecord } from '../common/proto.js';

const CLIP = projectPath('test', 'fixtures', 'vtest-25s.mp4');
const CLIP_S = 25;
const DAY = 86_400_000;

async function runPass(detector: Detector, objectEvents: boolean, dir: string) {
  const outbox = await Outbox.open({
    dir: join(dir, `outbox-${objectEvents}`),
    diskBudgetBytes: 512 * 1024 * 1024,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => performance.now(),
  });
  const config = CameraSchema.parse({
    id: 'cam-street',
    url: `file:${CLIP}`,
    zones: [{ id: 'path', points: [[0, 0.3], [1, 0.3], [1, 0.85], [0.5, 0.72], [0, 0.55]] }],
    rules: [{ type: 'loitering', zone: 'path', seconds: 10 }],
    objects: { events: objectEvents ? 'all' : 'rules' },
  });
  const camera = new Camera(config, { sink: outbox, metrics: createEdgeMetrics(), detector });
  await camera.start();
  await new Promise((r) => setTimeout(r, (CLIP_S + 1) * 1000));
  await camera.stop();
  const bytes: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (;;) {
    const batch = await outbox.nextBatch({ maxRecords: 1000, maxBytes: 1 << 30 });
    if (batch.length === 0) break;
    for (const b of batch) {
      const kind = decodeRecord(b.record).kind;
      bytes[kind] = (bytes[kind] ?? 0) + b.size;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
  }
  await outbox.close();
  const total = Object.values(bytes).reduce((s, v) => s + v, 0);
  return { records: counts, bytes, total_bytes: total, bytes_per_hour: Math.round((total * 3600) / CLIP_S), frames: camera.stats().frames };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-uplink-'));
  const detector = new Detector({}, { metrics: createEdgeMetrics() });
  try {
    // The stream as the RTSP test camera sends it (libx264 ultrafast, zerolatency, 1 s GOP).
    const rtspLike = join(dir, 'rtsp-like.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-i', CLIP, '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-f', 'mp4', rtspLike]);
    const streamPerHour = Math.round((statSync(rtspLike).size * 3600) / CLIP_S);
    const filePerHour = Math.round((statSync(CLIP).size * 3600) / CLIP_S);
    await detector.start();
    const all = await runPass(detector, true, dir);
    const rulesOnly = await runPass(detector, false, dir);
    const ratio = (stream: number, run: { bytes_per_hour: number }) => Math.round(stream / Math.max(1, run.bytes_per_hour));
    console.log(JSON.stringify({
      bench: 'camera-uplink',
      clip: 'vtest-25s.mp4 (busy: ~16 people in 25 s)',
      backend: detector.backend,
      stream_bytes_per_hour: { rtsp_camera_ultrafast: streamPerHour, clip_file_slow_preset: filePerHour },
      all_object_events: { ...all, ratio_vs_rtsp_stream: ratio(streamPerHour, all), ratio_vs_clip_file: ratio(filePerHour, all) },
      rule_events_only: { ...rulesOnly, ratio_vs_rtsp_stream: ratio(streamPerHour, rulesOnly), ratio_vs_clip_file: ratio(filePerHour, rulesOnly) },
      target_ratio: 500,
    }));
  } finally {
    await detector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
