// Brings a level store written by an older version up to the current key layout, once, on open:
//   2: events are also listed by camera;
//   3: camera rows and thumbnails are keyed by device (cameraRowId) instead of the bare edge
//      event id, which let a second device overwrite the first one's row; each old id is kept
//      as an alias to the row it named, so links made before still resolve to the same record;
//   4: telemetry rows (most rows) leave the site, device and kind indexes (keys.ts BULK_KIND).
// Work goes in bounded batches, each row's moves in one batch; a crash part-way only means the
// rest is done at the next open (moved rows no longer look old).
import type { ClassicLevel } from 'classic-level';
import { cameraRowId, isLegacyCameraId, type EventRow, type ThumbnailRow } from '../contract/types.js';
import * as K from './keys.js';
import { EMPTY, decodeThumbnail, encodeThumbnail, encodeJson as json, decodeJson as parse, type LevelOp as Op } from './codec.js';

export const LAYOUT_VERSION = 4;
const BATCH_OPS = 10_000;

export async function upgradeLayout(db: ClassicLevel<string, Uint8Array>, write: (ops: Op[]) => Promise<void>): Promise<void> {
  const version = parse<number>(await db.get(K.INDEX_VERSION_KEY)) ?? 1;
  if (version >= LAYOUT_VERSION) return;
  const ops: Op[] = []; // shared with the steps, so emptied in place
  const flushIfFull = async () => {
    if (ops.length >= BATCH_OPS) await write(ops.splice(0));
  };
  if (version < 3) await rekeyCameraRows(db, version, ops, flushIfFull);
  if (version < 4) await dropBulkNarrowKeys(db, ops, flushIfFull);
  ops.push({ type: 'put', key: K.INDEX_VERSION_KEY, value: json(LAYOUT_VERSION) });
  await write(ops);
}

/** Layouts 2 and 3 (see the top of the file). */
async function rekeyCameraRows(db: ClassicLevel<string, Uint8Array>, version: number, ops: Op[], flushIfFull: () => Promise<void>): Promise<void> {
  for await (const value of db.values(K.EVENT_RANGE)) {
    let row: EventRow | undefined;
    try {
      row = parse<EventRow>(value);
    } catch {
      continue; // an unreadable row is reported where it is read, not here at start-up
    }
    if (!row) continue;
    if (isLegacyCameraId(row.id)) ops.push(...rekeyEvent(row));
    else if (version < 2) {
      const key = K.cameraIndexKeyOf(row);
      if (key) ops.push({ type: 'put', key, value: EMPTY });
    }
    await flushIfFull();
  }
  for await (const [key, value] of db.iterator(K.THUMBNAIL_RANGE)) {
    const legacyId = key.slice('th!'.length);
    if (!isLegacyCameraId(legacyId)) continue;
    let thumbnail: ThumbnailRow;
    try {
      thumbnail = decodeThumbnail(value);
    } catch {
      continue;
    }
    const id = cameraRowId(thumbnail.deviceId, legacyId);
    ops.push(
      { type: 'del', key },
      { type: 'put', key: K.thumbnail(id), value: encodeThumbnail({ ...thumbnail, eventId: id }) },
      { type: 'put', key: K.legacyThumbnail(legacyId), value: json(id) },
    );
    await flushIfFull();
  }
}

/**
 * Layout 4: each bulk-kind row's site, device and kind keys go. Read through the kind index itself
 * (the snapshot the iterator reads is not changed by the deletes), rows fetched a chunk at a time.
 */
async function dropBulkNarrowKeys(db: ClassicLevel<string, Uint8Array>, ops: Op[], flushIfFull: () => Promise<void>): Promise<void> {
  const iterator = db.keys(K.BULK_KIND_RANGE);
  try {
    for (;;) {
      const keys = await iterator.nextv(1000);
      if (keys.length === 0) break;
      const values = await db.getMany(keys.map((key) => K.event(K.idOfIndexKey(key))));
      keys.forEach((key, i) => {
        let row: EventRow | undefined;
        try {
          row = parse<EventRow>(values[i]);
        } catch {
          row = undefined; // an unreadable row is reported where it is read, not here at start-up
        }
        // The kind key is the one read; a row gone (or not of the kind) leaves only it behind.
        if (row?.kind === K.BULK_KIND) for (const narrow of K.narrowIndexKeys(row)) ops.push({ type: 'del', key: narrow });
        else ops.push({ type: 'del', key });
      });
      await flushIfFull();
    }
  } finally {
    await iterator.close();
  }
}

/** The row under its device-qualified id, with every index entry moved, and its old id as an alias. */
function rekeyEvent(row: EventRow): Op[] {
  const moved: EventRow = { ...row, id: cameraRowId(row.deviceId, row.id) };
  return [
    { type: 'del', key: K.event(row.id) },
    // A version-1 store has no camera entry: deleting a missing key is harmless.
    ...K.eventIndexKeys(row).map((key): Op => ({ type: 'del', key })),
    { type: 'put', key: K.event(moved.id), value: json(moved) },
    ...K.eventIndexKeys(moved).map((key): Op => ({ type: 'put', key, value: EMPTY })),
    { type: 'put', key: K.legacyEvent(row.id), value: json(moved.id) },
  ];
}
