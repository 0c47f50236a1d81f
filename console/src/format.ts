// How times, ages and sizes read on the IOC screens: wall-clock times always in Vietnam's zone
// (Asia/Ho_Chi_Minh, UTC+7, no daylight saving) whatever the browser's own zone is.
import type { Lang } from './i18n/i18n.js';

export const IOC_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const LOCALES: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };
const cache = new Map<string, Intl.DateTimeFormat>();

type Style = 'datetime' | 'time' | 'date' | 'hm' | 'daymonth';

function formatter(lang: Lang, style: Style): Intl.DateTimeFormat {
  const key = `${lang}:${style}`;
  let f = cache.get(key);
  if (f) return f;
  const base: Intl.DateTimeFormatOptions = { timeZone: IOC_TIME_ZONE, hourCycle: 'h23' };
  const parts: Record<Style, Intl.DateTimeFormatOptions> = {
    datetime: { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' },
    hm: { hour: '2-digit', minute: '2-digit' },
    daymonth: { day: '2-digit', month: '2-digit' },
    time: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
    date: { day: '2-digit', month: '2-digit', year: 'numeric' },
  };
  f = new Intl.DateTimeFormat(LOCALES[lang], { ...base, ...parts[style] });
  cache.set(key, f);
  return f;
}

export function formatDateTime(ms: number | null | undefined, lang: Lang): string {
  return ms === null || ms === undefined ? '—' : formatter(lang, 'datetime').format(ms);
}

/** Time to the millisecond, for comparing an event's edge, corrected and received times. */
export function formatPrecise(ms: number | null | undefined, lang: Lang): string {
  if (ms === null || ms === undefined) return '—';
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${formatter(lang, 'time').format(ms)}.${millis} ${formatter(lang, 'date').format(ms)}`;
}

/** Chart axis ticks: hours and minutes, with the date where the ticks span days. */
export function formatTick(ms: number, lang: Lang, withDate: boolean): string {
  const hm = formatter(lang, 'hm').format(ms);
  return withDate ? `${hm}\n${formatter(lang, 'daymonth').format(ms)}` : hm;
}

export function formatTime(ms: number | null | undefined, lang: Lang): string {
  return ms === null || ms === undefined ? '—' : formatter(lang, 'time').format(ms);
}

/** Time of day when it is today in Vietnam, else date and time. */
export function formatWhen(ms: number | null | undefined, lang: Lang, nowMs = Date.now()): string {
  if (ms === null || ms === undefined) return '—';
  const sameDay = formatter(lang, 'date').format(ms) === formatter(lang, 'date').format(nowMs);
  return sameDay ? formatTime(ms, lang) : formatDateTime(ms, lang);
}

/** "3 min", "2 h 5 min", "4 d": coarse ages for status lines. */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatNumber(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}
