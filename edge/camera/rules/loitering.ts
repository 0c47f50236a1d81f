// Loitering: an object stays in a zone longer than N seconds. Short exits (a box jittering
// over the zone edge) within a grace period do not restart the clock.
import type { CameraRuleConfig } from '../../../common/config/camera-schema.js';
import { inZone } from '../zones.js';
import { zoneOf, type CameraRule, type RuleAlert, type RuleContext, type SceneView } from './rule.js';

type LoiteringConfig = Extract<CameraRuleConfig, { type: 'loitering' }>;

const EXIT_GRACE_MS = 3_000;

export class LoiteringRule implements CameraRule {
  readonly type = 'loitering' as const;
  private readonly labels: Set<string>;
  /** Per track: when it entered the zone and when it was last seen inside (monotonic ms). */
  private readonly presence = new Map<string, { enteredMs: number; lastInsideMs: number }>();

  constructor(
    readonly id: string,
    private readonly config: LoiteringConfig,
    private readonly context: RuleContext,
  ) {
    this.labels = new Set(config.labels);
  }

  evaluate(scene: SceneView): RuleAlert[] {
    const zone = zoneOf(this.context, this.config.zone);
    const live = new Set<string>();
    const alerts: RuleAlert[] = [];
    for (const t of scene.tracks) {
      if (!this.labels.has(t.label)) continue;
      live.add(t.id);
      const seen = this.presence.get(t.id);
      if (inZone(t.box, zone)) {
        if (!seen || scene.nowMs - seen.lastInsideMs > EXIT_GRACE_MS) this.presence.set(t.id, { enteredMs: scene.nowMs, lastInsideMs: scene.nowMs });
        else seen.lastInsideMs = scene.nowMs;
      } else if (seen && scene.nowMs - seen.lastInsideMs > EXIT_GRACE_MS) {
        this.presence.delete(t.id);
      }
      const p = this.presence.get(t.id);
      if (!p) continue;
      const dwellS = (p.lastInsideMs - p.enteredMs) / 1000;
      if (dwellS < this.config.seconds) continue;
      alerts.push({
        key: `${this.id}:${t.id}:${p.enteredMs}`,
        rule: this.type,
        ruleId: this.id,
        zone: this.config.zone,
        label: t.label,
        trackIds: [t.id],
        objectCount: 1,
        severity: this.config.severity,
        detail: `${t.label} in zone ${this.config.zone} for more than ${this.config.seconds} s`,
      });
    }
    for (const id of this.presence.keys()) if (!live.has(id)) this.presence.delete(id);
    return alerts;
  }
}
