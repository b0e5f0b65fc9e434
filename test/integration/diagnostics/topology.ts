/**
 * The netns test bed: client → NAT router → server, three namespaces joined by veth pairs.
 *
 *   cldiag-cli  10.231.1.2 ── 10.231.1.1  cldiag-nat  10.231.2.1 ── 10.231.2.2/.3  cldiag-srv
 *
 * The server namespace runs real coturn (UDP/TCP 3478, TLS 443 on .2), the reflector (.2) and the
 * provisioning/WSS/proxy stand-in (.3). The NAT namespace masquerades; cases add iptables rules
 * there (blocking, loss, DSCP re-marking) and remove them again. Everything is created by
 * `create()` and removed by `destroy()`, also after a failed or interrupted earlier run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { EndpointsSchema, type Endpoints } from '../../../backend/endpoints.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, runCli, type CliRun } from './run-cli.js';
import { waitForLine } from '../../support/wait-for-line.js';

export const NS = { client: 'cldiag-cli', nat: 'cldiag-nat', server: 'cldiag-srv' } as const;
export const ADDR = {
  client: '10.231.1.2',
  natInside: '10.231.1.1',
  natOutside: '10.231.2.1',
  media: '10.231.2.2',
  front: '10.231.2.3',
  /** Where the real backend stack listens, when a case starts it. */
  stack: '10.231.2.4',
  /** The real stack's media address: off loopback rtpengine's media (TURN's only peer) needs its own. */
  stackMedia: '10.231.2.5',
} as const;
/** The NAT router's interface toward the client (rules matching client → server traffic use it). */
export const NAT_INSIDE_IF = 'cldiag-n0';
const NAT_OUTSIDE_IF = 'cldiag-n1';
export const PORTS = { turn: 3478, turns: 443, reflector: 35050, api: 8000, wss: 443, proxy: 3128 } as const;
const TURN_SECRET = 'cldiag-turn-secret';
export const AGENT = { user: 'agent1', password: 'agent1-password' };
export const MASQUERADE = ['-t', 'nat', 'POSTROUTING', '-o', NAT_OUTSIDE_IF, '-j', 'MASQUERADE'];

export function sh(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}
export const inNs = (ns: string, cmd: string, ...args: string[]) => sh('ip', 'netns', 'exec', ns, cmd, ...args);

/** An iptables rule spec as [table args..., chain, match/target...]; the chain follows `-t T` if any. */
export type Rule = string[];
function iptables(ns: string, op: '-A' | '-I' | '-D', rule: Rule): void {
  const hasTable = rule[0] === '-t';
  const table = hasTable ? rule.slice(0, 2) : [];
  const [chain, ...spec] = hasTable ? rule.slice(2) : rule;
  inNs(ns, 'iptables', ...table, op, chain!, ...spec);
}

function namespaceExists(name: string): boolean {
  return sh('ip', 'netns', 'list')
    .split('\n')
    .some((l) => l.split(' ')[0] === name);
}

function removeNamespaces(): void {
  for (const ns of Object.values(NS)) {
    if (!namespaceExists(ns)) continue;
    // Processes a crashed earlier run left inside our own namespace.
    for (const pid of sh('ip', 'netns', 'pids', ns).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    sh('ip', 'netns', 'del', ns);
  }
}

export class Topology {
  private readonly children: ChildProcess[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'cldiag-'));
  /** The self-signed certificate coturn and the WSS front use; the CLI trusts it with --ca. */
  caPath = '';

  async create(): Promise<void> {
    removeNamespaces();
    for (const ns of Object.values(NS)) {
      sh('ip', 'netns', 'add', ns);
      inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    }
    sh('ip', 'link', 'add', 'cldiag-c0', 'netns', NS.client, 'type', 'veth', 'peer', 'name', NAT_INSIDE_IF, 'netns', NS.nat);
    sh('ip', 'link', 'add', NAT_OUTSIDE_IF, 'netns', NS.nat, 'type', 'veth', 'peer', 'name', 'cldiag-s0', 'netns', NS.server);
    inNs(NS.client, 'ip', 'addr', 'add', `${ADDR.client}/24`, 'dev', 'cldiag-c0');
    inNs(NS.nat, 'ip', 'addr', 'add', `${ADDR.natInside}/24`, 'dev', NAT_INSIDE_IF);
    inNs(NS.nat, 'ip', 'addr', 'add', `${ADDR.natOutside}/24`, 'dev', NAT_OUTSIDE_IF);
    inNs(NS.server, 'ip', 'addr', 'add', `${ADDR.media}/24`, 'dev', 'cldiag-s0');
    inNs(NS.server, 'ip', 'addr', 'add', `${ADDR.front}/24`, 'dev', 'cldiag-s0');
    inNs(NS.server, 'ip', 'addr', 'add', `${ADDR.stack}/24`, 'dev', 'cldiag-s0');
    inNs(NS.server, 'ip', 'addr', 'add', `${ADDR.stackMedia}/24`, 'dev', 'cldiag-s0');
    for (const [ns, dev] of [
      [NS.client, 'cldiag-c0'],
      [NS.nat, NAT_INSIDE_IF],
      [NS.nat, NAT_OUTSIDE_IF],
      [NS.server, 'cldiag-s0'],
    ] as const) {
      inNs(ns, 'ip', 'link', 'set', dev, 'up');
    }
    inNs(NS.client, 'ip', 'route', 'add', 'default', 'via', ADDR.natInside);
    inNs(NS.nat, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    iptables(NS.nat, '-A', MASQUERADE);
    await this.startServers();
  }

  private spawnIn(ns: string, cmd: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  private async startServers(): Promise<void> {
    const cert = join(this.dir, 'cert.pem');
    const key = join(this.dir, 'key.pem');
    sh(
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=cldiag test',
      '-addext',
      `subjectAltName=IP:${ADDR.media},IP:${ADDR.front}`,
      '-keyout',
      key,
      '-out',
      cert,
    );
    const coturn = this.spawnIn(NS.server, 'turnserver', [
      '-n',
      '--no-cli',
      '--simple-log',
      '--log-file',
      'stdout',
      '--listening-ip',
      ADDR.media,
      '--relay-ip',
      ADDR.media,
      '--listening-port',
      String(PORTS.turn),
      '--tls-listening-port',
      String(PORTS.turns),
      '--min-port',
      '49000',
      '--max-port',
      '49200',
      '--cert',
      cert,
      '--pkey',
      key,
      '--use-auth-secret',
      '--static-auth-secret',
      TURN_SECRET,
      '--realm',
      'clearline.test',
      '--pidfile',
      join(this.dir, 'turnserver.pid'),
    ]);
    const reflector = this.spawnIn(NS.server, process.execPath, [
      '--import',
      'tsx',
      'backend/reflector/main.ts',
      '--listen',
      ADDR.media,
      '--port',
      String(PORTS.reflector),
    ]);
    const clientConfig = {
      agent: { username: AGENT.user, displayName: 'Agent One' },
      sip: { wsUrl: `wss://${ADDR.front}:${PORTS.wss}/`, domain: 'clearline.test', registerExpiresSec: 300 },
      controlPlaneUrl: `https://${ADDR.front}:${PORTS.api}/`,
      numbers: {},
      diagnostics: { reflector: { host: ADDR.media, port: PORTS.reflector } },
    };
    const turnUris = [
      `turn:${ADDR.media}:${PORTS.turn}?transport=udp`,
      `turn:${ADDR.media}:${PORTS.turn}?transport=tcp`,
      `turns:${ADDR.media}:${PORTS.turns}?transport=tcp`,
    ];
    const provisioning = this.spawnIn(NS.server, process.execPath, [
      '--import',
      'tsx',
      'test/integration/diagnostics/provisioning-server.ts',
      '--listen',
      ADDR.front,
      '--api-port',
      String(PORTS.api),
      '--wss-port',
      String(PORTS.wss),
      '--proxy-port',
      String(PORTS.proxy),
      '--cert',
      cert,
      '--key',
      key,
      '--config-json',
      JSON.stringify(clientConfig),
      '--turn-secret',
      TURN_SECRET,
      '--turn-uris',
      JSON.stringify(turnUris),
    ]);
    await Promise.all([
      waitForLine(coturn, /relay .* initialization done|Total (General|auth) servers/, 'coturn', 15_000),
      waitForLine(reflector, /reflector ready/, 'reflector', 15_000),
      waitForLine(provisioning, /provisioning ready/, 'provisioning server', 15_000),
    ]);
    this.caPath = cert;
  }

  /**
   * The real backend stack (`npm run backend --demo`: agents to sign in with) inside the server namespace on ADDR.stack: Kamailio,
   * rtpengine, coturn, the control plane and the supervised reflector. Stopped by destroy().
   */
  async startRealStack(): Promise<Endpoints> {
    const stateDir = join(this.dir, 'stack');
    const backend = this.spawnIn(NS.server, process.execPath, [
      '--import',
      'tsx',
      'backend/cli.ts',
      '--state-dir',
      stateDir,
      '--listen',
      ADDR.stack,
      '--media-address',
      ADDR.stackMedia,
      '--demo',
    ]);
    await waitForLine(backend, /clearline backend ready/, 'backend stack', 60_000);
    return EndpointsSchema.parse(JSON.parse(readFileSync(join(stateDir, 'endpoints.json'), 'utf8')));
  }

  /** A tun device in `ns` held open by a child process, as a running VPN client holds its tunnel. */
  async holdTun(ns: string, name: string): Promise<void> {
    const holder = this.spawnIn(ns, process.execPath, ['--import', 'tsx', 'test/integration/diagnostics/hold-tun.ts', name]);
    await waitForLine(holder, /tun ready/, `tun ${name}`, 15_000);
  }

  /** Runs `fn` with the rules added in the namespace, and always removes them again. */
  async withRules<T>(ns: string, rules: Rule[], fn: () => Promise<T>): Promise<T> {
    const added: Rule[] = [];
    try {
      for (const r of rules) {
        iptables(ns, '-I', r);
        added.push(r);
      }
      return await fn();
    } finally {
      for (const r of added.reverse()) iptables(ns, '-D', r);
    }
  }

  /** Where the CLI keeps the last configuration that worked (its host checks read it when the control plane is cut off). */
  get lastConfigPath(): string {
    return join(this.dir, 'diag-last-config.json');
  }

  /** `npm run diag -- --json` inside the client namespace, signed in to the stand-in control plane. */
  runCli(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<CliRun> {
    const args = [
      '--config',
      `https://${ADDR.front}:${PORTS.api}`,
      '--user',
      AGENT.user,
      '--password',
      AGENT.password,
      '--ca',
      this.caPath,
      '--last-config',
      this.lastConfigPath,
    ];
    return runCli([...args, ...extraArgs], { netns: NS.client, env });
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill('SIGKILL'), 12_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    removeNamespaces();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
