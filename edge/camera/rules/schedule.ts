// Local time of day on the box, in the province's time zone (Indochina Time, UTC+7, no DST),
// for rules that are active only part of the day.
const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const formatter = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Minutes since local midnight. */
export function localMinuteOfDay(wallMs: number): number {
  const parts = formatter.formatToParts(new Date(wallMs));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

function parseHHMM(value: string): number {
  const [h, m] = value.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether wallMs falls in [from, to) local time; a window like 22:00–05:00 wraps midnight. */
export function inSchedule(wallMs: number, window: { from: string; to: string } | undefined): boolean {
  if (!window) return true;
  const now = localMinuteOfDay(wallMs);
  const from = parseHHMM(window.from);
  const to = parseHHMM(window.to);
  if (from === to) return true;
  return from < to ? now >= from && now < to : now >= from || now < to;
}
