// A deterministic producer for end-to-end tests: records of every kind, each with the test's own
// id, injected into a running agent through its test injector (startAgent with testHooks), and a
// ledger of what the agent acknowledged as durable (lane, seq) and what is uncertain (the agent
// died mid-request). At the end the ledger is checked against the coordinator record by record.
import { ClassicLevel } from 'classic-level';
import type { Api, EventItem, RunningAgent } from './system.js';
import { cameraRowId } from '../../cloud/store/contract/types.js';

export type InjectKind = 'alarm' | 'camera_event' | 'telemetry' | 'thumbnail' | 'notice';

export interface Produced {
  id: string;
  kind: InjectKind;
  lane: string;
  seq: number;
  /** Set when the outbox dropped it at once (larger than the whole budget, or evicted in its own write). */
  dropped?: string;
  /** Edge wall time the record was stamped with. */
  edgeTimeMs: number;
  /** Test wall clock just before the request. */
  sentAtMs: number;
}

export class Producer {
  readonly acked = new Map<string, Produced>();
  readonly uncertain = new Map<string, InjectKind>();
  private counter = 0;

  constructor(
    private readonly agent: RunningAgent,
    private readonly prefix = 'p',
  ) {}

  private nextId(kind: InjectKind): string {
    return `${this.prefix}-${kind.replace('camera_', '')}-${++this.counter}`;
  }

  /** Injects `count` records per kind; resolves with those the agent made durable. */
  async produce(batch: { kind: InjectKind; count: number; bytes?: number }[]): Promise<Produced[]> {
    const records = batch.flatMap((b) => Array.from({ length: b.count }, () => ({ kind: b.kind, id: this.nextId(b.kind), bytes: b.bytes })));
    const sentAtMs = Date.now();
    let results: ({ id: string; lane: string; seq: number; edgeTimeMs: number; dropped?: string } | { id: string; error: string })[];
    try {
      const res = await fetch(`http://127.0.0.1:${this.agent.metricsPort}/test/inject`, { method: 'POST', body: JSON.stringify({ records }) });
      if (!res.ok) throw new Error(`inject: ${res.status} ${await res.text()}`);
      results = ((await res.json()) as { results: typeof results }).results;
    } catch (err) {
      // Refused: the agent was down, nothing was sent. Otherwise it died with the request in
      // flight, and each record may or may not be durable.
      if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return [];
      for (const r of records) this.uncertain.set(r.id, r.kind);
      return [];
    }
    const out: Produced[] = [];
    for (const [i, r] of results.entries()) {
      const kind = records[i]!.kind;
      if ('error' in r) continue; // refused: never acknowledged, so never owed
      const p: Produced = { id: r.id, kind, lane: r.lane, seq: r.seq, dropped: r.dropped, edgeTimeMs: r.edgeTimeMs, sentAtMs };
      this.acked.set(r.id, p);
      out.push(p);
    }
    return out;
  }

  /** Highest acknowledged seq per lane. */
  maxSeq(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.acked.values()) out[p.lane] = Math.max(out[p.lane] ?? 0, p.seq);
    return out;
  }
}

/** What the coordinator holds of the producer's ids: every row (or thumbnail) per id. */
export interface Received {
  rows: Map<string, { lane: string; seq: number }[]>;
}

/** The producer's id inside a stored row, by kind. */
function producerId(e: EventItem): string | undefined {
  switch (e.kind) {
    case 'alarm':
      return e.payload.alarm_id as string;
    case 'camera_event':
      return e.payload.event_id as string;
    case 'telemetry':
      return e.payload.unit as string;
    case 'notice':
      return e.payload.code === 'INJECTED' ? (e.payload.message as string) : undefined;
    default:
      return undefined;
  }
}

export async function receivedAt(api: Api, deviceId: string, producer: Producer): Promise<Received> {
  const rows = new Map<string, { lane: string; seq: number }[]>();
  for (const e of await api.allEvents(`device=${deviceId}`)) {
    const id = producerId(e);
    if (!id) continue;
    rows.set(id, [...(rows.get(id) ?? []), { lane: e.lane, seq: e.seq }]);
  }
  // Thumbnails are blobs keyed by their event id: one request each.
  const thumbs = [...producer.acked.values(), ...[...producer.uncertain].map(([id, kind]) => ({ id, kind, lane: 'thumbnail', seq: 0 }))].filter(
    (p) => p.kind === 'thumbnail',
  );
  for (let i = 0; i < thumbs.length; i += 32) {
    await Promise.all(
      thumbs.slice(i, i + 32).map(async (p) => {
        const res = await api.raw(`/api/v1/events/${cameraRowId(deviceId, p.id)}/thumbnail`);
        await res.arrayBuffer();
        if (res.status === 200) rows.set(p.id, [{ lane: 'thumbnail', seq: p.seq }]);
      }),
    );
  }
  return { rows };
}

export interface DropRange {
  lane: string;
  firstSeq: number;
  lastSeq: number;
  reason: string;
}

/** The drop ranges a stopped coordinator's level store recorded for a device. */
export async function storedDropRanges(storeDir: string, deviceId: string): Promise<DropRange[]> {
  const db = new ClassicLevel<string, string>(storeDir, { valueEncoding: 'utf8' });
  await db.open();
  try {
    const out: DropRange[] = [];
    for await (const value of db.values({ gte: `drop!${deviceId}!`, lt: `drop!${deviceId}"` })) {
      const r = JSON.parse(value) as DropRange;
      out.push({ lane: r.lane, firstSeq: r.firstSeq, lastSeq: r.lastSeq, reason: r.reason });
    }
    return out;
  } finally {
    await db.close();
  }
}

export interface LedgerCheck {
  /** Acknowledged to the producer, never arrived, not in any drop range. */
  lost: string[];
  /** Arrived more than once (under several seqs, or twice for one id). */
  duplicated: string[];
  /** Arrived although a drop range covers its seq (would make drop counts wrong). */
  droppedYetReceived: string[];
  /** Arrived with a different (lane, seq) than the agent acknowledged. */
  misplaced: string[];
  /** Uncertain ids that arrived more than once. */
  uncertainDuplicated: string[];
  delivered: number;
  dropped: Record<string, number>;
}

/** Every acknowledged id: delivered exactly once, at its own (lane, seq), or covered by a drop range. */
export function checkLedger(producer: Producer, received: Received, ranges: DropRange[]): LedgerCheck {
  const check: LedgerCheck = { lost: [], duplicated: [], droppedYetReceived: [], misplaced: [], uncertainDuplicated: [], delivered: 0, dropped: {} };
  const coveredBy = (lane: string, seq: number) => ranges.find((r) => r.lane === lane && r.firstSeq <= seq && seq <= r.lastSeq);
  for (const p of producer.acked.values()) {
    const rows = received.rows.get(p.id) ?? [];
    const range = coveredBy(p.lane, p.seq);
    if (rows.length > 1) check.duplicated.push(p.id);
    if (rows.length === 0) {
      if (range) check.dropped[range.reason] = (check.dropped[range.reason] ?? 0) + 1;
      else check.lost.push(`${p.id} (${p.lane}/${p.seq})`);
      continue;
    }
    check.delivered++;
    if (range) check.droppedYetReceived.push(`${p.id} (${p.lane}/${p.seq} in ${range.reason} ${range.firstSeq}-${range.lastSeq})`);
    if (p.kind !== 'thumbnail' && rows.some((r) => r.lane !== p.lane || r.seq !== p.seq))
      check.misplaced.push(`${p.id}: acked ${p.lane}/${p.seq}, stored ${JSON.stringify(rows)}`);
  }
  for (const id of producer.uncertain.keys()) if ((received.rows.get(id) ?? []).length > 1) check.uncertainDuplicated.push(id);
  return check;
}
