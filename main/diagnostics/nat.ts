import type { TransportAddress } from './stun/message.js';

/**
 * NAT mapping behaviour (RFC 4787) from what two different servers saw as our source for ONE local
 * socket: the same mapping for both → endpoint-independent (peers can reach us directly); a
 * different one per destination → symmetric (address/port-dependent; media needs TURN).
 */
export type NatBehaviour = 'none' | 'endpoint-independent' | 'symmetric' | 'unknown';

export function natBehaviour(local: TransportAddress, mappings: TransportAddress[], localAddresses: string[]): NatBehaviour {
  if (mappings.length === 0) return 'unknown';
  const same = (a: TransportAddress, b: TransportAddress) => a.address === b.address && a.port === b.port;
  if (mappings.every((m) => localAddresses.includes(m.address) && m.port === local.port)) return 'none';
  if (mappings.length < 2) return 'unknown';
  return mappings.every((m) => same(m, mappings[0]!)) ? 'endpoint-independent' : 'symmetric';
}
