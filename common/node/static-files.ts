import { extname, join, normalize, sep } from 'node:path';

/**
 * Serving the renderer build (`dist/renderer`) safely. Two hosts serve it — Electron's `app://`
 * protocol handler and the control plane's web softphone — and neither may become a local file
 * reader, so both resolve paths and content types here.
 */

/**
 * Maps an already percent-decoded URL path to a file inside `rootDir`, or null when it would
 * escape it (`..`, backslashes, NUL). `/` and `` mean `index.html`.
 */
export function resolveRendererPath(rootDir: string, decodedPath: string): string | null {
  if (decodedPath.includes('\0') || decodedPath.includes('\\')) return null;
  const relative = decodedPath === '/' || decodedPath === '' ? 'index.html' : decodedPath.replace(/^\/+/, '');
  const root = normalize(rootDir);
  const resolved = normalize(join(root, relative));
  return resolved.startsWith(root.endsWith(sep) ? root : root + sep) ? resolved : null;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wasm': 'application/wasm',
};

export const mimeTypeFor = (path: string): string => MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
