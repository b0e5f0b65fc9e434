/**
 * The admin page (backend/README.md "Admin page"): GET /admin on the management listener only —
 * 404 on the agents' listener, so the page, its sign-in form and its session cookie never face
 * agents or the internet.
 *
 * One HTML file, one stylesheet, one script (admin-page/client.ts, bundled by esbuild once, at the
 * first request), all from this origin, under a policy that allows nothing else: no inline script
 * or style, no other origin, no framing, and Trusted Types with no policy, so even a mistake that
 * assigned attacker text to innerHTML would throw instead of running. The script builds every row
 * with textContent: agents' report text and SIP headers stay text.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { viaManagementListener } from './listeners.js';

export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const PAGE_DIR = join(import.meta.dirname, 'admin-page');

let script: Promise<string> | null = null;

/** The page's script, bundled from TypeScript once per process. */
function pageScript(): Promise<string> {
  script ??= build({
    entryPoints: [join(PAGE_DIR, 'client.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  return script;
}

export function registerAdminPage(app: FastifyInstance): void {
  const asset = (type: string, body: () => Promise<string> | string) => async (req: FastifyRequest, reply: FastifyReply) => {
    if (!viaManagementListener(req.raw)) return reply.code(404).send({ error: 'not found' });
    return reply
      .header('Content-Security-Policy', ADMIN_PAGE_CSP)
      .header('X-Frame-Options', 'DENY')
      .header('Cross-Origin-Opener-Policy', 'same-origin')
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .type(type)
      .send(await body());
  };
  app.get(
    '/admin',
    asset('text/html; charset=utf-8', () => readFileSync(join(PAGE_DIR, 'index.html'), 'utf8')),
  );
  app.get(
    '/admin/admin-page.css',
    asset('text/css; charset=utf-8', () => readFileSync(join(PAGE_DIR, 'style.css'), 'utf8')),
  );
  app.get('/admin/admin-page.js', asset('text/javascript; charset=utf-8', pageScript));
}
