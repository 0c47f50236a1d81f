// Webhook deliveries on PostgreSQL (migration 103_webhooks.sql). Claims take row locks with
// SKIP LOCKED and set a lease, so replicas never send the same delivery at the same time.
import type pg from 'pg';
import { asStorageError, inTransaction } from './pool.js';
import { freshEndpointState, type WebhookStore } from '../contract/webhook-store.js';
import type { Delivery, DeliveryAttempt, DeliveryState, EndpointState } from '../../webhooks/types.js';

export class PgWebhookStore implements WebhookStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly pool: pg.Pool) {}

  async init(): Promise<void> {}

  async close(): Promise<void> {}

  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      for (const d of deliveries) {
        await client.query(
          'INSERT INTO webhook_deliveries (id, endpoint, state, next_attempt_ms, lease_until_ms, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
          [d.id, d.endpoint, d.state, d.nextAttemptAtMs, d.leaseUntilMs, JSON.stringify(d)],
        );
      }
    });
  }

  claimDue(endpoint: string, nowMs: number, leaseMs: number, limit: number): Promise<Delivery[]> {
    return inTransaction(this.pool, async (client) => {
      // In order: only deliveries older than the first one not yet due are candidates.
      const { rows } = await client.query<{ data: Delivery }>(
        `SELECT data FROM webhook_deliveries
          WHERE endpoint = $1 AND state = 'pending' AND next_attempt_ms <= $2 AND lease_until_ms <= $2
            AND id < coalesce((SELECT min(id) FROM webhook_deliveries WHERE endpoint = $1 AND state = 'pending' AND next_attempt_ms > $2), '~')
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [endpoint, nowMs, limit],
      );
      const claimed = rows.map((r) => ({ ...r.data, leaseUntilMs: nowMs + leaseMs }));
      for (const d of claimed) {
        await client.query('UPDATE webhook_deliveries SET lease_until_ms = $2, data = $3::jsonb WHERE id = $1', [d.id, d.leaseUntilMs, JSON.stringify(d)]);
      }
      return claimed;
    });
  }

  async settle(delivery: Delivery, attempt: DeliveryAttempt | undefined): Promise<void> {
    const d = { ...delivery, leaseUntilMs: 0 };
    await inTransaction(this.pool, async (client) => {
      await client.query('UPDATE webhook_deliveries SET state = $2, next_attempt_ms = $3, lease_until_ms = 0, data = $4::jsonb WHERE id = $1', [
        d.id,
        d.state,
        d.nextAttemptAtMs,
        JSON.stringify(d),
      ]);
      if (attempt) {
        await client.query('INSERT INTO webhook_attempts (delivery_id, attempt, data) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING', [
          d.id,
          attempt.attempt,
          JSON.stringify(attempt),
        ]);
      }
    });
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const { rows } = await this.run<{ data: Delivery }>('SELECT data FROM webhook_deliveries WHERE id = $1', [id]);
    return rows[0]?.data;
  }

  async listDeliveries(endpoint: string, options: { state?: DeliveryState; limit: number }): Promise<Delivery[]> {
    const { rows } = await this.run<{ data: Delivery }>(
      'SELECT data FROM webhook_deliveries WHERE endpoint = $1 AND ($2::text IS NULL OR state = $2) ORDER BY id DESC LIMIT $3',
      [endpoint, options.state ?? null, options.limit],
    );
    return rows.map((r) => r.data);
  }

  async attempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    const { rows } = await this.run<{ data: DeliveryAttempt }>('SELECT data FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt', [deliveryId]);
    return rows.map((r) => r.data);
  }

  async countPending(endpoint: string): Promise<number> {
    const { rows } = await this.run<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint = $1 AND state = 'pending'", [endpoint]);
    return rows[0]?.n ?? 0;
  }

  async getEndpoint(name: string): Promise<EndpointState | undefined> {
    const { rows } = await this.run<{ data: EndpointState }>('SELECT data FROM webhook_endpoints WHERE name = $1', [name]);
    return rows[0]?.data;
  }

  mutateEndpoint(name: string, mutate: (current: EndpointState) => EndpointState): Promise<EndpointState> {
    return inTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO webhook_endpoints (name, data) VALUES ($1, $2::jsonb) ON CONFLICT (name) DO NOTHING', [
        name,
        JSON.stringify(freshEndpointState(name)),
      ]);
      const { rows } = await client.query<{ data: EndpointState }>('SELECT data FROM webhook_endpoints WHERE name = $1 FOR UPDATE', [name]);
      const next = mutate(rows[0]!.data);
      await client.query('UPDATE webhook_endpoints SET data = $2::jsonb WHERE name = $1', [name, JSON.stringify(next)]);
      return next;
    });
  }

  private async run<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw asStorageError(err);
    }
  }
}
