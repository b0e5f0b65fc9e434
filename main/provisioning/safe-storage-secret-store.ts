import type { SafeStorage } from 'electron';
import { FileSecretStore, type SecretProtection, type SecretStore } from './secret-store.js';

/** The part of Electron's `safeStorage` used here (injected so this runs in plain Node tests). */
export type Encryptor = Pick<SafeStorage, 'encryptString' | 'decryptString'>;

/** Linux safeStorage backends that keep the key in a real keyring (Electron's names). */
const LINUX_KEYRINGS = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);

/**
 * What safeStorage's "encryption" is worth on this machine. On Linux without a keyring Electron
 * selects 'basic_text' and still answers isEncryptionAvailable() = true, but the key is a
 * constant in Chromium's source: obfuscation, not encryption. Anything but a known keyring
 * (including 'unknown', asked too early) is reported as obfuscation: never overstate protection.
 * `linuxBackend` is `safeStorage.getSelectedStorageBackend()` (Linux only, after app ready).
 */
export function safeStorageProtection(platform: NodeJS.Platform, linuxBackend: string | null): SecretProtection {
  if (platform !== 'linux') return 'os-encrypted';
  return linuxBackend !== null && LINUX_KEYRINGS.has(linuxBackend) ? 'os-encrypted' : 'obfuscated';
}

/** Seals with safeStorage; `protection` says what that is worth here (safeStorageProtection). */
export const createSafeStorageSecretStore = (path: string, encryptor: Encryptor, protection: SecretProtection): SecretStore =>
  new FileSecretStore(path, {
    protection,
    seal: (secret) => encryptor.encryptString(secret).toString('base64'),
    open: (sealed) => encryptor.decryptString(Buffer.from(sealed, 'base64')),
  });
