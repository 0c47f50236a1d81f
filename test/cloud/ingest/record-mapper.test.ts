// Ingest of camera events and thumbnails from two devices that use the same edge event id:
// records decoded as they arrive, mapped, stored in a real store. Each device keeps its own row
// and thumbnail under an id that names the device, and a re-send changes nothing.
import t from 'tap';
import { join } from 'node:path';
import { decodeRecord, encodeRecord, type ProtoRecord } from '../../../common/proto.js';
import { mapRecord, type DeviceContext } from '../../../cloud/ingest/record-mapper.js';
import { LevelStore } from '../../../cloud/store/level/level-store.js';
import type { IngestItem } from '../../../cloud/store/contract/types.js';
import { tempDir } from '../../support/tmp.js';

const T0 = Date.UTC(2026, 11, 1);

function camera(seq: number, label: string): ProtoRecord {
  return {
    lane: 'LANE_EVENT',
    seq,
    kind: 'camera_event',
    edge_time_ms: T0,
    clock_synced: true,
    camera_event: { event_id: 'evt-0001', camera_id: 'cam-1', phase: 'new', type: 'object', label, score: 0.8, severity: 'SEVERITY_HIGH', started_ms: T0 },
  };
}

function thumbnail(seq: number, byte: number): ProtoRecord {
  return {
    lane: 'LANE_THUMBNAIL',
    seq,
    kind: 'thumbnail',
    edge_time_ms: T0,
    clock_synced: true,
    thumbnail: { event_id: 'evt-0001', camera_id: 'cam-1', content_type: 'image/jpeg', data: Buffer.from([byte]), width: 1, height: 1, score: 1 },
  };
}

function mapped(deviceId: string, records: ProtoRecord[]): IngestItem[] {
  const ctx: DeviceContext = { deviceId, site: 'muong-nhe', sessionOffsetMs: 0, receivedMs: T0 };
  return records.map((r) => {
    const res = mapRecord(decodeRecord(encodeRecord(r)), ctx);
    if (!res.ok) throw new Error(res.reason);
    return res.item;
  });
}

t.test('two devices sending the same camera event id and thumbnail id keep two distinct records', async (t) => {
  const store = new LevelStore(join(tempDir(t), 'store'));
  await store.open();
  t.teardown(() => store.close());
  const a = mapped('edge-a', [camera(1, 'person'), thumbnail(1, 0xaa)]);
  const b = mapped('edge-b', [camera(1, 'car'), thumbnail(1, 0xbb)]);
  t.not(a[0]!.event!.id, b[0]!.event!.id, 'the row ids differ');
  t.equal(a[0]!.event!.id, a[1]!.thumbnail!.eventId, "a thumbnail names its own device's event");
  await store.ingest('edge-a', a);
  await store.ingest('edge-b', b);

  const rowA = await store.getEvent(a[0]!.event!.id);
  const rowB = await store.getEvent(b[0]!.event!.id);
  t.match(rowA, { deviceId: 'edge-a', label: 'person', hasThumbnail: true, payload: { event_id: 'evt-0001' } });
  t.match(rowB, { deviceId: 'edge-b', label: 'car', hasThumbnail: true, payload: { event_id: 'evt-0001' } });
  t.same([...(await store.getThumbnail(a[1]!.thumbnail!.eventId))!.data], [0xaa]);
  t.same([...(await store.getThumbnail(b[1]!.thumbnail!.eventId))!.data], [0xbb]);

  const again = await store.ingest('edge-a', mapped('edge-a', [camera(1, 'person'), thumbnail(1, 0xaa)]));
  t.same(again.stored, [], 'a re-send by the same device is idempotent');
  t.same(await store.getEvent(a[0]!.event!.id), rowA);
  t.same(await store.getEvent(b[0]!.event!.id), rowB);
});
