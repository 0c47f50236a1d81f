import t from 'tap';
import { resolveBrokerHost } from '../../../edge/sensors/broker-address.js';
import { parseEdgeConfig } from '../../../common/config/edge-config.js';
import type { IocError } from '../../../common/errors.js';

const BASE = `version: 1
device: { id: edge-1, site: s, site_name: S, location: { lat: 22, lon: 102 } }
coordinator: { address: 127.0.0.1:1, token: test-device-token-0123456789 }
`;

t.test('without host or interface the broker listens on loopback, never on every interface', async (t) => {
  const { config } = parseEdgeConfig(BASE);
  t.equal(config.broker.host, undefined);
  t.equal(resolveBrokerHost(config.broker), '127.0.0.1');
});

t.test('0.0.0.0 only when written', async (t) => {
  t.equal(resolveBrokerHost(parseEdgeConfig(`${BASE}broker: { host: 0.0.0.0 }\n`).config.broker), '0.0.0.0');
});

t.test("interface: the interface's IPv4 address; a missing interface or address is a config error", async (t) => {
  const interfaces = {
    eth1: [
      { address: 'fe80::1', family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:01', internal: false, cidr: null, scopeid: 2 },
      { address: '192.168.50.1', family: 'IPv4', netmask: '255.255.255.0', mac: '00:00:00:00:00:01', internal: false, cidr: '192.168.50.1/24' },
    ],
    eth2: [{ address: 'fe80::2', family: 'IPv6', netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:02', internal: false, cidr: null, scopeid: 3 }],
  } as unknown as Parameters<typeof resolveBrokerHost>[1];
  t.equal(resolveBrokerHost({ interface: 'eth1' }, interfaces), '192.168.50.1');
  t.throws(() => resolveBrokerHost({ interface: 'eth2' }, interfaces), /broker.interface: eth2 has no IPv4 address/);
  const err = t.throws(() => resolveBrokerHost({ interface: 'wlan0' }, interfaces)) as unknown as IocError;
  t.equal(err.code, 'CONFIG_INVALID', 'exit status 2 like other config errors');
  t.match(err.message, /no network interface "wlan0".*eth1, eth2/);
  t.equal(resolveBrokerHost({ interface: 'lo' }), '127.0.0.1', 'a real interface of this machine');
});

t.test('host and interface together are refused', async (t) => {
  t.throws(() => parseEdgeConfig(`${BASE}broker: { host: 10.0.0.1, interface: eth1 }\n`), /broker.interface: set host or interface, not both/);
});
