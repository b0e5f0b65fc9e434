import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import {
  createSafeStorageSecretStore,
  safeStorageProtection,
  type Encryptor,
} from '../../../../main/provisioning/safe-storage-secret-store.js';
import { createPlainFileSecretStore, UnreadableSecretError } from '../../../../main/provisioning/secret-store.js';

const tempDir = (t: { after(fn: () => void): void }) => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-secret-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test('plain file store: 0600, round trip, delete removes the file; says it is not encrypted', async (t) => {
  const path = join(tempDir(t), 'secrets.json');
  const store = createPlainFileSecretStore(path);
  assert.equal(store.protection, 'plain-file');
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

/** A reversible stand-in for an OS key (XOR with `key`): the real one is Electron's safeStorage. */
const xorEncryptor = (key: number): Encryptor => {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ key));
  return {
    encryptString: (s) => Buffer.concat([Buffer.from([key]), xor(Buffer.from(s, 'utf8'))]),
    decryptString: (b) => {
      // As safeStorage does when the keyring's key is not the one the data was sealed with.
      if (b[0] !== key) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return xor(b.subarray(1)).toString('utf8');
    },
  };
};

test('safeStorage store: only ciphertext on disk, decrypted on read', async (t) => {
  const path = join(tempDir(t), 'secrets.json');
  const store = createSafeStorageSecretStore(path, xorEncryptor(0x5a), 'os-encrypted');
  assert.equal(store.protection, 'os-encrypted');
  await store.set('k', 'hunter2');
  assert.doesNotMatch(readFileSync(path, 'utf8'), /hunter2/);
  assert.equal(await createSafeStorageSecretStore(path, xorEncryptor(0x5a), 'os-encrypted').get('k'), 'hunter2');
});

test('Linux safeStorage without a keyring (basic_text) is obfuscation, never reported as encryption', () => {
  assert.equal(safeStorageProtection('linux', 'basic_text'), 'obfuscated');
  assert.equal(safeStorageProtection('linux', 'unknown'), 'obfuscated', 'asked before ready: assume the worst');
  assert.equal(safeStorageProtection('linux', null), 'obfuscated');
  for (const keyring of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) {
    assert.equal(safeStorageProtection('linux', keyring), 'os-encrypted', keyring);
  }
  assert.equal(safeStorageProtection('darwin', null), 'os-encrypted', 'Keychain');
  assert.equal(safeStorageProtection('win32', null), 'os-encrypted', 'DPAPI');
});

test('a damaged secrets file: a clear error without its content, and the next sign-in replaces it', async (t) => {
  const path = join(tempDir(t), 'secrets.json');
  for (const damaged of ['{"provisioning.password": "hunter2', '["hunter2"]', '{"provisioning.password": 42}', '']) {
    writeFileSync(path, damaged, { mode: 0o600 });
    const store = createPlainFileSecretStore(path);
    const error = await store.get('provisioning.password').then(
      () => assert.fail('a damaged file must not read as a password'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UnreadableSecretError, String(error));
    assert.equal(error.message, `${path} is damaged (not a JSON object of strings)`);
    await store.set('provisioning.password', 'new-pass');
    assert.equal(await store.get('provisioning.password'), 'new-pass', `repaired after ${JSON.stringify(damaged)}`);
  }
});

test('a password sealed with another OS key: unreadable (not a crash, not garbage), repaired by storing it again', async (t) => {
  const path = join(tempDir(t), 'secrets.json');
  await createSafeStorageSecretStore(path, xorEncryptor(0x11), 'os-encrypted').set('provisioning.password', 'hunter2');
  const newKeyring = createSafeStorageSecretStore(path, xorEncryptor(0x22), 'os-encrypted');
  await assert.rejects(
    newKeyring.get('provisioning.password'),
    (e: unknown) =>
      e instanceof UnreadableSecretError &&
      /the saved "provisioning\.password" in .* cannot be decrypted/.test(e.message) &&
      !e.message.includes('hunter2'),
  );
  await newKeyring.set('provisioning.password', 'hunter3');
  assert.equal(await newKeyring.get('provisioning.password'), 'hunter3');
});
