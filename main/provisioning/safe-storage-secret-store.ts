import type { SafeStorage } from 'electron';
import { FileSecretStore, type SecretCodec, type SecretStore } from './secret-store.js';

/** The part of Electron's `safeStorage` used here (injected so this runs in plain Node tests). */
export type Encryptor = Pick<SafeStorage, 'encryptString' | 'decryptString'>;

/** Encrypts with the OS key (macOS Keychain, Windows DPAPI, Linux libsecret/kwallet). */
const safeStorageCodec = (encryptor: Encryptor): SecretCodec => ({
  encrypted: true,
  seal: (secret) => encryptor.encryptString(secret).toString('base64'),
  open: (sealed) => encryptor.decryptString(Buffer.from(sealed, 'base64')),
});

export const createSafeStorageSecretStore = (path: string, encryptor: Encryptor): SecretStore =>
  new FileSecretStore(path, safeStorageCodec(encryptor));
