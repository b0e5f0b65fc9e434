/**
 * The whole backend on one machine: generates every configuration into the state dir, starts and
 * supervises Kamailio, rtpengine, coturn, the control plane, the simulated carrier and the
 * diagnostics reflector, and writes DIR/endpoints.json once all are ready.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT_BASE, portsFor, type PortMap } from './ports.js';
import { EndpointsSchema, type Endpoints } from './endpoints.js';
import { renderKamailioConfig, renderKamailioTlsConfig } from './config/kamailio.js';
import { renderCoturnConfig } from './config/coturn.js';
import { rtpengineArgs, rtpengineSocket } from './config/rtpengine.js';
import { ensureLocalPki } from './pki.js';
import { loadOrCreateSecrets } from './state.js';
import { assertListenAddress, assertPortsFree, ensureSystemPackages } from './preflight.js';
import { Supervisor } from './supervisor/supervisor.js';
import type { ChildSpec } from './supervisor/child.js';
import { rtpengineNgProbe, sipOptionsProbe, stunBindingProbe, tcpOpenProbe } from './supervisor/probes.js';
import { turnUris } from './control-plane/turn-rest.js';
import type { ControlPlaneConfig } from './control-plane/config.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const NUMBERS = {
  echo: '5550100',
  tone: '5550101',
  record: '5550102',
  busy: '5550103',
  noAnswer: '5550104',
} as const;

/** Digest realm: fixed, so stored HA1 values stay valid whatever --listen says. */
export const SIP_REALM = 'clearline';

export interface StackOptions {
  readonly stateDir: string;
  readonly portBase?: number;
  /** Address every component listens on and advertises (default 127.0.0.1). */
  readonly listen?: string;
  /** Certificate + key for WSS toward agents (PEM files). Both or neither. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** Control plane database; default sqlite in the state dir. */
  readonly dbUrl?: string;
  readonly turnTtlSec?: number;
  /** rtpengine instances behind Kamailio (1-10): each its own ng port and share of the media range. */
  readonly rtpengineInstances?: number;
  /** Extra browser origins allowed to call the API (the web softphone's own origin always is). */
  readonly corsOrigins?: readonly string[];
  /** Progress lines (default: stderr with a `[backend]` prefix). */
  readonly log?: (line: string) => void;
  /** Called if the stack had to stop itself after start (a component cannot be kept running). */
  readonly onFatal?: (error: Error) => void;
}

export interface RunningStack {
  readonly endpoints: Endpoints;
  readonly endpointsFile: string;
  readonly stateDir: string;
  readonly logDir: string;
  readonly ports: PortMap;
  /** Pid of each component's process (group leader), by name. */
  pids(): Record<string, number>;
  /** Stops every component (SIGTERM, then SIGKILL); resolves when none is left. */
  stop(): Promise<void>;
}

interface ResolvedOptions {
  readonly stateDir: string;
  readonly portBase: number;
  readonly listen: string;
  readonly ports: PortMap;
  readonly tls: { cert: string; key: string } | null;
  readonly dbUrl: string;
  readonly turnTtlSec: number;
  readonly rtpengines: ReadonlyArray<{ name: string; ngPort: number; portMin: number; portMax: number }>;
}

/** Splits the rtpengine media range evenly; ng ports follow rtpengineNg (offsets 30-39 are free). */
export function rtpengineInstances(ports: PortMap, count: number): ResolvedOptions['rtpengines'] {
  if (!Number.isInteger(count) || count < 1 || count > 10) throw new Error(`--rtpengine-instances must be an integer from 1 to 10 (got ${count})`);
  const share = Math.floor((ports.rtpengineMediaMax - ports.rtpengineMediaMin + 1) / count);
  return Array.from({ length: count }, (_, i) => ({
    name: i === 0 ? 'rtpengine' : `rtpengine-${i + 1}`,
    ngPort: ports.rtpengineNg + i,
    portMin: ports.rtpengineMediaMin + i * share,
    portMax: ports.rtpengineMediaMin + (i + 1) * share - 1,
  }));
}

/** Validates options; every error names the option at fault. */
export function resolveStackOptions(opts: StackOptions): ResolvedOptions {
  if (!opts.stateDir) throw new Error('--state-dir DIR is required');
  const stateDir = resolve(opts.stateDir);
  const listen = opts.listen ?? '127.0.0.1';
  if (isIP(listen) !== 4) throw new Error(`--listen must be an IPv4 address (got "${listen}")`);
  const portBase = opts.portBase ?? DEFAULT_PORT_BASE;
  const ports = portsFor(portBase);
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key must be given together (WSS needs both)');
  }
  let tls: ResolvedOptions['tls'] = null;
  if (opts.tlsCert && opts.tlsKey) {
    for (const [flag, file] of [['--tls-cert', opts.tlsCert], ['--tls-key', opts.tlsKey]] as const) {
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new Error(`${flag} ${file}: file does not exist or is not readable`);
      }
    }
    tls = { cert: resolve(opts.tlsCert), key: resolve(opts.tlsKey) };
  }
  const turnTtlSec = opts.turnTtlSec ?? 3600;
  if (!Number.isInteger(turnTtlSec) || turnTtlSec < 60 || turnTtlSec > 86400) {
    throw new Error(`--turn-ttl must be an integer number of seconds between 60 and 86400 (got ${turnTtlSec})`);
  }
  const dbUrl = opts.dbUrl ?? `sqlite://${join(stateDir, 'clearline.db')}`;
  if (!/^(sqlite:\/\/\/|postgres(ql)?:\/\/)/.test(dbUrl)) {
    throw new Error('--db must be sqlite:///absolute/path.db or postgres://user:pass@host:port/db');
  }
  const rtpengines = rtpengineInstances(ports, opts.rtpengineInstances ?? 1);
  return { stateDir, portBase, listen, ports, tls, dbUrl, turnTtlSec, rtpengines };
}

const TSX_ARGS = ['--import', 'tsx'];

export async function startStack(opts: StackOptions): Promise<RunningStack> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[backend] ${line}\n`));
  const o = resolveStackOptions(opts);
  const { ports, listen, stateDir } = o;
  ensureSystemPackages(REPO_ROOT, log);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  await assertListenAddress(listen);
  const extraNgPorts = o.rtpengines.slice(1).map((r) => ({ name: `${r.name} ng`, proto: 'udp' as const, port: r.ngPort }));
  await assertPortsFree(ports, o.portBase, listen, extraNgPorts);

  const logDir = join(stateDir, 'logs');
  const runDir = join(stateDir, 'run');
  const confDir = join(stateDir, 'config');
  for (const d of [logDir, runDir, confDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const endpointsFile = join(stateDir, 'endpoints.json');
  rmSync(endpointsFile, { force: true });

  const secrets = loadOrCreateSecrets(stateDir);
  const pki = await ensureLocalPki(join(stateDir, 'pki'), listen);
  const wsUrl = `ws://${listen}:${ports.sipWs}`;
  const wssUrl = o.tls ? `wss://${listen}:${ports.sipWss}` : undefined;
  const controlPlaneUrl = `http://${listen}:${ports.controlPlane}`;
  const uris = turnUris(listen, ports.turn, ports.turns);
  const carrierMain = join(REPO_ROOT, 'backend/carrier/main.ts');
  const reflectorMain = join(REPO_ROOT, 'backend/reflector/main.ts');
  const hasCarrier = existsSync(carrierMain);
  const hasReflector = existsSync(reflectorMain);

  // --- configuration files -------------------------------------------------------------------
  const cpConfigFile = join(confDir, 'control-plane.json');
  const cpConfig: ControlPlaneConfig = {
    listen,
    port: ports.controlPlane,
    dbUrl: o.dbUrl,
    realm: SIP_REALM,
    adminToken: secrets.adminToken,
    internalToken: secrets.internalToken,
    turn: { secret: secrets.turnSecret, ttlSec: o.turnTtlSec, uris },
    client: {
      wsUrl: wssUrl ?? wsUrl,
      domain: listen,
      registerExpiresSec: 300,
      numbers: { ...NUMBERS },
      ...(hasReflector ? { reflector: { host: listen, port: ports.reflector } } : {}),
    },
    publicUrl: controlPlaneUrl,
    wsUrls: [wsUrl, ...(wssUrl ? [wssUrl] : [])],
    corsOrigins: [controlPlaneUrl, ...(opts.corsOrigins ?? [])],
    webRoot: join(REPO_ROOT, 'dist/renderer'),
    demoAgents: secrets.demoAgents,
  };
  writeFileSync(cpConfigFile, JSON.stringify(cpConfig, null, 2), { mode: 0o600 });

  const kamailioCfg = join(confDir, 'kamailio.cfg');
  const kamailioTlsCfg = join(confDir, 'kamailio-tls.cfg');
  if (o.tls) writeFileSync(kamailioTlsCfg, renderKamailioTlsConfig({ certFile: o.tls.cert, keyFile: o.tls.key }), { mode: 0o600 });
  writeFileSync(
    kamailioCfg,
    renderKamailioConfig({
      listen,
      sipUdpPort: ports.sipUdp,
      sipWsPort: ports.sipWs,
      ...(o.tls ? { wss: { port: ports.sipWss, tlsConfigFile: kamailioTlsCfg } } : {}),
      realm: SIP_REALM,
      dbUrl: o.dbUrl,
      rtpengineSockets: o.rtpengines.map((r) => rtpengineSocket(listen, r.ngPort)),
      trunk: hasCarrier ? { address: listen, port: ports.carrierSip } : null,
      auditUrl: `${controlPlaneUrl}/internal/sip-events`,
      auditToken: secrets.internalToken,
      nonceSecret: secrets.nonceSecret,
    }),
    { mode: 0o600 },
  );

  const coturnConf = join(confDir, 'turnserver.conf');
  writeFileSync(
    coturnConf,
    renderCoturnConfig({
      listen,
      port: ports.turn,
      tlsPort: ports.turns,
      relayMin: ports.turnRelayMin,
      relayMax: ports.turnRelayMax,
      realm: SIP_REALM,
      authSecret: secrets.turnSecret,
      certFile: pki.certFile,
      keyFile: pki.keyFile,
      // rtpengine's media address: the one peer a browser's relayed candidate must reach.
      allowedPeers: [listen],
      pidFile: join(runDir, 'turnserver.pid'),
    }),
    { mode: 0o600 },
  );

  // --- children --------------------------------------------------------------------------------
  let stopped = false;
  let stopPromise: Promise<void> | null = null;
  const supervisor = new Supervisor({
    log,
    onFatal: (err) => {
      log(`FATAL: ${err.message}`);
      void stop().then(() => opts.onFatal?.(err));
    },
  });
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopped = true;
      await supervisor.stop();
      rmSync(endpointsFile, { force: true });
      log('stopped');
    })();
    return stopPromise;
  };

  const spec = (name: string, command: string, args: string[], readiness: ChildSpec['readiness'], readyTimeoutMs = 15000): ChildSpec => ({
    name,
    command,
    args,
    logFile: join(logDir, `${name}.log`),
    readiness,
    readyTimeoutMs,
    cwd: REPO_ROOT,
  });

  // Every start settles before a failure is reported, so stop() then sees every child started.
  const startAll = async (starts: Promise<unknown>[]) => {
    const failed = (await Promise.allSettled(starts)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    await startAll([
      supervisor.start(
        spec('control-plane', process.execPath, [...TSX_ARGS, join(REPO_ROOT, 'backend/control-plane/main.ts'), '--config', cpConfigFile], {
          kind: 'line',
          pattern: /control-plane ready/,
        }),
      ),
      ...o.rtpengines.map((r) =>
        supervisor.start(
          spec(r.name, 'rtpengine', rtpengineArgs({ listen, ngPort: r.ngPort, portMin: r.portMin, portMax: r.portMax }), {
            kind: 'probe',
            probe: () => rtpengineNgProbe(listen, r.ngPort),
          }),
        ),
      ),
      supervisor.start(
        spec('coturn', 'turnserver', ['-c', coturnConf], {
          kind: 'probe',
          probe: async () => (await stunBindingProbe(listen, ports.turn)) && (await tcpOpenProbe(listen, ports.turns)),
        }),
      ),
    ]);
    // Kamailio reads the agents table the control plane created and needs rtpengine up.
    const later: Promise<unknown>[] = [
      supervisor.start(
        spec('kamailio', 'kamailio', ['-f', kamailioCfg, '-DD', '-E', '-Y', runDir, '-w', runDir, '-m', '64', '-M', '8'], {
          kind: 'probe',
          probe: async () => (await sipOptionsProbe(listen, ports.sipUdp)) && (await tcpOpenProbe(listen, ports.sipWs)),
        }),
      ),
    ];
    if (hasCarrier) {
      later.push(
        supervisor.start(
          spec(
            'carrier',
            process.execPath,
            [
              ...TSX_ARGS, carrierMain,
              '--listen', listen,
              '--sip-port', String(ports.carrierSip),
              '--api-port', String(ports.carrierApi),
              '--media-min', String(ports.carrierMediaMin),
              '--media-max', String(ports.carrierMediaMax),
              '--proxy', `${listen}:${ports.sipUdp}`,
              '--domain', listen,
              '--state-dir', join(stateDir, 'carrier'),
              '--numbers', JSON.stringify(NUMBERS),
            ],
            { kind: 'line', pattern: /carrier ready/ },
          ),
        ),
      );
    } else {
      log(`WARNING: ${carrierMain} is missing: starting WITHOUT the simulated carrier; calls to numbers get 503`);
    }
    if (hasReflector) {
      later.push(
        supervisor.start(
          spec('reflector', process.execPath, [...TSX_ARGS, reflectorMain, '--listen', listen, '--port', String(ports.reflector)], {
            kind: 'line',
            pattern: /reflector ready/,
          }),
        ),
      );
    } else {
      log(`WARNING: ${reflectorMain} is missing: starting WITHOUT the diagnostics reflector`);
    }
    await startAll(later);
  } catch (err) {
    await stop();
    throw err;
  }
  if (stopped) throw new Error('the stack stopped during startup');

  const endpoints = EndpointsSchema.parse({
    sip: { wsUrl, ...(wssUrl ? { wssUrl } : {}), domain: listen, udp: { host: listen, port: ports.sipUdp } },
    turn: { urls: uris, secret: secrets.turnSecret },
    controlPlane: { url: controlPlaneUrl },
    admin: { token: secrets.adminToken },
    agents: secrets.demoAgents.map(({ username, password }) => ({ username, password })),
    numbers: { ...NUMBERS },
    carrier: { apiUrl: `http://${listen}:${ports.carrierApi}`, sipPort: ports.carrierSip },
    ...(hasReflector ? { reflector: { host: listen, port: ports.reflector } } : {}),
    caCertPath: pki.caCertFile,
    pid: process.pid,
  });
  writeFileSync(endpointsFile, JSON.stringify(endpoints, null, 2) + '\n', { mode: 0o600 });

  return {
    endpoints,
    endpointsFile,
    stateDir,
    logDir,
    ports,
    pids: () => supervisor.pids(),
    stop,
  };
}
