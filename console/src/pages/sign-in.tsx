// Sign-in: the operator pastes the API token an admin issued (viewer, operator or admin). It is
// checked against GET /api/v1/me before the console opens.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { Lang, Translate } from '../i18n/i18n.js';

export function SignIn({ t, lang, onLang, onToken }: { t: Translate; lang: Lang; onLang: (l: Lang) => void; onToken: (token: string) => Promise<void> }) {
  const [token, setToken] = useState('');
  const tokenInput = useRef<HTMLInputElement>(null);
  // The token field has the focus when the page opens.
  useEffect(() => tokenInput.current?.focus(), []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) return;
    setBusy(true);
    setError(null);
    try {
      await onToken(value);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? t('signIn.rejected')
          : t('signIn.unreachable', { reason: err instanceof Error ? err.message : String(err) }),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="sign-in">
      <form class="panel sign-in-form" onSubmit={submit}>
        <div class="sign-in-head">
          <span class="brand-mark" aria-hidden="true" />
          <h1>{t('app.title')}</h1>
          <button type="button" class="link-button" onClick={() => onLang(lang === 'vi' ? 'en' : 'vi')}>
            {lang === 'vi' ? 'English' : 'Tiếng Việt'}
          </button>
        </div>
        <p class="muted">{t('signIn.intro')}</p>
        <label for="token">{t('signIn.token')}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          ref={tokenInput}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? t('app.loading') : t('signIn.submit')}
        </button>
        <p class="muted small">{t('signIn.storage')}</p>
      </form>
    </div>
  );
}
