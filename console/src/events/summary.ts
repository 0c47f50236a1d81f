// One line that says what an event is, for lists: the alarm's message, the camera's label and
// rule, the count, the notice. Payload fields follow the EdgeLink contract (snake_case).
import type { IocEvent } from '../api/types.js';
import type { MessageKey, Translate } from '../i18n/i18n.js';
import { formatNumber } from '../format.js';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export function eventSummary(e: IocEvent, t: Translate): string {
  const p = e.payload;
  switch (e.kind) {
    case 'alarm': {
      const state = e.phase === 'cleared' ? t('alarm.cleared') : t('alarm.raised');
      const value = typeof p.value === 'number' ? ` ${formatNumber(p.value, 2)}${str(p.unit) ? ` ${p.unit}` : ''}` : '';
      return `${state}: ${str(p.message) ?? `${e.sensorId} ${e.metric}`}${value}`;
    }
    case 'camera_event': {
      const what = [str(p.label) ?? str(p.type), str(e.rule), str(e.zone) ? `@${e.zone}` : undefined].filter(Boolean).join(' · ');
      return `${e.cameraId ?? ''}: ${what || t('kind.camera_event')}${str(p.detail) ? ` — ${p.detail}` : ''}`;
    }
    case 'camera_status':
      return `${e.cameraId ?? ''}: ${str(p.type) ?? ''}${str(p.detail) ? ` — ${p.detail}` : ''}`;
    case 'traffic_count': {
      const entries = Array.isArray(p.entries) ? (p.entries as { label?: string; direction?: string; count?: number }[]) : [];
      const total = entries.reduce((n, x) => n + (x.count ?? 0), 0);
      return `${e.cameraId ?? ''}: ${t('traffic.vehicles', { n: total })}`;
    }
    case 'notice':
      return `${str(p.code) ?? ''}: ${str(p.message) ?? ''}`;
    case 'telemetry':
      return `${e.sensorId} ${e.metric}: ${formatNumber(Number(p.mean), 2)} ${str(p.unit) ?? ''} (${t('telemetry.window', { s: Number(p.window_s) })})`;
    default:
      return e.kind;
  }
}

const PHASES = new Set(['raised', 'cleared', 'new', 'update', 'end']);

/** The edge's lifecycle phase in the operator's language (unknown phases as they are). */
export function phaseName(phase: string, t: Translate): string {
  return PHASES.has(phase) ? t(`phase.${phase}` as MessageKey) : phase;
}
