/**
 * The endpoints a softphone depends on, derived from its provisioned configuration. Ports come from
 * the configuration, never from assumptions (a TURN URI without a port means its RFC default).
 */
import type { DiagnosticsConfig } from './types.js';

export type Transport = 'udp' | 'tcp' | 'tls';
export type Role = 'sip-websocket' | 'control-plane' | 'media-gateway' | 'turn' | 'stun' | 'reflector';

export interface Endpoint {
  role: Role;
  host: string;
  port: number;
  transport: Transport;
  /** Where it came from, for messages: the URI or the config field. */
  source: string;
}

/** turn:/turns:/stun:/stuns: URI (RFC 7064/7065) → endpoint. */
export function parseIceUri(uri: string): Endpoint {
  const m = /^(turns?|stuns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(uri.trim());
  if (!m) throw new Error(`not a valid STUN/TURN URI: ${uri}`);
  const scheme = m[1]!.toLowerCase();
  const secure = scheme.endsWith('s');
  const transport: Transport = secure ? 'tls' : ((m[4]?.toLowerCase() as Transport | undefined) ?? 'udp');
  return {
    role: scheme.startsWith('turn') ? 'turn' : 'stun',
    host: m[2]!.replace(/^\[|\]$/g, ''),
    port: m[3] ? Number(m[3]) : secure ? 5349 : 3478,
    transport,
    source: uri,
  };
}

function urlEndpoint(role: Role, url: string, field: string): Endpoint {
  const u = new URL(url);
  const secure = u.protocol === 'wss:' || u.protocol === 'https:';
  return {
    role,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 443 : 80,
    transport: secure ? 'tls' : 'tcp',
    source: field,
  };
}

export interface Targets {
  sipWebSocket: Endpoint;
  controlPlane: Endpoint;
  mediaGateway: string;
  ice: Endpoint[];
  reflector: Endpoint | null;
  /** Every distinct host, for DNS. */
  hosts: string[];
}

export function targetsFromConfig(config: DiagnosticsConfig): Targets {
  const sipWebSocket = urlEndpoint('sip-websocket', config.client.sip.wsUrl, 'sip.wsUrl');
  const controlPlane = urlEndpoint('control-plane', config.client.controlPlaneUrl, 'controlPlaneUrl');
  const ice = config.turn.uris.map(parseIceUri);
  const r = config.client.diagnostics?.reflector;
  const reflector: Endpoint | null = r
    ? { role: 'reflector', host: r.host, port: r.port, transport: 'udp', source: 'diagnostics.reflector' }
    : null;
  const mediaGateway = config.mediaGateway ?? sipWebSocket.host;
  const hosts = [sipWebSocket.host, controlPlane.host, mediaGateway, ...ice.map((e) => e.host)];
  if (reflector) hosts.push(reflector.host);
  return { sipWebSocket, controlPlane, mediaGateway, ice, reflector, hosts: [...new Set(hosts)] };
}

/** How a firewall rule would name it: "UDP 3478 to h", "TCP 443 (TLS) to h". */
export function label(e: Pick<Endpoint, 'host' | 'port' | 'transport'>): string {
  return `${e.transport === 'udp' ? 'UDP' : 'TCP'} ${e.port}${e.transport === 'tls' ? ' (TLS)' : ''} to ${e.host}`;
}
