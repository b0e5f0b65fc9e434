/**
 * The stack as an operator runs it: `npm run backend` from a clean state dir prints the ready line,
 * writes endpoints.json, and SIGINT stops every process within 10 s. A crashed component is
 * restarted with a log line; one that cannot start stops the stack naming it and its log; a taken
 * port or bad option is reported naming the option. WSS with a certificate from the local CA.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointsSchema } from '../../../backend/endpoints.js';
import { REPO_ROOT } from '../../../backend/stack.js';
import { ensureLocalPki } from '../../../backend/pki.js';
import { sipOptionsProbe, udpExchange } from '../../../backend/supervisor/probes.js';
import { browserSdp } from './support/webrtc-sdp.js';
import { isAlive, startTestStack, waitFor } from './support/stack-fixture.js';
import { WsSipAgent } from './support/ws-sip-agent.js';
import { portsFor } from '../../../backend/ports.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

/** Pids of processes whose command line mentions `needle` (our state dir or port). */
function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

const BASE = TEST_PORT_BASES.backendLifecycle;
const P = portsFor(BASE);
/** The TLS stack with two rtpengines gets a block of its own. */
const TLS_BASE = TEST_PORT_BASES.backendLifecycleTls;
const TLS = portsFor(TLS_BASE);

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `clearline-${label}-`));

describe('backend lifecycle', { timeout: 120_000 }, () => {
  test('npm run backend: clean state dir → ready line + endpoints.json; SIGINT stops everything within 10 s', async () => {
    const stateDir = tmp('cli');
    const child = spawn('npm', ['run', '--silent', 'backend', '--', '--state-dir', stateDir, '--port-base', String(BASE)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(`code ${code} signal ${signal}`)));
    try {
      await waitFor(async () => /clearline backend ready/.test(stdout), `ready line (stderr: ${stderr.slice(-500)})`, 30_000);
      const ready = stdout.split('\n').find((l) => l.includes('clearline backend ready'))!;
      const endpointsFile = join(stateDir, 'endpoints.json');
      assert.equal(
        ready,
        `clearline backend ready: endpoints=${endpointsFile} controlPlane=http://127.0.0.1:${P.controlPlane} sip=ws://127.0.0.1:${P.sipWs}`,
      );
      const endpoints = EndpointsSchema.parse(JSON.parse(readFileSync(endpointsFile, 'utf8')));
      assert.deepEqual(
        endpoints.agents.map((a) => a.username),
        ['alice', 'bob', 'carol'],
      );
      assert.ok(endpoints.agents.every((a) => a.password.length >= 12));
      assert.equal(endpoints.sip.domain, '127.0.0.1');
      assert.equal((await fetch(`${endpoints.controlPlane.url}/healthz`)).status, 200);
      assert.ok(await sipOptionsProbe('127.0.0.1', P.sipUdp), 'Kamailio answers OPTIONS');

      const components = [...pidsMentioning(stateDir), ...pidsMentioning(`127.0.0.1:${P.rtpengineNg}`)];
      assert.ok(components.length >= 4, `component processes found: ${components.length}`);

      const t0 = Date.now();
      process.kill(-child.pid!, 'SIGINT');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      const stopMs = Date.now() - t0;
      // npm re-raises the SIGINT it got; the backend itself exits 0 ("stopped" is its last line).
      assert.match(code, /^code (0 signal null|null signal SIGINT)$/, `exit (stderr: ${stderr.slice(-400)})`);
      assert.match(stderr, /\[backend\] stopped\n/);
      assert.ok(stopMs < 10_000, `stopped in ${stopMs} ms`);
      const left = components.filter(isAlive);
      assert.deepEqual(left, [], 'no component process left');
      assert.deepEqual([...pidsMentioning(stateDir), ...pidsMentioning(`127.0.0.1:${P.rtpengineNg}`)], []);
      assert.equal(existsSync(endpointsFile), false, 'endpoints.json removed on stop');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('a supervisor killed with SIGKILL takes every component with it (parent-death signal)', async () => {
    const stateDir = tmp('sigkill');
    const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', '--state-dir', stateDir, '--port-base', String(BASE)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    try {
      await waitFor(async () => stdout.includes('clearline backend ready'), 'ready line', 30_000);
      const components = [...pidsMentioning(stateDir), ...pidsMentioning(`127.0.0.1:${P.rtpengineNg}`)];
      assert.ok(components.length >= 4);
      child.kill('SIGKILL');
      await waitFor(async () => components.every((p) => !isAlive(p)), 'every component gone', 8000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const p of [...pidsMentioning(stateDir), ...pidsMentioning(`127.0.0.1:${P.rtpengineNg}`)]) process.kill(p, 'SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('a bad option exits non-zero naming the option', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', ...args], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        c.stderr.on('data', (d) => (stderr += d));
        const kill = setTimeout(() => c.kill('SIGKILL'), 20_000);
        c.once('exit', (code) => (clearTimeout(kill), resolve({ code, stderr })));
      });
    const dir = tmp('badopt');
    try {
      const badBase = await run(['--state-dir', dir, '--port-base', '70000']);
      assert.equal(badBase.code, 1);
      assert.match(badBase.stderr, /--port-base must be an integer between 1024 and 63535 \(got 70000\)/);
      const badCert = await run(['--state-dir', dir, '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key']);
      assert.equal(badCert.code, 1);
      assert.match(badCert.stderr, /--tls-cert \/nonexistent\.pem: file does not exist or is not readable/);
      const noDir = await run([]);
      assert.equal(noDir.code, 1);
      assert.match(noDir.stderr, /--state-dir DIR is required/);
      const fileAsDir = join(dir, 'a-file');
      writeFileSync(fileAsDir, '');
      const badDir = await run(['--state-dir', join(fileAsDir, 'state')]);
      assert.equal(badDir.code, 1);
      assert.ok(
        badDir.stderr.includes(`--state-dir ${fileAsDir}/state: cannot create or write it (${fileAsDir} is not a directory)`),
        badDir.stderr,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a taken port is reported naming --port-base, the port and its role; nothing is left running', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(P.sipWs, '127.0.0.1', () => r()));
    try {
      await assert.rejects(
        startTestStack(BASE),
        new RegExp(`--port-base ${BASE}: TCP port ${P.sipWs} \\(sipWs\\) on 127\\.0\\.0\\.1 is already in use`),
      );
      assert.deepEqual(pidsMentioning(`127.0.0.1:${P.rtpengineNg}`), []);
    } finally {
      squatter.close();
    }
  });

  test('a component that cannot start stops the stack with its name and log', async () => {
    const dir = tmp('nostart');
    const cert = join(dir, 'garbage.pem');
    writeFileSync(cert, 'this is not a certificate\n');
    try {
      await assert.rejects(startTestStack(BASE, { tlsCert: cert, tlsKey: cert }), (e: Error) =>
        /^kamailio failed to start: .*See its log: .*kamailio\.log/s.test(e.message),
      );
      assert.deepEqual(pidsMentioning(`127.0.0.1:${P.rtpengineNg}`), [], 'rtpengine stopped with the rest');
      assert.deepEqual(pidsMentioning(`clearline-stack-${BASE}-`), [], 'no process of this stack left');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--listen moves every component to that address and it is what they advertise', async () => {
    const fx = await startTestStack(BASE, { listen: '127.0.0.2' });
    try {
      const e = fx.stack.endpoints;
      assert.equal(e.sip.wsUrl, `ws://127.0.0.2:${P.sipWs}`);
      assert.equal(e.sip.domain, '127.0.0.2');
      assert.equal(e.controlPlane.url, `http://127.0.0.2:${P.controlPlane}`);
      assert.ok(e.turn.urls.every((u) => u.includes('127.0.0.2:')));
      assert.equal(await sipOptionsProbe('127.0.0.1', P.sipUdp), false, 'nothing listens on 127.0.0.1');
      const alice = await WsSipAgent.connect(e.sip.wsUrl, { username: 'alice', password: e.agents[0]!.password, domain: e.sip.domain });
      try {
        assert.equal((await alice.register()).status, 200);
        const call = alice.invite(e.numbers.echo, browserSdp({ address: '127.0.0.2', port: 9, setup: 'actpass' }));
        const res = await call.final;
        assert.equal(res.status, 200);
        assert.match(res.body, /^c=IN IP4 127\.0\.0\.2\r?$/m, 'rtpengine advertises the listen address');
        assert.match(res.body, /^a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.2 \d+ typ host/m);
        await call.bye();
        await alice.register(0);
      } finally {
        alice.close();
      }
    } finally {
      await fx.dispose();
    }
  });

  describe('running stack with WSS and two rtpengine instances', () => {
    let fx: Awaited<ReturnType<typeof startTestStack>>;
    let pkiDir: string;
    let caFile: string;
    before(async () => {
      pkiDir = tmp('pki');
      const pki = await ensureLocalPki(pkiDir, '127.0.0.1');
      caFile = pki.caCertFile;
      fx = await startTestStack(TLS_BASE, { tlsCert: pki.certFile, tlsKey: pki.keyFile, rtpengineInstances: 2 });
    });
    after(async () => {
      await fx?.dispose();
      rmSync(pkiDir, { recursive: true, force: true });
    });

    test('an agent registers over wss:// with a certificate from the local CA', async () => {
      const e = fx.stack.endpoints;
      assert.equal(e.sip.wssUrl, `wss://127.0.0.1:${TLS.sipWss}`);
      const ca = readFileSync(caFile);
      const alice = await WsSipAgent.connect(e.sip.wssUrl!, {
        username: 'alice',
        password: e.agents[0]!.password,
        domain: e.sip.domain,
        ca,
      });
      try {
        assert.equal((await alice.register()).status, 200);
        assert.equal((await alice.register(0)).status, 200);
      } finally {
        alice.close();
      }
    });

    test('Kamailio spreads calls over both rtpengine instances', async () => {
      const e = fx.stack.endpoints;
      // Up to 16 calls at once from one agent: above the default per-agent limits (2 at once, 1 per second).
      const raised = await fetch(`${e.admin.apiUrl}/api/agents/alice`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${e.admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ maxCalls: 16, maxCps: 16 }),
      });
      assert.equal(raised.status, 200);
      const alice = await WsSipAgent.connect(e.sip.wsUrl, { username: 'alice', password: e.agents[0]!.password, domain: e.sip.domain });
      const calls = [];
      /** Call-IDs an rtpengine instance is handling now (ng `list`). */
      const handled = async (ngPort: number) =>
        (await udpExchange('127.0.0.1', ngPort, Buffer.from(`${Date.now()} d7:command4:liste`)))?.toString() ?? '';
      try {
        // The set picks an instance per Call-ID hash: keep calls up until both have one (bounded).
        for (let i = 0; i < 16; i++) {
          const call = alice.invite(e.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
          assert.equal((await call.final).status, 200);
          calls.push(call);
          const [a, b] = [await handled(TLS.rtpengineNg), await handled(TLS.rtpengineNg + 1)];
          if (calls.some((c) => a.includes(c.callId)) && calls.some((c) => b.includes(c.callId))) break;
        }
        const [a, b] = [await handled(TLS.rtpengineNg), await handled(TLS.rtpengineNg + 1)];
        const onA = calls.filter((c) => a.includes(c.callId)).length;
        const onB = calls.filter((c) => b.includes(c.callId)).length;
        assert.ok(onA > 0 && onB > 0, `calls per instance: ${onA} / ${onB}`);
        assert.equal(onA + onB, calls.length, 'every call is on exactly one instance');
      } finally {
        for (const c of calls) await c.bye().catch(() => undefined);
        alice.close();
      }
    });

    test('a killed Kamailio is restarted, the restart is logged, SIP works again', async () => {
      const pid = fx.stack.pids().kamailio!;
      process.kill(-pid, 'SIGKILL');
      await waitFor(async () => fx.stack.pids().kamailio !== pid, 'kamailio restart', 15_000);
      assert.ok(
        fx.logs.some((l) => l === 'kamailio killed by SIGKILL unexpectedly; restarting it (restart 1)'),
        fx.logs.join('\n'),
      );
      assert.ok(await sipOptionsProbe('127.0.0.1', TLS.sipUdp), 'Kamailio answers after the restart');
      const e = fx.stack.endpoints;
      const bob = await WsSipAgent.connect(e.sip.wsUrl, { username: 'bob', password: e.agents[1]!.password, domain: e.sip.domain });
      try {
        assert.equal((await bob.register()).status, 200);
        await bob.register(0);
      } finally {
        bob.close();
      }
    });
  });
});
