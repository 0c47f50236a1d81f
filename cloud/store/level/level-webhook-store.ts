// Webhook deliveries on the coordinator's LevelDB (key prefix "wh!"). One process owns a level
// store, so leases only need to hold within it.
import { LevelFeatureStore, pad, scanJson, writeBatch } from './level-records.js';
import { EMPTY, decodeJson, encodeJson, type LevelOp } from './codec.js';
import { freshEndpointState, type WebhookStore } from '../contract/webhook-store.js';
import type { Delivery, DeliveryAttempt, DeliveryState, EndpointState } from '../../webhooks/types.js';

const deliveryKey = (id: string) => `wh!d!${id}`;
/** Pending deliveries of an endpoint, oldest first (ids are ULIDs). */
const pendingKey = (endpoint: string, id: string) => `wh!q!${endpoint}!${id}`;
const pendingRange = (endpoint: string) => ({ gte: `wh!q!${endpoint}!`, lt: `wh!q!${endpoint}"` });
/** Every delivery of an endpoint, for the log. */
const byEndpointKey = (endpoint: string, id: string) => `wh!e!${endpoint}!${id}`;
const byEndpointRange = (endpoint: string) => ({ gte: `wh!e!${endpoint}!`, lt: `wh!e!${endpoint}"` });
const attemptKey = (id: string, n: number) => `wh!at!${id}!${pad(n, 4)}`;
const attemptRange = (id: string) => ({ gte: `wh!at!${id}!`, lt: `wh!at!${id}"` });
const endpointKey = (name: string) => `wh!ep!${name}`;

export class LevelWebhookStore extends LevelFeatureStore implements WebhookStore {
  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    const ops: LevelOp[] = [];
    for (const d of deliveries) {
      ops.push({ type: 'put', key: deliveryKey(d.id), value: encodeJson(d) });
      ops.push({ type: 'put', key: byEndpointKey(d.endpoint, d.id), value: EMPTY });
      if (d.state === 'pending') ops.push({ type: 'put', key: pendingKey(d.endpoint, d.id), value: EMPTY });
    }
    await writeBatch(this.db, ops);
  }

  claimDue(endpoint: string, nowMs: number, leaseMs: number, limit: number): Promise<Delivery[]> {
    return this.lock.run(`claim:${endpoint}`, async () => {
      const claimed: Delivery[] = [];
      const ops: LevelOp[] = [];
      for await (const key of this.db.keys(pendingRange(endpoint))) {
        const d = await this.getDelivery(key.slice(key.lastIndexOf('!') + 1));
        if (d?.state !== 'pending') continue;
        // Oldest first and in order: stop at the first one not yet due.
        if (d.nextAttemptAtMs > nowMs) break;
        if (d.leaseUntilMs > nowMs) continue;
        const leased = { ...d, leaseUntilMs: nowMs + leaseMs };
        ops.push({ type: 'put', key: deliveryKey(d.id), value: encodeJson(leased) });
        claimed.push(leased);
        if (claimed.length >= limit) break;
      }
      await writeBatch(this.db, ops);
      return claimed;
    });
  }

  async settle(delivery: Delivery, attempt: DeliveryAttempt | undefined): Promise<void> {
    const d = { ...delivery, leaseUntilMs: 0 };
    const ops: LevelOp[] = [{ type: 'put', key: deliveryKey(d.id), value: encodeJson(d) }];
    ops.push(d.state === 'pending' ? { type: 'put', key: pendingKey(d.endpoint, d.id), value: EMPTY } : { type: 'del', key: pendingKey(d.endpoint, d.id) });
    if (attempt) ops.push({ type: 'put', key: attemptKey(d.id, attempt.attempt), value: encodeJson(attempt) });
    await writeBatch(this.db, ops);
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    return decodeJson<Delivery>(await this.db.get(deliveryKey(id)));
  }

  async listDeliveries(endpoint: string, options: { state?: DeliveryState; limit: number }): Promise<Delivery[]> {
    const out: Delivery[] = [];
    for await (const key of this.db.keys({ ...byEndpointRange(endpoint), reverse: true })) {
      const d = await this.getDelivery(key.slice(key.lastIndexOf('!') + 1));
      if (!d || (options.state && d.state !== options.state)) continue;
      out.push(d);
      if (out.length >= options.limit) break;
    }
    return out;
  }

  attempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    return scanJson<DeliveryAttempt>(this.db, attemptRange(deliveryId));
  }

  async countPending(endpoint: string): Promise<number> {
    let n = 0;
    for await (const _ of this.db.keys(pendingRange(endpoint))) n++;
    return n;
  }

  async getEndpoint(name: string): Promise<EndpointState | undefined> {
    return decodeJson<EndpointState>(await this.db.get(endpointKey(name)));
  }

  mutateEndpoint(name: string, mutate: (current: EndpointState) => EndpointState): Promise<EndpointState> {
    return this.lock.run(`endpoint:${name}`, async () => {
      const next = mutate((await this.getEndpoint(name)) ?? freshEndpointState(name));
      await writeBatch(this.db, [{ type: 'put', key: endpointKey(name), value: encodeJson(next) }]);
      return next;
    });
  }
}
