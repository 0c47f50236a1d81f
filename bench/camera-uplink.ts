// Uplink cost of the camera pipeline on a busy street: bytes of the records it produces for the
// vtest clip (played in a loop like a live camera), scaled to an hour, against the H.264 stream
// the camera itself would send (the clip re-encoded as the RTSP test camera does, and the clip
// file). Settings side by side, the first three with a loitering rule (10 s) on the path:
//   all_events        every confirmed object its own event (no hourly budget), as before it;
//   default_budget    the schema defaults: 60 plain object events an hour, the rest in 5-minute
//                     activity summaries, small pictures for plain objects;
//   rules_only        objects.events = rules;
//   default_no_rules  the schema defaults and no rule at all: what a camera costs before a site
//                     adds rules. Rule events are never budgeted, so with rules the cost is
//                     theirs: a 10 s loitering rule on a busy path fires for most passers-by.
// Each setting first runs one pass of the clip that is not counted (the budget's initial burst
// is spent, as on any street busy for more than a few minutes), then MEASURE_S seconds are. The
// activity summary of the unfinished interval is written when the camera stops, so summaries
// count about 36 times an hour here against 12 in service: the default's figure is pessimistic.
// Prints one JSON object.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
const WARM_S = CLIP_S + 1;
const MEASURE_S = Number(process.env.IOC_BENCH_SECONDS ?? 100);
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Setting {
  name: string;
  objects: Record<string, unknown>;
  loitering: boolean;
}

const SETTINGS: Setting[] = [
  { name: 'all_events', objects: { events: 'all', max_object_events_per_hour: 100_000 }, loitering: true },
  { name: 'default_budget', objects: {}, loitering: true },
  { name: 'rules_only', objects: { events: 'rules' }, loitering: true },
  { name: 'default_no_rules', objects: {}, loitering: false },
];

async function drain(outbox: Outbox) {
  const bytes: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const types: Record<string, number> = {};
  for (;;) {
    const batch = await outbox.nextBatch({ maxRecords: 1000, maxBytes: 1 << 30 });
    if (batch.length === 0) break;
    for (const b of batch) {
      const record = decodeRecord(b.record);
      bytes[record.kind] = (bytes[record.kind] ?? 0) + b.size;
      counts[record.kind] = (counts[record.kind] ?? 0) + 1;
      const e = record.camera_event;
      if (e?.phase === 'new' || e?.type === 'activity') {
        const type = e.type === 'object' ? (e.rule ? `rule:${e.rule}` : 'object') : e.type;
        types[type] = (types[type] ?? 0) + 1;
      }
    }
  }
  return { bytes, counts, types };
}

async function runSetting(detector: Detector, setting: Setting, dir: string) {
  const outbox = await Outbox.open({
    dir: join(dir, `outbox-${setting.name}`),
    diskBudgetBytes: 512 * 1024 * 1024,
    ttlMs: { alarm: DAY, event: DAY, telemetry: DAY, thumbnail: DAY },
    agentNow: () => performance.now(),
  });
  const config = CameraSchema.parse({
    id: 'cam-street',
    url: `file:${CLIP}`,
    zones: [
      {
        id: 'path',
        points: [
          [0, 0.3],
          [1, 0.3],
          [1, 0.85],
          [0.5, 0.72],
          [0, 0.55],
        ],
      },
    ],
    rules: setting.loitering ? [{ type: 'loitering', zone: 'path', seconds: 10 }] : [],
    objects: setting.objects,
  });
  const camera = new Camera(config, { sink: outbox, metrics: createEdgeMetrics(), detector });
  await camera.start();
  await sleep(WARM_S * 1000);
  await drain(outbox); // the warm-up's records are not counted
  const t0 = performance.now();
  await sleep(MEASURE_S * 1000);
  await camera.stop();
  const seconds = (performance.now() - t0) / 1000;
  const { bytes, counts, types } = await drain(outbox);
  await outbox.close();
  const total = Object.values(bytes).reduce((s, v) => s + v, 0);
  const perHour = (n: number) => Math.round((n * 3600) / seconds);
  return {
    seconds: +seconds.toFixed(1),
    records: counts,
    bytes,
    events_started: types,
    thumbnail_mean_bytes: counts.thumbnail ? Math.round((bytes.thumbnail ?? 0) / counts.thumbnail) : 0,
    bytes_per_hour: perHour(total),
    thumbnails_per_hour: perHour(counts.thumbnail ?? 0),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ioc-bench-uplink-'));
  const detector = new Detector({}, { metrics: createEdgeMetrics() });
  try {
    // The stream as the RTSP test camera sends it (libx264 ultrafast, zerolatency, 1 s GOP).
    const rtspLike = join(dir, 'rtsp-like.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      CLIP,
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-g',
      '10',
      '-f',
      'mp4',
      rtspLike,
    ]);
    const streamPerHour = Math.round((statSync(rtspLike).size * 3600) / CLIP_S);
    const filePerHour = Math.round((statSync(CLIP).size * 3600) / CLIP_S);
    await detector.start();
    const results: Record<string, unknown> = {};
    for (const setting of SETTINGS) {
      const run = await runSetting(detector, setting, dir);
      results[setting.name] = {
        objects: setting.objects,
        loitering_rule: setting.loitering,
        ...run,
        ratio_vs_rtsp_stream: Math.round(streamPerHour / Math.max(1, run.bytes_per_hour)),
        ratio_vs_clip_file: Math.round(filePerHour / Math.max(1, run.bytes_per_hour)),
      };
    }
    console.log(
      JSON.stringify({
        bench: 'camera-uplink',
        clip: 'vtest-25s.mp4 in a loop (busy: ~16 people in 25 s)',
        backend: detector.backend,
        measured_s_per_setting: MEASURE_S,
        load_average: loadavg().map((v) => +v.toFixed(1)),
        stream_bytes_per_hour: { rtsp_camera_ultrafast: streamPerHour, clip_file_slow_preset: filePerHour },
        ...results,
        target_ratio: 500,
      }),
    );
  } finally {
    await detector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
