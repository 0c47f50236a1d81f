// The admin socket's method table: one group of handlers per edgectl command group.
import type { AgentView } from '../agent-view.js';
import type { AdminHandlers } from '../server.js';
import { statusHandlers } from './status.js';
import { sensorHandlers } from './sensors.js';
import { cameraHandlers } from './cameras.js';
import { outboxHandlers } from './outbox.js';
import { configHandlers } from './config.js';
import { linkHandlers } from './link.js';
import { modelHandlers } from './model.js';

export function adminHandlers(agent: AgentView): AdminHandlers {
  return {
    ...statusHandlers(agent),
    ...sensorHandlers(agent),
    ...cameraHandlers(agent),
    ...outboxHandlers(agent),
    ...configHandlers(agent),
    ...linkHandlers(agent),
    ...modelHandlers(agent),
  };
}
