// A device's config versions: which one it should run, which it reports running, and each
// version's fate (pending, pushed, applied, rejected with the edge's reason, superseded).
import type { z } from '@hono/zod-openapi';
import type { ConfigVersionSchema } from '../../../cloud/api/routes/config.js';
import type { Device } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { formatWhen } from '../format.js';
import type { MessageKey } from '../i18n/i18n.js';

/** /openapi.json: DeviceConfig (its versions are ConfigVersion). */
interface DeviceConfig {
  deviceId: string;
  desiredVersion: number | null;
  runningRevision: string | null;
  runningVersion: number | null;
  versions: z.infer<typeof ConfigVersionSchema>[];
}

const PATH = '/api/v1/devices/{id}/config';

export function ConfigVersions({ devices }: { devices: Device[] }) {
  const { api, t, lang, routes } = useConsole();
  const available = routes.has('GET', PATH);
  const { data } = usePoll(
    (signal) =>
      available
        ? Promise.all(devices.map((d) => api.get<DeviceConfig>(PATH.replace('{id}', encodeURIComponent(d.id)), {}, signal).catch(() => null)))
        : Promise.resolve([]),
    15_000,
    [available, devices.map((d) => d.id).join(',')],
  );
  if (!available) return null;
  return (
    <section class="panel" data-testid="config-versions">
      <h2>{t('config.title')}</h2>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th>{t('devices.device')}</th>
              <th>{t('config.desired')}</th>
              <th>{t('config.running')}</th>
              <th>{t('config.latest')}</th>
            </tr>
          </thead>
          <tbody>
            {(data ?? [])
              .filter((c): c is DeviceConfig => c !== null)
              .map((c) => {
                const latest = c.versions[0];
                return (
                  <tr>
                    <td>{c.deviceId}</td>
                    <td>{c.desiredVersion ?? '—'}</td>
                    <td>
                      {c.runningVersion ?? '—'} <span class="muted small">{c.runningRevision?.slice(0, 10) ?? ''}</span>
                    </td>
                    <td>
                      {latest ? (
                        <>
                          v{latest.version}{' '}
                          <span class={`state state-${latest.status === 'applied' ? 'resolved' : latest.status === 'rejected' ? 'new' : 'verified'}`}>
                            {t(`config.status.${latest.status}` as MessageKey)}
                          </span>
                          <div class="muted small">
                            {formatWhen(latest.createdAtMs, lang)} · {latest.createdBy}
                            {latest.comment ? ` · ${latest.comment}` : ''}
                          </div>
                          {latest.error && <div class="error small">{latest.error}</div>}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
