// Tumbling-window aggregation of sensor readings: count, min, max, mean, sum, last per sensor,
// metric and configured window, emitted as telemetry when the window closes. Windows align to
// the wall clock (e.g. 10:00–10:05) so aggregates from different boxes line up at the IOC.
import type { SensorConfig } from '../../common/config/edge-schema.js';
import type { SensorReading } from './readings.js';
import type { WindowStats } from '../../common/window-stats.js';

export interface WindowAggregate extends WindowStats {
  sensorId: string;
  sensorType: string;
  metric: string;
  unit: string;
  windowS: number;
}

interface OpenWindow {
  startMs: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
}

interface Series {
  sensorId: string;
  sensorType: string;
  metric: string;
  unit: string;
  windowS: number;
  open: OpenWindow | undefined;
}

export class WindowAggregator {
  private readonly series = new Map<string, Series[]>();

  /** `graceMs`: how long after a window's end late readings are still accepted. */
  constructor(
    sensors: readonly SensorConfig[],
    private readonly graceMs = 2_000,
  ) {
    for (const sensor of sensors) {
      for (const metric of sensor.metrics) {
        this.series.set(
          key(sensor.id, metric.name),
          [...new Set(metric.windows_s)].map((windowS) => ({
            sensorId: sensor.id,
            sensorType: sensor.type,
            metric: metric.name,
            unit: metric.unit,
            windowS,
            open: undefined,
          })),
        );
      }
    }
  }

  /** Adds a reading; returns the windows it closed (a reading past the open window's end closes it). */
  add(reading: SensorReading): WindowAggregate[] {
    const closed: WindowAggregate[] = [];
    for (const s of this.series.get(key(reading.sensorId, reading.metric)) ?? []) {
      const windowMs = s.windowS * 1000;
      const startMs = Math.floor(reading.wallMs / windowMs) * windowMs;
      if (s.open && startMs < s.open.startMs) continue; // late for a window already closed
      if (s.open && startMs > s.open.startMs) {
        closed.push(finish(s, s.open));
        s.open = undefined;
      }
      if (!s.open) s.open = { startMs, count: 0, min: Infinity, max: -Infinity, sum: 0, last: 0 };
      const w = s.open;
      w.count++;
      w.min = Math.min(w.min, reading.value);
      w.max = Math.max(w.max, reading.value);
      w.sum += reading.value;
      w.last = reading.value;
    }
    return closed;
  }

  /** Closes every window whose end (plus grace) has passed; call periodically. */
  closeDue(nowWallMs: number): WindowAggregate[] {
    const closed: WindowAggregate[] = [];
    for (const list of this.series.values()) {
      for (const s of list) {
        if (s.open && s.open.startMs + s.windowS * 1000 + this.graceMs <= nowWallMs) {
          closed.push(finish(s, s.open));
          s.open = undefined;
        }
      }
    }
    return closed;
  }

  /** Closes all open windows early (shutdown): partial windows are better than lost readings. */
  flushAll(): WindowAggregate[] {
    const closed: WindowAggregate[] = [];
    for (const list of this.series.values()) {
      for (const s of list) {
        if (s.open) closed.push(finish(s, s.open));
        s.open = undefined;
      }
    }
    return closed;
  }
}

function key(sensorId: string, metric: string): string {
  return `${sensorId}\u0000${metric}`;
}

function finish(s: Series, w: OpenWindow): WindowAggregate {
  return {
    sensorId: s.sensorId,
    sensorType: s.sensorType,
    metric: s.metric,
    unit: s.unit,
    windowS: s.windowS,
    startMs: w.startMs,
    endMs: w.startMs + s.windowS * 1000,
    count: w.count,
    min: w.min,
    max: w.max,
    mean: w.sum / w.count,
    sum: w.sum,
    last: w.last,
  };
}
