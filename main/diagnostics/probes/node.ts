/**
 * Probes for plain Node (the CLI, tests; the Electron main process reuses them and overrides
 * `resolveProxy` with Chromium's resolver).
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import { promisify } from 'node:util';
import { rejectAfter } from '../../../common/timeout.js';
import { envHasProxy, proxyFromEnv } from '../proxy.js';
import { parseScutilProxy, parseWindowsInternetSettings, proxyFromSystem, type SystemProxySettings } from '../system-proxy.js';
import type { Probes } from '../types.js';
import type { AdapterAddress } from '../vpn.js';
import { connectSocket, openDatagram, streamChannel } from './node-channels.js';
import { webSocketHandshake } from './websocket-handshake.js';

const run = promisify(execFile);
const COMMAND_TIMEOUT_MS = 3000;

export interface NodeProbeOptions {
  /** Extra trusted CA (PEM) for TLS checks: a private PKI or a test CA. */
  ca?: string | Buffer;
  /** Environment read for proxy settings (default: process.env). */
  env?: Record<string, string | undefined>;
}

async function egressSource(address: string, port: number): Promise<string> {
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  try {
    // connect() on UDP only asks the kernel for a route and binds the source; nothing is sent.
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, address, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}

async function route(address: string): Promise<{ device: string; gateway: string | null } | null> {
  if (process.platform === 'linux') {
    const { stdout } = await run('ip', ['-j', 'route', 'get', address], { timeout: COMMAND_TIMEOUT_MS });
    const r = (JSON.parse(stdout) as { dev?: string; gateway?: string }[])[0];
    return r?.dev ? { device: r.dev, gateway: r.gateway ?? null } : null;
  }
  if (process.platform === 'darwin') {
    const { stdout } = await run('route', ['-n', 'get', address], { timeout: COMMAND_TIMEOUT_MS });
    const device = /interface:\s*(\S+)/.exec(stdout)?.[1];
    return device ? { device, gateway: /gateway:\s*(\S+)/.exec(stdout)?.[1] ?? null } : null;
  }
  if (process.platform === 'win32') {
    const { stdout } = await run(
      'powershell.exe',
      [
        '-NoProfile',
        '-Command',
        `Find-NetRoute -RemoteIPAddress ${address} | Select-Object -First 1 InterfaceAlias,NextHop | ConvertTo-Json`,
      ],
      { timeout: COMMAND_TIMEOUT_MS * 2 },
    );
    const r = JSON.parse(stdout) as { InterfaceAlias?: string; NextHop?: string };
    return r.InterfaceAlias ? { device: r.InterfaceAlias, gateway: r.NextHop && r.NextHop !== '0.0.0.0' ? r.NextHop : null } : null;
  }
  return null;
}

/** Windows adapter descriptions (where VPN vendors show), by adapter name; empty elsewhere. */
async function adapterDescriptions(): Promise<Map<string, string>> {
  if (process.platform !== 'win32') return new Map();
  const si = await import('systeminformation');
  const list = await rejectAfter(si.networkInterfaces(), COMMAND_TIMEOUT_MS * 2, 'adapter list timed out').catch(() => []);
  return new Map([list].flat().map((i) => [i.iface, i.ifaceName]));
}

async function adapters(): Promise<AdapterAddress[]> {
  const descriptions = await adapterDescriptions();
  return Object.entries(os.networkInterfaces()).flatMap(([name, addrs]) =>
    (addrs ?? []).map((a) => ({
      name,
      description: descriptions.get(name) ?? null,
      address: a.address,
      family: a.family,
      cidr: a.cidr,
      internal: a.internal,
    })),
  );
}

async function qosPolicy(): Promise<{ present: boolean; detail: string } | null> {
  if (process.platform !== 'win32') return null;
  const exe = process.execPath.split('\\').pop() ?? '';
  const { stdout } = await run(
    'powershell.exe',
    [
      '-NoProfile',
      '-Command',
      'Get-NetQosPolicy -PolicyStore ActiveStore | Select-Object Name,AppPathNameMatchCondition,DSCPAction | ConvertTo-Json',
    ],
    { timeout: COMMAND_TIMEOUT_MS * 2 },
  );
  const list = [JSON.parse(stdout || '[]')].flat() as { Name: string; AppPathNameMatchCondition?: string; DSCPAction?: number }[];
  const mine = list.find((p) => p.AppPathNameMatchCondition?.toLowerCase() === exe.toLowerCase() && p.DSCPAction === 46);
  return {
    present: !!mine,
    detail: mine ? `policy "${mine.Name}" marks ${exe} with DSCP 46` : `no active QoS policy marks ${exe} with DSCP 46`,
  };
}

async function systemProxySettings(): Promise<SystemProxySettings | null> {
  if (process.platform === 'win32') {
    const key = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';
    const { stdout } = await run('reg', ['query', key], { timeout: COMMAND_TIMEOUT_MS });
    return parseWindowsInternetSettings(stdout);
  }
  if (process.platform === 'darwin') {
    const { stdout } = await run('scutil', ['--proxy'], { timeout: COMMAND_TIMEOUT_MS });
    return parseScutilProxy(stdout);
  }
  return null; // Linux desktops: the environment is the convention tools follow
}

/** Environment first (as curl and most CLIs), then the OS settings. */
async function resolveProxy(url: string, env: Record<string, string | undefined>): Promise<string> {
  if (envHasProxy(env)) return proxyFromEnv(url, env);
  const settings = await systemProxySettings().catch(() => null);
  return settings ? proxyFromSystem(url, settings) : 'DIRECT';
}

export function defaultProbes(options: NodeProbeOptions = {}): Probes {
  const now = () => performance.timeOrigin + performance.now();
  return {
    platform: process.platform,
    now,
    lookup: async (host) => (await lookup(host, { all: true, family: 4 })).map((a) => a.address),
    adapters,
    egressSource,
    route,
    openDatagram: () => openDatagram(now),
    openStream: async (host, port, tls) => streamChannel((await connectSocket(host, port, tls, options.ca)).socket),
    async connect(host, port, tls) {
      const { socket, connectMs, tlsMs } = await connectSocket(host, port, tls, options.ca);
      socket.destroy();
      return { connectMs, tlsMs };
    },
    webSocketHandshake: (url, protocol, proxy) => webSocketHandshake(url, protocol, proxy, options.ca),
    resolveProxy: (url) => resolveProxy(url, options.env ?? process.env),
    qosPolicy,
  };
}
