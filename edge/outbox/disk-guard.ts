// Keeps the outbox inside the disk it actually has. The configured budget assumes the space is
// there; on a box whose card also holds logs, clips and updates it may not be. When free space
// falls under a floor, the budget in force shrinks to what fits, so the usual eviction order
// (thumbnails first, alarms last) makes room before LevelDB hits ENOSPC — after which it can
// neither write nor delete until space comes back.
import { statfs } from 'node:fs/promises';

export class DiskGuard {
  /** Bytes the outbox may hold as of the last look at the disk (infinite: no constraint seen). */
  private capBytes = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    /** Space left free for LevelDB's logs and compactions (and everything else on the box). */
    private readonly minFreeBytes: number,
    private readonly intervalMs = 5_000,
  ) {}

  /** Looks at the disk now and every interval; `usedBytes` is what the outbox holds then. */
  async start(usedBytes: () => number): Promise<void> {
    if (this.minFreeBytes <= 0 || this.timer) return;
    await this.refresh(usedBytes());
    this.timer = setInterval(() => void this.refresh(usedBytes()), this.intervalMs);
    this.timer.unref();
  }

  /**
   * The cap stays fixed between looks: bytes evicted in the meantime are not free on disk
   * until LevelDB compacts them away, and re-deriving the cap from them would evict again.
   */
  async refresh(usedBytes: number): Promise<void> {
    if (this.minFreeBytes <= 0) return;
    try {
      const s = await statfs(this.dir);
      this.capBytes = Math.max(0, usedBytes + s.bavail * s.bsize - this.minFreeBytes);
    } catch {
      // directory gone (shutdown) or statfs unsupported: keep the last figure
    }
  }

  /** The budget in force. */
  budget(configuredBytes: number): number {
    return Math.min(configuredBytes, this.capBytes);
  }

  /** True while the disk, not the configuration, sets the budget. */
  limiting(configuredBytes: number): boolean {
    return this.capBytes < configuredBytes;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
