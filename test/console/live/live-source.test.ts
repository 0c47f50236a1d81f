// The live feed's reading of SSE payloads: event rows, alert changes wrapped in {type, alert}.
import t from 'tap';
import { classify } from '../../../console/src/live/live-source.js';

t.test('record events are event rows; alert events carry the alert inside', async (t) => {
  const row = { id: 'edge-a.alarm.3', deviceId: 'edge-a', site: 'muong-nhe', kind: 'alarm', timeMs: 1, severity: 'high', payload: {} };
  t.same(classify('record', row), { type: 'event', event: row });
  const alert = { id: '01J', state: 'new', eventIds: ['edge-a.alarm.3'], site: 'muong-nhe', kind: 'alarm', severity: 'high' };
  t.same(classify('alert', { type: 'alert.created', alert }), { type: 'alert', alert });
  t.equal(classify('device', { type: 'device.revoked', deviceId: 'edge-a' }), undefined, 'device changes are not feed items');
  t.equal(classify('record', 'not json'), undefined);
});
