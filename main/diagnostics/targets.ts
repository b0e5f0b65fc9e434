/**
 * The endpoints a softphone depends on, derived from its provisioned configuration. Ports come from
 * the configuration, never from assumptions (a TURN URI without a port means its RFC default).
 */
import type { ClientConfig } from '../../common/contract/index.js';
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
  /** Null when the control plane was never reached from here (no configuration to name it). */
  sipWebSocket: Endpoint | null;
  controlPlane: Endpoint;
  /** Null with `sipWebSocket`: media goes where the configuration says, and there is none. */
  mediaGateway: string | null;
  ice: Endpoint[];
  reflector: Endpoint | null;
  /** The URLs behind the two signalling endpoints (proxy resolution and the upgrade take URLs). */
  urls: { sipWebSocket: string | null; controlPlane: string };
  /** Every distinct host, for DNS. */
  hosts: string[];
}

function assemble(
  controlPlaneUrl: string,
  controlPlaneSource: string,
  client: ClientConfig | null,
  iceUris: string[],
  mediaGatewayOverride: string | undefined,
): Targets {
  const sipWebSocket = client ? urlEndpoint('sip-websocket', client.sip.wsUrl, 'sip.wsUrl') : null;
  const controlPlane = urlEndpoint('control-plane', controlPlaneUrl, controlPlaneSource);
  const ice = iceUris.map(parseIceUri);
  const r = client?.diagnostics?.reflector;
  const reflector: Endpoint | null = r
    ? { role: 'reflector', host: r.host, port: r.port, transport: 'udp', source: 'diagnostics.reflector' }
    : null;
  const mediaGateway = mediaGatewayOverride ?? sipWebSocket?.host ?? null;
  const hosts = [sipWebSocket?.host, controlPlane.host, mediaGateway, ...ice.map((e) => e.host), reflector?.host];
  return {
    sipWebSocket,
    controlPlane,
    mediaGateway,
    ice,
    reflector,
    urls: { sipWebSocket: client?.sip.wsUrl ?? null, controlPlane: controlPlaneUrl },
    hosts: [...new Set(hosts.filter((h): h is string => h !== undefined && h !== null))],
  };
}

export function targetsFromConfig(config: DiagnosticsConfig): Targets {
  return assemble(config.client.controlPlaneUrl, 'controlPlaneUrl', config.client, config.turn.uris, config.mediaGateway);
}

/**
 * The targets when the control plane cannot be asked: its host from the provisioning URL, the
 * signalling and media servers from the last configuration that worked (if this desktop has one).
 * TURN URIs come with credentials that are not kept, so there are none.
 */
export function targetsWithoutControlPlane(provisioningUrl: string, lastConfig: ClientConfig | null, mediaGateway?: string): Targets {
  return assemble(provisioningUrl, 'provisioning URL', lastConfig, [], mediaGateway);
}

/** How a firewall rule would name it: "UDP 3478 to h", "TCP 443 (TLS) to h". */
export function label(e: Pick<Endpoint, 'host' | 'port' | 'transport'>): string {
  return `${e.transport === 'udp' ? 'UDP' : 'TCP'} ${e.port}${e.transport === 'tls' ? ' (TLS)' : ''} to ${e.host}`;
}
