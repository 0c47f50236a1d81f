// Remembers each camera's latest event as it passes into the outbox, for edgectl status
// ("last event 2 min ago: person in restricted"). A pass-through sink: the outbox stays the
// only queue.
import type { AppendResult, OutboxInput, RecordSink } from '../outbox/types.js';

export interface CameraEventSeen {
  type: string;
  phase: string;
  label: string;
  rule: string;
  zone: string;
  wallMs: number;
}

export class CameraActivity implements RecordSink {
  private readonly last = new Map<string, CameraEventSeen>();

  constructor(private readonly sink: RecordSink) {}

  append(input: OutboxInput): Promise<AppendResult> {
    const event = input.body.camera_event;
    if (event?.camera_id) {
      this.last.set(event.camera_id, {
        type: event.type ?? '',
        phase: event.phase ?? '',
        label: event.label ?? '',
        rule: event.rule ?? '',
        zone: event.zone ?? '',
        wallMs: input.edgeTimeMs ?? Date.now(),
      });
    }
    return this.sink.append(input);
  }

  lastEvent(cameraId: string): CameraEventSeen | undefined {
    return this.last.get(cameraId);
  }
}
