// Process and box figures for heartbeats and status: CPU share, RSS, free disk.
import { statfs } from 'node:fs/promises';

export class CpuMeter {
  private last = process.cpuUsage();
  private lastAt = performance.now();
  private percent = 0;

  /** Percent of one core used by this process since the previous call. */
  sample(): number {
    const now = performance.now();
    const usage = process.cpuUsage();
    const elapsedMs = now - this.lastAt;
    if (elapsedMs >= 500) {
      const usedMs = (usage.user - this.last.user + usage.system - this.last.system) / 1000;
      this.percent = Math.round((usedMs / elapsedMs) * 1000) / 10;
      this.last = usage;
      this.lastAt = now;
    }
    return this.percent;
  }
}

export async function diskFreeBytes(path: string): Promise<number> {
  try {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
}

export interface BoxSample {
  cpuPercent: number;
  rssBytes: number;
  diskFreeBytes: number;
}

/** Free disk under the data directory is refreshed every 30 s: statfs is not worth a call per heartbeat. */
const DISK_REFRESH_MS = 30_000;

/** The box figures heartbeats and `edgectl status` report; each sample advances the CPU meter. */
export class BoxResources {
  private readonly cpu = new CpuMeter();
  private diskFree = 0;
  private timer: NodeJS.Timeout | undefined;

  /** A function: an applied config may name another data directory. */
  constructor(private readonly dataDir: () => string) {}

  async start(): Promise<void> {
    await this.refreshDiskFree();
    this.timer = setInterval(() => void this.refreshDiskFree(), DISK_REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  sample(): BoxSample {
    return { cpuPercent: this.cpu.sample(), rssBytes: process.memoryUsage().rss, diskFreeBytes: this.diskFree };
  }

  private async refreshDiskFree(): Promise<void> {
    this.diskFree = await diskFreeBytes(this.dataDir());
  }
}
