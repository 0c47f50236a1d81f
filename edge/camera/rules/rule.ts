// The one interface every camera rule implements. A rule looks at the confirmed tracks of each
// detection cycle and says which alerts are active now; the event lifecycle turns an alert key
// appearing, lasting and disappearing into new → update → end events.
import type { CameraRuleConfig } from '../../../common/config/camera-schema.js';
import { IocError } from '../../../common/errors.js';
import type { SeverityName } from '../../../common/config/primitives.js';
import type { TrafficCount } from '../../../proto/generated/ioc/edgelink/v1/TrafficCount.js';
import type { CrossingDirection, Polygon, Point } from '../zones.js';
import type { Track } from '../tracker.js';

export interface SceneView {
  /** Monotonic time of the frame the tracks were updated from. */
  nowMs: number;
  /** Edge wall clock of that frame. */
  wallMs: number;
  /** Confirmed tracks of tracked labels whose median score passed the label's track_score. */
  tracks: readonly Track[];
}

export interface RuleAlert {
  /** Stable while the same situation lasts: one key, one event. */
  key: string;
  rule: CameraRuleConfig['type'];
  ruleId: string;
  zone: string;
  label: string;
  /** The tracks involved; the first one's picture is the event's thumbnail. */
  trackIds: string[];
  objectCount: number;
  severity: SeverityName;
  detail: string;
}

export interface CameraRule {
  readonly id: string;
  readonly type: CameraRuleConfig['type'];
  /** Alerts active after this cycle. */
  evaluate(scene: SceneView): RuleAlert[];
  /** Telemetry due by this wall time (counting rules); `final` flushes a partial interval. */
  telemetry?(wallMs: number, final?: boolean): TrafficCount[];
}

export interface RuleContext {
  cameraId: string;
  zones: ReadonlyMap<string, Polygon>;
  lines: ReadonlyMap<string, { a: Point; b: Point }>;
  /** Told of each counted line crossing (the camera counts them in its metrics). */
  onLineCrossing?(ruleId: string, label: string, direction: CrossingDirection): void;
}

export function ruleId(config: CameraRuleConfig, index: number): string {
  return config.id ?? `${config.type}-${index + 1}`;
}

export function zoneOf(context: RuleContext, id: string): Polygon {
  const polygon = context.zones.get(id);
  // The config schema already checks references; this guards rules built by hand in code.
  if (!polygon) throw new IocError('CONFIG_INVALID', `camera ${context.cameraId}: no zone "${id}"`);
  return polygon;
}
