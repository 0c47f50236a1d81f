// Crowding: more than N objects of the listed labels in a zone for at least for_s seconds.
// One alert per episode; it ends once the count has stayed at or below N for a few seconds.
import type { CameraRuleConfig } from '../../../common/config/camera-schema.js';
import { inZone } from '../zones.js';
import { zoneOf, type CameraRule, type RuleAlert, type RuleContext, type SceneView } from './rule.js';

type CrowdingConfig = Extract<CameraRuleConfig, { type: 'crowding' }>;

// Detection misses a person now and then; a dip in the count shorter than this is ignored.
const CLEAR_AFTER_MS = 3_000;

export class CrowdingRule implements CameraRule {
  readonly type = 'crowding' as const;
  private readonly labels: Set<string>;
  private overSinceMs: number | undefined;
  private lastOverMs = 0;
  private episode: { key: string; trackIds: string[]; count: number } | undefined;

  constructor(
    readonly id: string,
    private readonly config: CrowdingConfig,
    private readonly context: RuleContext,
  ) {
    this.labels = new Set(config.labels);
  }

  evaluate(scene: SceneView): RuleAlert[] {
    const zone = zoneOf(this.context, this.config.zone);
    const inside = scene.tracks.filter((t) => this.labels.has(t.label) && inZone(t.box, zone));
    const over = inside.length > this.config.max_objects;
    if (over) {
      this.overSinceMs ??= scene.nowMs;
      this.lastOverMs = scene.nowMs;
      if (!this.episode && scene.nowMs - this.overSinceMs >= this.config.for_s * 1000) {
        this.episode = { key: `${this.id}:${scene.nowMs}`, trackIds: [], count: 0 };
      }
      if (this.episode) {
        this.episode.trackIds = inside.map((t) => t.id);
        this.episode.count = inside.length;
      }
    } else if (scene.nowMs - this.lastOverMs > CLEAR_AFTER_MS) {
      this.overSinceMs = undefined;
      this.episode = undefined;
    }
    if (!this.episode) return [];
    const label = [...new Set(inside.map((t) => t.label))].join(',') || this.config.labels.join(',');
    return [
      {
        key: this.episode.key,
        rule: this.type,
        ruleId: this.id,
        zone: this.config.zone,
        label,
        trackIds: this.episode.trackIds,
        objectCount: this.episode.count,
        severity: this.config.severity,
        detail: `${this.episode.count} objects in zone ${this.config.zone} (limit ${this.config.max_objects})`,
      },
    ];
  }
}
