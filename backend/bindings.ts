/**
 * Which socket of the stack binds where, and whom it faces (pure). The one list preflight checks
 * before anything starts and README's exposure table describes: agent- and trunk-facing services
 * on the listen address, media on the media address, control interfaces on the management address.
 */
import type { PortName } from './ports.js';
import type { ResolvedOptions } from './stack-options.js';
import type { AgentServices } from './agent-services.js';

export type Facing = 'agents' | 'trunk' | 'internal';

export interface Binding {
  readonly name: string;
  readonly proto: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
  readonly faces: Facing;
}

/**
 * Where Kamailio's plain ws:// listener binds. Off loopback agents get WSS only, so ws:// stays on
 * the management address (the control plane's own tests and tools still use it there); in the
 * loopback demo it is the agents' socket.
 */
export function plainWebSocketBinding(o: ResolvedOptions): { readonly host: string; readonly faces: Facing } {
  return o.tlsOnly ? { host: o.managementAddress, faces: 'internal' } : { host: o.listen, faces: 'agents' };
}

/** Each binding is named by its port's name in backend/ports.ts (what preflight errors print). */
export function stackBindings(o: ResolvedOptions, with_: { carrier: boolean; reflector: boolean }): Binding[] {
  const { ports, listen, managementAddress: mgmt, services } = o;
  const b = (name: PortName, proto: Binding['proto'], host: string, faces: Facing): Binding => ({
    name,
    proto,
    host,
    port: ports[name],
    faces,
  });
  // The services an operator may move (backend/agent-services.ts) bind where they were put.
  const s = (name: keyof AgentServices, proto: Binding['proto']): Binding => ({ name, proto, ...services[name], faces: 'agents' });
  return [
    b('sipUdp', 'udp', listen, 'trunk'),
    { name: 'sipWs', proto: 'tcp', port: ports.sipWs, ...plainWebSocketBinding(o) },
    ...(o.tlsOnly || o.tls ? [s('sipWss', 'tcp')] : []),
    s('controlPlane', 'tcp'),
    b('controlPlaneInternal', 'tcp', mgmt, 'internal'),
    ...(o.peers.kamailio.length > 0 ? [b('kamailioDmq', 'udp', mgmt, 'internal')] : []),
    b('kamailioMediaTimeout', 'tcp', mgmt, 'internal'),
    s('turn', 'udp'),
    s('turn', 'tcp'),
    s('turns', 'tcp'),
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

/**
 * Throws when two of the stack's sockets would take the same protocol, address and port (e.g.
 * `--https-listen` and `--wss-listen` both on ADDR:443): each service needs a socket of its own,
 * so the error names both and the fix (another address, or a TLS router in front: README).
 */
export function assertDistinctBindings(bindings: readonly Binding[]): void {
  const seen = new Map<string, Binding>();
  for (const binding of bindings) {
    const key = `${binding.proto} ${binding.host}:${binding.port}`;
    const other = seen.get(key);
    if (other) {
      throw new Error(
        `${binding.name} and ${other.name} would both bind ${binding.proto.toUpperCase()} ${binding.host}:${binding.port}: ` +
          'give each service its own address or port (several services on one address and port need a TLS router in front; see backend/README.md)',
      );
    }
    seen.set(key, binding);
  }
}
