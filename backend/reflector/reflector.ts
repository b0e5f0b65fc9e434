/**
 * The diagnostics reflector: a UDP echo that tells the client what arrived — the DSCP marking the
 * packet carried when it reached the server, the server's receive time (for RTT, jitter and clock
 * skew), and the source address it saw (the client's NAT mapping).
 */
import { TosReportingSocket } from './tos-reporting-socket.js';
import { decodeRequest, encodeReply } from '../../common/node/reflector-protocol.js';

export interface Reflector {
  port: number;
  stop(): Promise<void>;
}

export function startReflector(listen: string, port: number, log: (line: string) => void = () => {}): Reflector {
  const socket = TosReportingSocket.open(listen, port);
  let stopped = false;
  let pending: Promise<unknown> = Promise.resolve();

  const loop = async () => {
    while (!stopped) {
      const read = socket.receive();
      pending = read;
      let datagram;
      try {
        datagram = await read;
      } catch (e) {
        log(`reflector receive error: ${(e as Error).message}`);
        continue;
      }
      if (!datagram) continue;
      const request = decodeRequest(datagram.data);
      if (!request) continue; // not ours, or too short to answer without amplifying
      const reply = encodeReply(
        {
          ...request,
          serverReceivedMs: performance.timeOrigin + performance.now(),
          receivedTos: datagram.tos,
          observed: { address: datagram.address, port: datagram.port },
        },
        datagram.data.length,
      );
      try {
        socket.send(reply, datagram.address, datagram.port);
      } catch (e) {
        log(`reflector send error: ${(e as Error).message}`);
      }
    }
  };
  const running = loop();

  return {
    port: socket.port,
    async stop() {
      stopped = true;
      await socket.close(pending);
      await running;
    },
  };
}
