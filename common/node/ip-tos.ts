/**
 * IP TOS (DSCP) on UDP sockets through FFI. Node's dgram can neither set nor read the TOS byte, so
 * the sender (the network test) marks a regular dgram socket with setsockopt(IP_TOS) on its file
 * descriptor; the receiver (the reflector, backend/reflector/tos-reporting-socket.ts) owns a raw
 * libc socket read with recvmsg + IP_RECVTOS and uses the libc binding and constants below.
 */
import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';

type Koffi = typeof import('koffi');
const require = createRequire(import.meta.url);

/** Per-OS socket option numbers (the headers differ; Windows ignores IP_TOS without a QoS policy). */
const OPTIONS: Partial<Record<NodeJS.Platform, { IP_TOS: number; IP_RECVTOS: number }>> = {
  linux: { IP_TOS: 1, IP_RECVTOS: 13 },
  darwin: { IP_TOS: 3, IP_RECVTOS: 27 },
};
export const IPPROTO_IP = 0;
export const SOL_SOCKET = 1;
export const SO_RCVTIMEO = 20;
export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const EAGAIN = 11;

interface Libc {
  koffi: Koffi;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  getsockname(fd: number, addr: Buffer, len: Buffer): number;
  sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, alen: number): number;
  recvmsg: { async(fd: number, msg: unknown, flags: number, cb: (e: unknown, n: number) => void): void };
  close(fd: number): number;
  errno(): number;
}

let libc: Libc | undefined;
export function loadLibc(): Libc {
  if (libc) return libc;
  const koffi = require('koffi') as Koffi;
  const lib = koffi.load(process.platform === 'darwin' ? 'libSystem.dylib' : 'libc.so.6');
  libc = {
    koffi,
    setsockopt: lib.func('int setsockopt(int, int, int, void *, uint32_t)'),
    socket: lib.func('int socket(int, int, int)'),
    bind: lib.func('int bind(int, void *, uint32_t)'),
    getsockname: lib.func('int getsockname(int, void *, void *)'),
    sendto: lib.func('intptr_t sendto(int, void *, size_t, int, void *, uint32_t)'),
    recvmsg: lib.func('intptr_t recvmsg(int, void *, int)'),
    close: lib.func('int close(int)'),
    errno: () => koffi.errno(),
  } as Libc;
  return libc;
}

export function optionsOrThrow() {
  const o = OPTIONS[process.platform];
  if (!o) throw new Error(`setting IP TOS is not supported on ${process.platform}`);
  return o;
}

/** The OS file descriptor behind a bound dgram socket (Node keeps it on its internal handle). */
function fdOf(socket: Socket): number {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = state && (socket as unknown as Record<symbol, { handle?: { fd?: number } }>)[state]?.handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('dgram socket has no file descriptor (bind it first)');
  return fd;
}

export function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

/** Marks every datagram the (bound) socket sends with this TOS byte, e.g. 0xB8 = DSCP 46 (EF). */
export function setSocketTos(socket: Socket, tos: number): void {
  const { IP_TOS } = optionsOrThrow();
  const c = loadLibc();
  if (c.setsockopt(fdOf(socket), IPPROTO_IP, IP_TOS, int32(tos), 4) !== 0) {
    throw new Error(`setsockopt(IP_TOS) failed: errno ${c.errno()}`);
  }
}
