// placeholder
import type { Context } from 'hono';
import type { SeverityName } from '../../common/config/primitives.js';
export interface LiveFilter { topics?: string[]; site?: string[]; kind?: string[]; severity?: SeverityName[]; minSeverity?: SeverityName }
export class LiveFeed {
  stream(c: Context, _filter: LiveFilter, _lastEventId: string | undefined): Response { return c.text('not built yet', 503); }
}
