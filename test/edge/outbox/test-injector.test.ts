import t from 'tap';
import { testInjectorEnabled } from '../../../edge/outbox/test-injector.js';

t.test('the record-injection test hook is on only when asked for and only on loopback', async (t) => {
  const asked = { IOC_EDGE_TEST_INJECTOR: '1' };
  t.equal(testInjectorEnabled('127.0.0.1', asked), true);
  t.equal(testInjectorEnabled('::1', asked), true);
  t.equal(testInjectorEnabled('127.0.0.1', {}), false, 'off unless asked for');
  for (const host of ['0.0.0.0', '::', '192.168.10.5', '10.0.0.2']) t.equal(testInjectorEnabled(host, asked), false, `refused on ${host}`);
});
