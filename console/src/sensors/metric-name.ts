// The name operators read for a metric: translated when the console knows it, else its id.
import type { MessageKey, Translate } from '../i18n/i18n.js';

const KNOWN = new Set(['rainfall', 'level', 'temperature', 'humidity', 'pm25', 'pm10', 'wind_speed']);

export function metricName(metric: string, t: Translate): string {
  return KNOWN.has(metric) ? t(`metric.${metric}` as MessageKey) : metric;
}
