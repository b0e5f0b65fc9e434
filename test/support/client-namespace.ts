/**
 * A client network namespace joined to the root namespace by one veth pair: the root end carries
 * the stack's addresses (`addTestAddresses`), the namespace end the client's single address. The
 * namespace's own firewall decides what the client may reach: `allowOnlyTcpEgress` sets its
 * OUTPUT and INPUT policies to DROP and lets out only new TCP connections to the listed
 * destinations (and their replies). No UDP, no DNS, no IPv6 — the locked-down office network of
 * issue 10, where TCP 443 (or one proxy) is all there is. Everything lives in the namespace or on
 * the pair; `remove()` deletes both, also after a crashed earlier run of the same name.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { addTestAddresses, type TestAddresses } from '../integration/security/support/test-addresses.js';

export interface TcpDestination {
  readonly host: string;
  readonly port: number;
}

const run = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });

export class ClientNamespace {
  private constructor(
    /** Namespace name, also the prefix of everything it owns. */
    readonly name: string,
    /** The client's address inside the namespace. */
    readonly address: string,
    private readonly pair: TestAddresses,
  ) {}

  /**
   * `name` (<= 12 characters) names the namespace and the veth pair `<name>0` (root end, with
   * `stackAddresses`) / `<name>1` (namespace end, with `clientAddress`). Needs root.
   */
  static create(name: string, clientAddress: string, stackAddresses: readonly string[]): ClientNamespace {
    ClientNamespace.removeLeftover(name);
    const pair = addTestAddresses(name, stackAddresses);
    const ns = new ClientNamespace(name, clientAddress, pair);
    try {
      run('ip', 'netns', 'add', name);
      run('ip', 'link', 'set', `${name}1`, 'netns', name);
      ns.exec('ip', 'link', 'set', 'lo', 'up');
      ns.exec('ip', 'addr', 'add', `${clientAddress}/32`, 'dev', `${name}1`);
      ns.exec('ip', 'link', 'set', `${name}1`, 'up');
      for (const a of stackAddresses) ns.exec('ip', 'route', 'add', `${a}/32`, 'dev', `${name}1`);
      // The way back: only this one address, only over our own pair.
      run('ip', 'route', 'add', `${clientAddress}/32`, 'dev', `${name}0`);
    } catch (err) {
      ns.remove();
      throw new Error(`cannot build client namespace ${name} (needs root): ${(err as Error).message}`);
    }
    return ns;
  }

  private static removeLeftover(name: string): void {
    if (
      !run('ip', 'netns', 'list')
        .split('\n')
        .some((l) => l.split(' ')[0] === name)
    )
      return;
    // Processes a crashed earlier run left inside our own namespace.
    for (const pid of run('ip', 'netns', 'pids', name).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    run('ip', 'netns', 'del', name);
  }

  /** Runs a program inside the namespace and returns its stdout. */
  exec(cmd: string, ...args: string[]): string {
    return run('ip', 'netns', 'exec', this.name, cmd, ...args);
  }

  /** A script that starts `program` inside the namespace with the arguments it is given (a Chromium launcher). */
  launcher(file: string, program: string): string {
    writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${this.name} ${program} "$@"\n`, { mode: 0o755 });
    return file;
  }

  /**
   * The namespace may open TCP connections to `destinations` only; everything else it sends is
   * dropped (UDP counted by a rule of its own), and it accepts nothing but replies on those
   * connections — so a reply to an inbound UDP check cannot leak out either. Replaces earlier rules.
   */
  allowOnlyTcpEgress(destinations: readonly TcpDestination[]): void {
    for (const [cmd, chains] of [
      ['iptables', ['OUTPUT', 'INPUT']],
      ['ip6tables', ['OUTPUT', 'INPUT']],
    ] as const) {
      for (const chain of chains) {
        this.exec(cmd, '-F', chain);
        this.exec(cmd, '-P', chain, 'DROP');
        this.exec(cmd, '-A', chain, chain === 'OUTPUT' ? '-o' : '-i', 'lo', '-j', 'ACCEPT');
      }
    }
    this.exec('iptables', '-A', 'INPUT', '-p', 'tcp', '-m', 'conntrack', '--ctstate', 'ESTABLISHED', '-j', 'ACCEPT');
    this.exec('iptables', '-A', 'OUTPUT', '-p', 'tcp', '-m', 'conntrack', '--ctstate', 'ESTABLISHED', '-j', 'ACCEPT');
    for (const d of destinations) {
      this.exec(
        'iptables',
        '-A',
        'OUTPUT',
        '-p',
        'tcp',
        '-d',
        d.host,
        '--dport',
        String(d.port),
        '-m',
        'conntrack',
        '--ctstate',
        'NEW',
        '-j',
        'ACCEPT',
      );
    }
    this.exec('iptables', '-A', 'OUTPUT', '-p', 'udp', '-j', 'DROP');
  }

  /** Packets refused so far: UDP by its own rule, everything else by the OUTPUT policy. */
  droppedEgress(): { udp: number; other: number } {
    const text = this.exec('iptables', '-L', 'OUTPUT', '-n', '-v', '-x');
    const policy = /policy DROP (\d+) packets/.exec(text);
    // Columns: pkts bytes target prot …; iptables-nft prints the protocol as its number (17).
    const udpRule = text
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[2] === 'DROP' && (f[3] === 'udp' || f[3] === '17'));
    return { udp: Number(udpRule?.[0] ?? 0), other: Number(policy?.[1] ?? 0) };
  }

  /** Zeroes the counters droppedEgress reads. */
  resetCounters(): void {
    this.exec('iptables', '-Z', 'OUTPUT');
  }

  remove(): void {
    try {
      ClientNamespace.removeLeftover(this.name);
    } finally {
      this.pair.remove();
    }
  }
}
