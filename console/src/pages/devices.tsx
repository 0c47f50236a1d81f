// Devices: presence, health, versions, the config version applied, backlog and the last
// heartbeat of every edge box; admins send commands (snapshot, restart a camera) and see the
// receipt when the coordinator offers the command routes.
import { useState } from 'preact/hooks';
import type { z } from '@hono/zod-openapi';
import type { CommandSchema } from '../../../cloud/api/routes/commands.js';
import { ApiError } from '../api/client.js';
import type { Device } from '../api/types.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import { formatAge, formatBytes, formatWhen } from '../format.js';
import type { MessageKey } from '../i18n/i18n.js';

const REFRESH_MS = 10_000;
const COMMANDS_PATH = '/api/v1/devices/{id}/commands';

export function DevicesPage() {
  const { api, t, lang, siteName } = useConsole();
  const { data, error } = usePoll((signal) => api.get<{ items: Device[] }>('/api/v1/devices', {}, signal), REFRESH_MS, []);
  return (
    <section class="panel devices">
      <header class="panel-head">
        <h1>{t('devices.title')}</h1>
        {error && <span class="error small">{error.message}</span>}
      </header>
      <div class="table-wrap">
        <table class="table" data-testid="devices">
          <thead>
            <tr>
              <th>{t('devices.device')}</th>
              <th>{t('devices.status')}</th>
              <th>{t('devices.heartbeat')}</th>
              <th>{t('devices.versions')}</th>
              <th>{t('devices.backlog')}</th>
              <th>{t('devices.dropped')}</th>
              <th>{t('devices.health')}</th>
              <th>{t('devices.components')}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((d) => (
              <tr data-device={d.id} class={d.online ? '' : 'row-offline'}>
                <td>
                  <strong>{siteName(d.site)}</strong>
                  <div class="muted small">{d.name ?? d.id}</div>
                </td>
                <td>
                  <span class={`pill pill-${d.revoked ? 'offline' : d.online ? 'online' : 'offline'}`}>
                    {d.revoked ? t('devices.revoked') : d.online ? t('site.status.online') : t('site.status.offline')}
                  </span>
                  {d.online && d.connectedSinceMs && <div class="muted small">{t('devices.since', { when: formatWhen(d.connectedSinceMs, lang) })}</div>}
                  {!d.online && d.lastSeenMs && <div class="muted small">{t('devices.lastSeen', { when: formatWhen(d.lastSeenMs, lang) })}</div>}
                </td>
                <td>
                  {formatWhen(d.lastHeartbeatMs, lang)}
                  {d.clockOffsetMs !== null && <div class="muted small">{t('devices.clockOffset', { ms: Math.round(d.clockOffsetMs) })}</div>}
                </td>
                <td>
                  {d.softwareVersion ?? '—'}
                  <div class="muted small">
                    {t('devices.config')} {d.configVersion ?? '—'}
                  </div>
                </td>
                <td class={d.backlog.oldestAgeMs > 600_000 ? 'warn' : ''}>
                  {d.backlog.records} · {formatBytes(d.backlog.bytes)}
                  <div class="muted small">{d.backlog.records > 0 ? formatAge(d.backlog.oldestAgeMs) : ''}</div>
                </td>
                <td>
                  {Object.entries(d.dropped)
                    .filter(([, n]) => n > 0)
                    .map(([r, n]) => `${r}: ${n}`)
                    .join(', ') || '0'}
                </td>
                <td>
                  {d.health ? (
                    <>
                      CPU {Math.round(d.health.cpuPercent)} % · RSS {formatBytes(d.health.rssBytes)}
                      <div class="muted small">
                        {t('devices.disk', { free: formatBytes(d.health.diskFreeBytes), budget: formatBytes(d.health.diskBudgetBytes) })}
                      </div>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {d.health?.components.map((c) => (
                    <span class={`comp comp-${c.state}`} title={c.detail}>
                      {c.name}
                    </span>
                  )) ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <DeviceCommands devices={data?.items ?? []} />
    </section>
  );
}

type DeviceCommand = z.infer<typeof CommandSchema>;

const COMMANDS = ['ping', 'snapshot', 'restart_camera'] as const;
const FINAL_STATUSES = new Set(['done', 'failed', 'expired', 'unknown_command']);
const RECEIPT_POLL_MS = 1500;

function DeviceCommands({ devices }: { devices: Device[] }) {
  const { api, t, lang, principal, routes } = useConsole();
  const [device, setDevice] = useState('');
  const [command, setCommand] = useState<(typeof COMMANDS)[number]>('ping');
  const [camera, setCamera] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState(0);
  const available = routes.has('POST', COMMANDS_PATH);
  const allowed = routes.allows(principal.role, 'POST', COMMANDS_PATH);
  const target = device || devices[0]?.id || '';
  const cameras =
    devices
      .find((d) => d.id === target)
      ?.health?.components.filter((c) => c.name.startsWith('camera:'))
      .map((c) => c.name.slice('camera:'.length)) ?? [];

  // The device's recent commands, re-read quickly while one is still waiting for its receipt.
  const history = usePoll(
    (signal) =>
      available && target
        ? api.get<{ items: DeviceCommand[] }>(COMMANDS_PATH.replace('{id}', encodeURIComponent(target)), { limit: 5 }, signal).then((r) => r.items)
        : Promise.resolve([]),
    RECEIPT_POLL_MS,
    [target, sent, available],
  );

  const send = async () => {
    setProblem(null);
    try {
      const args = command === 'ping' ? {} : { camera: camera || cameras[0] || '' };
      await api.post<DeviceCommand>(COMMANDS_PATH.replace('{id}', encodeURIComponent(target)), { name: command, args });
      setSent((n) => n + 1);
    } catch (err) {
      setProblem(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    }
  };

  return (
    <div class="commands">
      <h2>{t('devices.commands')}</h2>
      {!available && <p class="muted small">{t('app.notOnThisCoordinator')}</p>}
      {available && !allowed && <p class="muted small">{t('devices.needRole', { role: t(`role.${routes.roleFor('POST', COMMANDS_PATH)}` as MessageKey) })}</p>}
      <div class="toolbar">
        <select
          value={target}
          onChange={(e) => setDevice((e.target as HTMLSelectElement).value)}
          disabled={!available}
          aria-label={t('devices.device')}
          name="device"
        >
          {devices.map((d) => (
            <option value={d.id}>{d.name ?? d.id}</option>
          ))}
        </select>
        <select
          value={command}
          onChange={(e) => setCommand((e.target as HTMLSelectElement).value as (typeof COMMANDS)[number])}
          disabled={!allowed}
          aria-label={t('devices.command')}
          name="command"
        >
          {COMMANDS.map((c) => (
            <option value={c}>{t(`command.${c}` as MessageKey)}</option>
          ))}
        </select>
        {command !== 'ping' && (
          <select
            value={camera || cameras[0] || ''}
            onChange={(e) => setCamera((e.target as HTMLSelectElement).value)}
            disabled={!allowed || cameras.length === 0}
            aria-label={t('devices.camera')}
          >
            {cameras.length === 0 && <option value="">{t('devices.noCameras')}</option>}
            {cameras.map((c) => (
              <option value={c}>{c}</option>
            ))}
          </select>
        )}
        <button
          type="button"
          class="primary"
          onClick={() => void send()}
          disabled={!allowed || !target || (command !== 'ping' && cameras.length === 0)}
          data-action="send-command"
        >
          {t('devices.send')}
        </button>
      </div>
      {problem && <p class="error small">{problem}</p>}
      {history.data && history.data.length > 0 && (
        <table class="table" data-testid="commands">
          <thead>
            <tr>
              <th>{t('devices.command')}</th>
              <th>{t('devices.issued')}</th>
              <th>{t('devices.commandStatus')}</th>
              <th>{t('devices.receipt')}</th>
            </tr>
          </thead>
          <tbody>
            {history.data.map((c) => (
              <tr data-command={c.id} data-status={c.status}>
                <td>
                  {t(`command.${c.name}` as MessageKey)}
                  {typeof c.args.camera === 'string' ? ` · ${c.args.camera}` : ''}
                </td>
                <td>
                  {formatWhen(c.createdAtMs, lang)} · {c.createdBy}
                </td>
                <td>
                  <span class={`state ${FINAL_STATUSES.has(c.status) ? (c.status === 'done' ? 'state-resolved' : 'state-new') : 'state-verified'}`}>
                    {t(`commandStatus.${c.status}` as MessageKey)}
                  </span>
                </td>
                <td>{c.receipt ? `${c.receipt.status}: ${c.receipt.detail} (${formatWhen(c.receipt.receivedAtMs, lang)})` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
