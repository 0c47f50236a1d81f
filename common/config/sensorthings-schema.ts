// Schema of the read-only OGC SensorThings API (cloud/sensorthings/).
import { z } from 'zod';

export const SensorThingsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('serve the open sensor data (opendata.sensor_types) as SensorThings 1.1 under /api/open/sta/v1.1, without authentication'),
    result: z.enum(['mean', 'min', 'max', 'sum', 'last']).default('mean').describe("the window statistic an Observation's result carries"),
    max_top: z.number().int().min(1).max(10_000).default(1000).describe('largest $top (also the default page size)'),
    base_url: z.url().optional().describe('public URL of the service root for @iot.selfLink and @iot.nextLink (behind a proxy); default: from the request'),
  })
  .prefault({});

export type SensorThingsConfig = z.infer<typeof SensorThingsSchema>;
