// Storage contract of the webhooks: the durable delivery queue (at least once, oldest first per
// endpoint), each attempt's log and the endpoints' health. Level and PostgreSQL pass the same
// contract test (test/cloud/webhooks/webhook-store.test.ts).
import type { Delivery, DeliveryAttempt, DeliveryState, EndpointState } from '../../webhooks/types.js';
import type { StoreKind } from './store.js';

export interface WebhookStore {
  readonly kind: StoreKind;
  init(): Promise<void>;
  close(): Promise<void>;
  enqueue(deliveries: readonly Delivery[]): Promise<void>;
  /**
   * Leases up to `limit` pending deliveries of the endpoint that are due, oldest first. A leased
   * delivery is not handed out again (to any replica) until the lease ends or it is settled.
   */
  claimDue(endpoint: string, nowMs: number, leaseMs: number, limit: number): Promise<Delivery[]>;
  /** Stores a delivery after an attempt (its new state, lease cleared) with the attempt's log line. */
  settle(delivery: Delivery, attempt: DeliveryAttempt | undefined): Promise<void>;
  getDelivery(id: string): Promise<Delivery | undefined>;
  /** Newest first. */
  listDeliveries(endpoint: string, options: { state?: DeliveryState; limit: number }): Promise<Delivery[]>;
  attempts(deliveryId: string): Promise<DeliveryAttempt[]>;
  countPending(endpoint: string): Promise<number>;
  getEndpoint(name: string): Promise<EndpointState | undefined>;
  /** Read-modify-write of an endpoint's health, serialized against other writers. */
  mutateEndpoint(name: string, mutate: (current: EndpointState) => EndpointState): Promise<EndpointState>;
}

export function freshEndpointState(name: string): EndpointState {
  return {
    name,
    enabled: true,
    disabledReason: null,
    disabledAtMs: null,
    consecutiveFailures: 0,
    retryAtMs: 0,
    lastSuccessAtMs: null,
    lastFailureAtMs: null,
    lastError: null,
  };
}
