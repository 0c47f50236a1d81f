// Schema of one camera in a site config: stream, motion, objects, zones, lines and rules.
import { z } from 'zod';
import { Identifier, Polygon, NormalizedPoint, Severity } from './primitives.js';

// Defaults measured with the bundled CenterNet on the vtest street clip: walking people score
// 0.45–0.72 per box (median of a track ~0.55–0.65); static clutter (signs, bollards) 0.2–0.41.
const LabelFilter = z.strictObject({
  min_score: z.number().min(0).max(1).default(0.4).describe('a detection box below this score is ignored'),
  track_score: z.number().min(0).max(1).default(0.55).describe('a track counts once the median of its scores reaches this'),
  min_area: z.number().min(0).max(1).default(0.0005).describe('smallest box, as a share of the frame area'),
  max_area: z.number().min(0).max(1).default(0.8).describe('largest box, as a share of the frame area'),
});
export type LabelFilter = z.infer<typeof LabelFilter>;

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)');

const IntrusionRule = z.strictObject({
  type: z.literal('intrusion'),
  id: Identifier.optional(),
  zone: Identifier,
  labels: z.array(z.string()).min(1).default(['person', 'car', 'truck', 'motorcycle', 'bus', 'bicycle']),
  schedule: z.strictObject({ from: TimeOfDay, to: TimeOfDay }).optional().describe('active only between these local times (may wrap midnight)'),
  severity: Severity.default('high'),
});

const LoiteringRule = z.strictObject({
  type: z.literal('loitering'),
  id: Identifier.optional(),
  zone: Identifier,
  labels: z.array(z.string()).min(1).default(['person']),
  seconds: z.number().positive().default(30).describe('time in the zone before the rule fires'),
  severity: Severity.default('medium'),
});

const VehicleCountRule = z.strictObject({
  type: z.literal('vehicle_count'),
  id: Identifier.optional(),
  line: Identifier,
  labels: z.array(z.string()).min(1).default(['car', 'truck', 'bus', 'motorcycle', 'bicycle']),
  interval_s: z.number().int().min(10).max(86_400).default(300).describe('counts are reported as traffic telemetry per interval'),
});

const CrowdingRule = z.strictObject({
  type: z.literal('crowding'),
  id: Identifier.optional(),
  zone: Identifier,
  labels: z.array(z.string()).min(1).default(['person']),
  max_objects: z.number().int().min(1).describe('the rule fires when more than this many objects are in the zone'),
  for_s: z.number().min(0).default(5),
  severity: Severity.default('medium'),
});

export const CameraRule = z.discriminatedUnion('type', [IntrusionRule, LoiteringRule, VehicleCountRule, CrowdingRule]);
export type CameraRuleConfig = z.infer<typeof CameraRule>;

export const CameraSchema = z
  .strictObject({
    id: Identifier,
    name: z.string().optional(),
    url: z.string().regex(/^(rtsp|rtsps|rtmp|http|https|file):/, 'expected an rtsp://, http(s)://, rtmp:// or file: URL'),
    sub_url: z.string().optional().describe('low-resolution sub-stream used for detection when the camera has one'),
    rtsp_transport: z.enum(['tcp', 'udp']).default('tcp'),
    enabled: z.boolean().default(true),
    detect: z
      .strictObject({
        width: z.number().int().min(160).max(1920).default(640),
        fps: z.number().min(0.5).max(30).default(5),
        enabled: z.boolean().default(true).describe('false: motion, offline and tamper only'),
        empty_backoff_max_s: z
          .number()
          .min(0)
          .max(30)
          .default(4)
          .describe(
            'after 3 detections in a row find nothing (trees, rain), motion alone is detected again after 0.5 s, doubling up to this, and those requests wait behind busier cameras (at most 2 s); anything found resets it. 0: detect on every motion frame, never behind others',
          ),
      })
      .prefault({}),
    motion: z
      .strictObject({
        threshold: z.number().int().min(1).max(255).default(25).describe('per-pixel difference from the background (0-255)'),
        min_area: z.number().min(0).max(1).default(0.002).describe('smallest moving region, as a share of the frame'),
        height: z.number().int().min(60).max(360).default(120),
        masks: z.array(Polygon).default([]).describe('areas ignored by motion (trees, clocks, road signs)'),
        recalibrate_share: z
          .number()
          .min(0.2)
          .max(1)
          .default(0.6)
          .describe('share of the frame changing at once that is taken as lights or the IR switch: the background restarts'),
      })
      .prefault({}),
    tamper: z
      .strictObject({
        enabled: z.boolean().default(true),
        after_s: z.number().min(1).max(600).default(5).describe('a uniform or re-aimed picture must last this long to be reported'),
      })
      .prefault({}),
    objects: z
      .strictObject({
        track: z.array(z.string()).min(1).default(['person', 'car', 'truck', 'bus', 'motorcycle', 'bicycle']),
        filters: z.record(z.string(), LabelFilter).default({}),
        events: z
          .enum(['all', 'rules'])
          .default('all')
          .describe('all: one event per confirmed person/vehicle (within the hourly budget) plus rule events; rules: rule events only'),
        // A plain object event costs ~3 KB on the uplink (new, end, a 160 px thumbnail). 60 an hour
        // is every passer-by at a rural gate, and on a 32 kbps box with a 100 MB daily budget four
        // busy cameras then take ~17 MB a day; 2,000 people an hour on a market street would not fit.
        max_object_events_per_hour: z
          .number()
          .int()
          .min(0)
          .max(100_000)
          .default(60)
          .describe(
            'plain object events per hour, on average (up to a sixth of it at once); beyond it objects are only counted in the activity summary. Rule events are never limited',
          ),
        activity_interval_s: z
          .number()
          .int()
          .min(60)
          .max(3600)
          .default(300)
          .describe('objects beyond the event budget are reported per label once per interval (camera_event type "activity") with one thumbnail'),
      })
      .prefault({}),
    zones: z.array(z.strictObject({ id: Identifier, points: Polygon })).default([]),
    lines: z.array(z.strictObject({ id: Identifier, a: NormalizedPoint, b: NormalizedPoint })).default([]),
    rules: z.array(CameraRule).default([]),
    offline_after_s: z.number().min(2).max(3600).default(20),
  })
  .superRefine((camera, ctx) => {
    const zones = new Set(camera.zones.map((z) => z.id));
    const lines = new Set(camera.lines.map((l) => l.id));
    camera.rules.forEach((rule, i) => {
      if ('zone' in rule && !zones.has(rule.zone)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'zone'], message: `no zone "${rule.zone}" on this camera` });
      }
      if (rule.type === 'vehicle_count' && !lines.has(rule.line)) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'line'], message: `no line "${rule.line}" on this camera` });
      }
    });
  });

export type CameraConfig = z.infer<typeof CameraSchema>;
