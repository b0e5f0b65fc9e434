/**
 * A "foreign host": a UDP socket that records every datagram it receives and answers nothing.
 * Attacks aim relayed requests at it; anything it records is proof the backend relayed them.
 */
import { createSocket, type Socket } from 'node:dgram';

export class ForeignSipSink {
  /** Every datagram received, as text. */
  readonly received: string[] = [];

  private constructor(
    private readonly sock: Socket,
    readonly host: string,
    readonly port: number,
  ) {
    sock.on('message', (data) => this.received.push(data.toString('utf8')));
  }

  static async listen(host: string, port: number): Promise<ForeignSipSink> {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    return new ForeignSipSink(sock, host, port);
  }

  /** `sip:` URI of this host, e.g. for a Route or a Request-URI. */
  uri(user?: string): string {
    return `sip:${user ? `${user}@` : ''}${this.host}:${this.port}`;
  }

  /** Datagrams containing `marker` (e.g. an attack's Call-ID). */
  receivedWith(marker: string): string[] {
    return this.received.filter((m) => m.includes(marker));
  }

  close(): void {
    this.sock.close();
  }
}
