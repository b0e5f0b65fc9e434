import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSafeStorageSecretStore, type Encryptor } from '../../../main/provisioning/safe-storage-secret-store.js';
import { createPlainFileSecretStore } from '../../../main/provisioning/secret-store.js';

const tempDir = (t: { after(fn: () => void): void }) => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-secret-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test('plain file store: 0600, round trip, delete removes the file; says it is not encrypted', async (t) => {
  const path = join(tempDir(t), 'secrets.json');
  const store = createPlainFileSecretStore(path);
  assert.equal(store.encrypted, false);
  assert.equal(await store.get('k'), null);
  await store.set('k', 'pw-1');
  await store.set('other', 'pw-2');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(await createPlainFileSecretStore(path).get('k'), 'pw-1');
  await store.delete('k');
  assert.equal(await store.get('k'), null);
  await store.delete('other');
  assert.throws(() => statSync(path), /ENOENT/);
});

test('safeStorage store: only ciphertext on disk, decrypted on read', async (t) => {
  const path = join(tempDir(t), 'secrets.json');
  // A reversible stand-in for the OS key (XOR): the real one is Electron's safeStorage.
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  const encryptor: Encryptor = {
    encryptString: (s) => xor(Buffer.from(s, 'utf8')),
    decryptString: (b) => xor(b).toString('utf8'),
  };
  const store = createSafeStorageSecretStore(path, encryptor);
  assert.equal(store.encrypted, true);
  await store.set('k', 'hunter2');
  assert.doesNotMatch(readFileSync(path, 'utf8'), /hunter2/);
  assert.equal(await createSafeStorageSecretStore(path, encryptor).get('k'), 'hunter2');
});
