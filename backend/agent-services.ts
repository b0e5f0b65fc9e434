/**
 * Where each agent-facing TLS service listens (pure). By default every one sits on `--listen` at
 * its offset in the port block (backend/ports.ts). An operator moves one to an address and port of
 * its own — typically TCP 443 on an address per service — so agents whose network lets out only
 * TCP 443 (often through an HTTP CONNECT proxy) can still sign in over HTTPS, register over WSS
 * and relay media over TURN/TLS. backend/README.md ("Only port 443 open") describes the topologies.
 */
import { isIP } from 'node:net';
import type { PortMap } from './ports.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface AgentServices {
  /** Control plane: HTTPS off loopback (sign-in, provisioning, TURN credentials, the web softphone). */
  readonly controlPlane: HostPort;
  /** Kamailio's SIP over secure WebSocket. */
  readonly sipWss: HostPort;
  /**
   * coturn's UDP + TCP port. coturn binds every listening port on every listening address, so TURN
   * and TURN/TLS share one address: the one `--turns-listen` names.
   */
  readonly turn: HostPort;
  /** coturn's TLS port (`turns:`). */
  readonly turns: HostPort;
}

/** The command-line flag that moves each movable service (what every error names). */
export const SERVICE_LISTEN_FLAGS = {
  controlPlane: '--https-listen',
  sipWss: '--wss-listen',
  turns: '--turns-listen',
} as const;

export type ServiceListenOverrides = { readonly [K in keyof typeof SERVICE_LISTEN_FLAGS]?: string };

/** `ADDR:PORT` (IPv4) → host and port, or an error naming `flag` and saying what it expects (`what`). */
export function parseHostPort(flag: string, value: string, what = 'an IPv4 ADDR:PORT, e.g. 203.0.113.12:443'): HostPort {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || isIP(m[1]!) !== 4 || port < 1 || port > 65535) {
    throw new Error(`${flag} must be ${what} (got "${value}")`);
  }
  return { host: m[1]!, port };
}

/**
 * Resolves every agent-facing service's address. A service moved off `listen` may not share the
 * management address (internal interfaces live there) nor the media address (the one peer TURN
 * relays to: a service there would be reachable through any agent's TURN allocation).
 */
export function resolveAgentServices(input: {
  readonly listen: string;
  readonly ports: PortMap;
  readonly managementAddress: string;
  readonly mediaAddress: string;
  readonly overrides: ServiceListenOverrides;
}): AgentServices {
  const { listen, ports, overrides } = input;
  const pick = (name: keyof typeof SERVICE_LISTEN_FLAGS, fallback: number): HostPort => {
    const value = overrides[name];
    if (value === undefined) return { host: listen, port: fallback };
    const flag = SERVICE_LISTEN_FLAGS[name];
    const hp = parseHostPort(flag, value);
    if (hp.host !== listen) {
      if (hp.host === input.managementAddress)
        throw new Error(`${flag} ${value}: ${hp.host} is the management address, which must never face agents`);
      if (hp.host === input.mediaAddress)
        throw new Error(`${flag} ${value}: ${hp.host} is the media address, the one peer TURN relays to; give the service another address`);
    }
    return hp;
  };
  const turns = pick('turns', ports.turns);
  return {
    controlPlane: pick('controlPlane', ports.controlPlane),
    sipWss: pick('sipWss', ports.sipWss),
    turn: { host: turns.host, port: ports.turn },
    turns,
  };
}

/** `scheme://host[:port]`, without the port when it is the scheme's default (what browsers send as Origin). */
export function serviceUrl(scheme: 'http' | 'https' | 'ws' | 'wss', hp: HostPort): string {
  const defaultPort = scheme === 'http' || scheme === 'ws' ? 80 : 443;
  return `${scheme}://${hp.host}${hp.port === defaultPort ? '' : `:${hp.port}`}`;
}

/** The distinct addresses the services listen on (the local CA's certificate names each one). */
export function serviceHosts(s: AgentServices): string[] {
  return [...new Set([s.controlPlane.host, s.sipWss.host, s.turns.host])];
}
