// Local time of day on the box, in the province's time zone (Indochina Time, UTC+7, no DST),
// for rules that are active only part of the day. Plain arithmetic rather than Intl: a time
// zone formatter pages ~6 MB of ICU data and code into the agent, for an offset that is fixed.
const UTC_OFFSET_MINUTES = 7 * 60;
const MINUTES_PER_DAY = 24 * 60;

/** Minutes since local midnight. */
export function localMinuteOfDay(wallMs: number): number {
  const minutes = Math.floor(wallMs / 60_000) + UTC_OFFSET_MINUTES;
  return ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
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
