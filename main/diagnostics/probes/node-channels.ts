/** DatagramChannel / StreamChannel over Node's dgram, net and tls. */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { DatagramChannel, StreamChannel } from '../channels.js';
import { setSocketTos } from '../../../common/node/ip-tos.js';

const CONNECT_TIMEOUT_MS = 4000;

export async function openDatagram(now: () => number): Promise<DatagramChannel> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined); // ICMP unreachable etc.: the checks time out and say so
  const listeners = new Set<(d: Buffer, f: { address: string; port: number }, t: number) => void>();
  socket.on('message', (data, rinfo) => {
    const t = now();
    for (const l of listeners) l(data, { address: rinfo.address, port: rinfo.port }, t);
  });
  const { address, port } = socket.address();
  let closed = false;
  return {
    local: { address, port },
    send: (data, host, p) => {
      if (!closed) socket.send(data, p, host);
    },
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    setTos: (tos) => setSocketTos(socket, tos),
    close() {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

/**
 * The CAs a TLS check trusts: Node's bundled roots, the OS store where this Node can read it
 * (Node ≥ 22.15, as in Electron: enterprise CAs live there, and Chromium trusts them too), and
 * an extra CA given by the caller.
 */
function trustedCas(extra?: string | Buffer): string[] | undefined {
  const readSystem = (tls as { getCACertificates?: (which: string) => string[] }).getCACertificates;
  const system = readSystem ? readSystem('system') : [];
  if (!extra && system.length === 0) return undefined;
  return [...tls.rootCertificates, ...system, ...(extra ? [extra.toString()] : [])];
}

/** TLS over an already connected socket, verifying `host` (name or IP) against the certificate. */
export function startTls(socket: net.Socket, host: string, ca?: string | Buffer): tls.TLSSocket {
  return tls.connect({ socket, host, servername: net.isIP(host) ? undefined : host, ca: trustedCas(ca) });
}

/** Connected TCP or TLS socket. `ca` extends the trusted roots (a private PKI, test CA). */
export function connectSocket(
  host: string,
  port: number,
  useTls: boolean,
  ca?: string | Buffer,
): Promise<{ socket: net.Socket; connectMs: number; tlsMs: number | null }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const raw = net.connect({ host, port });
    const timer = setTimeout(() => {
      raw.destroy();
      reject(new Error(`TCP connect to ${host}:${port} timed out after ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    raw.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    raw.once('connect', () => {
      const connectMs = performance.now() - t0;
      if (!useTls) {
        clearTimeout(timer);
        resolve({ socket: raw, connectMs, tlsMs: null });
        return;
      }
      const secure = startTls(raw, host, ca);
      secure.once('error', (e) => {
        clearTimeout(timer);
        raw.destroy();
        reject(new Error(`TLS handshake with ${host}:${port} failed: ${e.message}`));
      });
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        resolve({ socket: secure, connectMs, tlsMs: performance.now() - t0 - connectMs });
      });
    });
  });
}

export function streamChannel(socket: net.Socket): StreamChannel {
  socket.on('error', () => undefined); // reported through onClose
  return {
    send: (data) => void socket.write(data),
    onData(l) {
      socket.on('data', l);
      return () => socket.off('data', l);
    },
    onClose(l) {
      let error: Error | undefined;
      socket.once('error', (e) => (error = e));
      const onClose = () => l(error);
      socket.once('close', onClose);
      return () => socket.off('close', onClose);
    },
    close: () => socket.destroy(),
  };
}
