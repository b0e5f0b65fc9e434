import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { basename } from 'node:path';

/**
 * Linux updates (AppImage, deb) carry no OS code signature that electron-updater checks: the
 * sha512 it verifies comes from latest-linux.yml on the same feed, so whoever controls the feed
 * (or a mirror IT points the policy at) controls both. A detached Ed25519 signature, made on the
 * release machine with a key that never leaves it, is checked here against the public key shipped
 * inside the app before the update may be installed.
 *
 * Release side (OpenSSL 3): `openssl pkeyutl -sign -rawin -inkey update-signing.key
 * -in Clearline-1.2.3.AppImage -out Clearline-1.2.3.AppImage.sig`, published next to the artifact.
 */

/** The public key's file name among the app's resources (electron-builder.yml extraResources). */
export const UPDATE_PUBLIC_KEY_FILE = 'update-signing-key.pem';

/** Ed25519 signatures are exactly this long (RFC 8032); anything else is not one. */
export const ED25519_SIGNATURE_BYTES = 64;

/** The signature file is tiny; a feed that answers megabytes for it is not a signature. */
const MAX_SIGNATURE_FILE_BYTES = 1024;

/** The app's public key from its PEM; throws when the PEM is not an Ed25519 public key. */
export function parseUpdatePublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the update-signing key must be Ed25519 (got ${key.asymmetricKeyType ?? 'unknown'})`);
  }
  return key;
}

/** Whether `signature` is `publicKey`'s Ed25519 signature of exactly these bytes. */
export function isSignedBy(artifact: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  return verify(null, artifact, publicKey, signature);
}

/** Where an artifact's detached signature lives: `<artifact>.sig` in the same feed directory. */
export function signatureUrl(feedUrl: string, downloadedFile: string): string {
  const base = feedUrl.endsWith('/') ? feedUrl : `${feedUrl}/`;
  return new URL(`${encodeURIComponent(basename(downloadedFile))}.sig`, base).href;
}

export interface SignatureCheckDeps {
  readFile(path: string): Promise<Uint8Array>;
  /** GETs the signature file (bounded in time by the caller's fetch); `redirect` stays an error. */
  fetch(url: string, init: RequestInit): Promise<Response>;
}

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

const SIGNATURE_TIMEOUT_MS = 15_000;

/**
 * Checks a downloaded update against its detached signature on the feed and the key shipped in
 * the app at `publicKeyPath`. Never throws: every failure is a refusal with a reason for the log.
 */
export async function checkDownloadedUpdate(
  downloadedFile: string,
  feedUrl: string,
  publicKeyPath: string,
  deps: SignatureCheckDeps,
): Promise<SignatureVerdict> {
  let publicKey: KeyObject;
  try {
    publicKey = parseUpdatePublicKey(Buffer.from(await deps.readFile(publicKeyPath)).toString('utf8'));
  } catch (error) {
    // Fail closed: a build without its key cannot tell a genuine update from a forged one.
    return { ok: false, reason: `no usable update-signing key in this build (${publicKeyPath}: ${(error as Error).message})` };
  }
  const url = signatureUrl(feedUrl, downloadedFile);
  let signature: Uint8Array;
  try {
    const response = await deps.fetch(url, { redirect: 'error', signal: AbortSignal.timeout(SIGNATURE_TIMEOUT_MS) });
    if (!response.ok) return { ok: false, reason: `no signature at ${url} (HTTP ${response.status})` };
    signature = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    return { ok: false, reason: `cannot fetch the signature ${url} (${(error as Error).message})` };
  }
  if (signature.length > MAX_SIGNATURE_FILE_BYTES) return { ok: false, reason: `${url} is not a signature (${signature.length} bytes)` };
  let artifact: Uint8Array;
  try {
    artifact = await deps.readFile(downloadedFile);
  } catch (error) {
    return { ok: false, reason: `cannot read the downloaded update (${(error as Error).message})` };
  }
  return isSignedBy(artifact, signature, publicKey)
    ? { ok: true }
    : { ok: false, reason: `${basename(downloadedFile)} does not match its signature ${url}: modified or not signed by Clearline` };
}
