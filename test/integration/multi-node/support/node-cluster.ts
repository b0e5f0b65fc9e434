/**
 * N backend nodes, each in a network namespace of its own (its own host), on one bridge with the
 * test's root namespace, sharing one PostgreSQL (in the root namespace, on the bridge):
 *
 *   root ns: bridge clmn-br 10.213.{1,2,3}.1  ── PostgreSQL 10.213.3.1, Chromium (the agent)
 *     │
 *     ├── clmn-n1: listen 10.213.1.11  media 10.213.2.11  management 10.213.3.11
 *     └── clmn-n2: listen 10.213.1.12  media 10.213.2.12  management 10.213.3.12
 *
 * Each node is `npm run backend` (backend/cli.ts) started inside its namespace with --peer-* flags
 * naming every other node: Kamailio (DMQ to the others' management addresses), rtpengine (one
 * set spanning all nodes), coturn, the control plane and, with --demo, the simulated carrier as
 * that node's trunk. All nodes share secrets.json (nonce, TURN and internal secrets, demo
 * passwords) and one server certificate naming every node, as an operator's nodes would.
 *
 * `loseEngine` takes one engine of a node away for good: its ports are dropped inside the node's
 * namespace (as if that host had fallen off the network) and its process group is SIGKILLed; the
 * node's supervisor restarts it, as it would on a real host, but nobody can reach it. `destroy()`
 * removes everything, also after a crash of an earlier run (leftover namespaces and bridge of
 * this prefix are removed first; the firewall rules live and die with the namespaces).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointsSchema, type Endpoints } from '../../../../backend/endpoints.js';
import { portsFor } from '../../../../backend/ports.js';
import { ensureLocalPki } from '../../../../backend/pki.js';
import { REPO_ROOT } from '../../../../backend/stack.js';
import { PrivatePostgres } from '../../backend/support/private-postgres.js';
import { waitForLine } from '../../../support/wait-for-line.js';

const BRIDGE = 'clmn-br';
const NS_PREFIX = 'clmn-n';
const NETS = { listen: '10.213.1', media: '10.213.2', management: '10.213.3' } as const;
/** The root namespace's own address on each network (the agent's side; the database's). */
export const ROOT_ADDRESS = { listen: `${NETS.listen}.1`, management: `${NETS.management}.1` } as const;

export interface ClusterNode {
  readonly index: number;
  readonly ns: string;
  readonly listen: string;
  readonly media: string;
  readonly management: string;
  readonly stateDir: string;
  readonly endpoints: Endpoints;
  /** The node's `npm run backend` process (its supervisor). */
  readonly supervisor: ChildProcess;
}

const sh = (cmd: string, ...args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
const inNs = (ns: string, ...args: string[]) => sh('ip', 'netns', 'exec', ns, ...args);

/** Why this machine cannot build the topology, or null when it can. */
export function clusterUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root: network namespaces, veths and a bridge (run the suite as root)';
  return null;
}

function ourNamespaces(): string[] {
  return sh('ip', 'netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(NS_PREFIX));
}

/** Removes namespaces (killing what runs inside: only our own namespaces) and the bridge of this prefix. */
function removeTopology(): void {
  for (const ns of ourNamespaces()) {
    // Our DROP rules (loseEngine) would keep the killed engines' orphaned TCP sockets retrying
    // their FIN for minutes, and with them the namespace and its veth.
    try {
      inNs(ns, 'iptables', '-w', '-F', 'INPUT');
    } catch {
      /* no rules */
    }
    for (const pid of sh('ip', 'netns', 'pids', ns).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    sh('ip', 'netns', 'del', ns);
  }
  try {
    sh('ip', 'link', 'del', BRIDGE);
  } catch {
    /* not there */
  }
  // The kernel tears a deleted namespace (and the veth pair it held) down asynchronously, and
  // not at all while a socket inside still holds it: delete our veths from the root side (that
  // removes both ends), so a new run never races with the old ones.
  for (const link of ourRootLinks()) {
    try {
      sh('ip', 'link', 'del', link);
    } catch {
      /* went away meanwhile */
    }
  }
}

function ourRootLinks(): string[] {
  return sh('ip', '-br', 'link')
    .split('\n')
    .map((l) => (l.split(/\s+/)[0] ?? '').split('@')[0]!)
    .filter((n) => n.startsWith(NS_PREFIX));
}

export class NodeCluster {
  readonly nodes: ClusterNode[] = [];
  /** The one certificate every node serves (names every node's listen address). */
  certFile = '';
  caFile = '';
  private constructor(
    readonly dir: string,
    readonly portBase: number,
    private readonly pg: PrivatePostgres,
  ) {}

  /**
   * Builds `count` namespaces on the bridge and a PostgreSQL on the management network (port
   * `pgPort` in the root namespace), then starts the nodes one after another (the first creates
   * the schema and the secrets the others copy).
   */
  static async create(count: number, portBase: number, pgPort: number): Promise<NodeCluster> {
    removeTopology();
    let pg: PrivatePostgres;
    try {
      sh('ip', 'link', 'add', BRIDGE, 'type', 'bridge');
      for (const net of Object.values(NETS)) sh('ip', 'addr', 'add', `${net}.1/24`, 'dev', BRIDGE);
      sh('ip', 'link', 'set', BRIDGE, 'up');
      for (let i = 1; i <= count; i++) {
        const ns = `${NS_PREFIX}${i}`;
        sh('ip', 'netns', 'add', ns);
        sh('ip', 'link', 'add', `${ns}r`, 'type', 'veth', 'peer', 'name', `${ns}h`, 'netns', ns);
        sh('ip', 'link', 'set', `${ns}r`, 'master', BRIDGE);
        sh('ip', 'link', 'set', `${ns}r`, 'up');
        for (const net of Object.values(NETS)) inNs(ns, 'ip', 'addr', 'add', `${net}.${10 + i}/24`, 'dev', `${ns}h`);
        inNs(ns, 'ip', 'link', 'set', `${ns}h`, 'up');
        inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
      }
      pg = PrivatePostgres.create(pgPort, { listen: `${NETS.management}.1`, trustNet: `${NETS.management}.0/24` });
    } catch (error) {
      removeTopology();
      throw error;
    }
    const cluster = new NodeCluster(mkdtempSync(join(tmpdir(), 'clearline-multinode-')), portBase, pg);
    try {
      const addresses = Array.from({ length: count }, (_, k) => `${NETS.listen}.${11 + k}`);
      const pki = await ensureLocalPki(join(cluster.dir, 'pki'), addresses[0]!, addresses.slice(1));
      cluster.certFile = pki.certFile;
      cluster.caFile = pki.caCertFile;
      for (let i = 1; i <= count; i++) cluster.nodes.push(await cluster.startNode(i, count));
      // Start order: a Kamailio that pinged a peer rtpengine before it ran holds an ICMP "port
      // unreachable" on that socket, and its first command there fails ("can't send command").
      // Operators start every rtpengine first (backend/README.md); here the nodes that came up
      // before their peers get their Kamailio restarted by their supervisor.
      for (const node of cluster.nodes.slice(0, -1)) await cluster.restartKamailio(node);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  private async startNode(index: number, count: number): Promise<ClusterNode> {
    const ports = portsFor(this.portBase);
    const at = (net: string, i: number) => `${net}.${10 + i}`;
    const others = Array.from({ length: count }, (_, k) => k + 1).filter((k) => k !== index);
    const stateDir = join(this.dir, `node${index}`);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // One deployment, one set of secrets: the first node made them, the others get a copy.
    if (this.nodes[0]) copyFileSync(join(this.nodes[0].stateDir, 'secrets.json'), join(stateDir, 'secrets.json'));
    const ns = `${NS_PREFIX}${index}`;
    const listen = at(NETS.listen, index);
    const args = [
      '--import',
      'tsx',
      'backend/cli.ts',
      '--state-dir',
      stateDir,
      '--port-base',
      String(this.portBase),
      '--listen',
      listen,
      '--media-address',
      at(NETS.media, index),
      '--management-address',
      at(NETS.management, index),
      '--demo',
      '--db',
      this.pg.url,
      '--tls-cert',
      this.certFile,
      '--tls-key',
      this.certFile.replace(/\.crt$/, '.key'),
      ...others.flatMap((k) => [
        '--peer-kamailio',
        at(NETS.management, k),
        '--peer-rtpengine',
        `${at(NETS.management, k)}:${ports.rtpengineNg}`,
        '--peer-media-address',
        at(NETS.media, k),
        '--peer-sip-url',
        `wss://${at(NETS.listen, k)}:${ports.sipWss}`,
        '--peer-turn-uri',
        `turn:${at(NETS.listen, k)}:${ports.turn}?transport=udp`,
        // The web softphone is served by whichever node the agent signed in at.
        '--cors-origin',
        `https://${at(NETS.listen, k)}:${ports.controlPlane}`,
      ]),
    ];
    const supervisor = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(supervisor, /clearline backend ready/, `node ${index}`, 90_000);
    const endpoints = EndpointsSchema.parse(JSON.parse(readFileSync(join(stateDir, 'endpoints.json'), 'utf8')));
    return { index, ns, listen, media: at(NETS.media, index), management: at(NETS.management, index), stateDir, endpoints, supervisor };
  }

  /**
   * Loses one engine of `node`: first every port it serves is dropped on the node's INPUT chain
   * (agents, peers and the node's own Kamailio then get no answer, as from a dead host), then the
   * process group the supervisor started (workers included) gets SIGKILL, which closes its open
   * connections. Returns the pid it killed.
   */
  loseEngine(node: ClusterNode, engine: 'kamailio' | 'rtpengine' | 'coturn'): number {
    const p = portsFor(this.portBase);
    const drops: Array<[proto: 'udp' | 'tcp', port: string]> = {
      kamailio: [
        ['udp', String(p.sipUdp)],
        ['tcp', String(p.sipWs)],
        ['tcp', String(p.sipWss)],
        ['udp', String(p.kamailioDmq)],
      ] as Array<['udp' | 'tcp', string]>,
      rtpengine: [
        ['udp', String(p.rtpengineNg)],
        ['udp', `${p.rtpengineMediaMin}:${p.rtpengineMediaMax}`],
      ] as Array<['udp' | 'tcp', string]>,
      coturn: [
        ['udp', String(p.turn)],
        ['tcp', String(p.turn)],
        ['tcp', String(p.turns)],
      ] as Array<['udp' | 'tcp', string]>,
    }[engine];
    for (const [proto, port] of drops) inNs(node.ns, 'iptables', '-w', '-I', 'INPUT', '-p', proto, '--dport', port, '-j', 'DROP');
    const leader = this.engineLeader(node, engine === 'coturn' ? 'turnserver' : engine);
    process.kill(-leader, 'SIGKILL');
    return leader;
  }

  /** SIGKILLs the node's Kamailio and waits until the supervisor's restart answers on its control socket. */
  private async restartKamailio(node: ClusterNode): Promise<void> {
    const old = this.engineLeader(node, 'kamailio');
    process.kill(-old, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      try {
        if (this.engineLeader(node, 'kamailio') !== old && /\d/.test(this.kamcmd(node, 'core.uptime'))) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline)
        throw new Error(`node ${node.index}: Kamailio did not come back after a restart\n${this.logTail(node, 'kamailio')}`);
    }
  }

  /** The engine's group leader: the process the supervisor spawned (its pid is its group id). */
  private engineLeader(node: ClusterNode, comm: string): number {
    const pids = sh('ip', 'netns', 'pids', node.ns).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        if (name === comm && pgrp === pid) return pid;
      } catch {
        /* exited meanwhile */
      }
    }
    throw new Error(`no ${comm} process group in ${node.ns}`);
  }

  /** `kamcmd` against the node's Kamailio control socket (a unix socket in its state dir). */
  kamcmd(node: ClusterNode, ...args: string[]): string {
    return sh('kamcmd', '-s', `unix:${join(node.stateDir, 'run', 'kamailio_ctl')}`, ...args);
  }

  /** The last lines of a component's log on `node`, for failure messages. */
  logTail(node: ClusterNode, component: string, lines = 40): string {
    try {
      return readFileSync(join(node.stateDir, 'logs', `${component}.log`), 'utf8')
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return `(no ${component}.log; logs: ${readdirSync(join(node.stateDir, 'logs')).join(', ')})`;
    }
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            const c = n.supervisor;
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
    try {
      removeTopology();
    } finally {
      this.pg.dispose();
      if (!process.env.CLEARLINE_KEEP_E2E) rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
