/**
 * The port plan of one backend stack. Signaling and control ports are `base + offset` in a fixed
 * block, so two stacks run side by side when their bases differ by at least PORT_BLOCK_SIZE
 * (`--port-base N`). The media ranges are sized from `--max-calls` (MEDIA_PORTS_PER_CALL, measured:
 * see backend/README.md "Sizing"): up to BLOCK_MAX_CALLS they sit inside the block (offsets
 * 1000–1499, what every test stack uses); a larger stack puts them right after the block, or from `--media-port-min` on.
 */
export const DEFAULT_PORT_BASE = 20000;
export const PORT_BLOCK_SIZE = 2000;

export const PORT_OFFSETS = {
  sipUdp: 0, // Kamailio plain SIP/UDP (trunk side)
  sipWs: 1, // Kamailio SIP over WebSocket (agents)
  sipWss: 2, // Kamailio SIP over secure WebSocket (always when the listen is not loopback)
  kamailioDmq: 3, // Kamailio DMQ: replication to peer Kamailio nodes (SIP/UDP, management address; only with --peer-kamailio)
  kamailioMediaTimeout: 4, // Kamailio's media-timeout callback: rtpengine reports calls without media (HTTP, management address)
  controlPlane: 10, // control plane API + web softphone (HTTPS unless the listen is loopback)
  controlPlaneInternal: 11, // control plane over plain HTTP on the management address: Kamailio's audit feed
  turn: 20, // coturn UDP + TCP
  turns: 21, // coturn TLS
  rtpengineNg: 30, // rtpengine ng control protocol (UDP, management address; instance i uses +i, up to 39)
  carrierSip: 40, // simulated carrier SIP/UDP (demo mode, management address)
  carrierApi: 41, // simulated carrier HTTP API: place inbound calls, read recordings (demo, management address)
  reflector: 50, // diagnostics reflector (UDP echo reporting DSCP + timestamps)
} as const;

/** Highest offset a stack's own sockets use (rtpengine ng ports run from rtpengineNg to +9). */
const LAST_SIGNALING_OFFSET = PORT_OFFSETS.reflector;

/**
 * UDP ports each engine reserves per concurrent call (measured with `ss` against rtpengine 10.5,
 * coturn 4.6.1 and Chromium; arithmetic in backend/README.md "Sizing"):
 * - rtpengine: 4 — one even/odd port pair per leg (agent leg and trunk leg); the agent leg
 *   rtcp-muxes and opens one socket, but rtpengine still takes the pair.
 * - turnRelay: 4 — coturn opens two relay sockets per allocation (measured with a Chromium leg
 *   relayed over one UDP TURN URL), so 4 covers both legs of an agent↔agent call relayed, or one
 *   leg whose browser allocated on two TURN URLs (a client given UDP, TCP and TLS may hold three
 *   allocations, 6 ports, while ICE runs).
 * - carrier: 2 — the simulated carrier opens one RTP socket per call; twice that for re-INVITEs
 *   and calls whose port is not yet released.
 */
export const MEDIA_PORTS_PER_CALL = { rtpengine: 4, turnRelay: 4, carrier: 2 } as const;

/** The block's media area (offsets 1000–1499) holds the ranges of this many calls. */
export const BLOCK_MAX_CALLS = 50;
const BLOCK_MEDIA_OFFSET = 1000;
export const MAX_CALLS_LIMIT = 10000;

export type PortName = keyof typeof PORT_OFFSETS;
export type PortMap = { readonly [K in PortName]: number } & {
  readonly rtpengineMediaMin: number;
  readonly rtpengineMediaMax: number;
  readonly turnRelayMin: number;
  readonly turnRelayMax: number;
  readonly carrierMediaMin: number;
  readonly carrierMediaMax: number;
};

export interface MediaSizing {
  /** Concurrent calls the stack is sized for (`--max-calls`). */
  readonly maxCalls: number;
  /** First media port; default: inside the block up to BLOCK_MAX_CALLS, right after the block beyond. */
  readonly mediaPortMin?: number;
}

/** How many ports the media ranges of `maxCalls` calls take, in all. */
export function mediaPortsFor(maxCalls: number): number {
  const p = MEDIA_PORTS_PER_CALL;
  return maxCalls * (p.rtpengine + p.turnRelay + p.carrier);
}

export function portsFor(base: number, sizing: MediaSizing = { maxCalls: BLOCK_MAX_CALLS }): PortMap {
  if (!Number.isInteger(base) || base < 1024 || base + PORT_BLOCK_SIZE > 65535) {
    throw new RangeError(`--port-base must be an integer between 1024 and ${65535 - PORT_BLOCK_SIZE} (got ${base})`);
  }
  const { maxCalls } = sizing;
  if (!Number.isInteger(maxCalls) || maxCalls < 1 || maxCalls > MAX_CALLS_LIMIT) {
    throw new RangeError(`--max-calls must be an integer from 1 to ${MAX_CALLS_LIMIT} (got ${maxCalls})`);
  }
  const first = sizing.mediaPortMin ?? base + (maxCalls <= BLOCK_MAX_CALLS ? BLOCK_MEDIA_OFFSET : PORT_BLOCK_SIZE);
  const last = first + mediaPortsFor(maxCalls) - 1;
  if (!Number.isInteger(first) || first < 1024 || last > 65535) {
    throw new RangeError(
      `--media-port-min ${first}: the media ranges of ${maxCalls} calls need ${mediaPortsFor(maxCalls)} ports (${first}-${last}), which must lie within 1024-65535`,
    );
  }
  if (first <= base + LAST_SIGNALING_OFFSET && base <= last) {
    throw new RangeError(
      `--media-port-min ${first}: the media ranges (${first}-${last}) overlap the signaling ports ${base}-${base + LAST_SIGNALING_OFFSET}`,
    );
  }
  const signaling = {} as { [K in PortName]: number };
  for (const [name, offset] of Object.entries(PORT_OFFSETS)) signaling[name as PortName] = base + offset;
  const p = MEDIA_PORTS_PER_CALL;
  const turnRelayMin = first + maxCalls * p.rtpengine;
  const carrierMediaMin = turnRelayMin + maxCalls * p.turnRelay;
  return {
    ...signaling,
    rtpengineMediaMin: first,
    rtpengineMediaMax: turnRelayMin - 1,
    turnRelayMin,
    turnRelayMax: carrierMediaMin - 1,
    carrierMediaMin,
    carrierMediaMax: last,
  };
}
