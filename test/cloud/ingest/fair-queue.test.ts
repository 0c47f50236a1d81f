// The write turns: the budget is never exceeded, devices are served in turns (a device with a
// long queue cannot keep others waiting), and a failing job returns its share of the budget.
import t from 'tap';
import { FairQueue, type FairQueueStats } from '../../../cloud/ingest/fair-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A job that runs until released, recording the order jobs started in. */
function gate() {
  const releases: (() => void)[] = [];
  return {
    releases,
    job: (started: string[], label: string) => () => {
      started.push(label);
      return new Promise<string>((resolve) => releases.push(() => resolve(label)));
    },
    releaseAll: () => {
      for (const r of releases.splice(0)) r();
    },
  };
}

t.test('one job per device per turn: a long queue does not starve the others', async (t) => {
  const q = new FairQueue({ maxJobs: 1, maxBytes: 1_000_000 });
  const started: string[] = [];
  const g = gate();
  const done: Promise<string>[] = [];
  for (let i = 0; i < 5; i++) done.push(q.run('big', 10, g.job(started, `big${i}`)));
  done.push(q.run('a', 10, g.job(started, 'a0')), q.run('b', 10, g.job(started, 'b0')), q.run('a', 10, g.job(started, 'a1')));
  while (started.length < 8) {
    await tick();
    g.releaseAll();
  }
  await Promise.all(done);
  // big0 starts at once and 'big' takes the next turn before a and b arrive; from then on the
  // devices alternate, and big's remaining backlog waits behind one job of each other device.
  t.same(started, ['big0', 'big1', 'a0', 'b0', 'big2', 'a1', 'big3', 'big4']);
});

t.test('the budget of jobs and bytes is never exceeded; a job larger than it runs alone', async (t) => {
  const peaks = { jobs: 0, bytes: 0 };
  const q = new FairQueue({
    maxJobs: 3,
    maxBytes: 100,
    onChange: (s: FairQueueStats) => {
      peaks.jobs = Math.max(peaks.jobs, s.runningJobs);
      peaks.bytes = Math.max(peaks.bytes, s.runningBytes);
    },
  });
  const started: string[] = [];
  const g = gate();
  const done = [
    q.run('a', 40, g.job(started, 'a')),
    q.run('b', 40, g.job(started, 'b')),
    q.run('c', 40, g.job(started, 'c')),
    q.run('huge', 500, g.job(started, 'huge')),
    q.run('d', 10, g.job(started, 'd')),
  ];
  await tick();
  t.same(started, ['a', 'b'], 'the third 40-byte job waits for bytes');
  t.equal(q.stats().waitingKeys, 3);
  while (started.length < 5) {
    g.releaseAll();
    await tick();
    if (started.at(-1) === 'huge') t.equal(q.stats().runningJobs, 1, 'the oversized job runs alone');
  }
  g.releaseAll();
  await Promise.all(done);
  t.same(started, ['a', 'b', 'c', 'huge', 'd'], 'in turn order, the big job not overtaken by the small one');
  t.ok(peaks.jobs <= 3);
  t.equal(peaks.bytes, 500, 'only the lone oversized job went past the byte budget');
  t.same(q.stats(), { waitingJobs: 0, waitingKeys: 0, runningJobs: 0, runningBytes: 0 });
});

t.test('a job that throws or rejects gives its budget back', async (t) => {
  const q = new FairQueue({ maxJobs: 1, maxBytes: 100 });
  await t.rejects(
    q.run('a', 10, () => Promise.reject(new Error('disk full'))),
    /disk full/,
  );
  await t.rejects(
    q.run('a', 10, () => {
      throw new Error('bad batch');
    }),
    /bad batch/,
  );
  t.equal(await q.run('b', 10, async () => 'ok'), 'ok');
  t.same(q.stats(), { waitingJobs: 0, waitingKeys: 0, runningJobs: 0, runningBytes: 0 });
});
