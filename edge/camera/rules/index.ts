// The rule registry: adding a rule is one file implementing CameraRule plus one line here.
import type { CameraRuleConfig } from '../../../common/config/camera-schema.js';
import { IntrusionRule } from './intrusion.js';
import { LoiteringRule } from './loitering.js';
import { CrowdingRule } from './crowding.js';
import { VehicleCountRule } from './vehicle-count.js';
import { ruleId, type CameraRule, type RuleContext } from './rule.js';

export type { CameraRule, RuleAlert, RuleContext, SceneView } from './rule.js';

type Factory<T extends CameraRuleConfig['type']> = (id: string, config: Extract<CameraRuleConfig, { type: T }>, context: RuleContext) => CameraRule;

const RULES: { [T in CameraRuleConfig['type']]: Factory<T> } = {
  intrusion: (id, config, context) => new IntrusionRule(id, config, context),
  loitering: (id, config, context) => new LoiteringRule(id, config, context),
  crowding: (id, config, context) => new CrowdingRule(id, config, context),
  vehicle_count: (id, config, context) => new VehicleCountRule(id, config, context),
};

export function createRules(configs: readonly CameraRuleConfig[], context: RuleContext): CameraRule[] {
  return configs.map((config, i) => (RULES[config.type] as Factory<typeof config.type>)(ruleId(config, i), config as never, context));
}
