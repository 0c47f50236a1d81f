// Fan-out of coordinator happenings (records stored, alert changes, device presence) to the
// live feed, webhooks and triage. In one process an in-memory bus; with several coordinator
// replicas on one PostgreSQL, an implementation on LISTEN/NOTIFY carries it between them.
export type BusTopic = 'records' | 'alerts' | 'devices' | 'reports';

export interface BusMessage<T = unknown> {
  topic: BusTopic;
  /** Monotonic id assigned by the bus (per topic): the live feed's Last-Event-ID. */
  id: string;
  data: T;
}

export interface EventBus {
  publish<T>(topic: BusTopic, data: T): Promise<void>;
  subscribe<T>(topic: BusTopic, handler: (message: BusMessage<T>) => void): () => void;
  close(): Promise<void>;
}

export class InMemoryBus implements EventBus {
  private readonly handlers = new Map<BusTopic, Set<(m: BusMessage) => void>>();
  private seq = 0;

  async publish<T>(topic: BusTopic, data: T): Promise<void> {
    const message: BusMessage<T> = { topic, id: `${Date.now()}-${++this.seq}`, data };
    for (const handler of this.handlers.get(topic) ?? []) handler(message);
  }

  subscribe<T>(topic: BusTopic, handler: (message: BusMessage<T>) => void): () => void {
    const set = this.handlers.get(topic) ?? new Set();
    set.add(handler as (m: BusMessage) => void);
    this.handlers.set(topic, set);
    return () => set.delete(handler as (m: BusMessage) => void);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
