// The operator console in a real browser against a real coordinator and the three district edge
// agents: sign-in, the overview with every site online, a river alarm raised at Mường Nhé
// reaching the live feed, an operator verifying and dispatching it (both in the audit trail),
// and a viewer who cannot triage. Screenshots go to test-artifacts/console/.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { tempDir } from '../support/tmp.js';
import { ADMIN_TOKEN, OPERATOR_TOKEN, VIEWER_TOKEN, startAgent, startCoordinator, type RunningAgent } from '../support/system.js';
import { PHONE, ensureConsoleBuilt, launchBrowser, screenshot } from '../support/browser.js';
import { waitFor } from '../support/wait.js';
import { projectRoot } from '../../common/paths.js';

/** The three districts of the firmware-config site files, with compact sensors (2 s windows). */
const SITES = [
  { site: 'muong-nhe', device: 'edge-muong-nhe-01', river: 'river-mn-01', rain: 'rain-mn-01', temp: 'temp-mn-01' },
  { site: 'tua-chua', device: 'edge-tua-chua-01', river: 'river-tc-01', rain: 'rain-tc-01', temp: 'temp-tc-01' },
  { site: 'dien-bien-dong', device: 'edge-dien-bien-dong-01', river: 'river-dbd-01', rain: 'rain-dbd-01', temp: 'temp-dbd-01' },
] as const;

function sensorsYaml(s: (typeof SITES)[number]): string {
  return `
sensors:
  - id: ${s.river}
    type: water_level
    credentials: { username: ${s.river}, password: ${s.river}-secret }
    metrics: [{ name: level, unit: m, valid_range: [0, 30], windows_s: [2] }]
    thresholds:
      - { id: river-alert-2, metric: level, condition: above, value: 4.5, clear: 4.2, severity: high, message: River above alert level 2 }
  - id: ${s.rain}
    type: rain_gauge
    credentials: { username: ${s.rain}, password: ${s.rain}-secret }
    metrics: [{ name: rainfall, unit: mm, valid_range: [0, 200], windows_s: [2] }]
  - id: ${s.temp}
    type: temperature
    credentials: { username: ${s.temp}, password: ${s.temp}-secret }
    metrics: [{ name: temperature, unit: °C, valid_range: [-20, 60], windows_s: [2] }]
`;
}

const OPERATIONS_YAML = `
agencies:
  - { id: disaster-committee, name: Ban Chỉ huy PCTT tỉnh }
  - { id: police, name: Công an tỉnh Điện Biên }
routing:
  rules:
    - { name: river flood → disaster committee, match: { kind: [alarm], rule: [river-alert-2] }, agency: disaster-committee }
  default_agency: police
`;

async function publish(agent: RunningAgent, sensor: string, metric: string, values: number[]): Promise<void> {
  const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${agent.brokerPort}`, { username: sensor, password: `${sensor}-secret` });
  try {
    for (const v of values) await client.publishAsync(`sensors/${sensor}/${metric}`, JSON.stringify({ value: v }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

async function signIn(page: Page, baseUrl: string, token: string, shot?: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForSelector('#token');
  if (shot) await screenshot(page, shot);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('.topbar', { timeout: 15_000 });
}

t.test('operator console: overview, live alarm, triage with audit trail, viewer cannot triage', { timeout: 150_000 }, async (t) => {
  ensureConsoleBuilt();
  const dir = tempDir(t);
  const coordinator = await startCoordinator(t, { dir, devices: SITES.map((s) => ({ id: s.device, site: s.site })), extraYaml: OPERATIONS_YAML });
  const baseUrl = `http://127.0.0.1:${coordinator.httpPort}`;
  const agents = await Promise.all(
    SITES.map((s) => startAgent(t, { dir, deviceId: s.device, site: s.site, grpcAddress: `127.0.0.1:${coordinator.grpcPort}`, bodyYaml: sensorsYaml(s) })),
  );

  // Normal readings for the sparklines: river below the alert level, light rain, mild temperatures.
  await Promise.all(
    SITES.map(async (s, i) => {
      await publish(agents[i]!, s.river, 'level', [2.1 + i * 0.3, 2.2 + i * 0.3, 2.3 + i * 0.3]);
      await publish(agents[i]!, s.rain, 'rainfall', [0.2, 0.4, 1.1]);
      await publish(agents[i]!, s.temp, 'temperature', [18 + i, 18.5 + i, 19 + i]);
    }),
  );

  // Triage arrives with the coordinator's operations routes; without them those steps are skipped, not failed.
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  const triage = '/api/v1/alerts' in doc.paths ? {} : { skip: 'this coordinator has no /api/v1/alerts yet' };

  const context = await launchBrowser(t);
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (err) => failures.push(err.message));

  await t.test('the coordinator serves the console and keeps API paths for the API', async (t) => {
    const home = await fetch(`${baseUrl}/`);
    t.equal(home.status, 200);
    t.match(home.headers.get('content-type'), /text\/html/);
    const deep = await fetch(`${baseUrl}/alerts/some-alert`);
    t.match(await deep.text(), /<div id="app">/, 'page paths fall back to the console');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(await home.text())?.[1];
    t.ok(asset, 'index.html references a hashed bundle');
    const js = await fetch(baseUrl + asset);
    t.match(js.headers.get('content-type'), /javascript/);
    t.match(js.headers.get('cache-control'), /immutable/);
    const api404 = await fetch(`${baseUrl}/api/v1/no-such-thing`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
    t.equal(api404.status, 404);
    t.match(api404.headers.get('content-type'), /json/);
  });

  await t.test('sign in, and the overview shows the three sites online', async (t) => {
    await signIn(page, baseUrl, OPERATOR_TOKEN);
    t.equal(await page.getAttribute('.role', 'data-role'), 'operator');
    await page.waitForFunction(() => document.querySelectorAll('.site-card[data-status="online"]').length === 3, undefined, { timeout: 30_000 });
    for (const s of SITES) t.equal(await page.getAttribute(`.site-card[data-site="${s.site}"]`, 'data-status'), 'online', `${s.site} online`);
    t.equal(await page.locator('.map-site-online').count(), 3, 'three green markers on the map');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('.site-card .spark-cell[data-metric="level"] .spark-value').length === 3 &&
        [...document.querySelectorAll('.site-card .spark-cell[data-metric="level"] .spark-value')].every((e) => /\d/.test(e.textContent ?? '')),
      undefined,
      { timeout: 30_000 },
    );
    t.match(
      await page.textContent('.site-card[data-site="muong-nhe"] .spark-cell[data-metric="level"] .spark-value'),
      /2\.\d m/,
      'river level sparkline of Mường Nhé',
    );
    await screenshot(page, 'overview-1366x768');
  });

  let alertId = '';
  await t.test('a river alarm raised at Mường Nhé appears in the live feed within seconds', async (t) => {
    await page.click('a[data-nav="/live"]');
    await page.waitForSelector('[data-testid="live-state"]');
    await waitFor(
      'live feed streaming (ticket, not the token, in the URL)',
      async () => /conn-open/.test((await page.getAttribute('[data-testid="live-state"]', 'class')) ?? ''),
      { timeoutMs: 15_000 },
    );
    await page.evaluate(() => {
      const w = window as unknown as { cues: number };
      w.cues = 0;
      new MutationObserver(() => document.body.classList.contains('cue-flash') && w.cues++).observe(document.body, {
        attributes: true,
        attributeFilter: ['class'],
      });
    });
    const started = Date.now();
    await publish(agents[0]!, SITES[0].river, 'level', [4.0, 4.8, 5.1]);
    await page.waitForSelector('.feed-item.fresh[data-kind="alarm"][data-severity="high"]', { timeout: 20_000 });
    const seconds = (Date.now() - started) / 1000;
    t.ok(seconds < 10, `alarm on screen ${seconds.toFixed(1)} s after the readings were published`);
    t.match(await page.textContent('.feed-item[data-kind="alarm"]'), /Mường Nhé/);
    t.ok(await page.evaluate(() => (window as unknown as { cues: number }).cues > 0), 'the high-severity arrival flashed the page (visual cue)');
    await page.waitForFunction(() => !document.body.classList.contains('cue-flash'), undefined, { timeout: 5_000 });
    await screenshot(page, 'live-1366x768');

    // Paused, the clear of the alarm is held aside (counted on the button) until resumed.
    await page.click('button[data-action="pause"]');
    await publish(agents[0]!, SITES[0].river, 'level', [3.9, 3.8]);
    await page.waitForFunction(
      () =>
        /\(\d+ mới\)/.test(document.querySelector('button[data-action="pause"]')?.textContent ?? '') &&
        !/0 mới/.test(document.querySelector('button[data-action="pause"]')?.textContent ?? ''),
      undefined,
      { timeout: 15_000 },
    );
    t.equal(await page.locator('.feed-item[data-kind="alarm"]').count(), 1, 'nothing new shown while paused');
    await page.click('button[data-action="pause"]');
    await page.waitForFunction(() => document.querySelectorAll('.feed-item[data-kind="alarm"]').length === 2, undefined, { timeout: 5_000 });
    t.match(await page.textContent('.feed-item[data-kind="alarm"]'), /Hết báo động/, 'resumed: the clear is on top');
  });

  await t.test('an operator verifies and dispatches the alert; the audit trail shows both', triage, async (t) => {
    await page.click('a[data-nav="/alerts"]');
    const item = page.locator('.queue-item[data-state="new"]').first();
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    alertId = (await item.getAttribute('data-alert'))!;
    await page.waitForSelector(`.alert-panel[data-alert="${alertId}"]`);
    t.match(await page.textContent('[data-testid="routed-agency"]'), /Ban Chỉ huy PCTT/, 'routed to the disaster committee');

    // Keyboard: comment, then v.
    await page.fill('.actions textarea', 'Mực nước xác nhận qua camera cầu Nậm Ma');
    await page.locator('.actions textarea').press('Escape');
    await page.keyboard.press('v');
    await page.waitForSelector(`.alert-panel[data-alert="${alertId}"][data-state="verified"]`, { timeout: 10_000 });
    // Mouse: dispatch to the routed agency.
    await page.fill('.actions textarea', 'Đã báo Ban Chỉ huy PCTT');
    await page.click('button[data-action="dispatch"]');
    await page.waitForSelector(`.alert-panel[data-alert="${alertId}"][data-state="dispatched"]`, { timeout: 10_000 });
    await page.waitForSelector('.audit-entry[data-to="dispatched"]', { timeout: 10_000 });
    t.equal(await page.locator('.audit-entry[data-to="verified"]').count(), 1, 'verify in the audit trail');
    t.equal(await page.locator('.audit-entry[data-to="dispatched"]').count(), 1, 'dispatch in the audit trail');
    t.match(await page.textContent('.audit-entry[data-to="verified"]'), /operator.*Mực nước xác nhận qua camera cầu Nậm Ma/s, 'who verified, with the comment');
    t.match(
      await page.textContent('.audit-entry[data-to="dispatched"]'),
      /Ban Chỉ huy PCTT tỉnh.*Đã báo Ban Chỉ huy PCTT/s,
      'to which agency, with the comment',
    );
    await page.keyboard.press('?');
    await page.waitForSelector('.dialog .keys');
    t.ok((await page.locator('.dialog .keys tr').count()) >= 8, 'the shortcuts are documented in the page');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.body.classList.contains('cue-flash'), undefined, { timeout: 5_000 });
    await screenshot(page, 'triage-1366x768');
  });

  await t.test('event detail shows the alarm with its times and the sensors around it; sensor charts draw the threshold', triage, async (t) => {
    await page.click('.evidence-item');
    await page.waitForSelector('[data-testid="event-facts"]', { timeout: 10_000 });
    const facts = (await page.textContent('[data-testid="event-facts"]')) ?? '';
    t.match(facts, /river-mn-01/, 'the sensor');
    t.match(facts, /4\.80 m/, 'the value that crossed');
    t.match(facts, /Nhận tại trung tâm/, 'the received time is shown beside the edge and corrected times');
    await page.waitForSelector('.chart-cell .series-chart canvas', { timeout: 15_000 });
    await screenshot(page, 'event-detail-1366x768');

    await page.click('a[data-nav="/sensors"]');
    await page.selectOption('select[name="site"]', 'muong-nhe');
    await page.click('button[role="tab"]:text("1 giờ")');
    await page.waitForSelector('.chart-cell[data-metric="level"] .series-chart canvas', { timeout: 15_000 });
    await screenshot(page, 'sensors-1366x768');
  });

  await t.test('devices: health and versions of the three boxes; a command and its receipt', async (t) => {
    await page.click('a[data-nav="/devices"]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-device]').length === 3, undefined, { timeout: 10_000 });
    if ('/api/v1/devices/{id}/commands' in doc.paths) {
      await page.selectOption('select[name="device"]', SITES[0].device);
      await page.selectOption('select[name="command"]', 'ping');
      await page.click('button[data-action="send-command"]');
      const row = page.locator('tr[data-command]').first();
      await row.waitFor({ timeout: 10_000 });
      await page.waitForFunction(
        () => /done|failed|unknown_command/.test(document.querySelector('tr[data-command]')?.getAttribute('data-status') ?? ''),
        undefined,
        { timeout: 20_000 },
      );
      t.equal(await row.getAttribute('data-status'), 'done', 'the ping came back with a receipt');
    }
    await screenshot(page, 'devices-1366x768');
  });

  await t.test('a citizen report with a photo is listed and triaged in the same queue', triage, async (t) => {
    const form = new FormData();
    form.set('text', 'Xe tải lật trên đèo Tủa Chùa, đường bị chắn một làn');
    form.set('category', 'traffic_accident');
    form.set('lat', '21.87');
    form.set('lon', '103.34');
    // A real photo (OpenCV sample, test/fixtures/README.md) standing in for a phone picture.
    form.set('images', new Blob([readFileSync(join(projectRoot(), 'test/fixtures/licenseplate_motion.jpg'))], { type: 'image/jpeg' }), 'photo.jpg');
    const res = await fetch(`${baseUrl}/api/v1/reports`, { method: 'POST', body: form });
    t.equal(res.status, 201, 'citizens report without a token');
    const { report } = (await res.json()) as { report: { id: string } };
    await page.click('a[data-nav="/reports"]');
    await page.waitForSelector(`.report[data-report="${report.id}"] img.report-photo`, { timeout: 15_000 });
    t.match(await page.textContent(`.report[data-report="${report.id}"]`), /Tai nạn giao thông/);
    await screenshot(page, 'reports-1366x768');
    await page.click(`.report[data-report="${report.id}"] a`);
    await page.waitForSelector('.alert-panel[data-state="new"]', { timeout: 10_000 });
    t.match(await page.textContent('.alert-panel'), /Phản ánh người dân/, 'the report is an alert in the queue');

    // Back on the overview: open alerts per site, Tủa Chùa's new high-severity report pulsing on the map.
    await page.click('a[data-nav="/"]');
    await page.waitForSelector('.map-site-alerting[data-site="tua-chua"]', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('.site-card .spark-cell').length >= 9, undefined, { timeout: 20_000 });
    await screenshot(page, 'overview-with-alerts-1366x768');
  });

  await t.test('a viewer sees the queue but cannot triage (the UI disables it, the server refuses it)', triage, async (t) => {
    const viewer = await context.newPage();
    await signIn(viewer, baseUrl, VIEWER_TOKEN);
    await viewer.goto(`${baseUrl}/alerts/${alertId}`);
    await viewer.waitForSelector(`.alert-panel[data-alert="${alertId}"]`, { timeout: 15_000 });
    t.ok(await viewer.isVisible('[data-testid="viewer-note"]'));
    for (const action of ['verify', 'dispatch', 'resolve', 'dismiss']) t.ok(await viewer.isDisabled(`button[data-action="${action}"]`), `${action} disabled`);
    const res = await coordinator.api
      .as(VIEWER_TOKEN)
      .raw(`/api/v1/alerts/${alertId}/resolve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    t.equal(res.status, 403, 'the server refuses a viewer');
    await viewer.close();
  });

  await t.test('phone-sized screen and the English switch', async (t) => {
    const phone = await context.newPage();
    await phone.setViewportSize(PHONE);
    await signIn(phone, baseUrl, ADMIN_TOKEN, 'sign-in-phone');
    await phone.waitForFunction(() => document.querySelectorAll('.site-card[data-status="online"]').length === 3, undefined, { timeout: 20_000 });
    await phone.waitForFunction(() => document.querySelectorAll('.site-card .spark-cell').length >= 9, undefined, { timeout: 20_000 });
    await screenshot(phone, 'overview-phone');
    if (alertId) {
      await phone.click('a[data-nav="/alerts"]');
      await phone.waitForSelector('.alert-panel[data-alert]', { timeout: 15_000 });
      await screenshot(phone, 'triage-phone');
    }
    await phone.click('a[data-nav="/admin"]');
    await phone.waitForSelector('[data-testid="routing"] tbody tr', { timeout: 10_000 });
    t.match(await phone.textContent('[data-testid="routing"]'), /river flood → disaster committee/, 'the routing table in force');
    const feeds = (await phone.textContent('[data-testid="standard-feeds"]')) ?? '';
    for (const path of ['/open311/v2/services.json', '/open311/v2/requests.json', '/api/open/v1/cap.atom', '/api/open/sta/v1.1']) {
      t.ok(feeds.includes(`${baseUrl}${path}`), `the admin page gives the partners' URL ${path}`);
    }
    await screenshot(phone, 'admin-phone');
    await phone.click('button[aria-label="Switch to English"]');
    await phone.waitForSelector('a[data-nav="/alerts"]:text("Triage")');
    t.pass('English switch');
    await phone.close();
  });

  await t.test('a box that goes dark shows as offline, with since when', async (t) => {
    await page.click('a[data-nav="/"]');
    await agents[2]!.proc.kill9();
    await page.waitForSelector('.site-card[data-site="dien-bien-dong"][data-status="offline"]', { timeout: 30_000 });
    t.match(await page.textContent('.site-card[data-site="dien-bien-dong"] .pill'), /Mất kết nối từ \d\d:\d\d/);
    t.equal(await page.locator('.map-site-offline[data-site="dien-bien-dong"]').count(), 1, 'red marker on the map');
    await screenshot(page, 'overview-offline-1366x768');
  });

  t.same(failures, [], 'no script errors in the page');
});
