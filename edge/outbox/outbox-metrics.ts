// Outbox metrics beyond the agent's common set: start-up recovery findings, the stalled state
// and the budget in force. Registered on the agent's registry once (several outboxes may share
// a registry in tests and benches).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface OutboxRecoveryMetrics {
  recovered: Counter<'what'>;
  stalled: Gauge;
  budgetBytes: Gauge;
}

export function outboxRecoveryMetrics(registry: Registry): OutboxRecoveryMetrics {
  const existing = (name: string) => registry.getSingleMetric(name);
  return {
    recovered:
      (existing('ioc_edge_outbox_recovered_total') as Counter<'what'> | undefined) ??
      new Counter({
        name: 'ioc_edge_outbox_recovered_total',
        help: 'Damage found and handled when the outbox opened: corrupt_records, missing_records, wal_tail_bytes, wal_corrupt_records, repaired, quarantined, reopened',
        labelNames: ['what'],
        registers: [registry],
      }),
    stalled:
      (existing('ioc_edge_outbox_stalled') as Gauge | undefined) ??
      new Gauge({
        name: 'ioc_edge_outbox_stalled',
        help: '1 while the outbox database refuses writes (disk full, I/O error) and is being reopened',
        registers: [registry],
      }),
    budgetBytes:
      (existing('ioc_edge_outbox_budget_bytes') as Gauge | undefined) ??
      new Gauge({
        name: 'ioc_edge_outbox_budget_bytes',
        help: 'Disk budget in force: the configured one, or less while the disk itself is short of space',
        registers: [registry],
      }),
  };
}
