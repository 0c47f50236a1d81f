// Device provisioning (admin): create a device for a site and see its token once, rotate a
// token, revoke a device. The token is shown only in the answer: the coordinator keeps a hash.
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Device, Site } from '../api/types.js';
import { useConsole } from '../console-context.js';

interface Provisioned {
  device: { id: string; site: string; name: string | null; revoked: boolean; createdAtMs: number };
  token?: string;
}

export function DeviceProvisioning({ devices, sites, onChange }: { devices: Device[]; sites: Site[]; onChange: () => void }) {
  const { api, t, principal, routes } = useConsole();
  const [id, setId] = useState('');
  const [site, setSite] = useState('');
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<Provisioned | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (!routes.has('POST', '/api/v1/devices')) return null;
  const allowed = routes.allows(principal.role, 'POST', '/api/v1/devices');

  const call = async (path: string, body: unknown, confirmText?: string) => {
    if (confirmText && !confirm(confirmText)) return;
    setProblem(null);
    setIssued(null);
    try {
      setIssued(await api.post<Provisioned>(path, body));
      onChange();
    } catch (err) {
      setProblem(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err));
    }
  };

  return (
    <section class="panel" data-testid="provisioning">
      <h2>{t('provision.title')}</h2>
      {!allowed && <p class="muted small">{t('provision.needAdmin')}</p>}
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void call('/api/v1/devices', { id, site: site || sites[0]?.id, name: name || undefined });
        }}
      >
        <label>
          {t('provision.id')}
          <input value={id} onInput={(e) => setId((e.target as HTMLInputElement).value)} placeholder="edge-muong-nhe-02" disabled={!allowed} required />
        </label>
        <label>
          {t('filter.site')}
          <select value={site || sites[0]?.id} onChange={(e) => setSite((e.target as HTMLSelectElement).value)} disabled={!allowed}>
            {sites.map((s) => (
              <option value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label>
          {t('provision.name')}
          <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} disabled={!allowed} />
        </label>
        <button class="primary" type="submit" disabled={!allowed || !id}>
          {t('provision.create')}
        </button>
      </form>
      {issued?.token && (
        <div class="token-once" role="status">
          <p>{t('provision.tokenOnce', { id: issued.device.id })}</p>
          <code data-testid="device-token">{issued.token}</code>
        </div>
      )}
      {issued && !issued.token && <p class="ok small">{t('provision.revoked', { id: issued.device.id })}</p>}
      {problem && <p class="error small">{problem}</p>}
      {allowed && (
        <div class="table-wrap">
          <table class="table">
            <tbody>
              {devices.map((d) => (
                <tr>
                  <td>{d.id}</td>
                  <td>{d.revoked ? t('devices.revoked') : ''}</td>
                  <td class="row-actions">
                    <button
                      type="button"
                      onClick={() => void call(`/api/v1/devices/${encodeURIComponent(d.id)}/token`, {}, t('provision.confirmRotate', { id: d.id }))}
                    >
                      {t('provision.rotate')}
                    </button>
                    {!d.revoked && (
                      <button
                        type="button"
                        onClick={() => void call(`/api/v1/devices/${encodeURIComponent(d.id)}/revoke`, {}, t('provision.confirmRevoke', { id: d.id }))}
                      >
                        {t('provision.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
