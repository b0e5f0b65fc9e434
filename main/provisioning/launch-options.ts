import { insecureTransportProblem } from '../../common/contract/index.js';

/**
 * `--provisioning-url=<url>` on the command line (the `npm start` launcher, a desktop shortcut
 * made by IT) pre-sets the sign-in form like a policy file does; an enterprise policy wins over
 * it. A malformed value, or http:// to another computer (transport-policy.ts), is reported and
 * ignored, never fatal.
 */
export function provisioningUrlFromArgs(argv: readonly string[]): { url: string | null; problem: string | null } {
  const prefix = '--provisioning-url=';
  const arg = argv.find((a) => a.startsWith(prefix));
  if (!arg) return { url: null, problem: null };
  const value = arg.slice(prefix.length);
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    return { url: null, problem: `--provisioning-url must be an http(s) URL (got "${value}"); ignored` };
  }
  const insecure = insecureTransportProblem(value, '--provisioning-url');
  return insecure ? { url: null, problem: `${insecure}; ignored` } : { url: value, problem: null };
}
