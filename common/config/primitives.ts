// Small schema pieces shared by the edge and coordinator configs.
import { z } from 'zod';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type SeverityName = z.infer<typeof Severity>;

export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "-", "_" or "." (at most 64), starting with a letter or digit');

/** A point in normalized image coordinates: 0..1 from the top-left corner. */
export const NormalizedPoint = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
export const Polygon = z.array(NormalizedPoint).min(3, 'needs ≥ 3 points');

export const HostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. ioc.example.vn:50051');

export const Coordinates = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
