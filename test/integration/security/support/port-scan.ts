/**
 * A port scan of one address, as an attacker on the network would run it: TCP connect, and UDP by
 * sending one byte to a connected socket. A closed UDP port answers with ICMP port unreachable
 * (ECONNREFUSED; never rate-limited for local traffic); an open one answers or stays silent.
 * Bounded: the ports of one range, a fixed number in flight, a short wait per port.
 */
import { createSocket } from 'node:dgram';
import { tcpOpenProbe } from '../../../../backend/supervisor/probes.js';

const IN_FLIGHT = 100;
const WAIT_MS = 400;

function udpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const done = (open: boolean) => {
      clearTimeout(timer);
      sock.close();
      resolve(open);
    };
    const timer = setTimeout(() => done(true), WAIT_MS);
    sock.once('error', (err: NodeJS.ErrnoException) => done(err.code !== 'ECONNREFUSED'));
    sock.once('message', () => done(true));
    sock.connect(port, host, () => sock.send(Buffer.from([0])));
  });
}

/** The open ports of `host` in [from, to], ascending. */
export async function openPorts(proto: 'tcp' | 'udp', host: string, from: number, to: number): Promise<number[]> {
  const probe = proto === 'tcp' ? (h: string, p: number) => tcpOpenProbe(h, p, WAIT_MS) : udpOpen;
  const open: number[] = [];
  for (let start = from; start <= to; start += IN_FLIGHT) {
    const ports = Array.from({ length: Math.min(IN_FLIGHT, to - start + 1) }, (_, i) => start + i);
    const results = await Promise.all(ports.map((p) => probe(host, p)));
    ports.forEach((p, i) => results[i] && open.push(p));
  }
  return open;
}
