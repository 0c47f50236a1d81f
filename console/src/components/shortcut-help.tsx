// The "?" overlay listing the triage queue's keyboard shortcuts.
import { useConsole } from '../console-context.js';
import { SHORTCUTS, keyLabel } from '../triage/shortcuts.js';

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const { t } = useConsole();
  return (
    <div
      class="overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby="keys-title"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div class="panel dialog">
        <h2 id="keys-title">{t('keys.title')}</h2>
        <table class="keys">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr>
                <td>
                  {s.keys.map((k) => (
                    <kbd>{keyLabel(k)}</kbd>
                  ))}
                </td>
                <td>{t(s.label)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" class="primary" onClick={onClose}>
          {t('keys.close')}
        </button>
      </div>
    </div>
  );
}
