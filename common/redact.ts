// Credentials out of anything that is logged, shown or returned. Camera URLs carry the camera's
// user and password (rtsp://user:pass@host/...), and ffmpeg repeats its input URL in its
// errors; logs, `edgectl` output and doctor reports get pasted into chats and tickets.

const MASK = '***';

/** `scheme://user:password@` — the password runs to the last `@` before the host (it may hold `@` or `:`). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:'"]*):([^\s/?#'"]*)@/gi;
/** Query parameters that some cameras take credentials in (`?user=admin&password=…`). */
const SECRET_PARAM = /([?&;](?:password|passwd|pwd|pass|token|auth|key|secret)=)[^&\s'"#]*/gi;

/** The text with every URL password (and password-like query parameter) masked; the user name stays, it helps find the camera. */
export function redactText(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text.replace(USERINFO, `$1$2:${MASK}@`).replace(SECRET_PARAM, `$1${MASK}`);
}

/** A camera (or any) URL fit for a log line or an error message. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** Whether the text would change under redaction: a cheap test for the log hook. */
export function hasCredentials(text: string): boolean {
  return redactText(text) !== text;
}

/** The error itself, or a copy whose message and stack are redacted. */
export function redactError<E extends Error>(err: E): E {
  if (!hasCredentials(err.message) && !hasCredentials(err.stack ?? '')) return err;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as E, err);
  Object.defineProperty(copy, 'message', { value: redactText(err.message), enumerable: false, writable: true, configurable: true });
  Object.defineProperty(copy, 'stack', { value: redactText(err.stack ?? ''), enumerable: false, writable: true, configurable: true });
  return copy;
}

/**
 * The value with every string in it redacted (through arrays, plain objects and errors); the
 * value itself when nothing needed it, so the common case allocates nothing.
 */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value instanceof Error) return redactError(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v: unknown, i) => {
      const clean = redactValue(v);
      if (clean === v) return;
      if (copy === undefined) copy = [...value];
      copy[i] = clean;
    });
    return (copy as T | undefined) ?? value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return redactFields(value);
  return value;
}

/** A log object (or any object) with the strings in its own fields redacted, copied only when needed. */
export function redactFields<T extends object>(obj: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(obj)) {
    const clean = redactValue(value);
    if (clean === value) continue;
    if (copy === undefined) copy = { ...(obj as Record<string, unknown>) };
    copy[key] = clean;
  }
  return (copy as T | undefined) ?? obj;
}
