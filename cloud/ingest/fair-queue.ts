// Shares the coordinator's write capacity among devices: a global budget of batches and bytes
// being decoded and written at once, and round-robin over the devices with work waiting, one job
// per device per turn. A device with an hour of backlog then waits its turn like the others
// instead of holding the writer, and what is not admitted stays unread in gRPC (its flow control
// pushes back on the sender) rather than decoded in memory.

export interface FairQueueOptions {
  /** Jobs running at once. */
  maxJobs: number;
  /** Bytes (compressed batch bodies) running at once; a single larger job runs alone. */
  maxBytes: number;
  /** Called whenever the queue's depth or the budget in use changes (metrics). */
  onChange?: (stats: FairQueueStats) => void;
}

export interface FairQueueStats {
  waitingJobs: number;
  waitingKeys: number;
  runningJobs: number;
  runningBytes: number;
}

interface Job {
  bytes: number;
  start: () => void;
}

export class FairQueue {
  /** Keys with jobs waiting, in turn order: Map keeps insertion order, re-inserting moves to the back. */
  private readonly waiting = new Map<string, Job[]>();
  private waitingJobs = 0;
  private runningJobs = 0;
  private runningBytes = 0;

  constructor(private readonly options: FairQueueOptions) {}

  /** Runs `work` once the budget and `key`'s turn allow; resolves or rejects with it. */
  run<T>(key: string, bytes: number, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        bytes,
        start: () => {
          // The executor turns a synchronous throw into a rejection: the budget is always returned,
          // before the caller resumes, so what it does next already sees the freed budget.
          new Promise<T>((r) => r(work())).then(
            (value) => {
              this.finish(bytes);
              resolve(value);
            },
            (err: unknown) => {
              this.finish(bytes);
              reject(err);
            },
          );
        },
      };
      const jobs = this.waiting.get(key);
      if (jobs) jobs.push(job);
      else this.waiting.set(key, [job]);
      this.waitingJobs++;
      this.admit();
    });
  }

  stats(): FairQueueStats {
    return { waitingJobs: this.waitingJobs, waitingKeys: this.waiting.size, runningJobs: this.runningJobs, runningBytes: this.runningBytes };
  }

  private finish(bytes: number): void {
    this.runningJobs--;
    this.runningBytes -= bytes;
    this.admit();
  }

  private admit(): void {
    for (const [key, jobs] of this.waiting) {
      const job = jobs[0]!;
      // The head of the turn order waits for room rather than being overtaken by smaller jobs:
      // otherwise a device sending large batches could wait forever.
      if (!this.fits(job.bytes)) break;
      jobs.shift();
      this.waiting.delete(key);
      if (jobs.length > 0) this.waiting.set(key, jobs);
      this.waitingJobs--;
      this.runningJobs++;
      this.runningBytes += job.bytes;
      job.start();
    }
    this.options.onChange?.(this.stats());
  }

  private fits(bytes: number): boolean {
    if (this.runningJobs >= this.options.maxJobs) return false;
    return this.runningJobs === 0 || this.runningBytes + bytes <= this.options.maxBytes;
  }
}
