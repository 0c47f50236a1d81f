// Coordinator config for the IOC's operations: which records become alerts, the agencies and
// routing rules that decide who gets them, escalation, webhooks, citizen reports, the live
// feed and open data. Spread into the coordinator schema; the reference checks run there too.
import { z } from 'zod';
import { Identifier, Severity } from './primitives.js';

export const AGENCY_EXAMPLES = 'police, traffic, fire-rescue, health, disaster-committee';

export const AgencySchema = z.strictObject({
  id: Identifier.describe(`agency id used by routing rules, e.g. ${AGENCY_EXAMPLES}`),
  name: z.string().min(1).describe('name shown to operators, e.g. "Công an tỉnh Điện Biên"'),
  channel: Identifier.optional().describe("webhook endpoint (webhooks.endpoints[].name) that receives this agency's dispatches"),
  ack_timeout_s: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('escalate a dispatch this agency has not acknowledged after this long (default: escalation.ack_timeout_s)'),
});
export type AgencyConfig = z.infer<typeof AgencySchema>;

export const RoutingRuleSchema = z.strictObject({
  name: z.string().max(120).optional().describe('shown in the audit log and the alert ("river flood → disaster committee")'),
  match: z
    .strictObject({
      kind: z.array(z.string().min(1)).min(1).optional().describe('alert kinds: alarm, camera_event, citizen_report'),
      rule: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe('alarm threshold id (e.g. heavy-rain-1h), camera rule (intrusion, loitering, crowding…) or report category'),
      site: z.array(Identifier).min(1).optional().describe('site ids; unset: any site'),
      min_severity: Severity.optional().describe('only alerts at or above this severity'),
    })
    .prefault({})
    .describe('every given condition must hold; an empty match catches everything'),
  agency: Identifier.describe('agencies[].id that gets the alert when dispatched'),
  channel: Identifier.optional().describe("webhook endpoint to notify instead of the agency's own channel"),
});
export type RoutingRuleConfig = z.infer<typeof RoutingRuleSchema>;

export const RoutingSchema = z
  .strictObject({
    rules: z.array(RoutingRuleSchema).default([]).describe('first matching rule wins'),
    default_agency: Identifier.optional().describe('agency for alerts no rule matches (unset: the operator picks one)'),
  })
  .prefault({});
export type RoutingConfig = z.infer<typeof RoutingSchema>;

const WEBHOOK_EVENTS = [
  'alert.created',
  'alert.updated',
  'alert.verified',
  'alert.dispatched',
  'alert.escalated',
  'alert.acknowledged',
  'alert.resolved',
  'alert.dismissed',
  'report.created',
  'device.revoked',
  'webhook.test',
] as const;
export const WEBHOOK_EVENT_TYPES = WEBHOOK_EVENTS;

export const WebhookEndpointSchema = z.strictObject({
  name: Identifier.describe('endpoint name: referenced by agencies[].channel and routing rules'),
  url: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'an http:// or https:// URL')
    .describe('receives POSTed JSON'),
  secret: z.string().min(16, 'at least 16 characters').describe('HMAC-SHA256 key of the X-IOC-Signature header; use ${ENV} substitution'),
  events: z
    .array(z.string().regex(/^[a-z]+\.(\*|[a-z_]+)$|^\*$/, 'an event type such as alert.created, alert.* or *'))
    .default([])
    .describe(`event types sent to this endpoint besides dispatches routed to it: ${WEBHOOK_EVENTS.join(', ')}; "alert.*" or "*" for all`),
  timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
  format: z
    .enum(['json', 'cap'])
    .default('json')
    .describe('json: the event as JSON; cap: published alert changes as OASIS CAP 1.2 XML (application/cap+xml), other events skipped; signed the same way'),
});
export type WebhookEndpointConfig = z.infer<typeof WebhookEndpointSchema>;

export const WebhooksSchema = z
  .strictObject({
    endpoints: z.array(WebhookEndpointSchema).default([]),
    retry: z
      .strictObject({
        initial_ms: z.number().int().min(10).default(2_000).describe('first retry delay; doubles each attempt, with jitter'),
        max_ms: z.number().int().min(10).default(300_000).describe('longest delay between attempts'),
        max_attempts: z.number().int().min(1).max(100).default(15).describe('a delivery is given up (logged as failed) after this many attempts'),
      })
      .prefault({}),
    disable_after_failures: z
      .number()
      .int()
      .min(1)
      .default(30)
      .describe('consecutive failed attempts after which the endpoint is disabled (an admin re-enables it); its deliveries wait'),
  })
  .prefault({});

const RateLimitSchema = z.strictObject({
  per_minute: z.number().min(0.01).describe('sustained requests per minute'),
  burst: z.number().int().min(1).describe('requests allowed at once before the rate applies'),
});

export const REPORT_CATEGORIES = ['flood', 'landslide', 'fire', 'traffic_accident', 'crime', 'health', 'infrastructure', 'other'] as const;

export const ReportsSchema = z
  .strictObject({
    anonymous: z.boolean().default(true).describe('citizens report without a token (rate-limited per client address); false: any API token is required'),
    rate_limit: RateLimitSchema.prefault({ per_minute: 2, burst: 5 }).describe('per client address (anonymous)'),
    token_rate_limit: RateLimitSchema.prefault({ per_minute: 30, burst: 30 }).describe('per API token (commune officers, partner apps)'),
    trust_forwarded_for: z.boolean().default(false).describe('take the client address from X-Forwarded-For (only behind a reverse proxy that sets it)'),
    max_images: z.number().int().min(0).max(10).default(3),
    max_image_bytes: z
      .number()
      .int()
      .min(1024)
      .max(20 * 1024 * 1024)
      .default(5 * 1024 * 1024),
    max_image_px: z.number().int().min(64).max(8000).default(1600).describe('images are re-encoded to fit this many pixels on the long side'),
    max_text_chars: z.number().int().min(10).max(20_000).default(2000),
    max_concurrent_decodes: z.number().int().min(1).max(64).default(2).describe('photos decoded and re-encoded at once on this replica'),
    max_queued_decodes: z.number().int().min(0).max(1000).default(8).describe('more wait for a slot; beyond that the report is refused (503 + Retry-After)'),
    categories: z
      .array(Identifier)
      .min(1)
      .default([...REPORT_CATEGORIES]),
    severity: z
      .record(z.string(), Severity)
      .default({ fire: 'high', landslide: 'high', flood: 'high', traffic_accident: 'high' })
      .describe('alert severity by category (others: medium)'),
  })
  .prefault({});

export const TriageSchema = z
  .strictObject({
    min_severity: Severity.default('medium').describe('alarms and camera events at or above this severity become alerts'),
    kinds: z
      .array(z.enum(['alarm', 'camera_event']))
      .default(['alarm', 'camera_event'])
      .describe('record kinds that can become alerts'),
    catch_up_h: z
      .number()
      .min(0)
      .max(24 * 30)
      .default(24)
      .describe('at start, records of this many past hours are checked for alerts missed by a crash (idempotent)'),
  })
  .prefault({});

export const EscalationSchema = z
  .strictObject({
    ack_timeout_s: z.number().int().min(1).default(900).describe('a dispatch not acknowledged by its agency after this long escalates'),
    max_escalations: z.number().int().min(1).max(20).default(3).describe('escalate at most this many times (once per ack_timeout_s)'),
    channel: Identifier.optional().describe('webhook endpoint also told of every escalation (e.g. the provincial duty officer)'),
    check_interval_s: z.number().min(0.2).max(600).default(15),
  })
  .prefault({});

export const LiveSchema = z
  .strictObject({
    replay_buffer: z.number().int().min(10).max(100_000).default(2000).describe('messages kept for clients resuming with Last-Event-ID'),
    heartbeat_s: z.number().min(1).max(300).default(20).describe('comment line sent this often so proxies keep the stream open'),
    max_clients: z.number().int().min(1).max(10_000).default(500),
    ticket_ttl_s: z.number().int().min(5).max(600).default(60).describe('a live-feed ticket (POST /api/v1/live/ticket) opens one stream within this long'),
  })
  .prefault({});

export const OpenDataSchema = z
  .strictObject({
    sensor_types: z
      .array(z.string().min(1))
      .default(['rain_gauge', 'water_level', 'air_quality'])
      .describe('sensor types (telemetry sensor_type) published without authentication'),
    cache_ttl_s: z.number().min(0).max(3600).default(60),
    cache_granularity_s: z
      .number()
      .int()
      .min(60)
      .max(86_400)
      .default(300)
      .describe('from/to are rounded outward to whole steps of at least this, so nearby windows share one cached answer'),
    max_range_days: z.number().int().min(1).max(366).default(31).describe('longer windows are refused (400)'),
    max_scan_rows: z
      .number()
      .int()
      .min(1000)
      .max(10_000_000)
      .default(200_000)
      .describe('stored readings one request may read; a window holding more is refused (400: narrow it or pick a type)'),
    rate_limit: RateLimitSchema.prefault({ per_minute: 60, burst: 30 }).describe('per client address (429 + Retry-After beyond it)'),
    trust_forwarded_for: z
      .boolean()
      .default(false)
      .describe('take the client address from the last X-Forwarded-For entry (only behind a reverse proxy that sets it)'),
    max_concurrent: z.number().int().min(1).max(256).default(4).describe('open-data requests served at once on this replica'),
    max_queued: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(64)
      .describe('more wait for a slot (64: about 0.3 s of arrivals at 200 req/s, so a scheduling stall is absorbed); beyond that: 503 + Retry-After'),
  })
  .prefault({});

export const CAP_KINDS = ['alarm', 'camera_event', 'citizen_report'] as const;

export const CapSchema = z
  .strictObject({
    sender: z
      .string()
      .regex(/^[^\s,<&]+$/, 'no spaces, commas, "<" or "&" (CAP 1.2 sender)')
      .default('ioc.dienbien.gov.vn')
      .describe('CAP <sender>: globally unique id of this IOC, e.g. its domain'),
    sender_name: z.string().min(1).default('Trung tâm Điều hành thông minh tỉnh Điện Biên').describe('CAP <senderName> shown to the public'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'an RFC 3066 language tag, e.g. vi-VN')
      .default('vi-VN'),
    publish_verified: z
      .boolean()
      .default(false)
      .describe('also publish an alert when an operator verifies it (otherwise from dispatch on); resolve or dismiss then cancels it'),
    public_kinds: z
      .array(z.enum(CAP_KINDS))
      .default(['alarm'])
      .describe('alert kinds published with scope Public (in the open feed /api/open/v1/cap.atom); others are Restricted: CAP webhooks only'),
    area_radius_km: z.number().min(0.1).max(500).default(10).describe("radius of the site's circle in CAP <area> when the alert has no own location"),
    expires_h: z
      .number()
      .min(1)
      .max(24 * 30)
      .default(24)
      .describe('CAP <expires>: hours after a message is sent'),
    feed_size: z.number().int().min(1).max(500).default(100).describe('entries in the Atom feed (newest first)'),
    public_url: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'an http:// or https:// URL')
      .transform((u) => u.replace(/\/+$/, ''))
      .optional()
      .describe(
        "the coordinator's public base URL for links in the Atom feed (unset: taken from the request's Host, which a shared cache could be tricked into keeping)",
      ),
  })
  .prefault({});

/** The keys spread into CoordinatorConfigSchema. */
export const OperationsConfigShape = {
  triage: TriageSchema,
  agencies: z.array(AgencySchema).default([]).describe('agencies alerts are dispatched to'),
  routing: RoutingSchema.describe('which agency and channel an alert goes to, by kind, rule, site and severity'),
  escalation: EscalationSchema,
  webhooks: WebhooksSchema,
  reports: ReportsSchema.describe('citizen field reports (POST /api/v1/reports)'),
  live: LiveSchema.describe('Server-Sent Events feed (GET /api/v1/live)'),
  opendata: OpenDataSchema.describe('unauthenticated aggregates under /api/open/v1'),
  cap: CapSchema.describe('OASIS CAP 1.2 alerts out: the Atom feed /api/open/v1/cap.atom and webhooks with format cap'),
};

export interface OperationsReferences {
  agencies: AgencyConfig[];
  routing: RoutingConfig;
  escalation: { channel?: string };
  webhooks: { endpoints: { name: string }[] };
}

/** Cross-references: agencies and channels named by rules must exist, names must be unique. */
export function checkOperationsReferences(config: OperationsReferences, ctx: z.RefinementCtx): void {
  const agencies = new Set<string>();
  config.agencies.forEach((a, i) => {
    if (agencies.has(a.id)) ctx.addIssue({ code: 'custom', path: ['agencies', i, 'id'], message: `duplicate agency "${a.id}"` });
    agencies.add(a.id);
  });
  const endpoints = new Set<string>();
  config.webhooks.endpoints.forEach((e, i) => {
    if (endpoints.has(e.name)) ctx.addIssue({ code: 'custom', path: ['webhooks', 'endpoints', i, 'name'], message: `duplicate endpoint "${e.name}"` });
    endpoints.add(e.name);
  });
  const channel = (name: string | undefined, path: (string | number)[]) => {
    if (name !== undefined && !endpoints.has(name)) ctx.addIssue({ code: 'custom', path, message: `no webhook endpoint "${name}" in webhooks.endpoints` });
  };
  config.agencies.forEach((a, i) => {
    channel(a.channel, ['agencies', i, 'channel']);
  });
  channel(config.escalation.channel, ['escalation', 'channel']);
  for (const issue of routingIssues(config.routing, agencies, endpoints))
    ctx.addIssue({ code: 'custom', path: ['routing', ...issue.path], message: issue.message });
}

/** Reference problems of a routing table (also checked when an admin replaces it through the API). */
export function routingIssues(
  routing: RoutingConfig,
  agencies: ReadonlySet<string>,
  endpoints: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  routing.rules.forEach((r, i) => {
    if (!agencies.has(r.agency)) issues.push({ path: ['rules', i, 'agency'], message: `no agency "${r.agency}" in agencies` });
    if (r.channel !== undefined && !endpoints.has(r.channel))
      issues.push({ path: ['rules', i, 'channel'], message: `no webhook endpoint "${r.channel}" in webhooks.endpoints` });
  });
  if (routing.default_agency !== undefined && !agencies.has(routing.default_agency)) {
    issues.push({ path: ['default_agency'], message: `no agency "${routing.default_agency}" in agencies` });
  }
  return issues;
}
