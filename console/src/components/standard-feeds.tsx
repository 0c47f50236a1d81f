// The standard feeds partners subscribe to, with their full URLs: Open311 GeoReport v2 for
// citizens' apps, the CAP 1.2 Atom feed and the OGC SensorThings API 1.1 root for open sensor
// data. Shown only when this coordinator serves them.
import { useConsole } from '../console-context.js';
import type { MessageKey } from '../i18n/i18n.js';

const FEEDS: { key: MessageKey; method: string; path: string }[] = [
  { key: 'feeds.open311Services', method: 'GET', path: '/open311/v2/services.json' },
  { key: 'feeds.open311Requests', method: 'GET', path: '/open311/v2/requests.json' },
  { key: 'feeds.capAtom', method: 'GET', path: '/api/open/v1/cap.atom' },
  { key: 'feeds.sensorThings', method: 'GET', path: '/api/open/sta/v1.1' },
];

export function StandardFeeds() {
  const { t, routes } = useConsole();
  const feeds = FEEDS.filter((f) => routes.has(f.method, f.path));
  if (feeds.length === 0) return null;
  const origin = window.location.origin;
  return (
    <section class="panel" data-testid="standard-feeds">
      <h2>{t('feeds.title')}</h2>
      <p class="muted">{t('feeds.intro')}</p>
      <div class="table-wrap">
        <table class="table">
          <tbody>
            {feeds.map((f) => (
              <tr key={f.path}>
                <th>{t(f.key)}</th>
                <td>
                  <a href={`${origin}${f.path}`} target="_blank" rel="noopener noreferrer">
                    <code>{`${origin}${f.path}`}</code>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
