/**
 * The fixed port block of one backend stack. Every port is `base + offset`, so two stacks run
 * side by side when their bases differ by at least PORT_BLOCK_SIZE (`--port-base N`).
 */
export const DEFAULT_PORT_BASE = 20000;
export const PORT_BLOCK_SIZE = 2000;

export const PORT_OFFSETS = {
  sipUdp: 0, // Kamailio plain SIP/UDP (trunk side)
  sipWs: 1, // Kamailio SIP over WebSocket (agents)
  sipWss: 2, // Kamailio SIP over secure WebSocket (always when the listen is not loopback)
  kamailioDmq: 3, // Kamailio DMQ: replication to peer Kamailio nodes (SIP/UDP, management address; only with --peer-kamailio)
  controlPlane: 10, // control plane API + web softphone (HTTPS unless the listen is loopback)
  controlPlaneInternal: 11, // control plane over plain HTTP on the management address: Kamailio's audit feed
  turn: 20, // coturn UDP + TCP
  turns: 21, // coturn TLS
  rtpengineNg: 30, // rtpengine ng control protocol (UDP, management address)
  carrierSip: 40, // simulated carrier SIP/UDP (demo mode, management address)
  carrierApi: 41, // simulated carrier HTTP API: place inbound calls, read recordings (demo, management address)
  reflector: 50, // diagnostics reflector (UDP echo reporting DSCP + timestamps)
  rtpengineMediaMin: 1000,
  rtpengineMediaMax: 1199,
  turnRelayMin: 1200,
  turnRelayMax: 1399,
  carrierMediaMin: 1400,
  carrierMediaMax: 1499,
} as const;

export type PortName = keyof typeof PORT_OFFSETS;
export type PortMap = { readonly [K in PortName]: number };

export function portsFor(base: number): PortMap {
  if (!Number.isInteger(base) || base < 1024 || base + PORT_BLOCK_SIZE > 65535) {
    throw new RangeError(`--port-base must be an integer between 1024 and ${65535 - PORT_BLOCK_SIZE} (got ${base})`);
  }
  const out = {} as { [K in PortName]: number };
  for (const [name, offset] of Object.entries(PORT_OFFSETS)) out[name as PortName] = base + offset;
  return out;
}
