// Intrusion: a person or vehicle of the listed labels stands in a restricted zone, optionally
// only within a local time window. One alert per object for as long as it stays inside.
import type { CameraRuleConfig } from '../../../common/config/camera-schema.js';
import { inZone } from '../zones.js';
import { inSchedule } from './schedule.js';
import { zoneOf, type CameraRule, type RuleAlert, type RuleContext, type SceneView } from './rule.js';

type IntrusionConfig = Extract<CameraRuleConfig, { type: 'intrusion' }>;

export class IntrusionRule implements CameraRule {
  readonly type = 'intrusion' as const;
  private readonly labels: Set<string>;

  constructor(
    readonly id: string,
    private readonly config: IntrusionConfig,
    private readonly context: RuleContext,
  ) {
    this.labels = new Set(config.labels);
  }

  evaluate(scene: SceneView): RuleAlert[] {
    if (!inSchedule(scene.wallMs, this.config.schedule)) return [];
    const zone = zoneOf(this.context, this.config.zone);
    return scene.tracks
      .filter((t) => this.labels.has(t.label) && inZone(t.box, zone))
      .map((t) => ({
        key: `${this.id}:${t.id}`,
        rule: this.type,
        ruleId: this.id,
        zone: this.config.zone,
        label: t.label,
        trackIds: [t.id],
        objectCount: 1,
        severity: this.config.severity,
        detail: `${t.label} in restricted zone ${this.config.zone}`,
      }));
  }
}
