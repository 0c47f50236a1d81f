// Where the sensor broker listens: `broker.host` as written, else the IPv4 address of
// `broker.interface` (the box's sensor network), else loopback. Never every interface unless
// the config says 0.0.0.0 itself.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { IocError } from '../../common/errors.js';

export function resolveBrokerHost(
  broker: { host?: string | undefined; interface?: string | undefined },
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  if (broker.host) return broker.host;
  if (!broker.interface) return '127.0.0.1';
  const addresses = interfaces[broker.interface];
  if (!addresses) {
    const known = Object.keys(interfaces).join(', ') || 'none';
    throw new IocError('CONFIG_INVALID', `broker.interface: no network interface "${broker.interface}" on this box (interfaces: ${known})`);
  }
  const ipv4 = addresses.find((a) => a.family === 'IPv4');
  if (!ipv4) throw new IocError('CONFIG_INVALID', `broker.interface: ${broker.interface} has no IPv4 address (is its cable in and its address configured?)`);
  return ipv4.address;
}
