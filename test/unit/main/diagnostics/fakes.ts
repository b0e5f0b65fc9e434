/** In-memory probes and channels for unit tests of verdict logic (never proof a check works). */
import type { DatagramChannel } from '../../../../main/diagnostics/channels.js';
import { decodeRequest, encodeReply } from '../../../../common/node/reflector-protocol.js';
import type { DiagnosticsConfig, Probes } from '../../../../main/diagnostics/types.js';

export const config: DiagnosticsConfig = {
  client: {
    agent: { username: 'alice', displayName: 'Alice' },
    sip: { wsUrl: 'wss://sip.example.com/', domain: 'example.com', registerExpiresSec: 300 },
    controlPlaneUrl: 'https://cp.example.com/',
    numbers: {},
    diagnostics: { reflector: { host: 'media.example.com', port: 3480 } },
  },
  turn: { username: '1:alice', password: 'secret', ttl: 600, uris: ['turn:media.example.com:3478?transport=udp'] },
  mediaGateway: 'media.example.com',
};

export const ADDRESSES: Record<string, string> = {
  'sip.example.com': '198.51.100.10',
  'cp.example.com': '198.51.100.11',
  'media.example.com': '203.0.113.20',
};

const unused = () => Promise.reject(new Error('not used by this test'));

export function fakeProbes(overrides: Partial<Probes> = {}): Probes {
  return {
    platform: 'linux',
    now: () => performance.timeOrigin + performance.now(),
    lookup: async (host) => {
      const a = ADDRESSES[host];
      if (!a) throw new Error(`ENOTFOUND ${host}`);
      return [a];
    },
    adapters: async () => [{ name: 'eth0', address: '192.168.1.20', family: 'IPv4', cidr: '192.168.1.20/24', internal: false }],
    egressSource: async () => '192.168.1.20',
    route: async () => null,
    openDatagram: unused,
    openStream: unused,
    connect: unused,
    webSocketHandshake: unused,
    resolveProxy: async () => 'DIRECT',
    qosPolicy: async () => null,
    ...overrides,
  };
}

/**
 * A datagram channel whose far end behaves like the reflector: it echoes each request with the
 * TOS the network "delivered" (`deliveredTos(sentTos)`) and a server clock `skewMs` off ours.
 */
export function fakeReflectorChannel(
  opts: { deliveredTos?: (sent: number) => number; skewMs?: number; dropEvery?: number } = {},
): DatagramChannel {
  const listeners = new Set<Parameters<DatagramChannel['onMessage']>[0]>();
  let tos = 0;
  let count = 0;
  return {
    local: { address: '0.0.0.0', port: 50000 },
    send(data, address, port) {
      const req = decodeRequest(data);
      if (!req) return;
      if (opts.dropEvery && ++count % opts.dropEvery === 0) return;
      const now = performance.timeOrigin + performance.now();
      const reply = encodeReply(
        {
          ...req,
          serverReceivedMs: now + (opts.skewMs ?? 0),
          receivedTos: opts.deliveredTos ? opts.deliveredTos(tos) : tos,
          observed: { address: '198.51.100.99', port: 40000 },
        },
        data.length,
      );
      setTimeout(() => listeners.forEach((l) => l(reply, { address, port }, performance.timeOrigin + performance.now())), 1);
    },
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    setTos(t) {
      tos = t;
    },
    close() {
      listeners.clear();
    },
  };
}
