// JSON logs (pino). LOG_LEVEL sets the level; IOC_TRACE=uplink,outbox turns on debug for
// just those components, like GRPC_TRACE does for grpc-js. Secrets stay out: fields named like
// one are censored, and URL passwords in any message or string field are masked.
import { pino, type Logger, type DestinationStream, type LoggerOptions } from 'pino';
import { redactError, redactFields, redactText } from './redact.js';

export type { Logger };

const traced = new Set(
  (process.env.IOC_TRACE ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

let root: Logger | undefined;

export function setRootLogger(logger: Logger): void {
  root = logger;
}

const SECRET_FIELDS = ['password', 'token', 'secret', 'authorization', 'cookie'];

/** Censors secret-named fields at the top, one level down and in request headers; masks URL passwords everywhere else. */
export const LOG_REDACTION: Pick<LoggerOptions, 'redact' | 'hooks'> = {
  redact: {
    paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), ...SECRET_FIELDS.map((f) => `req.headers.${f}`)],
    censor: '[redacted]',
  },
  hooks: {
    logMethod(args, method) {
      const clean = (args as unknown[]).map((a) =>
        typeof a === 'string' ? redactText(a) : a instanceof Error ? redactError(a) : a !== null && typeof a === 'object' ? redactFields(a) : a,
      );
      return method.apply(this, clean as Parameters<typeof method>);
    },
  },
};

export function makeRootLogger(name: string, destination?: DestinationStream): Logger {
  const level = process.env.LOG_LEVEL ?? 'info';
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, ...LOG_REDACTION }, destination);
}

export function rootLogger(): Logger {
  root ??= makeRootLogger(process.env.IOC_LOG_NAME ?? 'ioc-edge');
  return root;
}

export function componentLogger(component: string, parent: Logger = rootLogger()): Logger {
  const child = parent.child({ component });
  if (traced.has(component) || traced.has('all')) child.level = 'debug';
  return child;
}

/**
 * Logs a repeated condition at most once per interval, with how many times it happened.
 * Bad sensor payloads can arrive thousands of times a minute; the log must stay readable.
 */
export class RateLimitedLog {
  private readonly lastAt = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  warn(key: string, obj: object, msg: string): void {
    const now = performance.now();
    const seen = this.lastAt.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    this.logger.warn({ ...obj, suppressedSinceLast: seen?.suppressed ?? 0 }, msg);
    this.lastAt.set(key, { at: now, suppressed: 0 });
  }
}
