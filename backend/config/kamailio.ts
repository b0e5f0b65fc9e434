/**
 * Kamailio's configuration: the routing is the static backend/config/kamailio.cfg; this module
 * renders only its values, as Kamailio preprocessor defines, into the file Kamailio starts with
 * (pure: inputs in, text out), which then includes the static routing.
 *
 * One Kamailio node: SIP over WebSocket (and WSS with a certificate) toward agents, plain SIP/UDP
 * toward the trunk, a registrar kept across restarts (kamailio-state-db.ts), digest authentication against the control plane's
 * `agents` table (HA1 column, read through db_sqlite or db_postgres), rtpengine per leg (WebRTC
 * flags toward browsers, plain RTP toward the trunk), a WebSocket Origin allow-list, and every
 * REGISTER/INVITE/CANCEL/BYE outcome queued in shared memory and delivered to the control plane's
 * audit endpoint by a timer process (at-least-once: SIP handling never waits on it).
 */

import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kamailioOriginCondition, wsOriginAllowList } from './ws-origins.js';
import { DIAL_PLAN_PATTERNS } from './dial-plan.js';

export interface SipTrunk {
  /** Address and port the trunk sends from; INVITEs from exactly here skip digest auth. */
  readonly address: string;
  readonly port: number;
}

export interface KamailioConfigInput {
  readonly listen: string;
  readonly sipUdpPort: number;
  readonly sipWsPort: number;
  /**
   * Address of the plain ws:// listener (default: `listen`). Off loopback the stack puts it on
   * the management address: agents get WSS only, and ws:// never faces the network.
   */
  readonly plainWsListen?: string;
  /** Present when a certificate was given: enables WSS on this port. */
  /** SIP over secure WebSocket; `host` defaults to `listen` (an operator may move WSS to an address of its own, e.g. at 443). */
  readonly wss?: { readonly host?: string; readonly port: number; readonly tlsConfigFile: string };
  /** Digest realm. Kept independent of the listen address so stored HA1 values survive --listen. */
  readonly realm: string;
  /** `sqlite:///abs/path.db` or `postgres://user:pass@host/db`. */
  readonly dbUrl: string;
  /**
   * Kamailio's own SQLite file on this node (kamailio-state-db.ts): its registrations, its
   * undelivered audit events and (one node) its live calls, kept across a restart. RELATIVE to Kamailio's working directory:
   * db_sqlite 5.6 looks a file up in its read-only list by the first 7 characters of its path
   * only (`str_init` on a pointer), so an absolute path in the same directory tree as the
   * read-only control-plane file would be opened read-only too.
   */
  readonly stateDbFile: string;
  /** rtpengine ng control sockets, e.g. `udp:127.0.0.1:20030`; several = a load-balanced set. */
  readonly rtpengineSockets: readonly string[];
  /** Where numbers are routed; null when no trunk is configured (numbers then get 503). */
  readonly trunk: SipTrunk | null;
  /** Extra trunk source addresses accepted without digest (besides `trunk`). */
  readonly trustedTrunks?: readonly SipTrunk[];
  /** Control plane endpoint that stores audit events; it must answer 200 only once stored. */
  readonly auditUrl: string;
  readonly auditToken: string;
  /** Shared nonce secret: nodes behind one DNS name must share it so nonces validate anywhere. */
  readonly nonceSecret: string;
  /**
   * Browser origins allowed to open a SIP WebSocket (scheme://host[:port]). An upgrade carrying any
   * other Origin gets 403; one without an Origin (native SIP clients) is allowed: digest protects it.
   */
  readonly wsAllowedOrigins: readonly string[];
  /** Audit events held while the control plane is unreachable; beyond it the oldest are dropped. */
  readonly auditQueueSize?: number;
  /** Kamailio's binrpc control socket (`kamcmd -s unix:PATH`): the control plane drops registrations through it. */
  readonly ctlSocket: string;
  /** Longest call: the dialog module ends it with a BYE to both sides (default 4 h). */
  readonly maxCallSeconds?: number;
  /**
   * Multi-node: replicate registrations and dialogs to peer Kamailio nodes over DMQ, a SIP/UDP
   * listener on `address` (the management network) that handles KDMQ from `peers` only.
   * `peerRouteHosts`: the hosts the peers Record-Route with toward agents (their SIP WebSocket
   * hosts): an agent's in-dialog request whose Route names one of them belongs to a call that
   * peer set up (route PEER_DIALOG).
   * Absent: one node, and the cfg is exactly the single-node one (WITH_DMQ undefined).
   */
  readonly dmq?: {
    readonly address: string;
    readonly port: number;
    readonly peers: readonly string[];
    readonly peerRouteHosts?: readonly string[];
  };
  /**
   * Where rtpengine reports a call it freed for lack of media (an HTTP listener on the management
   * address, route MEDIA_TIMEOUT), and the addresses its reports may come from: this node's
   * rtpengine (the management address) and the peers' (`--peer-rtpengine` hosts).
   */
  readonly mediaTimeout: { readonly address: string; readonly port: number; readonly rtpengineHosts: readonly string[] };
}

/** The path of Kamailio's media-timeout listener (rtpengine's XML-RPC callback, `--b2b-url`). */
export const MEDIA_TIMEOUT_CALLBACK_PATH = '/RPC2';

/**
 * rtpengine's `--b2b-url`: `%%` is the address the call was created from, i.e. the Kamailio that
 * set it up (this node, or a peer whose calls landed on this rtpengine); all listen at `port`.
 */
export function mediaTimeoutCallbackUrl(port: number): string {
  return `http://%%:${port}${MEDIA_TIMEOUT_CALLBACK_PATH}`;
}

/**
 * An agent's WebSocket idle this long gets a WebSocket Ping; one that has not answered by the next
 * check is closed: a silently dead path (a dropped VPN, a black-holed network) is noticed by the
 * server within about twice this.
 */
export const WS_KEEPALIVE_SECONDS = 15;
/**
 * A call whose agent's connection closed gets this long for the agent to come back (reconnect and
 * refresh the dialog with a re-INVITE, which the softphone does within 2 s of the path returning);
 * then both legs are ended. Longer than the outages calls must survive (20 s, issue 10).
 */
export const AGENT_GONE_GRACE_SECONDS = 30;

export const DEFAULT_AUDIT_QUEUE_SIZE = 10_000;
/** DMQ peers the static cfg has `notification_address` entries for (CL_DMQ_PEER_1…4). */
export const MAX_DMQ_PEER_ENTRIES = 4;
/** How often the audit timer process drains the queue, and at most how many events per round. */
export const AUDIT_DRAIN_INTERVAL_MS = 50;
export const AUDIT_DRAIN_BATCH = 90;

/**
 * How often usrloc writes changed registrations to Kamailio's state database (and expires old
 * ones): a crash loses at most this much of them; a restart loses none (they are written at shutdown).
 */
export const USRLOC_SYNC_SECONDS = 10;

/**
 * How long a write to Kamailio's state database waits for another process's write to finish
 * (SQLite's busy timeout; each write takes well under a millisecond here, so only a burst of
 * calls makes one wait): beyond it the write fails, as every one that met another did without it.
 */
export const STATE_DB_BUSY_MS = 1000;

/** Where Debian installs Kamailio's modules (preflight checks the separately packaged ones here). */
export const KAMAILIO_MODULE_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

/** Failed digest attempts (per source address + username) within LOCKOUT_SECONDS before a lock. */
export const MAX_AUTH_FAILURES = 10;
/** The failure window, and how long a locked (address, username) pair stays locked. */
export const LOCKOUT_SECONDS = 300;
/** Registered devices per agent (registrar max_contacts). */
export const MAX_CONTACTS_PER_AGENT = 5;
/** SIP messages above this size get 513 and go nowhere. */
export const MAX_SIP_MESSAGE_BYTES = 16 * 1024;
/** Flood control: requests per source per 2-second window (~30/s), and how long a flooder is ignored. */
export const FLOOD_REQUESTS_PER_WINDOW = 60;
/** The same for a connection that authenticated (an agent's working session): ~300/s. */
export const FLOOD_SESSION_REQUESTS_PER_WINDOW = 600;
export const FLOOD_BAN_SECONDS = 30;
export const DEFAULT_MAX_CALL_SECONDS = 4 * 3600;
/** agents.max_cps is averaged over windows of this many seconds (a burst of max_cps x this). */
export const CPS_WINDOW_SECONDS = 5;

/** The static routing, shipped beside this module. */
export const KAMAILIO_STATIC_CFG = fileURLToPath(new URL('./kamailio.cfg', import.meta.url));

/** rtpengine flags per leg (measured in LAB-NOTES): the flags describe the leg the SDP goes to. */
export const RTPENGINE_FLAGS = {
  common: 'replace-origin replace-session-connection',
  toWebrtcOffer: 'ICE=force transport-protocol=UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-offer generate-mid',
  toWebrtcAnswer: 'ICE=force transport-protocol=UDP/TLS/RTP/SAVPF SDES-off rtcp-mux-require',
  toPlain: 'ICE=remove RTP/AVP DTLS=off SDES-off rtcp-mux-demux',
} as const;

function assertSafe(name: string, value: string): void {
  // Values land inside double-quoted cfg strings; a quote, backslash or newline would break out.
  if (/["\\\r\n]/.test(value)) throw new Error(`kamailio config: ${name} must not contain quotes, backslashes or newlines`);
}

/** A value substituted into the cfg text (#!substdef "!NAME!value!g"): it must not contain the `!` delimiter either. */
function assertSubstitutable(name: string, value: string): void {
  assertSafe(name, value);
  if (value.includes('!') || /\s/.test(value))
    throw new Error(`kamailio config: ${name} must not contain "!" or whitespace (got ${JSON.stringify(value)})`);
}

function assertIntegerIn(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`kamailio config: ${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
}

function sqliteFileOf(dbUrl: string): string | null {
  return dbUrl.startsWith('sqlite://') ? dbUrl.slice('sqlite://'.length) : null;
}

/** The defines file kamailio.cfg includes: every installation-specific value, checked. */
export function renderKamailioDefines(input: KamailioConfigInput): string {
  for (const [k, v] of Object.entries({
    dbUrl: input.dbUrl,
    auditUrl: input.auditUrl,
    auditToken: input.auditToken,
    nonceSecret: input.nonceSecret,
  })) {
    assertSafe(k, v);
  }
  const plainWsListen = input.plainWsListen ?? input.listen;
  const wssListen = input.wss?.host ?? input.listen;
  for (const [k, v] of Object.entries({ listen: input.listen, plainWsListen, wssListen, realm: input.realm, ctlSocket: input.ctlSocket }))
    assertSubstitutable(k, v);
  if (input.rtpengineSockets.length === 0) throw new Error('kamailio config: at least one rtpengine socket is required');
  for (const s of input.rtpengineSockets) assertSafe('rtpengineSockets', s);
  if (input.wss) assertSafe('wss.tlsConfigFile', input.wss.tlsConfigFile);
  const originTest = kamailioOriginCondition(wsOriginAllowList(input.wsAllowedOrigins, 'wsAllowedOrigins'));
  const auditQueueSize = input.auditQueueSize ?? DEFAULT_AUDIT_QUEUE_SIZE;
  assertIntegerIn('auditQueueSize', auditQueueSize, 1, 1_000_000);
  const maxCallSeconds = input.maxCallSeconds ?? DEFAULT_MAX_CALL_SECONDS;
  assertIntegerIn('maxCallSeconds', maxCallSeconds, 1, 7 * 24 * 3600);

  const { listen, sipUdpPort, sipWsPort, wss } = input;
  const trunks = [...(input.trunk ? [input.trunk] : []), ...(input.trustedTrunks ?? [])];
  const { dmq } = input;
  if (dmq) {
    assertSubstitutable('dmq.address', dmq.address);
    if (dmq.peers.length === 0 || dmq.peers.length > MAX_DMQ_PEER_ENTRIES)
      throw new Error(`kamailio config: dmq.peers must list 1 to ${MAX_DMQ_PEER_ENTRIES} peer addresses`);
    for (const p of dmq.peers) assertSubstitutable('dmq peer', p);
    for (const h of dmq.peerRouteHosts ?? []) assertSubstitutable('dmq peer route host', h);
  }
  for (const t of trunks) assertSubstitutable('trunk address', t.address);
  const { mediaTimeout } = input;
  assertSubstitutable('mediaTimeout.address', mediaTimeout.address);
  if (mediaTimeout.rtpengineHosts.length === 0)
    throw new Error('kamailio config: mediaTimeout.rtpengineHosts must list at least one address');
  for (const h of mediaTimeout.rtpengineHosts) assertSubstitutable('mediaTimeout.rtpengineHosts', h);
  const sqliteFile = sqliteFileOf(input.dbUrl);
  if (sqliteFile) assertSubstitutable('dbUrl (SQLite file)', sqliteFile);
  assertSubstitutable('stateDbFile', input.stateDbFile);
  if (isAbsolute(input.stateDbFile) || (sqliteFile && sqliteFile.slice(0, 7) === input.stateDbFile.slice(0, 7)))
    throw new Error(
      `kamailio config: stateDbFile must be relative to Kamailio's working directory (got ${JSON.stringify(input.stateDbFile)})`,
    );
  // Kamailio's db_sqlite drops one more slash than a file URL does: an absolute path needs four.
  const kamailioDbUrl = sqliteFile ? `sqlite:///${sqliteFile}` : input.dbUrl;
  const wsPorts = [sipWsPort, ...(wss ? [wss.port] : [])];
  const anyOf = (tests: string[]) => (tests.length > 0 ? tests.join(' || ') : '0');
  const flags = RTPENGINE_FLAGS;

  const substituted: Record<string, string | number> = {
    CL_LISTEN_ADDR: listen,
    CL_SIP_UDP_PORT: sipUdpPort,
    CL_SIP_WS_PORT: sipWsPort,
    CL_PLAIN_WS_ADDR: plainWsListen,
    ...(wss ? { CL_WSS_ADDR: wssListen, CL_SIP_WSS_PORT: wss.port } : {}),
    CL_MODULE_DIR: KAMAILIO_MODULE_DIR,
    CL_REALM: input.realm,
    ...(sqliteFile ? { CL_SQLITE_FILE: sqliteFile } : {}),
    CL_USRLOC_SYNC_SECONDS: USRLOC_SYNC_SECONDS,
    CL_STATE_DB_BUSY_MS: STATE_DB_BUSY_MS,
    CL_MAX_CONTACTS: MAX_CONTACTS_PER_AGENT,
    CL_MAX_CALL_SECONDS: maxCallSeconds,
    CL_PARTY_EXPIRE_SECONDS: maxCallSeconds + 120,
    CL_MAX_AUTH_FAILURES: MAX_AUTH_FAILURES,
    CL_LOCKOUT_SECONDS: LOCKOUT_SECONDS,
    CL_FLOOD_REQUESTS: FLOOD_REQUESTS_PER_WINDOW,
    CL_FLOOD_SESSION_REQUESTS: FLOOD_SESSION_REQUESTS_PER_WINDOW,
    CL_FLOOD_BAN_SECONDS: FLOOD_BAN_SECONDS,
    CL_MAX_MESSAGE_BYTES: MAX_SIP_MESSAGE_BYTES,
    CL_CPS_WINDOW_SECONDS: CPS_WINDOW_SECONDS,
    CL_CPS_EXPIRE_SECONDS: CPS_WINDOW_SECONDS + 1,
    CL_AUDIT_QUEUE_SIZE: auditQueueSize,
    CL_AUDIT_DRAIN_INTERVAL_US: AUDIT_DRAIN_INTERVAL_MS * 1000,
    CL_AUDIT_DRAIN_BATCH: AUDIT_DRAIN_BATCH,
    ...(dmq ? { CL_DMQ_ADDR: dmq.address, CL_DMQ_PORT: dmq.port } : {}),
    CL_MEDIA_TIMEOUT_ADDR: mediaTimeout.address,
    CL_MEDIA_TIMEOUT_PORT: mediaTimeout.port,
    CL_WS_KEEPALIVE_SECONDS: WS_KEEPALIVE_SECONDS,
    CL_AGENT_GONE_GRACE_SECONDS: AGENT_GONE_GRACE_SECONDS,
  };
  const strings: Record<string, string> = {
    CL_DB_URL: kamailioDbUrl,
    CL_STATE_DB_URL: `sqlite:///${input.stateDbFile}`,
    // sqlops names its connection in the same string: the very URL above (route STATE_DB_WAITS).
    CL_STATE_DB_SQLCON: `statedb=>sqlite:///${input.stateDbFile}`,
    CL_CTL_SOCKET: `unix:${input.ctlSocket}`,
    CL_NONCE_SECRET: input.nonceSecret,
    CL_AUDIT_URL: input.auditUrl,
    CL_AUDIT_TOKEN: input.auditToken,
    CL_RTPENGINE_SOCKETS: input.rtpengineSockets.join(' '),
    CL_RTP_WEBRTC_OFFER: `${flags.common} ${flags.toWebrtcOffer}`,
    CL_RTP_WEBRTC_ANSWER: `${flags.common} ${flags.toWebrtcAnswer}`,
    CL_RTP_PLAIN: `${flags.common} ${flags.toPlain}`,
    CL_MEDIA_TIMEOUT_PATH: MEDIA_TIMEOUT_CALLBACK_PATH,
    CL_DP_NUMBER: DIAL_PLAN_PATTERNS.number,
    CL_DP_PREMIUM: DIAL_PLAN_PATTERNS.premium,
    CL_DP_HOME_E164: DIAL_PLAN_PATTERNS.homeE164,
    CL_DP_INTERNATIONAL: DIAL_PLAN_PATTERNS.international,
    CL_DP_NATIONAL: DIAL_PLAN_PATTERNS.national,
    ...(input.trunk ? { CL_TRUNK_URI: `sip:${input.trunk.address}:${input.trunk.port}` } : {}),
    ...(wss ? { CL_TLS_CONFIG: wss.tlsConfigFile } : {}),
    ...(dmq ? { CL_DMQ_SERVER: `sip:${dmq.address}:${dmq.port}` } : {}),
    // Every peer listens at the same port of the same port base (cluster.ts).
    ...Object.fromEntries((dmq?.peers ?? []).map((p, i) => [`CL_DMQ_PEER_${i + 1}`, `sip:${p}:${dmq!.port}`])),
  };
  const conditions: Record<string, string> = {
    IS_FROM_TRUNK: anyOf(trunks.map((t) => `($si == "${t.address}" && $sp == ${t.port})`)),
    IS_TRUNK_RURI: anyOf(trunks.map((t) => `($rd == "${t.address}" && $rp == ${t.port})`)),
    IS_WS_PORT: anyOf(wsPorts.map((p) => `$Rp == ${p}`)),
    IS_ALLOWED_ORIGIN: originTest,
    IS_MEDIA_TIMEOUT_SOCKET: `$Ri == "${mediaTimeout.address}" && $Rp == ${mediaTimeout.port}`,
    IS_RTPENGINE_HOST: anyOf([...new Set(mediaTimeout.rtpengineHosts)].map((h) => `$si == "${h}"`)),
    ...(dmq
      ? {
          // A KDMQ message writes registrations: only a listed peer, only on the DMQ socket.
          IS_DMQ_SOCKET: `$Ri == "${dmq.address}" && $Rp == ${dmq.port}`,
          IS_DMQ_PEER: anyOf(dmq.peers.map((p) => `$si == "${p}"`)),
          // A Route naming a peer node (its WebSocket host): a call that peer set up.
          IS_DMQ_PEER_ROUTE: anyOf((dmq.peerRouteHosts ?? []).map((h) => `$(route_uri{uri.host}) == "${h}"`)),
        }
      : {}),
  };
  const switches = [
    ...(dmq ? ['WITH_DMQ'] : []),
    ...(wss ? ['WITH_WSS'] : []),
    ...(sqliteFile ? ['WITH_SQLITE'] : []),
    ...(input.trunk ? ['WITH_TRUNK'] : []),
  ];

  return [
    '# Generated by backend/config/kamailio.ts: the values of the static kamailio.cfg beside it.',
    '# Do not edit; regenerate instead.',
    ...switches.map((name) => `#!define ${name}`),
    ...Object.entries(substituted).map(([name, value]) => `#!substdef "!${name}!${value}!g"`),
    ...Object.entries(strings).map(([name, value]) => `#!define ${name} "${value}"`),
    ...Object.entries(conditions).map(([name, test]) => `#!define ${name} (${test})`),
    '',
  ].join('\n');
}

/**
 * The file Kamailio starts with (`kamailio -f`, written into the state dir): the defines, then the
 * static routing included by its absolute path, so the routing is read as written in the repo.
 */
export function renderKamailioConfig(input: KamailioConfigInput): string {
  assertSafe('static cfg path', KAMAILIO_STATIC_CFG);
  return `#!KAMAILIO\n${renderKamailioDefines(input)}\ninclude_file "${KAMAILIO_STATIC_CFG}"\n`;
}

/** tls module configuration for WSS (TLS 1.2+ only). */
export function renderKamailioTlsConfig(input: { certFile: string; keyFile: string }): string {
  assertSafe('certFile', input.certFile);
  assertSafe('keyFile', input.keyFile);
  return `[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = ${input.certFile}
private_key = ${input.keyFile}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`;
}
