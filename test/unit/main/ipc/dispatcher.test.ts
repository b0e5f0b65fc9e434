import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiagnosticStepResult } from '../../../../common/contract/index.js';
import type { RunResult } from '../../../../common/diagnostics/step.js';
import { sampleNetworkReport } from '../../../support/network-report.js';
import { defaultProbes } from '../../../../main/diagnostics/index.js';
import { nativeDiagnostics } from '../../../../main/ipc/native-diagnostics.js';
import { createDispatcher, type Envelope } from '../../../../main/ipc/dispatcher.js';
import type { HandlerTable } from '../../../../common/validating-dispatch.js';
import { createHandlers, type DiagnosticsRunner, type DiagnosticsTarget, type HostHandlers } from '../../../../main/ipc/handlers.js';
import { checkSender, type SenderInfo } from '../../../../main/ipc/sender.js';
import { createPlainFileSecretStore } from '../../../../main/provisioning/secret-store.js';
import { AGENT, startControlPlaneFixture, type ControlPlaneFixture } from '../fakes/control-plane.js';
import { memoryLogger } from '../fakes/memory-logger.js';

const ORIGIN = 'app://clearline';
const OWN_ID = 7;
const trusted = { isOwnWebContents: (id: number) => id === OWN_ID, origin: ORIGIN };
const own: SenderInfo = { webContentsId: OWN_ID, frame: { url: 'app://clearline/index.html#/calls', isMainFrame: true } };

describe('checkSender (pure)', () => {
  test('our window, top frame, our origin → trusted', () => assert.deepEqual(checkSender(own, trusted), { trusted: true }));
  const refused: Array<[string, SenderInfo, RegExp]> = [
    ['another webContents', { ...own, webContentsId: 8 }, /webContents 8 is not a Clearline window/],
    ['a subframe', { ...own, frame: { url: own.frame!.url, isMainFrame: false } }, /subframes/],
    [
      'another origin',
      { ...own, frame: { url: 'https://evil.example/', isMainFrame: true } },
      /origin of https:\/\/evil\.example\/ is not app:\/\/clearline/,
    ],
    ['another app:// host', { ...own, frame: { url: 'app://other/index.html', isMainFrame: true } }, /is not app:\/\/clearline/],
    ['file://', { ...own, frame: { url: 'file:///tmp/x.html', isMainFrame: true } }, /is not/],
    ['a destroyed frame', { ...own, frame: null }, /no longer exists/],
  ];
  for (const [name, sender, reason] of refused) {
    test(`${name} → refused`, () => {
      const v = checkSender(sender, trusted);
      assert.equal(v.trusted, false);
      assert.match((v as { reason: string }).reason, reason);
    });
  }
});

describe('dispatcher + createHandlers', () => {
  let plane: ControlPlaneFixture;
  let dataDir: string;
  let handlers: HostHandlers;
  let dispatch: ReturnType<typeof createDispatcher>;
  const log = memoryLogger();
  const events: Array<[string, unknown]> = [];
  const opened: string[] = [];
  let runner: DiagnosticsRunner | null = null;
  const call = (channel: string, request?: unknown, sender = own): Promise<Envelope> =>
    dispatch(channel, sender, request, (ch, ev) => void events.push([ch, ev]));

  const makeHandlers = () =>
    createHandlers({
      dataDir,
      secrets: createPlainFileSecretStore(join(dataDir, 'secrets.json')),
      fetch,
      now: Date.now,
      logger: log,
      appInfo: { version: '1.2.3', platform: 'linux', shell: 'electron' },
      policyUrl: null,
      openExternal: async (url) => void opened.push(url),
      runDiagnostics: (target, onProgress) => (runner ? runner(target, onProgress) : Promise.reject(new Error('no runner set'))),
    });

  before(async () => {
    plane = await startControlPlaneFixture();
    dataDir = mkdtempSync(join(tmpdir(), 'clearline-ipc-'));
    handlers = makeHandlers();
    dispatch = createDispatcher(handlers.table, trusted, log.scope('ipc'));
  });
  after(async () => {
    handlers.dispose();
    await plane.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a valid call answers through the response schema', async () => {
    assert.deepEqual(await call('app.info'), {
      ok: true,
      value: { version: '1.2.3', platform: 'linux', shell: 'electron', passwordStorage: 'plain-file' },
    });
  });

  for (const [name, sender] of [
    ['other webContents', { ...own, webContentsId: 99 }],
    ['subframe', { ...own, frame: { url: 'app://clearline/index.html', isMainFrame: false } }],
    ['other origin', { ...own, frame: { url: 'https://evil.example/', isMainFrame: true } }],
  ] as Array<[string, SenderInfo]>) {
    test(`${name}: refused with forbidden-sender before the handler runs`, async () => {
      plane.requests.length = 0;
      const r = await call('provisioning.signIn', { url: plane.url, ...AGENT }, sender);
      assert.equal(r.ok, false);
      assert.equal((r as { error: { code: string } }).error.code, 'forbidden-sender');
      assert.equal(plane.requests.length, 0, 'the control plane was never contacted');
    });
  }

  test('malformed arguments → invalid-request naming the field', async () => {
    assert.deepEqual(await call('provisioning.signIn', { url: 'not a url', username: 'a', password: 'b' }), {
      ok: false,
      error: { code: 'invalid-request', message: 'provisioning.signIn: url: Invalid URL' },
    });
    const r = await call('history.add', { id: '' });
    assert.equal((r as { error: { code: string } }).error.code, 'invalid-request');
  });

  test('settings.set changes only the fields it names', async () => {
    await call('settings.set', { microphoneId: 'usb-mic' });
    await call('settings.set', { speakerId: 'headset' });
    assert.deepEqual(await call('settings.get'), {
      ok: true,
      value: { microphoneId: 'usb-mic', speakerId: 'headset', ringerId: 'default' },
    });
  });

  test('unknown channel → unknown-channel', async () => {
    assert.deepEqual(await call('fs.readFile', { path: '/etc/passwd' }), {
      ok: false,
      error: { code: 'unknown-channel', message: 'no host channel named "fs.readFile"' },
    });
  });

  test(
    'call history belongs to the signed-in agent: signed out there is none, another account sees none of it',
    { timeout: 10_000 },
    async () => {
      const entry = {
        id: 'call-1',
        direction: 'outbound',
        peer: 'sip:5550100@clearline.test',
        startedAt: 1,
        answeredAt: null,
        endedAt: 2,
        disposition: 'cancelled',
      };
      assert.deepEqual(await call('history.add', entry), {
        ok: false,
        error: { code: 'not-signed-in', message: 'Not signed in: the call cannot be added to a history' },
      });
      assert.equal((await call('provisioning.signIn', { url: plane.url, ...AGENT })).ok, true);
      assert.deepEqual(await call('history.add', entry), { ok: true, value: undefined });
      assert.deepEqual(await call('history.list'), { ok: true, value: [entry] });
      // The same username at another control plane is another agent.
      const other = await startControlPlaneFixture();
      try {
        assert.equal((await call('provisioning.signIn', { url: other.url, ...AGENT })).ok, true);
        assert.deepEqual(await call('history.list'), { ok: true, value: [] });
      } finally {
        await call('provisioning.signOut');
        await other.close();
      }
      assert.deepEqual(await call('history.list'), { ok: true, value: [] }, 'signed out: nothing shown');
      assert.equal((await call('provisioning.signIn', { url: plane.url, ...AGENT })).ok, true);
      assert.deepEqual(await call('history.list'), { ok: true, value: [entry] });
      await call('provisioning.signOut');
    },
  );

  test('sign-in → restore after restart → sign-out', { timeout: 10_000 }, async () => {
    const bad = await call('provisioning.signIn', { url: plane.url, username: AGENT.username, password: 'wrong' });
    assert.deepEqual(bad, { ok: false, error: { code: 'unauthorized', message: 'Wrong username or password' } });
    const signedIn = await call('provisioning.signIn', { url: plane.url, ...AGENT });
    assert.equal(signedIn.ok, true);
    assert.equal((await call('turn.refresh')).ok, true);

    // "Restart": a fresh handler table over the same data directory restores the session.
    const restarted = makeHandlers();
    try {
      const d2 = createDispatcher(restarted.table, trusted, log.scope('ipc'));
      const restored = await d2('provisioning.restore', own, undefined, () => undefined);
      assert.equal(restored.ok, true);
      assert.equal((restored as { value: { password: string } }).value.password, AGENT.password);
      assert.equal((await restarted.currentConfig())?.agent.username, 'alice');
    } finally {
      restarted.dispose();
    }

    assert.deepEqual(await call('provisioning.signOut'), { ok: true, value: undefined });
    assert.deepEqual(await call('provisioning.restore'), { ok: true, value: null });
    assert.deepEqual(await call('provisioning.defaults'), { ok: true, value: { policyUrl: null, lastUsername: 'alice' } });
    assert.deepEqual(await call('turn.refresh'), { ok: false, error: { code: 'not-signed-in', message: 'sign in first' } });
  });

  test(
    'quality.sendReport: signed out refused; signed in posted to /api/call-quality as the agent; a malformed report never sent',
    { timeout: 10_000 },
    async () => {
      const report = {
        callId: 'abc@127.0.0.1',
        final: true,
        codec: 'PCMU/8000',
        samples: 30,
        mosLatest: 4.1,
        mosAverage: 4.0,
        mosMin: 2.5,
        lossPercentAverage: 1.5,
        lossPercentMax: 12,
        rttMsAverage: 20,
        jitterMsAverage: 5,
        warnings: [],
        oneWay: 'no-inbound',
      };
      assert.equal(((await call('quality.sendReport', report)) as { error: { code: string } }).error.code, 'not-signed-in');
      assert.equal((await call('provisioning.signIn', { url: plane.url, ...AGENT })).ok, true);
      plane.override.set('/api/call-quality', { status: 200, body: '{"stored":true}' });
      plane.requests.length = 0;
      try {
        assert.deepEqual(await call('quality.sendReport', report), { ok: true, value: { stored: true } });
        assert.equal(
          ((await call('quality.sendReport', { ...report, oneWay: 'sideways' })) as { error: { code: string } }).error.code,
          'invalid-request',
        );
        assert.deepEqual(plane.requests, [{ path: '/api/call-quality', authorized: true }]);
      } finally {
        plane.override.delete('/api/call-quality');
        await call('provisioning.signOut');
      }
    },
  );

  const nativeRun = (steps: DiagnosticStepResult[], verdict: DiagnosticStepResult['verdict'] = 'pass') => ({
    runId: 'runner-own-id',
    verdict,
    summary: 'all good',
    startedAt: new Date(0).toISOString(),
    totalMs: 42,
    steps,
  });

  test(
    'diagnostics.run signed in: the account is tested, steps stream with the run id, the result is the answer',
    { timeout: 10_000 },
    async () => {
      assert.equal((await call('provisioning.signIn', { url: plane.url, ...AGENT })).ok, true);
      events.length = 0;
      const targets: DiagnosticsTarget[] = [];
      const step: DiagnosticStepResult = { id: 'targets', title: 'DNS', verdict: 'pass', explanation: 'ok', values: {}, durationMs: 3 };
      runner = async (target, onProgress) => {
        targets.push(target);
        onProgress({ kind: 'started', runId: 'runner-own-id', stepId: 'targets', title: 'DNS' });
        onProgress({ kind: 'done', runId: 'runner-own-id', verdict: 'pass', summary: 'all good' });
        return nativeRun([step]);
      };
      try {
        assert.deepEqual(await call('diagnostics.run', { runId: 'run-1' }), { ok: true, value: { ...nativeRun([step]), runId: 'run-1' } });
        assert.equal(targets[0]?.kind, 'account');
        // 'done' is the renderer's to say: it joins this verdict to the page's checks.
        assert.deepEqual(events, [['diagnostics.progress', { kind: 'started', runId: 'run-1', stepId: 'targets', title: 'DNS' }]]);

        runner = async () => {
          throw new Error('socket exploded /home/alice/secret');
        };
        const failed = (await call('diagnostics.run', { runId: 'run-2' })) as { ok: false; error: { code: string; message: string } };
        assert.equal(failed.error.code, 'internal');
        assert.doesNotMatch(failed.error.message, /alice/);
      } finally {
        await call('provisioning.signOut');
      }
    },
  );

  test(
    'diagnostics.run before sign-in: the host checks against the typed URL and the last configuration there (real probes, loopback)',
    { timeout: 20_000 },
    async () => {
      runner = nativeDiagnostics(() => defaultProbes());
      // A sign-in at plane.url that worked leaves its configuration (no secret) on this desktop.
      assert.equal((await call('provisioning.signIn', { url: plane.url, ...AGENT })).ok, true);
      await call('provisioning.signOut');
      const r = (await call('diagnostics.run', { runId: 'before', provisioningUrl: plane.url })) as { ok: true; value: RunResult };
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual(
        r.value.steps.map((s) => s.id),
        ['targets', 'vpn', 'tcp-tls', 'sip-websocket', 'stun', 'proxy'],
      );
      // The desktop keeps no TURN server addresses (yet): no UDP binding to try.
      assert.equal(r.value.steps.find((s) => s.id === 'stun')?.verdict, 'skip');
      const tcp = r.value.steps.find((s) => s.id === 'tcp-tls')!;
      const port = new URL(plane.url).port;
      const checks = tcp.values.checks as { endpoint: string; ok: boolean }[];
      assert.deepEqual(
        checks.find((c) => c.endpoint === `TCP ${port} to 127.0.0.1`)?.ok,
        true,
        `the provisioning host is reached: ${JSON.stringify(checks)}`,
      );
      const ws = r.value.steps.find((s) => s.id === 'sip-websocket')!;
      // The earlier sign-in's configuration (fakes/control-plane.ts) names the SIP server, so its upgrade is tried.
      assert.equal(ws.values.url, 'ws://127.0.0.1:20060');
      assert.notEqual(ws.verdict, 'skip');
      assert.equal(r.value.runId, 'before');

      const insecure = (await call('diagnostics.run', { runId: 'x', provisioningUrl: 'http://cp.example.com/' })) as {
        error: { code: string };
      };
      assert.equal(insecure.error.code, 'insecure-transport', 'the rule sign-in applies');
      const none = (await call('diagnostics.run', { runId: 'y' })) as { error: { code: string; message: string } };
      assert.deepEqual(
        [none.error.code, none.error.message],
        ['invalid-request', 'type the provisioning URL first: the test checks the way to that server'],
      );
    },
  );

  test(
    'diagnostics.keepReport / lastReport: per agent signed in, per provisioning URL before; malformed refused',
    { timeout: 10_000 },
    async () => {
      const report = (agent: string | null) =>
        sampleNetworkReport({
          shell: 'electron',
          agent,
          phase: agent ? 'signed-in' : 'before-sign-in',
          runId: `r-${agent ?? 'anon'}`,
          provisioningUrl: plane.url,
          unavailable: [],
        });
      assert.deepEqual(await call('diagnostics.lastReport', { provisioningUrl: plane.url }), { ok: true, value: null });
      assert.deepEqual(await call('diagnostics.keepReport', report(null)), { ok: true, value: undefined });
      assert.deepEqual(await call('diagnostics.lastReport', { provisioningUrl: plane.url }), { ok: true, value: report(null) });
      assert.deepEqual(await call('diagnostics.lastReport', { provisioningUrl: 'https://other.example.com/' }), { ok: true, value: null });

      assert.equal((await call('provisioning.signIn', { url: plane.url, ...AGENT })).ok, true);
      try {
        assert.deepEqual(
          await call('diagnostics.lastReport', { provisioningUrl: plane.url }),
          { ok: true, value: null },
          "the agent's own, not the anonymous one",
        );
        await call('diagnostics.keepReport', report(AGENT.username));
        assert.deepEqual(await call('diagnostics.lastReport', { provisioningUrl: plane.url }), { ok: true, value: report(AGENT.username) });
        const bad = (await call('diagnostics.keepReport', { ...report(AGENT.username), version: 99 })) as {
          error: { code: string; message: string };
        };
        assert.equal(bad.error.code, 'invalid-request');
        assert.match(bad.error.message, /report version 99 is not one this app reads/);
      } finally {
        await call('provisioning.signOut');
      }
      assert.deepEqual(await call('diagnostics.lastReport', { provisioningUrl: plane.url }), { ok: true, value: report(null) });
    },
  );

  test('shell.openExternal: http(s) only', async () => {
    assert.deepEqual(await call('shell.openExternal', { url: 'https://help.example.com/a' }), { ok: true, value: undefined });
    const r = await call('shell.openExternal', { url: 'file:///etc/passwd' });
    assert.deepEqual(r, { ok: false, error: { code: 'forbidden-url', message: 'only http and https links can be opened' } });
    assert.deepEqual(opened, ['https://help.example.com/a']);
  });

  test('log.write lands in the renderer scope at its level', async () => {
    await call('log.write', { scope: 'sip', level: 'warn', message: 'transport closed' });
    assert.ok(log.lines.includes('warn (renderer:sip) transport closed'));
  });

  test('unexpected errors become a generic internal error: no message, no stack', async () => {
    const table = {
      ...handlers.table,
      'settings.get': async () => {
        throw new Error('EACCES /home/alice/.config/secret');
      },
    } as HandlerTable;
    const d = createDispatcher(table, trusted, log.scope('ipc'));
    const r = await d('settings.get', own, undefined, () => undefined);
    assert.deepEqual(r, { ok: false, error: { code: 'internal', message: 'internal error in the desktop shell (details in the log)' } });
  });

  test('a handler answering outside the response schema → invalid-response', async () => {
    const table = { ...handlers.table, 'settings.get': async () => ({ microphoneId: 5 }) } as unknown as HandlerTable;
    const d = createDispatcher(table, trusted, log.scope('ipc'));
    const r = await d('settings.get', own, undefined, () => undefined);
    assert.equal((r as { error: { code: string } }).error.code, 'invalid-response');
  });
});
