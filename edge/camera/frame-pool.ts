// Frame buffers of one camera, reused. A 640×480 RGB frame is 0.9 MB and four cameras at 5 fps
// decode 18 MB a second: left to the garbage collector, dead frames piled up to ~50 MB before
// V8 freed them (and the allocator kept the pages). A buffer goes back to the pool only when
// no reader holds it: the grabber while it hands the frame over, the camera's latest frame, the
// frame waiting for or under detection, a snapshot being encoded. Buffers live in shared memory
// so the detector worker reads its crop straight out of the held frame (no 0.9 MB copy per
// detection, none waiting in the detector's queue).
import type { Frame } from './types.js';

export class FramePool {
  private readonly free: Buffer[] = [];
  private readonly holds = new Map<Buffer, number>();

  /** Spare buffers kept beyond those in use; more than that are left to the collector. */
  constructor(private readonly maxFree = 1) {}

  /** A buffer of `bytes` with one hold (the caller's). */
  acquire(bytes: number): Buffer {
    let buffer = this.free.pop();
    // After a reconnect the picture size may differ: spares of the old size are dropped.
    while (buffer && buffer.length !== bytes) buffer = this.free.pop();
    buffer ??= Buffer.from(new SharedArrayBuffer(bytes));
    this.holds.set(buffer, 1);
    return buffer;
  }

  /** One more reader of this frame. Frames not from a pool are ignored. */
  hold(frame: Pick<Frame, 'rgb'>): void {
    const count = this.holds.get(frame.rgb);
    if (count !== undefined) this.holds.set(frame.rgb, count + 1);
  }

  /** A reader is done with this frame; after the last one its buffer is reused. */
  release(frame: Pick<Frame, 'rgb'>): void {
    const count = this.holds.get(frame.rgb);
    if (count === undefined) return;
    if (count > 1) {
      this.holds.set(frame.rgb, count - 1);
      return;
    }
    this.holds.delete(frame.rgb);
    if (this.free.length < this.maxFree) this.free.push(frame.rgb);
  }

  /** Buffers handed out and not yet returned (tests, health). */
  get inUse(): number {
    return this.holds.size;
  }

  /** Forgets the spares (camera stopped). */
  clear(): void {
    this.free.length = 0;
  }
}
