// The sensor data path after the broker: readings → window aggregates (telemetry records) and
// threshold rules (alarm records) → the outbox. Active alarms survive restarts, so a restart
// neither raises a second alarm nor leaves the first one uncleared.
import { readFileSync } from 'node:fs';
import { newId } from '../../common/ids.js';
import type { SensorConfig } from '../../common/config/edge-schema.js';
import { componentLogger, type Logger } from '../../common/log.js';
import { writeFileAtomic } from '../../common/time.js';
import { errorMessage } from '../../common/errors.js';
import type { EdgeMetrics } from '../metrics.js';
import type { OutboxInput, RecordSink } from '../outbox/types.js';
import { WindowAggregator, type WindowAggregate } from './aggregate.js';
import { ThresholdRule, type AlarmTransition } from './thresholds.js';
import type { SensorReading } from './readings.js';
import { severityToProto } from '../../common/severity.js';

export interface SensorPipelineOptions {
  sensors: readonly SensorConfig[];
  sink: RecordSink;
  metrics: EdgeMetrics;
  /** File that keeps active alarms across restarts; none in memory-only tests. */
  alarmStateFile?: string;
  logger?: Logger;
  /** Optional observer (edgectl sensors tail). */
  onReading?: (reading: SensorReading) => void;
}

export interface LastReading {
  sensorId: string;
  metric: string;
  unit: string;
  value: number;
  wallMs: number;
}

interface ActiveAlarm {
  alarmId: string;
  raisedAtMs: number;
}

export class SensorPipeline {
  private readonly aggregator: WindowAggregator;
  private readonly rules = new Map<string, ThresholdRule[]>();
  private readonly active: Record<string, ActiveAlarm>;
  private readonly last = new Map<string, LastReading>();
  private readonly sensors = new Map<string, SensorConfig>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private appendFailures = 0;

  constructor(private readonly options: SensorPipelineOptions) {
    this.log = options.logger ?? componentLogger('sensors');
    this.aggregator = new WindowAggregator(options.sensors);
    this.active = loadActive(options.alarmStateFile);
    for (const sensor of options.sensors) {
      this.sensors.set(sensor.id, sensor);
      for (const threshold of sensor.thresholds) {
        const key = `${sensor.id}/${threshold.metric}`;
        const rule = new ThresholdRule(sensor.id, threshold, this.active[ruleKey(sensor.id, threshold.id)] !== undefined);
        this.rules.set(key, [...(this.rules.get(key) ?? []), rule]);
      }
    }
  }

  start(): void {
    this.timer ??= setInterval(() => this.emitTelemetry(this.aggregator.closeDue(Date.now())), 1000);
  }

  /**
   * Takes one reading. The promise resolves once the records it caused (closed windows, alarm
   * transitions) are durable in the outbox, and rejects if one could not be stored: the broker
   * acknowledges a QoS 1 reading only then, so an acknowledged alarm survives kill -9.
   */
  handle(reading: SensorReading): Promise<void> {
    const sensor = this.sensors.get(reading.sensorId);
    if (!sensor) return Promise.resolve();
    const unit = sensor.metrics.find((m) => m.name === reading.metric)?.unit ?? '';
    this.last.set(`${reading.sensorId}/${reading.metric}`, {
      sensorId: reading.sensorId,
      metric: reading.metric,
      unit,
      value: reading.value,
      wallMs: reading.wallMs,
    });
    const stored = this.emitTelemetry(this.aggregator.add(reading));
    for (const rule of this.rules.get(`${reading.sensorId}/${reading.metric}`) ?? []) {
      const transition = rule.update(reading);
      if (transition) stored.push(this.emitAlarm(sensor, rule, transition, unit));
    }
    this.options.onReading?.(reading);
    return Promise.all(stored).then(() => undefined);
  }

  private emitTelemetry(windows: WindowAggregate[]): Promise<unknown>[] {
    return windows.map((w) =>
      this.produce({
        kind: 'telemetry',
        body: {
          telemetry: {
            sensor_id: w.sensorId,
            sensor_type: w.sensorType,
            metric: w.metric,
            unit: w.unit,
            window_s: w.windowS,
            window_start_ms: w.startMs,
            window_end_ms: w.endMs,
            count: w.count,
            min: w.min,
            max: w.max,
            mean: w.mean,
            sum: w.sum,
            last: w.last,
          },
        },
        edgeTimeMs: w.endMs,
      }),
    );
  }

  private emitAlarm(sensor: SensorConfig, rule: ThresholdRule, t: AlarmTransition, unit: string): Promise<unknown> {
    const key = ruleKey(sensor.id, rule.config.id);
    let alarmId: string;
    if (t.state === 'raised') {
      alarmId = newId();
      this.active[key] = { alarmId, raisedAtMs: Date.now() };
    } else {
      alarmId = this.active[key]?.alarmId ?? newId();
      delete this.active[key];
    }
    this.saveActive();
    this.options.metrics.alarms.inc({ state: t.state });
    const verb = t.state === 'raised' ? 'raised' : 'cleared';
    const message = rule.config.message ?? `${sensor.name ?? sensor.id} ${t.metric} ${rule.config.condition} ${rule.config.value}${unit}`;
    this.log.info({ sensor: sensor.id, rule: rule.config.id, value: t.value, state: t.state }, `alarm ${verb}`);
    return this.produce({
      kind: 'alarm',
      body: {
        alarm: {
          alarm_id: alarmId,
          rule_id: rule.config.id,
          sensor_id: sensor.id,
          metric: t.metric,
          state: t.state,
          severity: t.state === 'raised' ? severityToProto(rule.config.severity) : 'SEVERITY_INFO',
          value: t.value,
          threshold: t.threshold,
          condition: rule.config.condition,
          message,
          unit,
        },
      },
    });
  }

  /** Appends one record; failures are counted and logged here, and returned to the caller. */
  private produce(input: OutboxInput): Promise<unknown> {
    const stored = this.options.sink.append(input);
    const p = stored
      .catch((err: unknown) => {
        this.appendFailures++;
        this.log.error({ err: errorMessage(err), kind: input.kind }, 'could not store record in the outbox');
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return stored;
  }

  private saveActive(): void {
    if (!this.options.alarmStateFile) return;
    try {
      writeFileAtomic(this.options.alarmStateFile, JSON.stringify(this.active));
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'could not persist active alarms');
    }
  }

  lastReadings(): LastReading[] {
    return [...this.last.values()];
  }

  activeAlarms(): { key: string; alarmId: string; raisedAtMs: number }[] {
    return Object.entries(this.active).map(([key, a]) => ({ key, ...a }));
  }

  get failedAppends(): number {
    return this.appendFailures;
  }

  /** Stops the window timer, flushes partial windows and waits until they are durable. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.emitTelemetry(this.aggregator.flushAll());
    await Promise.all([...this.inFlight]);
  }
}

function ruleKey(sensorId: string, ruleId: string): string {
  return `${sensorId}/${ruleId}`;
}

function loadActive(file: string | undefined): Record<string, ActiveAlarm> {
  if (!file) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ActiveAlarm>;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
