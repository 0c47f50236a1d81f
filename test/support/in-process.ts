// A coordinator in the test process (real HTTP and gRPC servers on ephemeral ports, a real
// level store), for API tests that need to look inside: its store, bus and metrics.
import { join } from 'node:path';
import { parseCoordinatorConfig } from '../../cloud/config.js';
import { startCoordinator, type CoordinatorHandle } from '../../cloud/coordinator.js';
import { makeRootLogger } from '../../common/log.js';
import { ADMIN_TOKEN, Api, OPERATOR_TOKEN, VIEWER_TOKEN } from './system.js';
import { tempDir } from './tmp.js';

type Teardown = { teardown(fn: () => unknown): void };

export interface InProcessCoordinator {
  handle: CoordinatorHandle;
  baseUrl: string;
  /** Viewer by default; `.as(token)` for others. */
  api: Api;
  dir: string;
}

export function inProcessYaml(dir: string, extraYaml = '', storeYaml = `store: { kind: level, dir: ${join(dir, 'store')} }`): string {
  return `version: 1
http: { host: 127.0.0.1, port: 0 }
grpc: { host: 127.0.0.1, port: 0 }
${storeYaml}
sites:
  - { id: muong-nhe, name: Mường Nhé, district: Huyện Mường Nhé, location: { lat: 22.1833, lon: 102.4667 } }
  - id: tua-chua
    name: Tủa Chùa
    location: { lat: 21.86, lon: 103.346 }
    boundary: [{ lat: 21.95, lon: 103.25 }, { lat: 21.95, lon: 103.45 }, { lat: 21.77, lon: 103.45 }, { lat: 21.77, lon: 103.25 }, { lat: 21.95, lon: 103.25 }]
  - { id: dien-bien-dong, name: Điện Biên Đông, location: { lat: 21.253, lon: 103.24 } }
devices:
  - { id: edge-a, site: muong-nhe, token: test-device-token-edge-a-0123456789 }
api_tokens:
  - { name: viewer, role: viewer, token: ${VIEWER_TOKEN} }
  - { name: operator, role: operator, token: ${OPERATOR_TOKEN} }
  - { name: admin, role: admin, token: ${ADMIN_TOKEN} }
${extraYaml}
`;
}

/** `storeYaml` replaces the level store line (e.g. a PostgreSQL store shared by replicas). */
export async function startInProcessCoordinator(t: Teardown, extraYaml = '', dir = tempDir(t), storeYaml?: string): Promise<InProcessCoordinator> {
  const { config } = parseCoordinatorConfig(inProcessYaml(dir, extraYaml, storeYaml), 'coordinator.yaml', {});
  const logger = makeRootLogger('coordinator');
  logger.level = process.env.LOG_LEVEL ?? 'error';
  const handle = await startCoordinator(config, { logger });
  t.teardown(() => handle.close());
  const baseUrl = `http://127.0.0.1:${handle.httpPort}`;
  return { handle, baseUrl, api: new Api(baseUrl), dir };
}
