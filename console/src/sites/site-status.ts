// A site's state from its devices: online when every device is, offline since the last time
// any device was heard, with the outbox backlog (how much is still on the edge) and drops.
import type { Device, Site } from '../api/types.js';
import type { MarkerStatus } from '../components/province-map.js';

export interface SiteStatus {
  status: MarkerStatus;
  online: number;
  total: number;
  /** All devices offline: when the site was last heard from. */
  offlineSinceMs: number | null;
  backlogRecords: number;
  backlogBytes: number;
  backlogOldestAgeMs: number;
  dropped: number;
  lastHeartbeatMs: number | null;
}

export function siteStatus(site: Site, devices: Device[]): SiteStatus {
  const own = devices.filter((d) => d.site === site.id && !d.revoked);
  const online = own.filter((d) => d.online).length;
  const lastSeen = Math.max(0, ...own.map((d) => d.lastSeenMs ?? 0));
  const heartbeat = Math.max(0, ...own.map((d) => d.lastHeartbeatMs ?? 0));
  return {
    status: own.length === 0 ? 'empty' : online === own.length ? 'online' : online === 0 ? 'offline' : 'partial',
    online,
    total: own.length,
    offlineSinceMs: own.length > 0 && online === 0 && lastSeen > 0 ? lastSeen : null,
    backlogRecords: own.reduce((n, d) => n + d.backlog.records, 0),
    backlogBytes: own.reduce((n, d) => n + d.backlog.bytes, 0),
    backlogOldestAgeMs: Math.max(0, ...own.map((d) => d.backlog.oldestAgeMs)),
    dropped: own.reduce((n, d) => n + Object.values(d.dropped).reduce((a, b) => a + b, 0), 0),
    lastHeartbeatMs: heartbeat > 0 ? heartbeat : null,
  };
}
