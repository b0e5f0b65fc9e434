import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';

/** Sends one UDP datagram and resolves with the first reply (or null after `timeoutMs`). */
export function udpExchange(host: string, port: number, payload: Buffer, timeoutMs = 500): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (v: Buffer | null) => {
      clearTimeout(timer);
      sock.close();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('message', (msg) => done(msg));
    sock.on('error', () => done(null));
    sock.send(payload, port, host);
  });
}

/** Kamailio answers an out-of-dialog OPTIONS to itself with 200. */
export async function sipOptionsProbe(host: string, port: number): Promise<boolean> {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const h = host.includes(':') ? `[${host}]` : host;
  const msg =
    `OPTIONS sip:${h}:${port} SIP/2.0\r\nVia: SIP/2.0/UDP ${h}:9;branch=${branch};rport\r\n` +
    `Max-Forwards: 5\r\nFrom: <sip:probe@${h}>;tag=${randomBytes(4).toString('hex')}\r\nTo: <sip:${h}:${port}>\r\n` +
    `Call-ID: probe-${randomBytes(8).toString('hex')}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  const reply = await udpExchange(host, port, Buffer.from(msg));
  return reply !== null && reply.toString('utf8').startsWith('SIP/2.0 200');
}

/** rtpengine ng protocol: bencoded `ping` → `pong`. */
export async function rtpengineNgProbe(host: string, port: number): Promise<boolean> {
  const cookie = randomBytes(4).toString('hex');
  const reply = await udpExchange(host, port, Buffer.from(`${cookie} d7:command4:pinge`));
  return reply !== null && reply.toString('utf8').includes('pong');
}

/** A STUN Binding request (RFC 5389); any STUN success response means the server is up. */
export async function stunBindingProbe(host: string, port: number): Promise<boolean> {
  const req = Buffer.alloc(20);
  req.writeUInt16BE(0x0001, 0);
  req.writeUInt16BE(0, 2);
  req.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(req, 8);
  const reply = await udpExchange(host, port, req);
  return reply !== null && reply.length >= 20 && reply.readUInt16BE(0) === 0x0101;
}

export function tcpOpenProbe(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (v: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
