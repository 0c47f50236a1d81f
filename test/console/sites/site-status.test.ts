// A site's status from its devices: online, partly online, offline since the last message.
import t from 'tap';
import { siteStatus } from '../../../console/src/sites/site-status.js';
import type { Device, Site } from '../../../console/src/api/types.js';

const site: Site = { id: 'muong-nhe', name: 'Mường Nhé', district: null, location: { lat: 22.18, lon: 102.47 }, devices: [], devicesOnline: 0 };

function device(id: string, over: Partial<Device>): Device {
  return {
    id,
    site: 'muong-nhe',
    name: null,
    revoked: false,
    online: true,
    connectedSinceMs: 1,
    lastSeenMs: 1000,
    lastHeartbeatMs: 1000,
    softwareVersion: '0.1.0',
    configVersion: null,
    clockOffsetMs: 0,
    backlog: { records: 0, bytes: 0, oldestAgeMs: 0 },
    dropped: {},
    completeUpToMs: null,
    completeUpToEdgeMs: null,
    lanes: [],
    health: null,
    ...over,
  };
}

t.test('online, partial, offline since the newest last message, empty', async (t) => {
  t.equal(siteStatus(site, [device('a', {}), device('b', {})]).status, 'online');
  t.equal(siteStatus(site, [device('a', {}), device('b', { online: false })]).status, 'partial');
  const off = siteStatus(site, [device('a', { online: false, lastSeenMs: 5000 }), device('b', { online: false, lastSeenMs: 7000 })]);
  t.equal(off.status, 'offline');
  t.equal(off.offlineSinceMs, 7000, 'the site was last heard from when its last device was');
  t.equal(siteStatus(site, []).status, 'empty');
  t.equal(siteStatus(site, [device('a', { revoked: true })]).status, 'empty', 'revoked devices do not count');
});

t.test('backlog and drops add up over the devices; the oldest backlog age wins', async (t) => {
  const s = siteStatus(site, [
    device('a', { backlog: { records: 10, bytes: 100, oldestAgeMs: 60_000 }, dropped: { budget: 2 } }),
    device('b', { backlog: { records: 5, bytes: 50, oldestAgeMs: 600_000 }, dropped: { ttl: 1, budget: 1 } }),
    device('c', { site: 'tua-chua', backlog: { records: 99, bytes: 1, oldestAgeMs: 1 } }),
  ]);
  t.equal(s.backlogRecords, 15);
  t.equal(s.backlogBytes, 150);
  t.equal(s.backlogOldestAgeMs, 600_000);
  t.equal(s.dropped, 4);
  t.equal(s.total, 2, 'other sites are not counted');
});
