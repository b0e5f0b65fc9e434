/** Options of the backend stack, validated once; every error names the option at fault. */
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULT_PORT_BASE, portsFor, type PortMap } from './ports.js';
import { DEFAULT_TURN_TTL_SEC } from './control-plane/turn-rest.js';
import { normalizeWsOrigin } from './config/ws-origins.js';

export const NUMBERS = {
  echo: '5550100',
  tone: '5550101',
  record: '5550102',
  busy: '5550103',
  noAnswer: '5550104',
} as const;

/** Digest realm: fixed, so stored HA1 values stay valid whatever --listen says. */
export const SIP_REALM = 'clearline';

export interface StackOptions {
  readonly stateDir: string;
  readonly portBase?: number;
  /** Address every component listens on and advertises (default 127.0.0.1). */
  readonly listen?: string;
  /** Certificate + key for WSS toward agents (PEM files). Both or neither. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** Control plane database; default sqlite in the state dir. */
  readonly dbUrl?: string;
  readonly turnTtlSec?: number;
  /** rtpengine instances behind Kamailio (1-10): each its own ng port and share of the media range. */
  readonly rtpengineInstances?: number;
  /** Extra browser origins allowed to call the API (the web softphone's own origin always is). */
  readonly corsOrigins?: readonly string[];
  /** Audit events Kamailio holds while the control plane is unreachable (default 10000). */
  readonly auditQueueSize?: number;
  /** Progress lines (default: stderr with a `[backend]` prefix). */
  readonly log?: (line: string) => void;
  /** Called if the stack had to stop itself after start (a component cannot be kept running). */
  readonly onFatal?: (error: Error) => void;
}

export interface ResolvedOptions {
  readonly stateDir: string;
  readonly portBase: number;
  readonly listen: string;
  readonly ports: PortMap;
  readonly tls: { cert: string; key: string } | null;
  readonly dbUrl: string;
  readonly turnTtlSec: number;
  readonly rtpengines: ReadonlyArray<{ name: string; ngPort: number; portMin: number; portMax: number }>;
  readonly auditQueueSize: number | undefined;
}

/** Splits the rtpengine media range evenly; ng ports follow rtpengineNg (offsets 30-39 are free). */
export function rtpengineInstances(ports: PortMap, count: number): ResolvedOptions['rtpengines'] {
  if (!Number.isInteger(count) || count < 1 || count > 10) throw new Error(`--rtpengine-instances must be an integer from 1 to 10 (got ${count})`);
  const share = Math.floor((ports.rtpengineMediaMax - ports.rtpengineMediaMin + 1) / count);
  return Array.from({ length: count }, (_, i) => ({
    name: i === 0 ? 'rtpengine' : `rtpengine-${i + 1}`,
    ngPort: ports.rtpengineNg + i,
    portMin: ports.rtpengineMediaMin + i * share,
    portMax: ports.rtpengineMediaMin + (i + 1) * share - 1,
  }));
}

/** Validates options; every error names the option at fault. */
export function resolveStackOptions(opts: StackOptions): ResolvedOptions {
  if (!opts.stateDir) throw new Error('--state-dir DIR is required');
  const stateDir = resolve(opts.stateDir);
  const listen = opts.listen ?? '127.0.0.1';
  if (isIP(listen) !== 4) throw new Error(`--listen must be an IPv4 address (got "${listen}")`);
  const portBase = opts.portBase ?? DEFAULT_PORT_BASE;
  const ports = portsFor(portBase);
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key must be given together (WSS needs both)');
  }
  let tls: ResolvedOptions['tls'] = null;
  if (opts.tlsCert && opts.tlsKey) {
    for (const [flag, file] of [['--tls-cert', opts.tlsCert], ['--tls-key', opts.tlsKey]] as const) {
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new Error(`${flag} ${file}: file does not exist or is not readable`);
      }
    }
    tls = { cert: resolve(opts.tlsCert), key: resolve(opts.tlsKey) };
  }
  const turnTtlSec = opts.turnTtlSec ?? DEFAULT_TURN_TTL_SEC;
  if (!Number.isInteger(turnTtlSec) || turnTtlSec < 60 || turnTtlSec > 86400) {
    throw new Error(`--turn-ttl must be an integer number of seconds between 60 and 86400 (got ${turnTtlSec})`);
  }
  const dbUrl = opts.dbUrl ?? `sqlite://${join(stateDir, 'clearline.db')}`;
  if (!/^(sqlite:\/\/\/|postgres(ql)?:\/\/)/.test(dbUrl)) {
    throw new Error('--db must be sqlite:///absolute/path.db or postgres://user:pass@host:port/db');
  }
  const rtpengines = rtpengineInstances(ports, opts.rtpengineInstances ?? 1);
  // Checked here, before anything starts: these also go into Kamailio's WebSocket Origin allow-list.
  for (const origin of opts.corsOrigins ?? []) normalizeWsOrigin(origin, '--cors-origin');
  const auditQueueSize = opts.auditQueueSize;
  if (auditQueueSize !== undefined && (!Number.isInteger(auditQueueSize) || auditQueueSize < 1 || auditQueueSize > 1_000_000)) {
    throw new Error(`auditQueueSize must be an integer from 1 to 1000000 (got ${auditQueueSize})`);
  }
  return { stateDir, portBase, listen, ports, tls, dbUrl, turnTtlSec, rtpengines, auditQueueSize };
}
