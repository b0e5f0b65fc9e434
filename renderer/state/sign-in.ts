import type { SignInRequest } from '../../common/contract/index.js';

/**
 * Checks the sign-in form before anything is sent, with messages that name the field. A bare host
 * name ("pbx.example.com") is taken to mean https — that is what agents type from a welcome mail.
 */
export function checkSignIn(form: {
  url: string;
  username: string;
  password: string;
}): { ok: true; request: SignInRequest } | { ok: false; error: string } {
  const rawUrl = form.url.trim();
  const username = form.username.trim();
  if (rawUrl === '') return { ok: false, error: 'Enter the Provisioning URL (for example https://pbx.example.com)' };
  if (username === '') return { ok: false, error: 'Enter your Username' };
  if (form.password === '') return { ok: false, error: 'Enter your Password' };
  if (username.length > 64) return { ok: false, error: 'Username is too long (64 characters at most)' };
  if (form.password.length > 256) return { ok: false, error: 'Password is too long (256 characters at most)' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawUrl) ? rawUrl : `https://${rawUrl}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, error: `Provisioning URL “${rawUrl}” is not a valid address (expected e.g. https://pbx.example.com)` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, error: `Provisioning URL must start with https:// (got ${url.protocol}//)` };
  }
  return { ok: true, request: { url: url.href, username, password: form.password } };
}
