// Vehicle count: objects of the listed labels crossing a line, per direction, reported as
// traffic telemetry once per interval (aligned to the wall clock, e.g. every 5 minutes).
// Each track counts at most once per direction, so a car jittering on the line counts once.
import type { CameraRuleConfig } from '../../../common/config/camera-schema.js';
import { IocError } from '../../../common/errors.js';
import type { TrafficCount } from '../../../proto/generated/ioc/edgelink/v1/TrafficCount.js';
import { bottomCentre, crossing, type Point } from '../zones.js';
import type { CameraRule, RuleAlert, RuleContext, SceneView } from './rule.js';

type VehicleCountConfig = Extract<CameraRuleConfig, { type: 'vehicle_count' }>;

export class VehicleCountRule implements CameraRule {
  readonly type = 'vehicle_count' as const;
  private readonly labels: Set<string>;
  private readonly line: { a: Point; b: Point };
  private readonly lastPoint = new Map<string, Point>();
  private readonly counted = new Set<string>();
  private counts = new Map<string, number>();
  private intervalStartMs: number | undefined;
  private readonly intervalMs: number;

  constructor(
    readonly id: string,
    private readonly config: VehicleCountConfig,
    private readonly context: RuleContext,
  ) {
    this.labels = new Set(config.labels);
    const line = context.lines.get(config.line);
    if (!line) throw new IocError('CONFIG_INVALID', `camera ${context.cameraId}: no line "${config.line}"`);
    this.line = line;
    this.intervalMs = config.interval_s * 1000;
  }

  evaluate(scene: SceneView): RuleAlert[] {
    this.intervalStartMs ??= this.alignedStart(scene.wallMs);
    const live = new Set<string>();
    for (const t of scene.tracks) {
      if (!this.labels.has(t.label)) continue;
      live.add(t.id);
      const now = bottomCentre(t.box);
      const before = this.lastPoint.get(t.id) ?? t.path[0]?.p;
      this.lastPoint.set(t.id, now);
      if (!before) continue;
      const direction = crossing(before, now, this.line.a, this.line.b);
      if (!direction || this.counted.has(`${t.id}:${direction}`)) continue;
      this.counted.add(`${t.id}:${direction}`);
      const key = `${t.label}\u0000${direction}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.context.onLineCrossing?.(this.id, t.label, direction);
    }
    for (const id of this.lastPoint.keys()) {
      if (live.has(id)) continue;
      this.lastPoint.delete(id);
      this.counted.delete(`${id}:in`);
      this.counted.delete(`${id}:out`);
    }
    return [];
  }

  telemetry(wallMs: number, final = false): TrafficCount[] {
    this.intervalStartMs ??= this.alignedStart(wallMs);
    const out: TrafficCount[] = [];
    while (this.intervalStartMs + this.intervalMs <= wallMs) {
      out.push(this.closeInterval(this.intervalStartMs + this.intervalMs));
    }
    if (final && wallMs > this.intervalStartMs) out.push(this.closeInterval(wallMs));
    return out;
  }

  private closeInterval(endMs: number): TrafficCount {
    const entries = [...this.counts].map(([key, count]) => {
      const [label, direction] = key.split('\u0000');
      return { label, direction, count };
    });
    const record: TrafficCount = {
      camera_id: this.context.cameraId,
      line: this.config.line,
      interval_start_ms: this.intervalStartMs,
      interval_end_ms: endMs,
      entries,
    };
    this.counts = new Map();
    this.intervalStartMs = endMs;
    return record;
  }

  private alignedStart(wallMs: number): number {
    return Math.floor(wallMs / this.intervalMs) * this.intervalMs;
  }
}
