// Routing rules: first match wins on kind, rule, site and severity; the agency's channel unless
// the rule names one; the default agency catches the rest; the config refuses dangling names.
import t from 'tap';
import { routeAlert } from '../../../cloud/triage/routing.js';
import { parseCoordinatorConfig } from '../../../cloud/config.js';
import { ConfigError } from '../../../common/errors.js';

const agencies = [
  { id: 'police', name: 'Công an tỉnh', channel: 'police-hook' },
  { id: 'fire-rescue', name: 'PCCC&CNCH', channel: 'fire-hook' },
  { id: 'disaster-committee', name: 'Ban chỉ huy PCTT', channel: 'pctt-hook' },
  { id: 'health', name: 'Sở Y tế' },
];
const routing = {
  rules: [
    {
      name: 'floods in Mường Nhé',
      match: { kind: ['alarm'], rule: ['flood', 'heavy-rain-1h'], site: ['muong-nhe'], min_severity: 'high' as const },
      agency: 'disaster-committee',
      channel: 'duty-hook',
    },
    { match: { kind: ['alarm'], rule: ['flood', 'heavy-rain-1h'] }, agency: 'disaster-committee' },
    { match: { kind: ['camera_event'], rule: ['intrusion', 'loitering'] }, agency: 'police' },
    { match: { kind: ['citizen_report'], rule: ['fire'] }, agency: 'fire-rescue' },
  ],
  default_agency: 'police',
};

t.test('first matching rule wins; conditions combine', async (t) => {
  t.same(routeAlert({ kind: 'alarm', rule: 'flood', site: 'muong-nhe', severity: 'critical' }, routing, agencies), {
    agency: 'disaster-committee',
    channel: 'duty-hook',
    rule: 'floods in Mường Nhé',
  });
  t.same(
    routeAlert({ kind: 'alarm', rule: 'flood', site: 'muong-nhe', severity: 'medium' }, routing, agencies),
    { agency: 'disaster-committee', channel: 'pctt-hook', rule: 'rules[1]' },
    'below min_severity: the next rule, the agency channel',
  );
  t.same(
    routeAlert({ kind: 'alarm', rule: 'heavy-rain-1h', site: 'tua-chua', severity: 'high' }, routing, agencies).rule,
    'rules[1]',
    'another site: the next rule',
  );
  t.same(routeAlert({ kind: 'camera_event', rule: 'loitering', site: 'dien-bien-dong', severity: 'medium' }, routing, agencies), {
    agency: 'police',
    channel: 'police-hook',
    rule: 'rules[2]',
  });
  t.same(
    routeAlert({ kind: 'citizen_report', rule: 'fire', site: null, severity: 'high' }, routing, agencies).agency,
    'fire-rescue',
    'a report with no site still matches rules without a site',
  );
  t.same(routeAlert({ kind: 'citizen_report', rule: 'health', site: null, severity: 'medium' }, routing, agencies), {
    agency: 'police',
    channel: 'police-hook',
    rule: 'default',
  });
  t.same(
    routeAlert({ kind: 'alarm', rule: null, site: 'x', severity: 'low' }, { rules: [] }, agencies),
    { agency: null, channel: null, rule: null },
    'nothing matches, no default: no agency',
  );
  t.same(
    routeAlert({ kind: 'citizen_report', rule: 'x', site: null, severity: 'low' }, { rules: [], default_agency: 'health' }, agencies),
    { agency: 'health', channel: null, rule: 'default' },
    'an agency without a channel',
  );
});

t.test('the config refuses rules that name unknown agencies or channels, with the path', async (t) => {
  const base = `version: 1
agencies:
  - { id: police, name: Công an, channel: police-hook }
webhooks:
  endpoints:
    - { name: police-hook, url: "http://127.0.0.1:9/x", secret: 0123456789abcdef0123 }
`;
  t.ok(parseCoordinatorConfig(`${base}routing: { rules: [{ match: { kind: [alarm] }, agency: police }] }\n`, 'c.yaml', {}).config);
  const bad = () =>
    parseCoordinatorConfig(
      `${base}routing:\n  rules: [{ match: { kind: [alarm] }, agency: army, channel: nope }]\n  default_agency: ghost\nescalation: { channel: nobody }\n`,
      'c.yaml',
      {},
    );
  t.throws(bad, ConfigError);
  try {
    bad();
  } catch (err) {
    const issues = (err as ConfigError).issues;
    t.ok(issues.includes('routing.rules[0].agency: no agency "army" in agencies'), issues.join(' | '));
    t.ok(issues.includes('routing.rules[0].channel: no webhook endpoint "nope" in webhooks.endpoints'));
    t.ok(issues.includes('routing.default_agency: no agency "ghost" in agencies'));
    t.ok(issues.includes('escalation.channel: no webhook endpoint "nobody" in webhooks.endpoints'));
  }
});
