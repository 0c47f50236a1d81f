// Open311 GeoReport v2 over the citizen report intake: the report categories are the services,
// a service request is a citizen report (same rate limits, image checks and triage), and its
// open/closed status comes from the triage state of the alert it raised.
import { IocError, NotFoundError, ValidationError } from '../../common/errors.js';
import type { ReportService } from '../reports/report-service.js';
import type { CitizenReport } from '../reports/types.js';
import type { TriageService } from '../triage/triage-service.js';
import type { Alert } from '../triage/types.js';
import { serviceName, w3cTime, type Open311Created, type Open311Request, type Open311Service } from './georeport.js';

/** GeoReport's default window for GET requests without dates, and its page ceiling. */
const DEFAULT_WINDOW_MS = 90 * 86_400_000;
const MAX_REQUESTS = 1000;

/** Public coordinates keep ~100 m: enough to see where, not whose house. */
const roundCoord = (v: number) => Math.round(v * 1000) / 1000;

export interface Open311Submission {
  service_code?: string;
  lat?: string;
  long?: string;
  address_string?: string;
  description?: string;
  media_url?: string;
  media: File[];
}

export interface Open311Filter {
  ids?: string[];
  serviceCodes?: string[];
  status?: ('open' | 'closed')[];
  startMs?: number;
  endMs?: number;
}

export class Open311 {
  constructor(private readonly o: { reports: ReportService; triage: TriageService; categories: readonly string[] }) {}

  services(): Open311Service[] {
    return this.o.categories.map((code) => ({
      service_code: code,
      service_name: serviceName(code),
      description: `Report a ${serviceName(code).toLowerCase()} incident to the Điện Biên IOC`,
      metadata: false,
      type: 'realtime',
      keywords: code.replace(/_/g, ', '),
      group: 'incidents',
    }));
  }

  /** A GeoReport POST into the report intake. Contact fields are never passed on. */
  async submit(input: Open311Submission, actor: string): Promise<Open311Created> {
    const code = input.service_code?.trim();
    if (!code) throw new ValidationError('service_code: required');
    if (input.lat === undefined || input.long === undefined) throw new ValidationError('lat and long: required (address-only requests cannot be placed here)');
    const lat = Number(input.lat);
    const lon = Number(input.long);
    if (!Number.isFinite(lat) || lat < -90 || lat > 90) throw new ValidationError(`lat: "${input.lat.slice(0, 32)}" is not a latitude`);
    if (!Number.isFinite(lon) || lon < -180 || lon > 180) throw new ValidationError(`long: "${input.long.slice(0, 32)}" is not a longitude`);
    const description = input.description?.trim() ?? '';
    if (!description) throw new ValidationError('description: required');
    const address = input.address_string?.trim();
    const text = address ? `${description}\n(address: ${address.slice(0, 500)})` : description;
    const { report } = await this.o.reports.submit({ text, category: code, lat, lon, images: input.media }, actor);
    // Fetching a URL chosen by the sender would let anyone make the coordinator call out.
    const notice = input.media_url ? 'received; media_url was not fetched: attach the photo as "media"' : 'received';
    return { service_request_id: report.id, service_notice: notice, account_id: null };
  }

  async get(id: string): Promise<Open311Request> {
    if (!/^[0-9A-Z]{26}$/.test(id)) throw new NotFoundError(`service request ${id}`);
    return this.view(await this.o.reports.get(id));
  }

  async list(f: Open311Filter): Promise<Open311Request[]> {
    if (f.ids) {
      const found = await Promise.all(
        f.ids.map((id) => this.get(id).catch((err: unknown) => (err instanceof IocError && err.code === 'NOT_FOUND' ? undefined : Promise.reject(err)))),
      );
      return found.filter((r): r is Open311Request => r !== undefined);
    }
    const endMs = f.endMs ?? Date.now();
    const startMs = f.startMs ?? endMs - DEFAULT_WINDOW_MS;
    const out: Open311Request[] = [];
    let cursor: string | undefined;
    // Newest first: stop at the first report older than the window.
    for (;;) {
      const page = await this.o.reports.list({ limit: 200, cursor, category: f.serviceCodes });
      for (const r of page.items) {
        if (r.createdAtMs < startMs) return out;
        if (r.createdAtMs > endMs) continue;
        const v = await this.view(r);
        if (!f.status || f.status.includes(v.status)) out.push(v);
        if (out.length >= MAX_REQUESTS) return out;
      }
      if (!page.nextCursor) return out;
      cursor = page.nextCursor;
    }
  }

  private async view(r: CitizenReport): Promise<Open311Request> {
    const alert = r.alertId ? await this.o.triage.get(r.alertId).catch(() => undefined) : undefined;
    return {
      service_request_id: r.id,
      ...statusOf(alert),
      service_name: serviceName(r.category),
      service_code: r.category,
      agency_responsible: alert?.dispatch?.agency ?? null,
      requested_datetime: w3cTime(r.createdAtMs),
      updated_datetime: w3cTime(alert?.updatedAtMs ?? r.createdAtMs),
      lat: roundCoord(r.location.lat),
      long: roundCoord(r.location.lon),
    };
  }
}

function statusOf(alert: Alert | undefined): { status: 'open' | 'closed'; status_notes: string | null } {
  switch (alert?.state) {
    case 'resolved':
      return { status: 'closed', status_notes: 'resolved' };
    case 'dismissed':
      return { status: 'closed', status_notes: 'closed without action' };
    case 'dispatched':
      return { status: 'open', status_notes: 'an agency is responding' };
    case 'verified':
      return { status: 'open', status_notes: 'verified by the IOC' };
    default:
      return { status: 'open', status_notes: null };
  }
}
