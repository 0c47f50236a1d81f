// Prometheus metrics of triage, registered on the coordinator's registry.
import { Counter, Gauge, type Registry } from 'prom-client';
import { ALERT_STATES, type AlertState } from './types.js';

export function createTriageMetrics(registry: Registry, countByState: () => Promise<Record<AlertState, number>>) {
  const r = [registry];
  return {
    created: new Counter({ name: 'ioc_alerts_created_total', help: 'Alerts raised, by kind and severity', labelNames: ['kind', 'severity'], registers: r }),
    transitions: new Counter({ name: 'ioc_alert_transitions_total', help: 'Alert state changes by operators, by new state', labelNames: ['to'], registers: r }),
    escalations: new Counter({
      name: 'ioc_dispatch_escalations_total',
      help: 'Dispatches escalated because the agency did not acknowledge in time',
      labelNames: ['agency'],
      registers: r,
    }),
    // Read from the store at scrape time: with several replicas each sees every alert.
    byState: new Gauge({
      name: 'ioc_alerts',
      help: 'Alerts by state',
      labelNames: ['state'],
      registers: r,
      async collect() {
        const counts = await countByState();
        for (const state of ALERT_STATES) this.set({ state }, counts[state] ?? 0);
      },
    }),
  };
}

export type TriageMetrics = ReturnType<typeof createTriageMetrics>;
