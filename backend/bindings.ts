/**
 * Which socket of the stack binds where, and whom it faces (pure). The one list preflight checks
 * before anything starts and README's exposure table describes: agent- and trunk-facing services
 * on the listen address, media on the media address, control interfaces on the management address.
 */
import type { PortName } from './ports.js';
import type { ResolvedOptions } from './stack-options.js';

export type Facing = 'agents' | 'trunk' | 'internal';

export interface Binding {
  readonly name: string;
  readonly proto: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
  readonly faces: Facing;
}

/** Each binding is named by its port's name in backend/ports.ts (what preflight errors print). */
export function stackBindings(o: ResolvedOptions, with_: { carrier: boolean; reflector: boolean }): Binding[] {
  const { ports, listen, managementAddress: mgmt } = o;
  const b = (name: PortName, proto: Binding['proto'], host: string, faces: Facing): Binding => ({
    name,
    proto,
    host,
    port: ports[name],
    faces,
  });
  return [
    b('sipUdp', 'udp', listen, 'trunk'),
    b('sipWs', 'tcp', listen, 'agents'),
    ...(o.tlsOnly || o.tls ? [b('sipWss', 'tcp', listen, 'agents')] : []),
    b('controlPlane', 'tcp', listen, 'agents'),
    b('controlPlaneInternal', 'tcp', mgmt, 'internal'),
    b('turn', 'udp', listen, 'agents'),
    b('turn', 'tcp', listen, 'agents'),
    b('turns', 'tcp', listen, 'agents'),
    ...o.rtpengines.map((r, i) => ({
      name: i === 0 ? 'rtpengineNg' : `${r.name} ng`,
      proto: 'udp' as const,
      host: mgmt,
      port: r.ngPort,
      faces: 'internal' as const,
    })),
    ...(with_.carrier ? [b('carrierSip', 'udp', mgmt, 'internal'), b('carrierApi', 'tcp', mgmt, 'internal')] : []),
    ...(with_.reflector ? [b('reflector', 'udp', o.mediaAddress, 'agents')] : []),
  ];
}
