/**
 * A WebSocket opening handshake (RFC 6455 §4) over a raw socket, optionally tunnelled through an
 * HTTP proxy with CONNECT, the way Chromium does for ws:// and wss://. Only the handshake: the
 * check wants to know whether the upgrade gets through, not to speak SIP.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { APP_ORIGIN } from '../../../common/app-origin.js';
import type { ProxyServer } from '../proxy.js';
import { connectSocket, startTls } from './node-channels.js';

const HANDSHAKE_TIMEOUT_MS = 5000;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function readHead(socket: net.Socket): Promise<{ status: number; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error(`no HTTP response within ${HANDSHAKE_TIMEOUT_MS} ms`)), HANDSHAKE_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 16384) done(new Error('HTTP response head too large'));
        return;
      }
      const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? NaN);
      if (!Number.isFinite(status)) return done(new Error(`not an HTTP response: ${statusLine}`));
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      done(null, { status, headers });
    };
    const onClose = () => done(new Error('connection closed before an HTTP response'));
    const onError = (e: Error) => done(e);
    function done(err: Error | null, value?: { status: number; headers: Record<string, string> }) {
      clearTimeout(timer);
      socket.off('data', onData).off('close', onClose).off('error', onError);
      if (err) reject(err);
      else resolve(value!);
    }
    socket.on('data', onData).once('close', onClose).once('error', onError);
  });
}

async function tunnel(proxy: ProxyServer, host: string, port: number): Promise<net.Socket> {
  if (proxy.scheme === 'socks') throw new Error('SOCKS proxies are not supported by this check');
  const { socket } = await connectSocket(proxy.host, proxy.port, proxy.scheme === 'https');
  socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  const head = await readHead(socket);
  if (head.status !== 200) {
    socket.destroy();
    throw new Error(`proxy ${proxy.host}:${proxy.port} refused CONNECT ${host}:${port} with HTTP ${head.status}`);
  }
  return socket;
}

export async function webSocketHandshake(
  url: string,
  protocol: string,
  proxy: ProxyServer | null,
  ca?: string | Buffer,
): Promise<{ status: number; protocol: string | null; ms: number }> {
  const u = new URL(url);
  const secure = u.protocol === 'wss:';
  const port = Number(u.port || (secure ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const t0 = performance.now();
  let socket: net.Socket;
  if (proxy) {
    const tunnelled = await tunnel(proxy, host, port);
    socket = secure
      ? await new Promise<net.Socket>((resolve, reject) => {
          const s = startTls(tunnelled, host, ca);
          s.once('secureConnect', () => resolve(s)).once('error', reject);
        })
      : tunnelled;
  } else {
    socket = (await connectSocket(host, port, secure, ca)).socket;
  }
  try {
    const key = randomBytes(16).toString('base64');
    socket.write(
      [
        `GET ${u.pathname || '/'}${u.search} HTTP/1.1`,
        `Host: ${u.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Protocol: ${protocol}`,
        // The desktop app's own origin: servers that allow-list browser origins (ours does) must
        // answer this check exactly as they answer the app.
        `Origin: ${APP_ORIGIN}`,
        '',
        '',
      ].join('\r\n'),
    );
    const head = await readHead(socket);
    if (head.status === 101) {
      const expected = createHash('sha1')
        .update(key + WS_GUID)
        .digest('base64');
      if (head.headers['sec-websocket-accept'] !== expected)
        throw new Error('upgrade answered with a wrong Sec-WebSocket-Accept (a middlebox rewrote it?)');
    }
    return { status: head.status, protocol: head.headers['sec-websocket-protocol'] ?? null, ms: performance.now() - t0 };
  } finally {
    socket.destroy();
  }
}
