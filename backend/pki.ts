import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isIP } from 'node:net';

const run = promisify(execFile);

export interface LocalPki {
  readonly caCertFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A local CA and one server certificate for `host` (TURN over TLS, and WSS when asked), made once
 * per state dir with openssl. The CA certificate is what a test browser or client trusts.
 * Regenerated when the server certificate was made for other hosts (a different --listen, or
 * services moved to addresses of their own: `alsoFor` adds them as subject alternative names).
 */
export async function ensureLocalPki(dir: string, host: string, alsoFor: readonly string[] = []): Promise<LocalPki> {
  const hosts = [host, ...alsoFor];
  const name = hosts.join('+');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKey = join(dir, 'ca.key');
  const caCertFile = join(dir, 'ca.crt');
  const keyFile = join(dir, `server-${name}.key`);
  const certFile = join(dir, `server-${name}.crt`);
  if (!existsSync(caCertFile) || !existsSync(caKey)) {
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
    await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      caKey,
      '-sha256',
      '-days',
      '3650',
      '-out',
      caCertFile,
      '-subj',
      '/CN=Clearline local CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const csr = join(dir, `server-${name}.csr`);
    const ext = join(dir, `server-${name}.ext`);
    const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    writeFileSync(
      ext,
      `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san},DNS:localhost\n`,
    );
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
    await run('openssl', ['req', '-new', '-key', keyFile, '-out', csr, '-subj', `/CN=${host}`]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caCertFile,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-days',
      '825',
      '-sha256',
      '-extfile',
      ext,
      '-out',
      certFile,
    ]);
  }
  chmodSync(caKey, 0o600);
  chmodSync(keyFile, 0o600);
  return { caCertFile, certFile, keyFile };
}

/**
 * What an operator does so agents trust the local CA (printed at start when HTTPS/WSS use it, and
 * in README): install ca.crt as a trusted root on each agent machine, or bring a certificate.
 */
export function localCaTrustSteps(caCertFile: string): string[] {
  return [
    `HTTPS and WSS use a certificate from the local CA ${caCertFile}. Agents' machines must trust it:`,
    `  Debian/Ubuntu: cp ${caCertFile} /usr/local/share/ca-certificates/clearline-local-ca.crt && update-ca-certificates`,
    `  Linux desktop app (Chromium's NSS store): certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n clearline -i ${caCertFile}`,
    `  Windows:       certutil -addstore -f Root clearline-ca.crt   (a copy of ${caCertFile})`,
    `  macOS:         security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain clearline-ca.crt`,
    '  Or give a certificate from your own CA with --tls-cert FILE --tls-key FILE.',
  ];
}
