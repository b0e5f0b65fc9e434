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

/** A STUN/TURN server as kept between runs: where it is and how it is reached, never its credentials. */
export type IceServer = Pick<Endpoint, 'role' | 'host' | 'port' | 'transport'>;

/** What of a provisioned ICE URI may be kept: host, port, transport (the credentials travel beside it, not in it). */
export function iceServerOf(uri: string): IceServer {
  const { role, host, port, transport } = parseIceUri(uri);
  return { role, host, port, transport };
}

function assemble(
  controlPlaneUrl: string,
  controlPlaneSource: string,
  client: ClientConfig | null,
  ice: Endpoint[],
  mediaGatewayOverride: string | undefined,
): Targets {
  const sipWebSocket = client ? urlEndpoint('sip-websocket', client.sip.wsUrl, 'sip.wsUrl') : null;
  const controlPlane = urlEndpoint('control-plane', controlPlaneUrl, controlPlaneSource);
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
  const ice = config.turn.uris.map(parseIceUri);
  return assemble(config.client.controlPlaneUrl, 'controlPlaneUrl', config.client, ice, config.mediaGateway);
}

/**
 * The targets when the control plane cannot be asked: its host from the provisioning URL, the
 * signalling and media servers from the last configuration that worked (if this desktop has one),
 * and the STUN/TURN servers kept from it (addresses only: their credentials are never kept).
 */
export function targetsWithoutControlPlane(
  provisioningUrl: string,
  lastConfig: ClientConfig | null,
  iceServers: readonly IceServer[] = [],
  mediaGateway?: string,
): Targets {
  const ice = iceServers.map((s) => ({ ...s, source: 'last configuration' }));
  return assemble(provisioningUrl, 'provisioning URL', lastConfig, ice, mediaGateway);
}

/**
 * Whether two sets of targets name the same servers (where each is and how it is reached, not
 * where the name came from): then checks run against one hold for the other.
 */
export function sameServers(a: Targets, b: Targets): boolean {
  const where = (e: Endpoint | null) => e && [e.role, e.host, e.port, e.transport];
  const key = (t: Targets) =>
    JSON.stringify([
      where(t.sipWebSocket),
      where(t.controlPlane),
      t.ice.map(where),
      where(t.reflector),
      t.mediaGateway,
      t.urls.sipWebSocket,
      new URL(t.urls.controlPlane).origin,
    ]);
  return key(a) === key(b);
}

/** How a firewall rule would name it: "UDP 3478 to h", "TCP 443 (TLS) to h". */
export function label(e: Pick<Endpoint, 'host' | 'port' | 'transport'>): string {
  return `${e.transport === 'udp' ? 'UDP' : 'TCP'} ${e.port}${e.transport === 'tls' ? ' (TLS)' : ''} to ${e.host}`;
}
