// JSON logs (pino). LOG_LEVEL sets the level; IOC_TRACE=uplink,outbox turns on debug for
// just those components, like GRPC_TRACE does for grpc-js.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const traced = new Set((process.env.IOC_TRACE ?? '').split(',').map((s) => s.trim()).filter(Boolean));

let root: Logger | undefined;

export function setRootLogger(logger: Logger): void {
  root = logger;
}

export function makeRootLogger(name: string, destination?: DestinationStream): Logger {
  const level = process.env.LOG_LEVEL ?? 'info';
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
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
