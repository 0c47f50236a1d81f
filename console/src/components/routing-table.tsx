// The routing table in force: which agency (and channel) gets which alert. Everyone can read
// it; an admin replaces the rules (validated by the server, which names the bad path) or goes
// back to the coordinator config's table.
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import { useConsole } from '../console-context.js';
import { usePoll } from '../use-poll.js';
import type { MessageKey } from '../i18n/i18n.js';

/** /openapi.json: Routing. */
interface Routing {
  source: 'config' | 'api';
  agencies: { id: string; name: string; channel: string | null; ack_timeout_s: number | null }[];
  rules: { name?: string; match: { kind?: string[]; rule?: string[]; site?: string[]; min_severity?: string }; agency: string; channel?: string }[];
  default_agency: string | null;
}

const PATH = '/api/v1/routing';

export function RoutingTable() {
  const { api, t, principal, routes, siteName } = useConsole();
  const [version, setVersion] = useState(0);
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { data } = usePoll((signal) => api.get<Routing>(PATH, {}, signal), null, [version]);
  if (!routes.has('GET', PATH)) return null;
  const canEdit = routes.allows(principal.role, 'PUT', PATH);
  const agency = (id: string | null) => (id ? (data?.agencies.find((a) => a.id === id)?.name ?? id) : '—');

  const save = async (body: 'reset' | string) => {
    setProblem(null);
    try {
      if (body === 'reset') await api.send('DELETE', PATH);
      else await api.put(PATH, JSON.parse(body));
      setDraft(null);
      setVersion((v) => v + 1);
    } catch (err) {
      setProblem(err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof SyntaxError ? `JSON: ${err.message}` : String(err));
    }
  };

  return (
    <section class="panel" data-testid="routing">
      <header class="panel-head">
        <h2>{t('routing.title')}</h2>
        {data && <span class="muted small">{t(`routing.source.${data.source}` as MessageKey)}</span>}
      </header>
      {data && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('routing.rule')}</th>
                <th>{t('routing.match')}</th>
                <th>{t('triage.agency')}</th>
              </tr>
            </thead>
            <tbody>
              {data.rules.map((r, i) => (
                <tr>
                  <td>{i + 1}</td>
                  <td>{r.name ?? '—'}</td>
                  <td class="small">
                    {[
                      r.match.kind && `${t('alert.kind')}: ${r.match.kind.join(', ')}`,
                      r.match.rule && `${t('event.rule')}: ${r.match.rule.join(', ')}`,
                      r.match.site && `${t('alert.site')}: ${r.match.site.map(siteName).join(', ')}`,
                      r.match.min_severity && `≥ ${t(`severity.${r.match.min_severity}` as MessageKey)}`,
                    ]
                      .filter(Boolean)
                      .join(' · ') || t('routing.any')}
                  </td>
                  <td>
                    {agency(r.agency)}
                    {r.channel ? ` → ${r.channel}` : ''}
                  </td>
                </tr>
              ))}
              <tr>
                <td>—</td>
                <td colSpan={2} class="muted">
                  {t('routing.default')}
                </td>
                <td>{agency(data.default_agency)}</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {canEdit && data && draft === null && (
        <div class="toolbar">
          <button type="button" onClick={() => setDraft(JSON.stringify({ rules: data.rules, default_agency: data.default_agency ?? undefined }, null, 2))}>
            {t('routing.edit')}
          </button>
          {data.source === 'api' && (
            <button type="button" onClick={() => void save('reset')}>
              {t('routing.reset')}
            </button>
          )}
        </div>
      )}
      {draft !== null && (
        <div class="editor">
          <textarea
            rows={12}
            spellcheck={false}
            value={draft}
            onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
            aria-label={t('routing.title')}
          />
          <div class="toolbar">
            <button type="button" class="primary" onClick={() => void save(draft)}>
              {t('routing.save')}
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              {t('routing.cancel')}
            </button>
          </div>
        </div>
      )}
      {problem && <p class="error small">{problem}</p>}
    </section>
  );
}
