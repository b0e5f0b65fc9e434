import { readFile } from 'node:fs/promises';
import { resolveAppAsset } from './app-protocol.js';
import { mimeTypeFor } from '../../common/node/static-files.js';

/**
 * The `app://clearline/` request handler (given to `protocol.handle`): files from the renderer
 * build only, each response carrying the current CSP and no-sniff. Written against the web
 * Request/Response types so it runs in plain Node tests.
 */
export function createAppProtocolHandler(options: {
  rootDir: string;
  csp: () => string;
  read?: (path: string) => Promise<Uint8Array>;
}): (request: Request) => Promise<Response> {
  const read = options.read ?? ((path: string) => readFile(path));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const path = resolveAppAsset(request.url, options.rootDir);
    if (!path) return new Response('not found', { status: 404 });
    let body: Uint8Array;
    try {
      body = await read(path);
    } catch {
      return new Response('not found', { status: 404 });
    }
    return new Response(request.method === 'HEAD' ? null : new Blob([body as Uint8Array<ArrayBuffer>]), {
      status: 200,
      headers: {
        'content-type': mimeTypeFor(path),
        'content-security-policy': options.csp(),
        'x-content-type-options': 'nosniff',
        'cross-origin-opener-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      },
    });
  };
}
