// Schema of the coordinator's NATS JetStream publishing (cloud/jetstream/).
import { z } from 'zod';

const SubjectToken = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'letters, digits, "_" and "-", dot-separated');

export const NatsSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('publish every stored record and alert change to a JetStream stream'),
    servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']).describe('NATS server URLs'),
    stream: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-"')
      .default('IOC')
      .describe('JetStream stream; created (subjects <subject_prefix>.>) if missing'),
    subject_prefix: SubjectToken.default('ioc').describe('subjects are <subject_prefix>.<site>.<kind>'),
    user: z.string().optional().describe('NATS user (with password or password_file)'),
    password_file: z.string().optional().describe('file holding the NATS password; never put it in the YAML'),
    token_file: z.string().optional().describe('file holding a NATS auth token'),
    duplicate_window_s: z.number().int().min(10).max(86_400).default(300).describe('JetStream dedupe window for a stream this creates (Nats-Msg-Id)'),
  })
  .prefault({});

export type NatsConfig = z.infer<typeof NatsSchema>;
