// An alert's audit log, oldest first: who did what, when, from which state to which, and why.
import { useConsole } from '../console-context.js';
import type { AuditEntry } from '../triage/alert-types.js';
import { formatDateTime } from '../format.js';
import type { MessageKey } from '../i18n/i18n.js';

export function AuditTrail({ entries, agencyName }: { entries: AuditEntry[]; agencyName: (id: string) => string }) {
  const { t, lang } = useConsole();
  if (entries.length === 0) return <p class="muted">—</p>;
  return (
    <ol class="audit" data-testid="audit">
      {entries.map((e) => (
        <li class={`audit-entry audit-${e.action}`} data-action={e.action} data-to={e.to ?? ''}>
          <time>{formatDateTime(e.atMs, lang)}</time>
          <span class="audit-actor">{e.actor}</span>
          <span class="audit-what">
            {e.action === 'transition' && e.to
              ? `${e.from ? t(`state.${e.from}` as MessageKey) : ''} → ${t(`state.${e.to}` as MessageKey)}`
              : t(`audit.${e.action}` as MessageKey)}
            {typeof e.detail?.agency === 'string' ? ` (${agencyName(e.detail.agency)})` : ''}
          </span>
          {e.comment && <q class="audit-comment">{e.comment}</q>}
        </li>
      ))}
    </ol>
  );
}
