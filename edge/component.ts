// The shape every part of the agent takes (broker, each camera, detector, uplink, admin socket):
// started and stopped by the supervisor, reporting its own health.
export type HealthState = 'ok' | 'degraded' | 'down';

export interface ComponentHealthReport {
  name: string;
  state: HealthState;
  detail: string;
  /** Edge wall time of the component's last sign of life (frame, reading, ack), 0 if never. */
  lastSeenMs: number;
  /** Extra fields for edgectl status (fps, last value, ...). */
  info?: Record<string, unknown>;
}

export interface Component {
  readonly name: string;
  /**
   * Starts the component and resolves once it is running. A component that later fails on
   * its own calls `onFailure` given at construction; the supervisor then restarts it.
   */
  start(): Promise<void>;
  /** Releases every resource (sockets, child processes, workers). Idempotent. */
  stop(): Promise<void>;
  health(): ComponentHealthReport;
}
