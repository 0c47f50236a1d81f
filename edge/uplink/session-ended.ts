// Why a Sync stream ended, as the one error the session's `done` rejects with (bar the gRPC
// call's own errors, which keep their status for isAuthFailure).
import { IocError } from '../../common/errors.js';

export class SessionEndedError extends IocError {
  /** The coordinator's goodbye code (e.g. REVOKED) when it ended the stream with a goodbye. */
  readonly goodbye?: string;
  constructor(code: 'UPLINK_CLOSED' | 'UPLINK_ACK_TIMEOUT', message: string, goodbye?: string) {
    super(code, message);
    this.name = 'SessionEndedError';
    if (goodbye !== undefined) this.goodbye = goodbye;
  }
}
