// Severity as a coloured word: colour alone is not enough for colour-blind operators.
import { useConsole } from '../console-context.js';
import type { MessageKey } from '../i18n/i18n.js';

export function SeverityBadge({ severity }: { severity: string | null | undefined }) {
  const { t } = useConsole();
  if (!severity) return null;
  return <span class={`sev sev-${severity}`}>{t(`severity.${severity}` as MessageKey)}</span>;
}
