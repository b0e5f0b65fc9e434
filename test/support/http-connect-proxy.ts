/**
 * A real HTTP proxy as an enterprise runs one (Debian's tinyproxy): it serves one client address,
 * tunnels (CONNECT) to port 443 only, and only to an allow-list of hosts (here the stack's
 * addresses, so nothing a test browser asks for leaves the machine). `log()` reads back what it
 * was asked and what it refused, so a test can show what went through it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const TINYPROXY_PATH = '/usr/bin/tinyproxy';

export class HttpConnectProxy {
  private constructor(
    readonly host: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly logFile: string,
  ) {}

  /** Where Chromium's --proxy-server points. */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  static async start(o: {
    host: string;
    port: number;
    allowClient: string;
    allowHosts: readonly string[];
    dir: string;
  }): Promise<HttpConnectProxy> {
    if (!existsSync(TINYPROXY_PATH))
      throw new Error(`${TINYPROXY_PATH} is missing: apt-get install tinyproxy (build/setup/ensure-deps.sh)`);
    const logFile = join(o.dir, 'tinyproxy.log');
    const conf = join(o.dir, 'tinyproxy.conf');
    const filter = join(o.dir, 'tinyproxy.allow');
    writeFileSync(filter, o.allowHosts.map((h) => `${h}\n`).join(''));
    writeFileSync(
      conf,
      [
        `Port ${o.port}`,
        `Listen ${o.host}`,
        'Timeout 600',
        `LogFile "${logFile}"`,
        'LogLevel Info',
        `PidFile "${join(o.dir, 'tinyproxy.pid')}"`,
        'MaxClients 50',
        `Allow ${o.allowClient}`,
        // The enterprise rule: tunnels to 443 only.
        'ConnectPort 443',
        `Filter "${filter}"`,
        'FilterType fnmatch',
        'FilterDefaultDeny Yes',
        'DisableViaHeader Yes',
        '',
      ].join('\n'),
    );
    writeFileSync(logFile, '');
    const child = spawn(TINYPROXY_PATH, ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const proxy = new HttpConnectProxy(o.host, o.port, child, logFile);
    const deadline = Date.now() + 10_000;
    while (!(await accepts(o.host, o.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await proxy.stop();
        throw new Error(`tinyproxy did not listen on ${o.host}:${o.port} within 10 s: ${stderr.slice(-1000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return proxy;
  }

  /**
   * From the proxy's log: every `host:port` a client asked to CONNECT to (in order), the ports it
   * refused by the ConnectPort rule, and the hosts its allow-list refused. (tinyproxy logs
   * connections interleaved, so a refusal is not tied to one request.)
   */
  log(): { asked: string[]; refusedPorts: number[]; refusedHosts: string[] } {
    const text = readFileSync(this.logFile, 'utf8');
    return {
      asked: [...text.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((m) => m[1]!),
      refusedPorts: [...text.matchAll(/Refused CONNECT method on port (\d+)/g)].map((m) => Number(m[1])),
      refusedHosts: [...text.matchAll(/Proxying refused on filtered domain "([^"]+)"/g)].map((m) => m[1]!),
    };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 500 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}
