// The OGC SensorThings query options this read-only service supports, parsed tolerantly
// (case-insensitive keywords, extra spaces, quoted or bare times) with a 400 naming what is
// not supported: $top, $skip, $count; $orderby=phenomenonTime [asc|desc] and $filter on
// phenomenonTime/resultTime with gt ge lt le eq and `and`, on Observations (the only entities
// with those times); $expand on Things (Datastreams, Locations).
import { ValidationError } from '../../common/errors.js';

export type TimeField = 'phenomenonTime' | 'resultTime';
export type Comparison = 'gt' | 'ge' | 'lt' | 'le' | 'eq';

export interface TimeCondition {
  field: TimeField;
  op: Comparison;
  ms: number;
}

export interface StaQuery {
  top: number;
  skip: number;
  count: boolean;
  order: 'asc' | 'desc';
  expand: ('Datastreams' | 'Locations')[];
  filter: TimeCondition[];
}

const KNOWN = new Set(['$top', '$skip', '$count', '$orderby', '$expand', '$filter']);
const UNSUPPORTED = new Set(['$select', '$resultFormat', '$search', '$format']);

export function parseQuery(params: URLSearchParams, maxTop: number): StaQuery {
  for (const key of params.keys()) {
    if (UNSUPPORTED.has(key)) throw new ValidationError(`${key} is not supported by this service`);
    if (key.startsWith('$') && !KNOWN.has(key)) throw new ValidationError(`unknown query option ${key}`);
  }
  return {
    top: integer(params.get('$top'), '$top', maxTop, maxTop),
    skip: integer(params.get('$skip'), '$skip', 0, Number.MAX_SAFE_INTEGER),
    count: bool(params.get('$count')),
    order: orderBy(params.get('$orderby')),
    expand: expand(params.get('$expand')),
    filter: filter(params.get('$filter')),
  };
}

function integer(raw: string | null, name: string, fallback: number, max: number): number {
  if (raw === null) return fallback;
  const v = raw.trim();
  if (!/^\d+$/.test(v)) throw new ValidationError(`${name}: a non-negative integer, got "${raw}"`);
  const n = Number(v);
  if (n > max) throw new ValidationError(`${name}: at most ${max}`);
  return n;
}

function bool(raw: string | null): boolean {
  if (raw === null) return false;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError(`$count: true or false, got "${raw}"`);
}

function orderBy(raw: string | null): 'asc' | 'desc' {
  if (raw === null) return 'asc';
  const m = /^\s*(phenomenonTime|resultTime)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  if (!m) throw new ValidationError(`$orderby: only "phenomenonTime [asc|desc]" (or resultTime) is supported, got "${raw}"`);
  return (m[2]?.toLowerCase() as 'asc' | 'desc' | undefined) ?? 'asc';
}

function expand(raw: string | null): StaQuery['expand'] {
  if (raw === null) return [];
  const out: StaQuery['expand'] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (/^datastreams$/i.test(name)) out.push('Datastreams');
    else if (/^locations$/i.test(name)) out.push('Locations');
    else throw new ValidationError(`$expand: only Datastreams and Locations (on Things) are supported, got "${name}"`);
  }
  return out;
}

const CONDITION = /^(phenomenonTime|resultTime)\s+(gt|ge|lt|le|eq)\s+(?:'([^']*)'|([0-9][0-9T:.+\-Z]*))$/i;

function filter(raw: string | null): TimeCondition[] {
  if (raw === null || raw.trim() === '') return [];
  const out: TimeCondition[] = [];
  for (const part of raw.trim().split(/\s+and\s+/i)) {
    const text = part
      .trim()
      .replace(/^\((.*)\)$/, '$1')
      .trim();
    if (/\s(or|not)\s|^not\s/i.test(text)) throw new ValidationError('$filter: only conditions joined by "and" are supported');
    const m = CONDITION.exec(text);
    if (!m) throw new ValidationError(`$filter: expected "phenomenonTime <gt|ge|lt|le|eq> <ISO 8601 time>", got "${text}"`);
    const iso = m[3] ?? m[4]!;
    const ms = Date.parse(iso);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(ms)) throw new ValidationError(`$filter: "${iso}" is not an ISO 8601 date-time`);
    out.push({ field: m[1]!.toLowerCase() === 'resulttime' ? 'resultTime' : 'phenomenonTime', op: m[2]!.toLowerCase() as Comparison, ms });
  }
  return out;
}

/** The interval's start is compared for phenomenonTime, its end for resultTime. */
export function matches(conditions: readonly TimeCondition[], startMs: number, endMs: number): boolean {
  return conditions.every((c) => {
    const v = c.field === 'resultTime' ? endMs : startMs;
    switch (c.op) {
      case 'gt':
        return v > c.ms;
      case 'ge':
        return v >= c.ms;
      case 'lt':
        return v < c.ms;
      case 'le':
        return v <= c.ms;
      case 'eq':
        return v === c.ms;
      default:
        return false;
    }
  });
}

/** The window starts the conditions allow, as [from, to) for the store (resultTime widened by one window). */
export function startRange(conditions: readonly TimeCondition[], windowMs: number): { fromMs?: number; toMs?: number } {
  let fromMs: number | undefined;
  let toMs: number | undefined;
  const lower = (v: number) => (fromMs = fromMs === undefined ? v : Math.max(fromMs, v));
  const upper = (v: number) => (toMs = toMs === undefined ? v : Math.min(toMs, v));
  for (const c of conditions) {
    const shift = c.field === 'resultTime' ? windowMs : 0;
    if (c.op === 'gt' || c.op === 'ge' || c.op === 'eq') lower(c.ms - shift);
    if (c.op === 'lt' || c.op === 'le' || c.op === 'eq') upper(c.ms - shift + 1);
  }
  return { fromMs, toMs };
}
