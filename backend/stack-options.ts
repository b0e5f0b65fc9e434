/** Options of the backend stack, validated once; every error names the option at fault. */
import { parseAlertWebhookUrl } from './control-plane/alert-webhook.js';
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { BLOCK_MAX_CALLS, DEFAULT_PORT_BASE, MEDIA_PORTS_PER_CALL, portsFor, type PortMap } from './ports.js';
import { DEFAULT_TURN_TTL_SEC } from './control-plane/turn-rest.js';
import { DEFAULT_AUDIT_RETENTION_DAYS, MAX_AUDIT_RETENTION_DAYS } from './control-plane/retention.js';
import { originAllowList } from '../common/origin-allow-list.js';
import { DEFAULT_MEDIA_TIMEOUT_SECONDS } from '../common/provisioning-api.js';
import type { QualityThresholds } from '../common/quality/quality-thresholds.js';
import type { SipTrunk } from './config/kamailio.js';
import { isLoopbackAddress } from './loopback.js';
import { resolveClusterPeers, type ClusterPeers, type ClusterPeersInput } from './cluster.js';
import { parseHostPort, resolveAgentServices, type AgentServices, type ServiceListenOverrides } from './agent-services.js';

/** Digest realm: fixed, so stored HA1 values stay valid whatever --listen says. */
export const SIP_REALM = 'clearline';

export interface StackOptions {
  readonly stateDir: string;
  readonly portBase?: number;
  /**
   * Address the agent- and trunk-facing services listen on and advertise (default 127.0.0.1).
   * Loopback means the local demo; any other address means production (see `demo`).
   */
  readonly listen?: string;
  /**
   * rtpengine's media address: the one address a TURN allocation may relay to. Defaults to
   * `listen` on loopback; required on any other listen so TURN cannot reach the backend's ports.
   */
  readonly mediaAddress?: string;
  /** Address of the internal control interfaces (rtpengine ng, carrier API, audit feed); default 127.0.0.1. */
  readonly managementAddress?: string;
  /**
   * Demo mode: the simulated carrier and the demo agents. Default: true on a loopback listen,
   * false on any other (production: the admin creates agents, numbers go to `trunk`).
   */
  readonly demo?: boolean;
  /** The SIP trunk, `ADDR:PORT` (SIP/UDP). Without it, outside demo mode, numbers get 503. */
  readonly trunk?: string;
  /**
   * Certificate + key for HTTPS and WSS toward agents (PEM files). Both or neither. Without them a
   * non-loopback listen gets a certificate from the state dir's local CA.
   */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** Control plane database; default sqlite in the state dir. */
  readonly dbUrl?: string;
  readonly turnTtlSec?: number;
  /** Days the control plane keeps audit events, call records and admin actions (default 90). */
  readonly auditRetentionDays?: number;
  /** rtpengine instances behind Kamailio (1-10): each its own ng port and share of the media range. */
  readonly rtpengineInstances?: number;
  /**
   * Concurrent calls the stack is sized for (`--max-calls`): media port ranges, rtpengine's session
   * cap (the call after the last gets a clean 503), coturn's allocation quota, Kamailio's shared
   * memory. Default: BLOCK_MAX_CALLS in demo mode (fits the port block), PRODUCTION_MAX_CALLS otherwise.
   */
  readonly maxCalls?: number;
  /** First port of the media ranges (`--media-port-min`); see backend/ports.ts portsFor. */
  readonly mediaPortMin?: number;
  /** Extra browser origins allowed to call the API (the web softphone's own origin always is). */
  readonly corsOrigins?: readonly string[];
  /**
   * Where the control plane POSTs quality alerts (`--alert-webhook`): https, or http to a loopback
   * receiver. Checked before anything starts; never logged (a secret may be in its path or query).
   */
  readonly alertWebhook?: string;
  /** When agents' softphones warn and the admin page alerts (`--quality-thresholds`); default DEFAULT_QUALITY_THRESHOLDS. */
  readonly qualityThresholds?: QualityThresholds;
  /** Audit events Kamailio holds while the control plane is unreachable (default 10000). */
  readonly auditQueueSize?: number;
  /** Longest call, in seconds, before Kamailio ends it with a BYE to both sides (default 4 h). */
  readonly maxCallSeconds?: number;
  /**
   * A call with no media in either direction for this many seconds is dead: rtpengine reports it
   * and Kamailio ends both legs (`--media-timeout-seconds`, default 60).
   */
  readonly mediaTimeoutSeconds?: number;
  /** Progress lines (default: stderr with a `[backend]` prefix). */
  readonly log?: (line: string) => void;
  /**
   * Agent-facing services moved off `listen` and their block port, as `ADDR:PORT` (e.g. each on
   * its own address at 443 for networks that let out only TCP 443): `controlPlane` (HTTPS),
   * `sipWss`, `turns` (coturn; its UDP/TCP port follows that address). See backend/agent-services.ts.
   */
  readonly serviceListen?: ServiceListenOverrides;
  /** The other nodes of a multi-node deployment (backend/cluster.ts); absent = one node. */
  readonly peers?: ClusterPeersInput;
}

export interface ResolvedOptions {
  readonly stateDir: string;
  readonly portBase: number;
  readonly listen: string;
  readonly mediaAddress: string;
  readonly managementAddress: string;
  readonly demo: boolean;
  readonly trunk: SipTrunk | null;
  /** True unless `listen` is loopback: agents then get HTTPS and WSS only, never http:// or ws://. */
  readonly tlsOnly: boolean;
  readonly ports: PortMap;
  /** Where HTTPS, WSS and TURN listen (default: `listen` at their block ports) — and what agents are told. */
  readonly services: AgentServices;
  /** The other nodes (empty lists for a single node). */
  readonly peers: ClusterPeers;
  /** The operator's certificate; null = the local CA's (when `tlsOnly`) or none. */
  readonly tls: { cert: string; key: string } | null;
  readonly dbUrl: string;
  readonly turnTtlSec: number;
  readonly auditRetentionDays: number;
  readonly rtpengines: ReadonlyArray<{ name: string; ngPort: number; portMin: number; portMax: number; maxSessions: number }>;
  /** Concurrent calls the engines are sized for (see StackOptions.maxCalls). */
  readonly maxCalls: number;
  readonly auditQueueSize: number | undefined;
  readonly maxCallSeconds: number | undefined;
  readonly alertWebhook: string | undefined;
  readonly mediaTimeoutSeconds: number;
  readonly qualityThresholds: QualityThresholds | undefined;
}

/** Below this, one lost ICE restart or a congested moment would end live calls. */
const MIN_MEDIA_TIMEOUT_SECONDS = 3;
const MAX_MEDIA_TIMEOUT_SECONDS = 3600;

/**
 * A production stack (not demo) is sized for this many concurrent calls unless `--max-calls` says
 * otherwise: what an 8–10-core node carries by the capacity benchmark's per-call costs
 * (backend/README.md "Sizing one node"). Sizing only reserves ports and ceilings; it costs little.
 */
export const PRODUCTION_MAX_CALLS = 500;

/**
 * Splits the rtpengine media range evenly; ng ports follow rtpengineNg (offsets 30-39 are free).
 * Each instance refuses sessions beyond what its share of ports holds, so the call after the last
 * gets a clean 503 from Kamailio instead of a call without media.
 */
export function rtpengineInstances(ports: PortMap, count: number): ResolvedOptions['rtpengines'] {
  if (!Number.isInteger(count) || count < 1 || count > 10)
    throw new Error(`--rtpengine-instances must be an integer from 1 to 10 (got ${count})`);
  const share = Math.floor((ports.rtpengineMediaMax - ports.rtpengineMediaMin + 1) / count);
  return Array.from({ length: count }, (_, i) => ({
    name: i === 0 ? 'rtpengine' : `rtpengine-${i + 1}`,
    ngPort: ports.rtpengineNg + i,
    portMin: ports.rtpengineMediaMin + i * share,
    portMax: ports.rtpengineMediaMin + (i + 1) * share - 1,
    maxSessions: Math.floor(share / MEDIA_PORTS_PER_CALL.rtpengine),
  }));
}

function ipv4(flag: string, value: string): string {
  if (isIP(value) !== 4) throw new Error(`${flag} must be an IPv4 address (got "${value}")`);
  return value;
}

/** `ADDR:PORT` of the SIP trunk → its address and port. */
export function parseTrunk(value: string): SipTrunk {
  const { host, port } = parseHostPort('--trunk', value, "the trunk's IPv4 ADDR:PORT for SIP/UDP, e.g. 198.51.100.7:5060");
  return { address: host, port };
}

/** Validates options; every error names the option at fault. */
export function resolveStackOptions(opts: StackOptions): ResolvedOptions {
  if (!opts.stateDir) throw new Error('--state-dir DIR is required');
  const stateDir = resolve(opts.stateDir);
  const listen = ipv4('--listen', opts.listen ?? '127.0.0.1');
  const tlsOnly = !isLoopbackAddress(listen);
  const managementAddress = ipv4('--management-address', opts.managementAddress ?? '127.0.0.1');
  if (tlsOnly && managementAddress === listen) {
    throw new Error(
      `--management-address must not be --listen (${listen}): rtpengine's ng port (no authentication) and the control plane's ` +
        'plain-HTTP internal listener would face the network; keep the default 127.0.0.1 or use a private management network',
    );
  }
  if (opts.mediaAddress === undefined && tlsOnly) {
    throw new Error(
      `--media-address is required with --listen ${listen}: rtpengine's media needs an address of its own, the only one ` +
        'TURN relays to (on the listen address a TURN allocation would reach Kamailio, the control plane and coturn). ' +
        'Add a second address to this host for media, or pass --media-address equal to --listen to accept that risk.',
    );
  }
  const mediaAddress = ipv4('--media-address', opts.mediaAddress ?? listen);
  if (mediaAddress === managementAddress && mediaAddress !== listen) {
    throw new Error(`--media-address ${mediaAddress} must differ from --management-address: TURN may relay to the media address`);
  }
  const demo = opts.demo ?? !tlsOnly;
  const trunk = opts.trunk === undefined ? null : parseTrunk(opts.trunk);
  const portBase = opts.portBase ?? DEFAULT_PORT_BASE;
  const maxCalls = opts.maxCalls ?? (demo ? BLOCK_MAX_CALLS : PRODUCTION_MAX_CALLS);
  const ports = portsFor(portBase, { maxCalls, ...(opts.mediaPortMin !== undefined ? { mediaPortMin: opts.mediaPortMin } : {}) });
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key must be given together (HTTPS and WSS need both)');
  }
  let tls: ResolvedOptions['tls'] = null;
  if (opts.tlsCert && opts.tlsKey) {
    for (const [flag, file] of [
      ['--tls-cert', opts.tlsCert],
      ['--tls-key', opts.tlsKey],
    ] as const) {
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new Error(`${flag} ${file}: file does not exist or is not readable`);
      }
    }
    tls = { cert: resolve(opts.tlsCert), key: resolve(opts.tlsKey) };
  }
  const turnTtlSec = opts.turnTtlSec ?? DEFAULT_TURN_TTL_SEC;
  // Handed-out TURN credentials cannot be revoked: the cap bounds how long a disabled agent can open new relays.
  if (!Number.isInteger(turnTtlSec) || turnTtlSec < 60 || turnTtlSec > 3600) {
    throw new Error(`--turn-ttl must be an integer number of seconds between 60 and 3600 (got ${turnTtlSec})`);
  }
  const auditRetentionDays = opts.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  if (!Number.isInteger(auditRetentionDays) || auditRetentionDays < 1 || auditRetentionDays > MAX_AUDIT_RETENTION_DAYS) {
    throw new Error(
      `--audit-retention-days must be an integer number of days between 1 and ${MAX_AUDIT_RETENTION_DAYS} (got ${auditRetentionDays})`,
    );
  }
  const dbUrl = opts.dbUrl ?? `sqlite://${join(stateDir, 'clearline.db')}`;
  if (!/^(sqlite:\/\/\/|postgres(ql)?:\/\/)/.test(dbUrl)) {
    throw new Error('--db must be sqlite:///absolute/path.db or postgres://user:pass@host:port/db');
  }
  const rtpengines = rtpengineInstances(ports, opts.rtpengineInstances ?? 1);
  const serviceListen = opts.serviceListen ?? {};
  const services = resolveAgentServices({ listen, ports, managementAddress, mediaAddress, overrides: serviceListen });
  if (serviceListen.sipWss !== undefined && !tlsOnly && !tls) {
    throw new Error(
      '--wss-listen needs TLS: give --tls-cert and --tls-key (on a loopback --listen the stack has no certificate of its own)',
    );
  }
  // Checked here, before anything starts: these go into the browser-origin allow-list (CORS and
  // Kamailio's WebSocket upgrade), which also lands in the Kamailio cfg.
  originAllowList(opts.corsOrigins ?? [], '--cors-origin');
  if (opts.alertWebhook !== undefined) parseAlertWebhookUrl(opts.alertWebhook);
  const auditQueueSize = opts.auditQueueSize;
  if (auditQueueSize !== undefined && (!Number.isInteger(auditQueueSize) || auditQueueSize < 1 || auditQueueSize > 1_000_000)) {
    throw new Error(`auditQueueSize must be an integer from 1 to 1000000 (got ${auditQueueSize})`);
  }
  const mediaTimeoutSeconds = opts.mediaTimeoutSeconds ?? DEFAULT_MEDIA_TIMEOUT_SECONDS;
  if (
    !Number.isInteger(mediaTimeoutSeconds) ||
    mediaTimeoutSeconds < MIN_MEDIA_TIMEOUT_SECONDS ||
    mediaTimeoutSeconds > MAX_MEDIA_TIMEOUT_SECONDS
  ) {
    throw new Error(
      `--media-timeout-seconds must be an integer number of seconds between ${MIN_MEDIA_TIMEOUT_SECONDS} and ${MAX_MEDIA_TIMEOUT_SECONDS} (got ${mediaTimeoutSeconds})`,
    );
  }
  return {
    stateDir,
    portBase,
    listen,
    mediaAddress,
    managementAddress,
    demo,
    trunk,
    tlsOnly,
    ports,
    services,
    peers: resolveClusterPeers(opts.peers, { managementAddress, listen }),
    tls,
    dbUrl,
    turnTtlSec,
    auditRetentionDays,
    rtpengines,
    maxCalls,
    auditQueueSize,
    maxCallSeconds: opts.maxCallSeconds,
    alertWebhook: opts.alertWebhook,
    mediaTimeoutSeconds,
    qualityThresholds: opts.qualityThresholds,
  };
}
