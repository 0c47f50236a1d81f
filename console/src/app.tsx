// The console shell: sign-in gate, then the header (pages, user, language) and the page of the
// current path. Who may do what comes from GET /api/v1/me; the server enforces it regardless.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, ApiError } from './api/client.js';
import type { Principal, Site } from './api/types.js';
import { ApiRoutes, ConsoleContext, useConsole, type ConsoleContextValue, type ConsoleSettings } from './console-context.js';
import { initialLang, rememberLang, translator, type Lang, type MessageKey } from './i18n/i18n.js';
import { onLinkClick, useRoute } from './router.js';
import { storedToken, storeToken } from './session.js';
import { SignIn } from './pages/sign-in.js';
import { Overview } from './pages/overview.js';
import { LiveFeed } from './pages/live-feed.js';
import { TriageQueue } from './pages/triage-queue.js';
import { EventDetail } from './pages/event-detail.js';
import { SensorsPage } from './pages/sensors.js';
import { DevicesPage } from './pages/devices.js';
import { ReportsPage } from './pages/reports.js';
import { AdminPage } from './pages/admin.js';

interface Session {
  api: ApiClient;
  principal: Principal;
  routes: ApiRoutes;
  settings: ConsoleSettings;
  sites: Site[];
}

/** Proves the token (GET /me) and learns which routes this coordinator has. */
async function openSession(token: string, onUnauthorized: () => void): Promise<Session> {
  const api = new ApiClient(token, '', onUnauthorized);
  const principal = await api.get<Principal>('/api/v1/me');
  const [doc, settings, sites] = await Promise.all([
    fetch('/openapi.json').then((r) => (r.ok ? r.json() : { paths: {} })) as Promise<{ paths: Record<string, Record<string, unknown>> }>,
    fetch('/console-settings.json').then((r) => (r.ok ? r.json() : { tileUrl: null })) as Promise<ConsoleSettings>,
    api.get<{ items: Site[] }>('/api/v1/sites').then((r) => r.items),
  ]);
  return { api, principal, routes: new ApiRoutes(doc.paths ?? {}), settings, sites };
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedToken() !== null);
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  // A token revoked while signed in: back to the sign-in page rather than a console of errors.
  const signOut = () => {
    storeToken(null);
    setSession(null);
  };

  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    openSession(token, signOut)
      .then(
        (s) => setSession(s),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) storeToken(null);
        },
      )
      .finally(() => setRestoring(false));
  }, []);

  const switchLang = (next: Lang) => {
    rememberLang(next);
    setLang(next);
  };

  if (restoring) return <div class="boot">{t('app.loading')}</div>;
  if (!session) {
    return (
      <SignIn
        t={t}
        lang={lang}
        onLang={switchLang}
        onToken={async (token) => {
          const s = await openSession(token, signOut);
          storeToken(token);
          setSession(s);
        }}
      />
    );
  }
  const value: ConsoleContextValue = {
    ...session,
    lang,
    t,
    siteName: (id) => (id ? (session.sites.find((s) => s.id === id)?.name ?? id) : '—'),
  };
  return (
    <ConsoleContext.Provider value={value}>
      <Shell onLang={switchLang} onSignOut={signOut} />
    </ConsoleContext.Provider>
  );
}

const NAV: { path: string; key: MessageKey }[] = [
  { path: '/', key: 'nav.overview' },
  { path: '/live', key: 'nav.live' },
  { path: '/alerts', key: 'nav.alerts' },
  { path: '/reports', key: 'nav.reports' },
  { path: '/sensors', key: 'nav.sensors' },
  { path: '/devices', key: 'nav.devices' },
  { path: '/admin', key: 'nav.admin' },
];

function Shell({ onLang, onSignOut }: { onLang: (l: Lang) => void; onSignOut: () => void }) {
  const ctx = useConsole();
  const { t, lang, principal } = ctx;
  const route = useRoute();
  const section = `/${route.path.split('/')[1] ?? ''}`;
  useEffect(() => {
    const title = NAV.find((n) => n.path === section);
    document.title = `${title ? t(title.key) : 'IOC'} — IOC Điện Biên`;
  }, [section, lang]);
  // Clicks on the console's own links navigate in place (keyboard activation of a link is a click too).
  useEffect(() => {
    document.addEventListener('click', onLinkClick);
    return () => document.removeEventListener('click', onLinkClick);
  }, []);
  return (
    <div class="shell">
      <header class="topbar">
        <a href="/" class="brand">
          <span class="brand-mark" aria-hidden="true" />
          <span class="brand-text">{t('app.title')}</span>
        </a>
        <nav class="nav" aria-label={t('nav.label')}>
          {NAV.map((n) => (
            <a href={n.path} class={section === n.path ? 'active' : ''} aria-current={section === n.path ? 'page' : undefined} data-nav={n.path}>
              {t(n.key)}
            </a>
          ))}
        </nav>
        <div class="user">
          <span class="user-name" title={principal.name}>
            {principal.name}
          </span>
          <span class={`role role-${principal.role}`} data-role={principal.role}>
            {t(`role.${principal.role}` as MessageKey)}
          </span>
          <button type="button" class="link-button" onClick={() => onLang(lang === 'vi' ? 'en' : 'vi')} aria-label={t('app.switchLang')}>
            {lang === 'vi' ? 'EN' : 'VI'}
          </button>
          <button type="button" class="link-button" onClick={onSignOut}>
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <main class="page">
        <Page path={route.path} query={route.query} />
      </main>
    </div>
  );
}

function Page({ path, query }: { path: string; query: URLSearchParams }) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case undefined:
      return <Overview />;
    case 'live':
      return <LiveFeed />;
    case 'alerts':
      return <TriageQueue selectedId={parts[1]} />;
    case 'events':
      return parts[1] ? <EventDetail id={parts[1]} /> : <NotFound />;
    case 'sensors':
      return <SensorsPage site={query.get('site')} range={query.get('range')} />;
    case 'devices':
      return <DevicesPage />;
    case 'reports':
      return <ReportsPage selectedId={parts[1]} />;
    case 'admin':
      return <AdminPage />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  const { t } = useConsole();
  return (
    <section class="panel">
      <h1>{t('app.notFound')}</h1>
      <a href="/">{t('nav.overview')}</a>
    </section>
  );
}
