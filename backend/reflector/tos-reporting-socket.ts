import {
  AF_INET,
  EAGAIN,
  int32,
  IPPROTO_IP,
  loadLibc,
  optionsOrThrow,
  SO_RCVTIMEO,
  SOCK_DGRAM,
  SOL_SOCKET,
} from '../../common/node/ip-tos.js';

/**
 * The reflector's receive half of IP TOS (common/node/ip-tos.ts has the sender's half and the libc
 * binding): a raw libc UDP socket read with recvmsg + IP_RECVTOS, which hands each received
 * datagram's TOS byte over as ancillary data.
 */

export interface TosDatagram {
  data: Buffer;
  /** The TOS byte of the received IP header (DSCP = tos >> 2), or null if the kernel gave none. */
  tos: number | null;
  address: string;
  port: number;
}

function sockaddrIn(address: string, port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0); // Linux sa_family_t is host order (little-endian here)
  b.writeUInt16BE(port, 2);
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`not an IPv4 address: ${address}`);
  Buffer.from(parts).copy(b, 4);
  return b;
}

/**
 * A UDP socket (Linux, IPv4) whose receive path reports each datagram's TOS byte. Reads run as
 * asynchronous blocking recvmsg calls on a worker thread with a short receive timeout, so close()
 * takes effect within RECEIVE_TIMEOUT_MS and the event loop never blocks.
 */
export class TosReportingSocket {
  static readonly RECEIVE_TIMEOUT_MS = 200;
  static readonly MAX_DATAGRAM = 2048;
  private closed = false;
  // Native buffers: msghdr(56) | iovec(16) | sockaddr_in(16) | control(64) | data(MAX_DATAGRAM)
  private readonly memory: unknown;
  private readonly view: DataView;
  private readonly base: bigint;

  private constructor(
    private readonly fd: number,
    readonly port: number,
  ) {
    const c = loadLibc();
    const size = 56 + 16 + 16 + 64 + TosReportingSocket.MAX_DATAGRAM;
    this.memory = c.koffi.alloc('uint8_t', size);
    this.view = new DataView(c.koffi.view(this.memory, size));
    this.base = c.koffi.address(this.memory);
  }

  static open(address: string, port: number): TosReportingSocket {
    if (process.platform !== 'linux') throw new Error('the TOS-reporting receiver runs on Linux only');
    const c = loadLibc();
    const { IP_RECVTOS } = optionsOrThrow();
    const fd = c.socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) throw new Error(`socket() failed: errno ${c.errno()}`);
    try {
      if (c.setsockopt(fd, IPPROTO_IP, IP_RECVTOS, int32(1), 4) !== 0) throw new Error(`IP_RECVTOS: errno ${c.errno()}`);
      const tv = Buffer.alloc(16);
      tv.writeBigInt64LE(BigInt(TosReportingSocket.RECEIVE_TIMEOUT_MS * 1000), 8);
      if (c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16) !== 0) throw new Error(`SO_RCVTIMEO: errno ${c.errno()}`);
      if (c.bind(fd, sockaddrIn(address, port), 16) !== 0) {
        throw new Error(`cannot bind UDP ${address}:${port}: errno ${c.errno()}`);
      }
      const name = Buffer.alloc(16);
      const len = int32(16);
      c.getsockname(fd, name, len);
      return new TosReportingSocket(fd, name.readUInt16BE(2));
    } catch (e) {
      c.close(fd);
      throw e;
    }
  }

  /** Next datagram, or null when the receive timeout passed (call again) or the socket closed. */
  receive(): Promise<TosDatagram | null> {
    if (this.closed) return Promise.resolve(null);
    const v = this.view;
    const iov = this.base + 56n,
      name = iov + 16n,
      control = name + 16n,
      data = control + 64n;
    v.setBigUint64(0, name, true);
    v.setUint32(8, 16, true);
    v.setBigUint64(16, iov, true);
    v.setBigUint64(24, 1n, true);
    v.setBigUint64(32, control, true);
    v.setBigUint64(40, 64n, true);
    v.setInt32(48, 0, true);
    v.setBigUint64(56, data, true);
    v.setBigUint64(64, BigInt(TosReportingSocket.MAX_DATAGRAM), true);
    const c = loadLibc();
    return new Promise((resolve, reject) => {
      c.recvmsg.async(this.fd, this.memory, 0, (err, n) => {
        if (err) return reject(err);
        if (this.closed) return resolve(null);
        if (n < 0) {
          const errno = c.errno();
          return errno === EAGAIN || errno === 4 ? resolve(null) : reject(new Error(`recvmsg: errno ${errno}`));
        }
        resolve(this.decode(Number(n)));
      });
    });
  }

  private decode(length: number): TosDatagram {
    const v = this.view;
    const dataOffset = 56 + 16 + 16 + 64;
    const data = Buffer.from(v.buffer.slice(dataOffset, dataOffset + length));
    const port = (v.getUint8(72 + 2) << 8) | v.getUint8(72 + 3);
    const address = [4, 5, 6, 7].map((i) => v.getUint8(72 + i)).join('.');
    // Walk the cmsghdr list: {size_t len; int level; int type; data...} aligned to 8 bytes.
    const controlLength = Number(v.getBigUint64(40, true));
    let tos: number | null = null;
    for (let off = 0; off + 16 <= controlLength;) {
      const len = Number(v.getBigUint64(88 + off, true));
      if (len < 16) break;
      const level = v.getInt32(88 + off + 8, true);
      const type = v.getInt32(88 + off + 12, true);
      if (level === IPPROTO_IP && type === optionsOrThrow().IP_TOS) tos = v.getUint8(88 + off + 16);
      off += (len + 7) & ~7;
    }
    return { data, tos, address, port };
  }

  send(data: Buffer, address: string, port: number): void {
    if (this.closed) return;
    const c = loadLibc();
    const n = c.sendto(this.fd, data, data.length, 0, sockaddrIn(address, port), 16);
    if (n < 0) throw new Error(`sendto ${address}:${port}: errno ${c.errno()}`);
  }

  setTos(tos: number): void {
    const c = loadLibc();
    c.setsockopt(this.fd, IPPROTO_IP, optionsOrThrow().IP_TOS, int32(tos), 4);
  }

  /** Stops receiving; the fd is closed once the in-flight read returns (≤ RECEIVE_TIMEOUT_MS). */
  async close(pendingRead?: Promise<unknown>): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await pendingRead?.catch(() => undefined);
    loadLibc().close(this.fd);
    loadLibc().koffi.free(this.memory);
  }
}
