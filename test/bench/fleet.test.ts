// A few seconds of the fleet bench (bench/fleet.ts runs 1,000 boxes for 10 minutes per store in
// `make bench`) with a handful of boxes on the embedded store, so its code path cannot rot: boxes
// connect, report and stay online, the API and console overview answer under load, the storm
// boxes drain their backlog (a dropped thumbnail included), and every record is stored once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { projectRoot } from '../../common/paths.js';

interface Presence {
  offlineWrongly: number;
  onlineWrongly: number;
}

interface FleetResult {
  level: {
    steady: {
      boxesConnected: number;
      ack: { batches: number };
      api: { requests: number; errors: number };
      consoleOverview: { loads: number; devicesListed: number; errors: string[] };
      offlineWrongly: { midway: Presence; end: Presence; inOverview: number };
      refused: string[];
    };
    storm: {
      boxes: number;
      backlogRecords: number;
      starved: { count: number };
      perBoxDrainSeconds: { p50: number; p99: number; max: number; notDrained: number };
      progress: { samples: { ackedRecordsPerBox: { min: number; p50: number; max: number }; queue: { metricsAnswerMs: number; error?: string } }[] };
      ack: { stormBoxes: { batches: number } };
      presence: { duringOutage: Presence; afterStorm: Presence };
      refused: string[];
    };
    exactlyOnce: { produced: number; droppedAndReported: number; stored: number; missing: number; stillQueued: number };
  };
}

function runBench(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot(), 'bench/fleet.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

t.test('a handful of boxes report, drop out, come back with a backlog, and nothing is lost', async (t) => {
  const { code, out } = await runBench([
    '--store',
    'level',
    '--boxes',
    '6',
    '--workers',
    '2',
    // Longer than the widest gap between the boxes' records (their minute phases leave ~20 s
    // without one), so the steady phase always has something to acknowledge.
    '--minutes',
    '0.4',
    '--ramp-seconds',
    '0.5',
    '--api-rate',
    '20',
    '--api-seconds',
    '2',
    '--backlog-minutes',
    '10',
    '--drain-timeout-seconds',
    '30',
    '--storm-sample-seconds',
    '0.2',
  ]);
  t.equal(code, 0, 'the bench exits cleanly');
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as FleetResult;
  t.comment(JSON.stringify(result.level));
  const { steady, storm, exactlyOnce } = result.level;
  t.equal(steady.boxesConnected, 6);
  t.ok(steady.ack.batches > 0, 'batches were acknowledged in the steady phase');
  t.equal(steady.api.errors, 0, 'API requests answered during the fleet load');
  t.ok(steady.api.requests > 0);
  t.equal(steady.consoleOverview.devicesListed, 6, 'the console overview lists every device');
  t.same(steady.consoleOverview.errors, [], 'every overview load succeeded');
  for (const check of [steady.offlineWrongly.midway, steady.offlineWrongly.end, storm.presence.duringOutage, storm.presence.afterStorm]) {
    t.same(check, { ...check, offlineWrongly: 0, onlineWrongly: 0 }, 'presence matches the links');
  }
  t.equal(steady.offlineWrongly.inOverview, 0);
  t.equal(storm.boxes, 3, 'three boxes in ten go down');
  t.ok(storm.backlogRecords >= 3 * 10 * 11, 'each brings back ten minutes of records');
  t.equal(storm.starved.count, 0, 'every storm box drained');
  t.equal(storm.perBoxDrainSeconds.notDrained, 0);
  t.ok(
    storm.perBoxDrainSeconds.p50 <= storm.perBoxDrainSeconds.p99 && storm.perBoxDrainSeconds.p99 <= storm.perBoxDrainSeconds.max,
    'drain time percentiles in order',
  );
  // At least the sample taken once drained, however fast the storm was.
  t.ok(storm.progress.samples.length > 0, 'the storm was sampled as it drained');
  let previousMedian = 0;
  for (const sample of storm.progress.samples) {
    t.ok(sample.ackedRecordsPerBox.min <= sample.ackedRecordsPerBox.max);
    t.ok(sample.ackedRecordsPerBox.p50 >= previousMedian, 'acknowledged records only grow from sample to sample');
    previousMedian = sample.ackedRecordsPerBox.p50;
    t.notOk(sample.queue.error, 'the coordinator answered /metrics during the storm');
  }
  t.same([...steady.refused, ...storm.refused], [], 'no batch refused');
  t.ok(exactlyOnce.droppedAndReported >= 3, 'evicted thumbnails were reported as drops (and acked, or the drain would not finish)');
  t.equal(exactlyOnce.stillQueued, 0);
  t.equal(exactlyOnce.stored, exactlyOnce.produced, 'every record produced is stored exactly once');
});
