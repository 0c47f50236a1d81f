// CAP 1.2 out: the messages of published alerts (each at a stable URL), the Atom feed of the
// public ones, and the CAP body of an alert change for webhook endpoints with format cap.
// Everything is derived from the triage store (alert + audit log): nothing extra to store.
import { NotFoundError } from '../../common/errors.js';
import { XML_DECLARATION, el, textEl } from '../../common/xml.js';
import type { TriageStore } from '../store/contract/triage-store.js';
import type { Alert, AlertState } from '../triage/types.js';
import { capMessagesOf, capTime, capXml, parseCapIdentifier, type CapMessage, type CapSettings, type CapSite } from './cap-message.js';

export interface CapPublisherOptions {
  store: TriageStore;
  settings: CapSettings & { feed_size: number };
  sites: readonly CapSite[];
}

const PUBLISHED_STATES: AlertState[] = ['verified', 'dispatched', 'resolved', 'dismissed'];

export const CAP_CONTENT_TYPE = 'application/cap+xml; charset=utf-8';
export const ATOM_CONTENT_TYPE = 'application/atom+xml; charset=utf-8';

export class CapPublisher {
  constructor(private readonly o: CapPublisherOptions) {}

  private site(alert: Alert): CapSite | undefined {
    return this.o.sites.find((s) => s.id === alert.site);
  }

  async messagesOf(alert: Alert): Promise<CapMessage[]> {
    return capMessagesOf(alert, await this.o.store.auditLog(alert.id), this.o.settings);
  }

  /** One message's XML by identifier; `publicOnly` hides Restricted ones (404, as if absent). */
  async message(identifier: string, options: { publicOnly: boolean }): Promise<string> {
    const parsed = parseCapIdentifier(identifier);
    const alert = parsed && (await this.o.store.getAlert(parsed.alertId));
    const msg = alert && (await this.messagesOf(alert)).find((m) => m.state === parsed.state);
    if (!alert || !msg || (options.publicOnly && msg.scope !== 'Public')) throw new NotFoundError(`CAP message ${identifier}`);
    return capXml(msg, alert, this.site(alert), this.o.settings);
  }

  /**
   * The CAP body for a webhook event `alert.<state>`, or undefined when that change publishes
   * nothing (not dispatched yet, escalations, comments…).
   */
  async forWebhook(event: string, data: unknown): Promise<string | undefined> {
    const state = /^alert\.(verified|dispatched|resolved|dismissed)$/.exec(event)?.[1];
    const alert = (data as { alert?: Alert } | undefined)?.alert;
    if (!state || !alert?.id) return undefined;
    const msg = (await this.messagesOf(alert)).find((m) => m.state === state);
    return msg ? capXml(msg, alert, this.site(alert), this.o.settings) : undefined;
  }

  /** Atom feed of each public alert's latest message, newest alert first. */
  async atom(baseUrl: string): Promise<string> {
    const { items } = await this.o.store.listAlerts({ state: PUBLISHED_STATES, limit: this.o.settings.feed_size });
    const entries: { msg: CapMessage; alert: Alert }[] = [];
    for (const alert of items) {
      const latest = (await this.messagesOf(alert)).at(-1);
      if (latest && latest.scope === 'Public') entries.push({ msg: latest, alert });
    }
    entries.sort((a, b) => b.msg.sentMs - a.msg.sentMs);
    const self = `${baseUrl}/api/open/v1/cap.atom`;
    const updated = entries[0]?.msg.sentMs ?? 0;
    return `${
      XML_DECLARATION +
      el(
        'feed',
        [
          textEl('id', self),
          textEl('title', `${this.o.settings.sender_name}: CAP alerts`),
          textEl('updated', capTime(updated)),
          el('author', textEl('name', this.o.settings.sender_name)),
          el('link', null, { rel: 'self', type: 'application/atom+xml', href: self }),
          ...entries.map(({ msg, alert }) => {
            const url = `${baseUrl}/api/open/v1/cap/${msg.identifier}.xml`;
            return el('entry', [
              textEl('id', url),
              textEl('title', `${msg.msgType === 'Cancel' ? 'Cancelled: ' : ''}${alert.title}`),
              textEl('updated', capTime(msg.sentMs)),
              textEl('summary', `${msg.msgType}: ${alert.severity} ${alert.kind.replace(/_/g, ' ')} (${msg.state})`),
              el('link', null, { rel: 'alternate', type: 'application/cap+xml', href: url }),
            ]);
          }),
        ],
        { xmlns: 'http://www.w3.org/2005/Atom' },
      )
    }\n`;
  }
}
