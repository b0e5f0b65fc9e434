/**
 * Which socket of the stack binds where, and whom it faces (pure). The one list preflight checks
 * before anything starts and README's exposure table describes: agent- and trunk-facing services
 * on the listen address, media on the media address, control interfaces on the management address.
 */
import type { ResolvedOptions } from './stack-options.js';

export type Facing = 'agents' | 'trunk' | 'internal';

export interface Binding {
  readonly name: string;
  readonly proto: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
  readonly faces: Facing;
}

export function stackBindings(o: ResolvedOptions, with_: { carrier: boolean; reflector: boolean }): Binding[] {
  const { ports, listen, managementAddress: mgmt } = o;
  const b = (name: string, proto: Binding['proto'], host: string, port: number, faces: Facing): Binding => ({ name, proto, host, port, faces });
  return [
    b('SIP/UDP', 'udp', listen, ports.sipUdp, 'trunk'),
    b('SIP WebSocket', 'tcp', listen, ports.sipWs, 'agents'),
    ...(o.tlsOnly || o.tls ? [b('SIP secure WebSocket', 'tcp', listen, ports.sipWss, 'agents')] : []),
    b(o.tlsOnly ? 'control plane HTTPS' : 'control plane HTTP', 'tcp', listen, ports.controlPlane, 'agents'),
    b('control plane internal HTTP', 'tcp', mgmt, ports.controlPlaneInternal, 'internal'),
    b('TURN/UDP', 'udp', listen, ports.turn, 'agents'),
    b('TURN/TCP', 'tcp', listen, ports.turn, 'agents'),
    b('TURN/TLS', 'tcp', listen, ports.turns, 'agents'),
    ...o.rtpengines.map((r) => b(`${r.name} ng`, 'udp', mgmt, r.ngPort, 'internal')),
    ...(with_.carrier
      ? [b('simulated carrier SIP', 'udp', mgmt, ports.carrierSip, 'internal'), b('simulated carrier API', 'tcp', mgmt, ports.carrierApi, 'internal')]
      : []),
    ...(with_.reflector ? [b('diagnostics reflector', 'udp', listen, ports.reflector, 'agents')] : []),
  ];
}
