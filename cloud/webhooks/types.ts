// Webhook endpoints' state and their deliveries, as stored and as the API shows them.
export interface EndpointState {
  name: string;
  enabled: boolean;
  /** Why it was disabled (shown by the API until an admin re-enables it). */
  disabledReason: string | null;
  disabledAtMs: number | null;
  consecutiveFailures: number;
  /** After a failure nothing goes to the endpoint before this time (endpoint-wide backoff). */
  retryAtMs: number;
  lastSuccessAtMs: number | null;
  lastFailureAtMs: number | null;
  lastError: string | null;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  /** ULID; also the X-IOC-Delivery header, so receivers can drop duplicates. */
  id: string;
  endpoint: string;
  event: string;
  /** The exact body sent (and signed): JSON, or CAP 1.2 XML for endpoints with format cap. */
  body: string;
  createdAtMs: number;
  state: DeliveryState;
  attempts: number;
  nextAttemptAtMs: number;
  /** Lease for the replica delivering it now (0: free). */
  leaseUntilMs: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAtMs: number | null;
}

export interface DeliveryAttempt {
  deliveryId: string;
  endpoint: string;
  event: string;
  attempt: number;
  atMs: number;
  durationMs: number;
  /** HTTP status, or null when no answer (refused, timeout). */
  status: number | null;
  ok: boolean;
  error: string | null;
}
