// Builds rule inputs by hand: tracks at given feet positions and a rule context.
import type { Track } from '../../../../edge/camera/tracker.js';
import type { RuleContext, SceneView } from '../../../../edge/camera/rules/index.js';

export function track(id: string, label: string, feet: [number, number], path: [number, number][] = []): Track {
  const h = 0.1;
  return {
    id,
    label,
    box: { x: feet[0] - 0.02, y: feet[1] - h, w: 0.04, h },
    vx: 0,
    vy: 0,
    hits: 5,
    confirmed: true,
    stationary: false,
    firstSeenMs: 0,
    lastSeenMs: 0,
    firstSeenWallMs: 0,
    scores: [0.8],
    seenThisCycle: true,
    path: path.map((p, i) => ({ t: i, p })),
  };
}

export const context: RuleContext = {
  cameraId: 'cam1',
  zones: new Map([
    [
      'yard',
      [
        [0.5, 0.5],
        [1, 0.5],
        [1, 1],
        [0.5, 1],
      ] as const,
    ],
  ]),
  lines: new Map([['road', { a: [0, 0.5] as const, b: [1, 0.5] as const }]]),
};

export const scene = (nowMs: number, tracks: Track[], wallMs = nowMs): SceneView => ({ nowMs, wallMs, tracks });
