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
