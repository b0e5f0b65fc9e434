/**
 * The sockets the control plane serves its one Fastify app on: the public listener (HTTPS when
 * the config carries a certificate) and, optionally, the plain-HTTP internal listener on the
 * management address for Kamailio's audit feed. Both hand requests to the same app
 * (`app.routing`), so routes, hooks and limits are identical on each; the internal one marks its
 * requests (viaManagementListener) for the routes served only there.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { FastifyInstance } from 'fastify';
import type { ControlPlaneConfig } from './config.js';

const VIA_MANAGEMENT = Symbol('clearline.viaManagementListener');

/**
 * Whether a request came in on the internal listener (management address), not the public one.
 * Routes that must never face agents (the admin page and the whole admin API) check this: the
 * one app serves both.
 */
export function viaManagementListener(raw: IncomingMessage): boolean {
  return (raw as IncomingMessage & { [VIA_MANAGEMENT]?: true })[VIA_MANAGEMENT] === true;
}

/** Marks a request as come in on the internal listener (what that listener does to each; tests with `app.inject` too). */
export function markViaManagementListener(raw: IncomingMessage): void {
  (raw as IncomingMessage & { [VIA_MANAGEMENT]?: true })[VIA_MANAGEMENT] = true;
}

export interface Listeners {
  /** What the ready line prints, e.g. `https://10.0.0.5:20010 (internal http://127.0.0.1:20011)`. */
  readonly description: string;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function serveControlPlane(
  app: FastifyInstance,
  config: Pick<ControlPlaneConfig, 'listen' | 'port' | 'tls' | 'internal'>,
): Promise<Listeners> {
  await app.ready();
  const handler = (req: Parameters<FastifyInstance['routing']>[0], res: Parameters<FastifyInstance['routing']>[1]) => app.routing(req, res);
  const servers: Server[] = [];
  const close = async () => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            // Kept-alive browser connections would hold close() open until they time out.
            s.closeAllConnections();
          }),
      ),
    );
  };
  try {
    const { tls } = config;
    const main = tls
      ? createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: 'TLSv1.2' }, handler)
      : createHttpServer(handler);
    servers.push(main);
    await listen(main, config.listen, config.port);
    let description = `${tls ? 'https' : 'http'}://${config.listen}:${config.port}`;
    if (config.internal) {
      const internal = createHttpServer((req, res) => {
        markViaManagementListener(req);
        handler(req, res);
      });
      servers.push(internal);
      await listen(internal, config.internal.listen, config.internal.port);
      description += ` (internal http://${config.internal.listen}:${config.internal.port})`;
    }
    return { description, close };
  } catch (err) {
    await close();
    throw err;
  }
}
