// One alert change as an OASIS CAP 1.2 message: which changes are published (dispatch, and
// verification when configured; resolve/dismiss of a published alert cancels it), how our
// kinds, rules and severities map to CAP's codes, and the XML in the schema's element order.
import type { SeverityName } from '../../common/config/primitives.js';
import { XML_DECLARATION, el, textEl } from '../../common/xml.js';
import type { Alert, AlertAuditEntry, AlertState } from '../triage/types.js';

export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

export type CapMsgType = 'Alert' | 'Update' | 'Cancel';

export interface CapSettings {
  sender: string;
  sender_name: string;
  language: string;
  publish_verified: boolean;
  public_kinds: readonly string[];
  area_radius_km: number;
  expires_h: number;
}

export interface CapSite {
  id: string;
  name: string;
  district?: string;
  location: { lat: number; lon: number };
  boundary?: readonly { lat: number; lon: number }[];
}

/** One published change of an alert. */
export interface CapMessage {
  /** `ioc-<alert id>-<state>`: stable, so the message has a stable URL. */
  identifier: string;
  alertId: string;
  state: AlertState;
  msgType: CapMsgType;
  sentMs: number;
  scope: 'Public' | 'Restricted';
  /** Earlier messages of the same alert, oldest first. */
  references: { identifier: string; sentMs: number }[];
}

export function capIdentifier(alertId: string, state: AlertState): string {
  return `ioc-${alertId}-${state}`;
}

/** Parses `ioc-<alert id>-<state>`; undefined when it is not one of ours. */
export function parseCapIdentifier(identifier: string): { alertId: string; state: AlertState } | undefined {
  const m = /^ioc-([0-9A-Za-z]{1,64})-(verified|dispatched|resolved|dismissed)$/.exec(identifier);
  return m ? { alertId: m[1]!, state: m[2] as AlertState } : undefined;
}

/**
 * The messages an alert has published so far, oldest first, derived from its audit log (so
 * they need no storage of their own and every URL stays answerable after a restart).
 */
export function capMessagesOf(alert: Alert, audit: readonly AlertAuditEntry[], s: CapSettings): CapMessage[] {
  const scope = s.public_kinds.includes(alert.kind) ? 'Public' : 'Restricted';
  const out: CapMessage[] = [];
  for (const e of audit) {
    if (e.action !== 'transition' || !e.to) continue;
    const publishes = e.to === 'dispatched' || (e.to === 'verified' && s.publish_verified);
    const cancels = (e.to === 'resolved' || e.to === 'dismissed') && out.length > 0;
    if (!publishes && !cancels) continue;
    const msgType: CapMsgType = cancels ? 'Cancel' : out.length === 0 ? 'Alert' : 'Update';
    out.push({
      identifier: capIdentifier(alert.id, e.to),
      alertId: alert.id,
      state: e.to,
      msgType,
      sentMs: e.atMs,
      scope,
      references: out.map((m) => ({ identifier: m.identifier, sentMs: m.sentMs })),
    });
  }
  return out;
}

/** CAP dateTime: seconds and an explicit offset, no "Z" and no fraction (the schema's pattern). */
export function capTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

const SEVERITY: Record<SeverityName, string> = { critical: 'Extreme', high: 'Severe', medium: 'Moderate', low: 'Minor', info: 'Minor' };

/** CAP <category> from the alert's kind and rule (report category, camera rule, alarm threshold). */
export function capCategory(alert: Alert): string {
  const rule = (alert.rule ?? '').toLowerCase();
  const byWord: [RegExp, string][] = [
    [/landslide|earthquake|quake|geo/, 'Geo'],
    [/flood|rain|river|water|storm|temp|wind|weather/, 'Met'],
    [/fire|smoke/, 'Fire'],
    [/air|aqi|pm2|pm10|pollut/, 'Env'],
    [/traffic|vehicle|accident|road/, 'Transport'],
    [/crime|intrusion|loiter|security|tamper/, 'Security'],
    [/health|medical/, 'Health'],
    [/infrastructure|offline|power/, 'Infra'],
    [/crowd/, 'Safety'],
  ];
  for (const [re, category] of byWord) if (re.test(rule)) return category;
  return alert.kind === 'camera_event' ? 'Security' : alert.kind === 'alarm' ? 'Safety' : 'Other';
}

function eventName(alert: Alert): string {
  const rule = alert.rule ? alert.rule.replace(/[_-]+/g, ' ') : alert.kind.replace(/_/g, ' ');
  return rule.charAt(0).toUpperCase() + rule.slice(1);
}

/**
 * CAP <area>: an alert with its own point (citizen report, camera) as a 1 km circle around it;
 * one about its site as the site's boundary polygon when configured, else a circle of
 * cap.area_radius_km around the site (or around the alert's point when it has no site).
 */
function area(alert: Alert, site: CapSite | undefined, s: CapSettings): string {
  const desc = site ? [site.name, site.district].filter(Boolean).join(', ') : (alert.site ?? 'Điện Biên');
  // A point of its own: one that differs from its site's (without a site, the point stands for the area).
  const ownPoint = alert.location && site && (alert.location.lat !== site.location.lat || alert.location.lon !== site.location.lon);
  const latLon = (p: { lat: number; lon: number }) => `${p.lat.toFixed(5)},${p.lon.toFixed(5)}`;
  if (!ownPoint && site?.boundary) return el('area', [textEl('areaDesc', desc), textEl('polygon', site.boundary.map(latLon).join(' '))]);
  const point = alert.location ?? site?.location;
  const radius = ownPoint ? 1 : s.area_radius_km;
  return el('area', [textEl('areaDesc', desc), point ? textEl('circle', `${latLon(point)} ${radius}`) : null]);
}

/** The CAP 1.2 XML of one message (elements in the order of the schema's sequences). */
export function capXml(msg: CapMessage, alert: Alert, site: CapSite | undefined, s: CapSettings): string {
  const cancel = msg.msgType === 'Cancel';
  const urgency = cancel ? 'Past' : msg.state === 'dispatched' ? 'Immediate' : 'Expected';
  const certainty = 'Observed';
  const what = cancel ? (msg.state === 'resolved' ? 'Resolved' : 'Dismissed') : msg.state === 'dispatched' ? 'Dispatched' : 'Verified';
  const agency = alert.dispatch?.agency;
  const description = [
    `${what} by the IOC operators.`,
    agency ? `Responding agency: ${agency}.` : null,
    alert.deviceId ? `Source: device ${alert.deviceId}.` : alert.kind === 'citizen_report' ? 'Source: citizen report.' : null,
  ]
    .filter(Boolean)
    .join(' ');
  const references = msg.references.map((r) => `${s.sender},${r.identifier},${capTime(r.sentMs)}`).join(' ');
  const info = el('info', [
    textEl('language', s.language),
    textEl('category', capCategory(alert)),
    textEl('event', eventName(alert)),
    cancel ? textEl('responseType', 'AllClear') : null,
    textEl('urgency', urgency),
    textEl('severity', SEVERITY[alert.severity] ?? 'Unknown'),
    textEl('certainty', certainty),
    textEl('expires', capTime(msg.sentMs + s.expires_h * 3_600_000)),
    textEl('senderName', s.sender_name),
    textEl('headline', `${cancel ? 'Cancelled: ' : ''}${alert.title}`.slice(0, 160)),
    textEl('description', description),
    el('parameter', [textEl('valueName', 'iocAlertId'), textEl('value', alert.id)]),
    el('parameter', [textEl('valueName', 'iocState'), textEl('value', msg.state)]),
    area(alert, site, s),
  ]);
  return `${
    XML_DECLARATION +
    el(
      'alert',
      [
        textEl('identifier', msg.identifier),
        textEl('sender', s.sender),
        textEl('sent', capTime(msg.sentMs)),
        textEl('status', 'Actual'),
        textEl('msgType', msg.msgType),
        textEl('source', `ioc-edge ${alert.kind}`),
        textEl('scope', msg.scope),
        msg.scope === 'Restricted' ? textEl('restriction', 'IOC partner agencies only; not for public release') : null,
        references ? textEl('references', references) : null,
        textEl('incidents', alert.id),
        info,
      ],
      { xmlns: CAP_NAMESPACE },
    )
  }\n`;
}
