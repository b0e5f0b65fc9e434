/**
 * The whole backend on one machine: writes every configuration into the state dir, starts and
 * supervises Kamailio, rtpengine, coturn, the control plane, the diagnostics reflector and, in
 * demo mode, the simulated carrier, and writes DIR/endpoints.json once all are ready.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PortMap } from './ports.js';
import { EndpointsSchema, type Endpoints } from './endpoints.js';
import { rtpengineArgs } from './config/rtpengine.js';
import { mediaTimeoutCallbackUrl } from './config/kamailio.js';
import { assertLocalAddress, assertPortsFree, ensureSystemPackages, ensureWritableDir } from './preflight.js';
import { assertDistinctBindings, stackBindings } from './bindings.js';
import { localCaTrustSteps } from './pki.js';
import { Supervisor } from './supervisor/supervisor.js';
import type { ChildSpec } from './supervisor/child.js';
import { rtpengineNgProbe, sipOptionsProbe, stunBindingProbe, tcpOpenProbe } from './supervisor/probes.js';
import { resolveStackOptions, type StackOptions } from './stack-options.js';
import { DEFAULT_NUMBERS } from './carrier/behaviours.js';
import { writeStackFiles } from './stack-files.js';
import { SERVICE_LISTEN_FLAGS } from './agent-services.js';
import { engineSizing } from './engine-sizing.js';
import { availableParallelism } from 'node:os';

export { resolveStackOptions, type StackOptions } from './stack-options.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RunningStack {
  readonly endpoints: Endpoints;
  readonly endpointsFile: string;
  readonly stateDir: string;
  readonly logDir: string;
  readonly ports: PortMap;
  /** Pid of each component's process (group leader), by name. */
  pids(): Record<string, number>;
  /**
   * Restarts one component (e.g. "kamailio") as an operator would: a clean stop (SIGTERM), then
   * started again at once; resolves when it answers its readiness probe again.
   */
  restart(component: string): Promise<void>;
  /** Stops every component (SIGTERM, then SIGKILL); resolves when none is left. */
  stop(): Promise<void>;
}

const TSX_ARGS = ['--import', 'tsx'];

export async function startStack(opts: StackOptions): Promise<RunningStack> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[backend] ${line}\n`));
  const o = resolveStackOptions(opts);
  const { ports, listen, stateDir, managementAddress: mgmt } = o;
  ensureSystemPackages(REPO_ROOT, log);
  ensureWritableDir(stateDir, '--state-dir');
  await assertLocalAddress('--listen', listen);
  await assertLocalAddress('--media-address', o.mediaAddress);
  await assertLocalAddress('--management-address', mgmt);
  for (const [name, flag] of Object.entries(SERVICE_LISTEN_FLAGS)) {
    const { host } = o.services[name as keyof typeof SERVICE_LISTEN_FLAGS];
    if (host !== listen) await assertLocalAddress(flag, host);
  }

  const logDir = join(stateDir, 'logs');
  const runDir = join(stateDir, 'run');
  const confDir = join(stateDir, 'config');
  for (const d of [logDir, runDir, confDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const endpointsFile = join(stateDir, 'endpoints.json');
  rmSync(endpointsFile, { force: true });

  const files = await writeStackFiles(o, { repoRoot: REPO_ROOT, confDir, runDir }, opts.corsOrigins ?? []);
  const { secrets, pki, wsUrl, wssUrl, controlPlaneUrl, carrierMain, reflectorMain } = files;
  const bindings = stackBindings(o, { carrier: carrierMain !== null, reflector: reflectorMain !== null });
  assertDistinctBindings(bindings);
  await assertPortsFree(bindings, o.portBase);
  log(
    `${o.demo ? 'demo mode: simulated carrier and demo agents' : 'production mode: no demo agents (create agents with the admin API)'}; ` +
      `numbers go to ${o.trunk ? `the trunk ${o.trunk.address}:${o.trunk.port}` : carrierMain ? 'the simulated carrier' : 'no trunk (503)'}`,
  );
  if (files.serverCert?.from === 'local-ca') for (const line of localCaTrustSteps(pki.caCertFile)) log(line);
  if (o.tlsOnly && o.mediaAddress === listen) {
    log(
      `WARNING: --media-address is --listen (${listen}): a TURN allocation can relay to every port of it (Kamailio, the control plane, coturn); give media an address of its own`,
    );
  }

  const sizing = engineSizing(o.maxCalls, availableParallelism());
  log(
    `sized for ${o.maxCalls} concurrent calls: rtpengine media ${ports.rtpengineMediaMin}-${ports.rtpengineMediaMax}, ` +
      `TURN relay ${ports.turnRelayMin}-${ports.turnRelayMax}, Kamailio ${sizing.kamailioShmMb} MB shared memory`,
  );

  let stopped = false;
  let stopPromise: Promise<void> | null = null;
  // A component that dies after start-up is retried with backoff for as long as the stack runs:
  // the others, and the calls they carry, are never stopped because of it.
  const supervisor = new Supervisor({ log });
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopped = true;
      await supervisor.stop();
      rmSync(endpointsFile, { force: true });
      log('stopped');
    })();
    return stopPromise;
  };

  const spec = (
    name: string,
    command: string,
    args: string[],
    readiness: ChildSpec['readiness'],
    readyTimeoutMs = 15000,
    runAs?: ChildSpec['runAs'],
  ): ChildSpec => ({
    name,
    command,
    args,
    logFile: join(logDir, `${name}.log`),
    readiness,
    readyTimeoutMs,
    cwd: REPO_ROOT,
    ...(runAs ? { runAs } : {}),
  });

  // Every start settles before a failure is reported, so stop() then sees every child started.
  const startAll = async (starts: Promise<unknown>[]) => {
    const failed = (await Promise.allSettled(starts)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    await startAll([
      supervisor.start(
        spec(
          'control-plane',
          process.execPath,
          [...TSX_ARGS, join(REPO_ROOT, 'backend/control-plane/main.ts'), '--config', files.controlPlaneConfig],
          {
            kind: 'line',
            pattern: /control-plane ready/,
          },
        ),
      ),
      ...o.rtpengines.map((r) =>
        supervisor.start(
          // rtpengine reads no file (--config-file=none) and binds unprivileged ports: it runs as
          // its Debian system user from the first instruction.
          spec(
            r.name,
            'rtpengine',
            rtpengineArgs({
              mediaAddress: o.mediaAddress,
              ngAddress: mgmt,
              ngPort: r.ngPort,
              portMin: r.portMin,
              portMax: r.portMax,
              maxSessions: r.maxSessions,
              threads: sizing.rtpengineThreads,
              mediaTimeoutSeconds: o.mediaTimeoutSeconds,
              timeoutCallbackUrl: mediaTimeoutCallbackUrl(o.ports.kamailioMediaTimeout),
            }),
            {
              kind: 'probe',
              probe: () => rtpengineNgProbe(mgmt, r.ngPort),
            },
            undefined,
            { user: 'rtpengine', group: 'rtpengine' },
          ),
        ),
      ),
      supervisor.start(
        // coturn stays root: its own --proc-user switch happens after setpriv set the parent-death
        // signal, and the kernel clears that signal on a uid change (a SIGKILLed supervisor would
        // leave it running); starting it as turnserver needs its config, TLS key and pid file
        // reachable by that user inside the 0700 state dir.
        spec('coturn', 'turnserver', ['-c', files.coturnConfig], {
          kind: 'probe',
          probe: async () =>
            (await stunBindingProbe(o.services.turn.host, o.services.turn.port)) &&
            (await tcpOpenProbe(o.services.turns.host, o.services.turns.port)),
        }),
      ),
    ]);
    // Kamailio stays root: its -u/-g switch works (with PostgreSQL; with SQLite the database is in
    // the 0700 state dir and WAL readers need write access to its -shm file) but, like coturn's,
    // clears the parent-death signal, so a SIGKILLed supervisor would leave Kamailio running.
    // Kamailio reads the agents table the control plane created and needs rtpengine up.
    const later: Promise<unknown>[] = [
      supervisor.start({
        ...spec(
          'kamailio',
          'kamailio',
          [
            ...['-f', files.kamailioConfig, '-DD', '-E', '-Y', runDir, '-w', runDir],
            ...['-m', String(sizing.kamailioShmMb), '-M', '8'],
            ...['-n', String(sizing.kamailioWorkers), '-N', String(sizing.kamailioWorkers)],
          ],
          {
            kind: 'probe',
            probe: async () =>
              (await sipOptionsProbe(listen, ports.sipUdp)) &&
              (await (wssUrl ? tcpOpenProbe(o.services.sipWss.host, o.services.sipWss.port) : tcpOpenProbe(listen, ports.sipWs))),
          },
        ),
        // Its state database is named relative to runDir (stack-files.ts), and mqueue opens it
        // while the cfg is read, before Kamailio changes to its -w directory.
        cwd: runDir,
      }),
    ];
    if (carrierMain) {
      later.push(
        supervisor.start(
          spec(
            'carrier',
            process.execPath,
            [
              ...TSX_ARGS,
              carrierMain,
              // Demo/test only, and internal: its API places calls and serves recordings.
              '--listen',
              mgmt,
              '--sip-port',
              String(ports.carrierSip),
              '--api-port',
              String(ports.carrierApi),
              '--media-min',
              String(ports.carrierMediaMin),
              '--media-max',
              String(ports.carrierMediaMax),
              '--proxy',
              `${listen}:${ports.sipUdp}`,
              '--domain',
              listen,
              '--state-dir',
              join(stateDir, 'carrier'),
              '--numbers',
              JSON.stringify(DEFAULT_NUMBERS),
            ],
            { kind: 'line', pattern: /carrier ready/ },
          ),
        ),
      );
    } else if (o.demo && !o.trunk) {
      log(
        `WARNING: ${join(REPO_ROOT, 'backend/carrier/main.ts')} is missing: starting WITHOUT the simulated carrier; calls to numbers get 503`,
      );
    }
    if (reflectorMain) {
      // Agent-facing by design: the network test measures the path to it, directly and through
      // TURN, so it lives on the media address (TURN's only allowed peer) where call media flows.
      // It has no control port and answers no more bytes than it received.
      later.push(
        supervisor.start(
          spec('reflector', process.execPath, [...TSX_ARGS, reflectorMain, '--listen', o.mediaAddress, '--port', String(ports.reflector)], {
            kind: 'line',
            pattern: /reflector ready/,
          }),
        ),
      );
    } else {
      log(`WARNING: ${join(REPO_ROOT, 'backend/reflector/main.ts')} is missing: starting WITHOUT the diagnostics reflector`);
    }
    await startAll(later);
  } catch (err) {
    await stop();
    throw err;
  }
  if (stopped) throw new Error('the stack stopped during startup');

  const endpoints = EndpointsSchema.parse({
    sip: { wsUrl, ...(wssUrl ? { wssUrl } : {}), domain: listen, udp: { host: listen, port: ports.sipUdp } },
    turn: { urls: files.turnUris, secret: secrets.turnSecret },
    controlPlane: { url: controlPlaneUrl },
    admin: {
      token: secrets.adminToken,
      apiUrl: `http://${mgmt}:${ports.controlPlaneInternal}`,
      pageUrl: `http://${mgmt}:${ports.controlPlaneInternal}/admin`,
    },
    agents: o.demo ? secrets.demoAgents.map(({ username, password }) => ({ username, password })) : [],
    numbers: { ...DEFAULT_NUMBERS },
    ...(carrierMain ? { carrier: { apiUrl: `http://${mgmt}:${ports.carrierApi}`, sipPort: ports.carrierSip } } : {}),
    ...(reflectorMain ? { reflector: { host: o.mediaAddress, port: ports.reflector } } : {}),
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
    restart: (component) => supervisor.restartOnRequest(component),
    stop,
  };
}
