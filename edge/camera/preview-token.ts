// The one-time token of one live preview: printed by `edgectl cameras live`, checked on the page
// and spent by the first viewer's websocket. Compared in constant time (both sides hashed to the
// same length first, so neither the content nor the length leaks through timing).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export class PreviewToken {
  /** 144 random bits, URL-safe: it travels in a query string. */
  readonly value = randomBytes(18).toString('base64url');
  private readonly expected = digest(this.value);
  private spent = false;

  /** Right and not yet used by a viewer (the page and its script may be fetched before that). */
  valid(candidate: string | null | undefined): boolean {
    if (typeof candidate !== 'string' || candidate.length > 256) return false;
    return timingSafeEqual(digest(candidate), this.expected) && !this.spent;
  }

  /** Valid, and now used up: true for the first viewer only. */
  spend(candidate: string | null | undefined): boolean {
    if (!this.valid(candidate)) return false;
    this.spent = true;
    return true;
  }
}
