// Administration: the routing table (read by all, edited by admins), device provisioning and
// tokens, the config version each device runs, and the standard feeds' URLs for partners. The server decides; the page follows the
// roles each route declares.
import { useState } from 'preact/hooks';
import type { Device, Site } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { RoutingTable } from '../components/routing-table.js';
import { DeviceProvisioning } from '../components/device-provisioning.js';
import { ConfigVersions } from '../components/config-versions.js';
import { StandardFeeds } from '../components/standard-feeds.js';

export function AdminPage() {
  const { api } = useConsole();
  const [version, setVersion] = useState(0);
  const { data } = usePoll(
    async (signal) => {
      const [devices, sites] = await Promise.all([
        api.get<{ items: Device[] }>('/api/v1/devices', {}, signal),
        api.get<{ items: Site[] }>('/api/v1/sites', {}, signal),
      ]);
      return { devices: devices.items, sites: sites.items };
    },
    30_000,
    [version],
  );
  return (
    <div class="admin">
      <RoutingTable />
      {data && <DeviceProvisioning devices={data.devices} sites={data.sites} onChange={() => setVersion((v) => v + 1)} />}
      {data && <ConfigVersions devices={data.devices} />}
      <StandardFeeds />
    </div>
  );
}
