// Stored form of a dead letter: a record the coordinator refused too often, kept with the
// refusal so an operator can inspect it and send it again (edgectl outbox dead-letters).
import type { LaneName, RecordKind } from '../../common/lanes.js';
import { decodeJson, encodeJson } from '../../common/level-batch.js';
import { decodeRecord } from '../../common/proto.js';
import { decodeStoredRecord } from './record-value.js';
import type { DeadLetter, OutboxInput } from './types.js';

interface StoredLetter {
  lane: LaneName;
  seq: number;
  code: string;
  reason: string;
  rejections: number;
  deadLetteredAtMs: number;
  edgeTimeMs: number;
  /** The stored record value (checksummed header + record), base64. */
  value: string;
}

export function encodeDeadLetter(letter: Omit<StoredLetter, 'value'>, value: Uint8Array): Uint8Array {
  return encodeJson({ ...letter, value: Buffer.from(value).toString('base64') } satisfies StoredLetter);
}

function parse(raw: Uint8Array): StoredLetter | undefined {
  try {
    const letter = decodeJson<StoredLetter>(raw);
    return typeof letter.seq === 'number' && typeof letter.value === 'string' ? letter : undefined;
  } catch {
    return undefined;
  }
}

/** What edgectl shows; a damaged entry is listed as kind "corrupt" rather than hidden. */
export function describeDeadLetter(raw: Uint8Array): DeadLetter | undefined {
  const letter = parse(raw);
  if (!letter) return undefined;
  const value = Buffer.from(letter.value, 'base64');
  let kind = 'corrupt';
  const stored = decodeStoredRecord(value);
  if (stored) {
    try {
      kind = decodeRecord(stored.record).kind;
    } catch {
      // checksum fine but not a Record: leave it as corrupt
    }
  }
  return {
    lane: letter.lane,
    seq: letter.seq,
    code: letter.code,
    reason: letter.reason,
    rejections: letter.rejections,
    deadLetteredAtMs: letter.deadLetteredAtMs,
    edgeTimeMs: letter.edgeTimeMs,
    kind,
    bytes: value.length,
  };
}

/** The letter as a new outbox input with its original edge time; undefined when unreadable. */
export function deadLetterInput(raw: Uint8Array): OutboxInput | undefined {
  const letter = parse(raw);
  const stored = letter ? decodeStoredRecord(Buffer.from(letter.value, 'base64')) : undefined;
  if (!stored) return undefined;
  try {
    const record = decodeRecord(stored.record);
    const body = record.body ? { [record.body]: record[record.body] } : {};
    return { kind: record.kind as RecordKind, body, edgeTimeMs: stored.edgeTimeMs };
  } catch {
    return undefined;
  }
}
