// The webhook store contract on level and PostgreSQL: a durable queue handed out oldest first
// and in order, leases that keep two senders off one delivery, settled attempts logged, and
// endpoint health changed without lost updates.
import t from 'tap';
import { ulid } from 'ulid';
import { forEachBackend } from '../../support/feature-stores.js';
import type { Delivery } from '../../../cloud/webhooks/types.js';

const T0 = Date.UTC(2026, 10, 25, 2, 0, 0);
let n = 0;
function delivery(endpoint: string, over: Partial<Delivery> = {}): Delivery {
  const at = T0 + ++n;
  const id = ulid(at);
  return {
    id,
    endpoint,
    event: 'alert.created',
    body: JSON.stringify({ id, n }),
    createdAtMs: at,
    state: 'pending',
    attempts: 0,
    nextAttemptAtMs: at,
    leaseUntilMs: 0,
    lastStatus: null,
    lastError: null,
    deliveredAtMs: null,
    ...over,
  };
}

await forEachBackend(t, (t, make) => {
  t.test('claims oldest first, leases keep a delivery from being handed out twice, settle frees it', async (t) => {
    const { features } = await make(t);
    const ds = [delivery('police'), delivery('police'), delivery('police'), delivery('fire')];
    await features.webhooks.enqueue(ds);
    t.equal(await features.webhooks.countPending('police'), 3);
    const first = await features.webhooks.claimDue('police', T0 + 1000, 10_000, 2);
    t.same(
      first.map((d) => d.id),
      [ds[0]!.id, ds[1]!.id],
      'the two oldest',
    );
    const second = await features.webhooks.claimDue('police', T0 + 1000, 10_000, 10);
    t.same(
      second.map((d) => d.id),
      [ds[2]!.id],
      'leased ones are not handed out again',
    );
    t.same(await features.webhooks.claimDue('police', T0 + 1000, 10_000, 10), []);
    t.same(
      (await features.webhooks.claimDue('police', T0 + 20_000, 10_000, 10)).map((d) => d.id),
      ds.slice(0, 3).map((d) => d.id),
      'expired leases free them again',
    );

    await features.webhooks.settle(
      { ...first[0]!, state: 'delivered', attempts: 1, lastStatus: 200, deliveredAtMs: T0 + 30_000 },
      {
        deliveryId: first[0]!.id,
        endpoint: 'police',
        event: 'alert.created',
        attempt: 1,
        atMs: T0 + 29_000,
        durationMs: 12,
        status: 200,
        ok: true,
        error: null,
      },
    );
    t.equal(await features.webhooks.countPending('police'), 2);
    t.equal((await features.webhooks.getDelivery(first[0]!.id))?.state, 'delivered');
    t.same(
      (await features.webhooks.attempts(first[0]!.id)).map((a) => [a.attempt, a.status, a.ok]),
      [[1, 200, true]],
    );
    t.same(
      (await features.webhooks.claimDue('fire', T0 + 1000, 10_000, 10)).map((d) => d.id),
      [ds[3]!.id],
      'endpoints are separate queues',
    );
  });

  t.test('a delivery not yet due holds back the ones after it (order per endpoint)', async (t) => {
    const { features } = await make(t);
    const a = delivery('traffic', { nextAttemptAtMs: T0 + 60_000 });
    const b = delivery('traffic');
    await features.webhooks.enqueue([a, b]);
    t.same(await features.webhooks.claimDue('traffic', T0 + 1000, 5000, 10), [], 'b waits behind a');
    t.same(
      (await features.webhooks.claimDue('traffic', T0 + 61_000, 5000, 10)).map((d) => d.id),
      [a.id, b.id],
    );
  });

  t.test('lists deliveries newest first by state; endpoint health without lost updates', async (t) => {
    const { features } = await make(t);
    const ds = [delivery('health'), delivery('health'), delivery('health')];
    await features.webhooks.enqueue(ds);
    await features.webhooks.settle({ ...ds[1]!, state: 'failed', attempts: 3, lastError: 'HTTP 500' }, undefined);
    t.same(
      (await features.webhooks.listDeliveries('health', { limit: 10 })).map((d) => d.id),
      ds.map((d) => d.id).reverse(),
    );
    t.same(
      (await features.webhooks.listDeliveries('health', { state: 'failed', limit: 10 })).map((d) => d.id),
      [ds[1]!.id],
    );
    t.equal(await features.webhooks.getEndpoint('health'), undefined, 'no state before the first change');
    await Promise.all(
      Array.from({ length: 8 }, () => features.webhooks.mutateEndpoint('health', (s) => ({ ...s, consecutiveFailures: s.consecutiveFailures + 1 }))),
    );
    t.equal((await features.webhooks.getEndpoint('health'))?.consecutiveFailures, 8, 'eight concurrent increments, none lost');
    t.equal((await features.webhooks.getEndpoint('health'))?.enabled, true);
  });
});
