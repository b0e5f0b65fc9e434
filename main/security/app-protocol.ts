import { APP_HOST, APP_SCHEME } from '../../common/app-origin.js';
import { resolveRendererPath } from '../../common/node/static-files.js';

/**
 * Maps an `app://clearline/<path>` request to a file inside the renderer build directory, or
 * null. Refuses other hosts and anything that would escape the directory (`..`, encoded
 * separators, absolute paths) — the protocol handler must not become a local file reader.
 */
export function resolveAppAsset(requestUrl: string, rootDir: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  return resolveRendererPath(rootDir, path);
}
