// Typed errors with stable codes, mapped once to HTTP and gRPC statuses.
import { status as GrpcStatus } from '@grpc/grpc-js';

export const ERROR_CODES = {
  BAD_REQUEST: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  VALIDATION: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  CONFIG_INVALID: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  UNAUTHENTICATED: { http: 401, grpc: GrpcStatus.UNAUTHENTICATED },
  FORBIDDEN: { http: 403, grpc: GrpcStatus.PERMISSION_DENIED },
  NOT_FOUND: { http: 404, grpc: GrpcStatus.NOT_FOUND },
  CONFLICT: { http: 409, grpc: GrpcStatus.ALREADY_EXISTS },
  PAYLOAD_TOO_LARGE: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, grpc: GrpcStatus.INVALID_ARGUMENT },
  RATE_LIMITED: { http: 429, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  STORAGE: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  UNAVAILABLE: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  // The edge's uplink and detector: never answered over HTTP or gRPC, but named apart so that
  // edgectl and the logs say which part failed.
  UPLINK_UNREACHABLE: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  UPLINK_CLOSED: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  UPLINK_ACK_TIMEOUT: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  BACKEND_UNAVAILABLE: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  MODEL_INVALID: { http: 500, grpc: GrpcStatus.FAILED_PRECONDITION },
  INTERNAL: { http: 500, grpc: GrpcStatus.INTERNAL },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class IocError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IocError';
    this.code = code;
    this.details = options?.details;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
  get grpcStatus(): number {
    return ERROR_CODES[this.code].grpc;
  }
}

/** Refused for capacity, not for the request itself: retry after `retryAfterS` (HTTP Retry-After). */
export class BusyError extends IocError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super('UNAVAILABLE', message);
    this.name = 'BusyError';
  }
}

export class ConfigError extends IocError {
  readonly file: string;
  readonly issues: string[];
  constructor(file: string, issues: string[]) {
    super('CONFIG_INVALID', `${file}: invalid config\n  ${issues.join('\n  ')}`, { details: issues });
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
}

export class ValidationError extends IocError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION', message, { details });
    this.name = 'ValidationError';
  }
}

export class AuthError extends IocError {
  constructor(message: string, code: 'UNAUTHENTICATED' | 'FORBIDDEN' = 'UNAUTHENTICATED') {
    super(code, message);
    this.name = 'AuthError';
  }
}

export class NotFoundError extends IocError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
    this.name = 'NotFoundError';
  }
}

export class StorageError extends IocError {
  constructor(message: string, cause?: unknown) {
    super('STORAGE', message, { cause });
    this.name = 'StorageError';
  }
}

export function asIocError(err: unknown): IocError {
  if (err instanceof IocError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new IocError('INTERNAL', message, { cause: err });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The coordinator's one JSON error shape, for API answers and the live feed alike. */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}
