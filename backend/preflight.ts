/**
 * Checks before anything starts: system binaries (installed on Debian as root, otherwise the
 * exact command to run), every address configured here, and every socket of the stack free.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { Binding } from './bindings.js';
import { KAMAILIO_MODULE_DIR } from './config/kamailio.js';

/** Binary → the Debian package that provides it. */
export const REQUIRED_BINARIES: Readonly<Record<string, string>> = {
  kamailio: 'kamailio',
  rtpengine: 'rtpengine-daemon',
  turnserver: 'coturn',
  openssl: 'openssl',
};

/** Kamailio modules shipped in separate Debian packages → that package. */
export const REQUIRED_KAMAILIO_MODULES: Readonly<Record<string, string>> = {
  'websocket.so': 'kamailio-websocket-modules',
  'tls.so': 'kamailio-tls-modules',
  'jansson.so': 'kamailio-extra-modules',
  'db_sqlite.so': 'kamailio-sqlite-modules',
  'http_client.so': 'kamailio-utils-modules',
  'db_postgres.so': 'kamailio-postgres-modules',
};

function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

export function missingBinaries(isPresent: (bin: string) => boolean = onPath): string[] {
  return Object.keys(REQUIRED_BINARIES).filter((b) => !isPresent(b));
}

/** The Debian packages to install: those of missing binaries and of missing Kamailio modules. */
export function missingPackages(isPresent: (bin: string) => boolean = onPath, hasFile: (path: string) => boolean = existsSync): string[] {
  const pkgs = missingBinaries(isPresent).map((b) => REQUIRED_BINARIES[b]!);
  for (const [mod, pkg] of Object.entries(REQUIRED_KAMAILIO_MODULES)) {
    if (!hasFile(`${KAMAILIO_MODULE_DIR}/${mod}`)) pkgs.push(pkg);
  }
  return [...new Set(pkgs)];
}

export interface PackageHost {
  missing(): string[];
  canInstall: boolean;
  install(): void;
}

const thisHost = (repoRoot: string): PackageHost => ({
  missing: () => missingPackages(),
  // apt-get needs root; ensure-deps.sh is the one place that knows how CI installs things.
  canInstall: process.getuid?.() === 0 && existsSync('/etc/debian_version'),
  install: () => execFileSync('bash', ['build/setup/ensure-deps.sh'], { cwd: repoRoot, stdio: 'inherit' }),
});

/** Installs missing packages on Debian as root; otherwise throws with the exact command to run. */
export function ensureSystemPackages(repoRoot: string, log: (line: string) => void, host: PackageHost = thisHost(repoRoot)): void {
  const missing = host.missing();
  if (missing.length === 0) return;
  if (host.canInstall) {
    log(`missing Debian packages ${missing.join(' ')}: installing them (build/setup/ensure-deps.sh)`);
    host.install();
    const still = host.missing();
    if (still.length) throw new Error(`still missing after install: ${still.join(' ')}`);
    return;
  }
  throw new Error(
    `missing system packages: ${missing.join(' ')}. Install them with:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
  );
}

/** Resolves null when the socket can bind, else the bind error's code (EADDRINUSE, EACCES, …). */
function bindError(proto: Binding['proto'], host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const failed = (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EUNKNOWN');
    if (proto === 'tcp') {
      const srv = createServer();
      srv.once('error', failed);
      srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(null)));
    } else {
      const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', (err) => {
        sock.close();
        failed(err);
      });
      sock.bind({ address: host, port, exclusive: true }, () => sock.close(() => resolve(null)));
    }
  });
}

/**
 * Throws naming the option (--port-base / the address's flag) when a socket of the stack cannot
 * bind; a privileged port (443 for --https-listen …) that this user may not bind says what grants it.
 */
export async function assertPortsFree(bindings: readonly Binding[], base: number): Promise<void> {
  for (const { name, proto, port, host } of bindings) {
    const code = await bindError(proto, host, port);
    if (code === 'EACCES') {
      throw new Error(
        `${proto.toUpperCase()} port ${port} (${name}) on ${host}: this user may not bind a port below 1024. Run the stack as root, ` +
          'or grant CAP_NET_BIND_SERVICE to node, kamailio and turnserver (backend/README.md, "Only port 443 open").',
      );
    }
    if (code !== null) {
      throw new Error(
        `--port-base ${base}: ${proto.toUpperCase()} port ${port} (${name}) on ${host} is already in use ` +
          `(another stack running?). Stop it, or pick another block with --port-base N.`,
      );
    }
  }
}

/** Throws naming `flag` (--listen, --media-address, --management-address) when `host` is not an address of this host. */
export async function assertLocalAddress(flag: string, host: string): Promise<void> {
  const ok = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port: 0 }, () => srv.close(() => resolve(true)));
  });
  if (!ok) throw new Error(`${flag} ${host}: this address is not configured on any interface of this host (or namespace)`);
}

/**
 * Creates `dir` (mode 0700) or throws naming `flag`. Checks the nearest existing ancestor first:
 * Node's recursive mkdir can spin forever on some unwritable trees (seen under /proc).
 */
export function ensureWritableDir(dir: string, flag: string): void {
  let ancestor = dir;
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  const fail = (why: string) => new Error(`${flag} ${dir}: cannot create or write it (${why})`);
  if (!statSync(ancestor).isDirectory()) throw fail(`${ancestor} is not a directory`);
  try {
    // One level at a time, never `recursive: true` (see above).
    for (const part of relative(ancestor, dir).split(sep).filter(Boolean)) {
      ancestor = join(ancestor, part);
      mkdirSync(ancestor, { mode: 0o700 });
    }
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
}
