/**
 * Binds RTP sockets on even ports inside the configured media range (RTP convention: even
 * port for RTP, the odd one above left for RTCP), skipping ports something else holds.
 */
import dgram from 'node:dgram';

export class MediaPortAllocator {
  private next: number;

  constructor(
    private readonly address: string,
    private readonly min: number,
    private readonly max: number,
  ) {
    this.next = min + (min % 2);
  }

  async bind(): Promise<{ socket: dgram.Socket; port: number }> {
    const candidates = Math.floor((this.max - this.min) / 2) + 1;
    for (let i = 0; i < candidates; i++) {
      const port = this.next;
      this.next = this.next + 2 > this.max ? this.min + (this.min % 2) : this.next + 2;
      const socket = dgram.createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, this.address, () => resolve(true));
      });
      if (bound) {
        socket.removeAllListeners('error');
        return { socket, port };
      }
      socket.close();
    }
    throw new Error(`no free media port in ${this.min}-${this.max} on ${this.address}`);
  }
}
