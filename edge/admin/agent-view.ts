// What the admin handlers may see of the running agent and the few things they may ask it to do.
// Parts the agent rebuilds on reconfigure (config, uplink, sensors, cameras, detector) are
// functions, asked on every request; each handler group takes only the members it uses.
import type { EdgeConfig } from '../../common/config/edge-schema.js';
import type { Camera, Detector } from '../camera/index.js';
import type { ConfigApplier } from '../config-apply.js';
import type { EdgeMetrics } from '../metrics.js';
import type { AppendResult, DeadLetter, OutboxStats } from '../outbox/types.js';
import type { LastReading } from '../sensors/sensor-pipeline.js';
import type { SupervisedHealth } from '../supervisor.js';
import type { BoxSample } from '../system-stats.js';
import type { UplinkStatus } from '../uplink/link.js';
import type { ProbeResult } from '../uplink/session.js';
import type { LaneName } from '../../common/lanes.js';
import type { CameraActivity } from './camera-activity.js';
import type { ModelLocation, ModelStore } from './model-store.js';
import type { ReadingFeed } from './reading-feed.js';

export interface AgentPorts {
  broker: number;
  metrics: number | undefined;
  /** The edgectl socket. */
  admin: string | undefined;
}

export interface AgentView {
  config(): EdgeConfig;
  configRevision(): string;
  /** Undefined when the agent was started without a config file it may replace. */
  configApplier(): ConfigApplier | undefined;
  readonly startedAtMs: number;
  readonly outbox: {
    stats(): OutboxStats;
    listDeadLetters(): Promise<DeadLetter[]>;
    resendDeadLetter(lane: LaneName, seq: number): Promise<AppendResult>;
  };
  uplink(): { status(): UplinkStatus; probe(bytes: number, timeoutMs?: number): Promise<ProbeResult> };
  sensors(): { lastReadings(): LastReading[]; activeAlarms(): { key: string; alarmId: string; raisedAtMs: number }[] };
  readonly readingFeed: Pick<ReadingFeed, 'subscribe'>;
  cameras(): readonly Camera[];
  readonly cameraActivity: Pick<CameraActivity, 'lastEvent'>;
  detector(): Detector | undefined;
  readonly models: ModelStore;
  /** Loads a verified model into the running detector (cameras keep running). */
  swapModel(model: ModelLocation): Promise<{ loaded: boolean; backend?: string }>;
  /** The supervised components' health. */
  components(): SupervisedHealth[];
  readonly metrics: Pick<EdgeMetrics, 'cameraReconnects'>;
  resources(): BoxSample;
  ports(): AgentPorts;
}
