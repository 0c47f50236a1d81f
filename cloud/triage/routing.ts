// Routing: which agency (and which webhook channel) an alert goes to. First matching rule wins;
// the table comes from the config unless an admin replaced it through the API.
import { severityRank } from '../../common/severity.js';
import type { SeverityName } from '../../common/config/primitives.js';
import type { AgencyConfig, RoutingConfig } from '../../common/config/operations-schema.js';
import type { TriageStore } from '../store/contract/triage-store.js';

export interface Routable {
  kind: string;
  rule: string | null;
  site: string | null;
  severity: SeverityName;
}

export interface RouteDecision {
  agency: string | null;
  channel: string | null;
  /** Which rule decided: its name, `rules[i]`, `default` or null (nothing matched). */
  rule: string | null;
}

export function routeAlert(alert: Routable, routing: RoutingConfig, agencies: readonly AgencyConfig[]): RouteDecision {
  const channelOf = (agency: string) => agencies.find((a) => a.id === agency)?.channel ?? null;
  for (const [i, r] of routing.rules.entries()) {
    const m = r.match;
    if (m.kind && !m.kind.includes(alert.kind)) continue;
    if (m.rule && (alert.rule === null || !m.rule.includes(alert.rule))) continue;
    if (m.site && (alert.site === null || !m.site.includes(alert.site))) continue;
    if (m.min_severity && severityRank(alert.severity) < severityRank(m.min_severity)) continue;
    return { agency: r.agency, channel: r.channel ?? channelOf(r.agency), rule: r.name ?? `rules[${i}]` };
  }
  if (routing.default_agency) return { agency: routing.default_agency, channel: channelOf(routing.default_agency), rule: 'default' };
  return { agency: null, channel: null, rule: null };
}

const SETTING = 'routing';
/** Other replicas see an admin's new table within this long. */
const REFRESH_MS = 5_000;

/** The routing table in force: the config's, or the one an admin stored (shared by replicas). */
export class RoutingTable {
  private cached: { routing: RoutingConfig; source: 'config' | 'api'; at: number } | undefined;

  constructor(
    private readonly store: TriageStore,
    private readonly configured: RoutingConfig,
    readonly agencies: readonly AgencyConfig[],
  ) {}

  async current(): Promise<{ routing: RoutingConfig; source: 'config' | 'api' }> {
    if (this.cached && performance.now() - this.cached.at < REFRESH_MS) return this.cached;
    const stored = await this.store.getSetting<RoutingConfig>(SETTING);
    this.cached = { routing: stored ?? this.configured, source: stored ? 'api' : 'config', at: performance.now() };
    return this.cached;
  }

  async route(alert: Routable): Promise<RouteDecision> {
    return routeAlert(alert, (await this.current()).routing, this.agencies);
  }

  /** Replaces the table (undefined: back to the config's). The caller validated it. */
  async replace(routing: RoutingConfig | undefined): Promise<void> {
    await this.store.putSetting(SETTING, routing);
    this.cached = undefined;
  }

  agency(id: string): AgencyConfig | undefined {
    return this.agencies.find((a) => a.id === id);
  }
}
