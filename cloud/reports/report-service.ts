// Citizen field reports: rate-limited per client, checked (category, text, image count, size
// and type from the bytes), photos re-encoded without metadata, stored, then raised in triage
// as a citizen_report alert and announced on the live feed and the webhooks.
import { newId } from '../../common/ids.js';
import { Counter, type Registry } from 'prom-client';
import { BusyError, IocError, NotFoundError, ValidationError, errorMessage } from '../../common/errors.js';
import { RateLimitedLog, type Logger } from '../../common/log.js';
import type { SeverityName } from '../../common/config/primitives.js';
import type { CoordinatorConfig } from '../config.js';
import type { EventBus } from '../live/bus.js';
import type { AlertNotifier, TriageService } from '../triage/triage-service.js';
import { ConcurrencyGate } from '../../common/concurrency-gate.js';
import { RateLimiter } from '../../common/rate-limiter.js';
import { reencodeImage, sniffImageType } from './images.js';
import type { ReportStore } from '../store/contract/report-store.js';
import type { CitizenReport, ReportImage, ReportQuery } from './types.js';

export interface ReportSubmission {
  text: string;
  category: string;
  lat: number;
  lon: number;
  images: File[];
}

export interface ReportServiceOptions {
  store: ReportStore;
  triage: TriageService;
  bus: EventBus;
  notifier: AlertNotifier;
  settings: CoordinatorConfig['reports'];
  sites: CoordinatorConfig['sites'];
  registry: Registry;
  logger: Logger;
}

export interface ReportRefusal {
  status: 401 | 413 | 429;
  code: 'UNAUTHENTICATED' | 'RATE_LIMITED' | 'PAYLOAD_TOO_LARGE';
  message: string;
  retryAfterS?: number;
}

/** A report further than this from every site is not attributed to one. */
const SITE_REACH_KM = 50;
/** A refused sender is told to come back after about one photo's decode. */
const DECODE_RETRY_AFTER_S = 2;

export class ReportService {
  private readonly byAddress: RateLimiter;
  private readonly byToken: RateLimiter;
  private readonly rateLimited: RateLimitedLog;
  private readonly counted;
  private readonly decodes: ConcurrencyGate;

  constructor(private readonly o: ReportServiceOptions) {
    this.byAddress = new RateLimiter(o.settings.rate_limit);
    this.byToken = new RateLimiter(o.settings.token_rate_limit);
    this.rateLimited = new RateLimitedLog(o.logger);
    this.decodes = new ConcurrencyGate({ max: o.settings.max_concurrent_decodes, queue: o.settings.max_queued_decodes });
    this.counted = new Counter({
      name: 'ioc_citizen_reports_total',
      help: 'Citizen reports by outcome (accepted, rejected code, rate_limited)',
      labelNames: ['outcome'],
      registers: [o.registry],
    });
  }

  /**
   * Whether a report may be read at all (before its body is): anonymous allowed, the client's
   * or token's rate, the announced body size. Undefined: go ahead. Shared by every intake route.
   */
  admit(principal: { name: string } | undefined, address: string, contentLength: number): ReportRefusal | undefined {
    const s = this.o.settings;
    if (!principal && !s.anonymous)
      return { status: 401, code: 'UNAUTHENTICATED', message: 'citizen reports need an API token here (reports.anonymous is false)' };
    const decision = principal ? this.byToken.take(`token:${principal.name}`) : this.byAddress.take(`addr:${address}`);
    if (!decision.ok) {
      this.counted.inc({ outcome: 'rate_limited' });
      return {
        status: 429,
        code: 'RATE_LIMITED',
        message: `too many reports from this client; retry in ${decision.retryAfterS} s`,
        retryAfterS: decision.retryAfterS,
      };
    }
    if (contentLength > this.maxBodyBytes()) {
      this.counted.inc({ outcome: 'PAYLOAD_TOO_LARGE' });
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `body of ${contentLength} bytes; at most ${s.max_images} images of ${s.max_image_bytes} bytes each`,
      };
    }
    return undefined;
  }

  /** The largest body a report with every allowed image can need. */
  maxBodyBytes(): number {
    const s = this.o.settings;
    return s.max_images * s.max_image_bytes + s.max_text_chars * 4 + 64 * 1024;
  }

  /** Whether X-Forwarded-For names the client the rate limits count against. */
  get trustForwardedFor(): boolean {
    return this.o.settings.trust_forwarded_for;
  }

  /** A body refused by the HTTP layer for its streamed size (no Content-Length to refuse early). */
  countOversizeBody(): void {
    this.counted.inc({ outcome: 'PAYLOAD_TOO_LARGE' });
  }

  /** What the 413 answer says the limit is. */
  bodyLimitText(): string {
    const s = this.o.settings;
    return `body larger than ${this.maxBodyBytes()} bytes; at most ${s.max_images} images of ${s.max_image_bytes} bytes each`;
  }

  async submit(input: ReportSubmission, actor: string): Promise<{ report: CitizenReport; alertId: string | null }> {
    try {
      return await this.accept(input, actor);
    } catch (err) {
      if (err instanceof IocError) this.counted.inc({ outcome: err.code });
      throw err;
    }
  }

  private async accept(input: ReportSubmission, actor: string): Promise<{ report: CitizenReport; alertId: string | null }> {
    const s = this.o.settings;
    if (!s.categories.includes(input.category)) throw new ValidationError(`category: "${input.category}" is not one of ${s.categories.join(', ')}`);
    if (input.text.length > s.max_text_chars) throw new ValidationError(`text: ${input.text.length} characters; at most ${s.max_text_chars}`);
    if (input.images.length > s.max_images) throw new ValidationError(`images: ${input.images.length} files; at most ${s.max_images}`);
    const encoded: { data: Buffer; width: number; height: number }[] = [];
    for (const [i, file] of input.images.entries()) {
      if (file.size > s.max_image_bytes) throw new IocError('PAYLOAD_TOO_LARGE', `images[${i}]: ${file.size} bytes; at most ${s.max_image_bytes}`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const type = sniffImageType(bytes);
      if (!type) {
        throw new IocError('UNSUPPORTED_MEDIA_TYPE', `images[${i}]: not a JPEG, PNG or WebP image (by its content; declared ${file.type || 'no type'})`);
      }
      // Decoding is the costly part (CPU and pixel memory): bounded per replica.
      const release = await this.decodes.enter();
      if (!release) throw new BusyError(`too many photos being processed on this replica; retry in ${DECODE_RETRY_AFTER_S} s`, DECODE_RETRY_AFTER_S);
      try {
        encoded.push(await reencodeImage(bytes, s.max_image_px));
      } catch (err) {
        throw new IocError('UNSUPPORTED_MEDIA_TYPE', `images[${i}]: looks like ${type} but cannot be decoded (${errorMessage(err).slice(0, 120)})`);
      } finally {
        release();
      }
    }
    const now = Date.now();
    const images: ReportImage[] = encoded.map((e, index) => ({ index, contentType: 'image/jpeg', width: e.width, height: e.height, bytes: e.data.length }));
    const location = { lat: input.lat, lon: input.lon };
    const report: CitizenReport = {
      id: newId(now),
      createdAtMs: now,
      category: input.category,
      text: input.text,
      location,
      site: nearestSite(this.o.sites, location),
      images,
      alertId: null,
      submittedBy: actor,
    };
    await this.o.store.createReport(
      report,
      encoded.map((e) => e.data),
    );
    this.counted.inc({ outcome: 'accepted' });

    const severity: SeverityName = (s.severity[report.category] as SeverityName | undefined) ?? 'medium';
    const { alert } = await this.o.triage.raise(
      {
        source: 'citizen_report',
        sourceKey: `report:${report.id}`,
        severity,
        title: `${report.category}: ${oneLine(report.text, 80)}`,
        site: report.site,
        deviceId: null,
        rule: report.category,
        location,
        eventIds: [],
        reportId: report.id,
        details: { images: images.length, submittedBy: actor },
      },
      actor === 'anonymous' ? 'citizen' : actor,
    );
    await this.o.store.setAlert(report.id, alert.id);
    report.alertId = alert.id;
    await this.announce(report);
    return { report, alertId: alert.id };
  }

  private async announce(report: CitizenReport): Promise<void> {
    try {
      await this.o.bus.publish('reports', { type: 'report.created', report });
      await this.o.notifier.notify('report.created', { report });
    } catch (err) {
      this.rateLimited.warn('report-announce', { err: errorMessage(err) }, 'report not announced');
    }
  }

  list(q: ReportQuery) {
    return this.o.store.listReports(q);
  }

  async get(id: string): Promise<CitizenReport> {
    const report = await this.o.store.getReport(id);
    if (!report) throw new NotFoundError(`report ${id}`);
    return report;
  }

  async image(id: string, index: number): Promise<Uint8Array> {
    const data = await this.o.store.getImage(id, index);
    if (!data) throw new NotFoundError(`image ${index} of report ${id}`);
    return data;
  }
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Nearest configured site within SITE_REACH_KM (great-circle distance), else null. */
export function nearestSite(sites: readonly { id: string; location: { lat: number; lon: number } }[], p: { lat: number; lon: number }): string | null {
  let best: { id: string; km: number } | undefined;
  for (const s of sites) {
    const km = haversineKm(s.location, p);
    if (km <= SITE_REACH_KM && (!best || km < best.km)) best = { id: s.id, km };
  }
  return best?.id ?? null;
}

function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
