import t from 'tap';
import { injectorAllowedOn, recordInjectorRoutes, RECORD_INJECTOR_PATH } from './record-injector.js';
import type { LocalRouteContext } from '../../../edge/agent.js';

t.test('the record-injection test hook is served only on a loopback metrics listener', async (t) => {
  t.equal(injectorAllowedOn('127.0.0.1'), true);
  t.equal(injectorAllowedOn('::1'), true);
  for (const host of ['0.0.0.0', '::', '192.168.10.5', '10.0.0.2']) t.equal(injectorAllowedOn(host), false, `refused on ${host}`);

  const refusals: unknown[] = [];
  const context = (metricsHost: string) =>
    ({
      metricsHost,
      sink: { append: async () => ({ lane: 'event', seq: 1 }) },
      logger: { error: (o: unknown) => refusals.push(o) },
    }) as unknown as LocalRouteContext;
  t.same(Object.keys(recordInjectorRoutes(context('127.0.0.1'))), [RECORD_INJECTOR_PATH]);
  t.same(recordInjectorRoutes(context('0.0.0.0')), {}, 'no route on every interface');
  t.equal(refusals.length, 1, 'the refusal is logged');
});
