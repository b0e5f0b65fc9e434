/** Verdict rules of the reflector checks (DSCP, clock, path quality), with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDiagnostics } from '../../../../../main/diagnostics/index.js';
import { mosBand } from '../../../../../common/quality/mos-bands.js';
import { clockStep, dscpStep, pathQualityStep } from '../../../../../main/diagnostics/steps/reflector-steps.js';
import type { Probes } from '../../../../../main/diagnostics/types.js';
import { config, fakeProbes, fakeReflectorChannel } from '../fakes.js';
import { only } from '../support/run-one-step.js';

describe('reflector checks', () => {
  const probes = (o: Parameters<typeof fakeReflectorChannel>[0], extra: Partial<Probes> = {}) =>
    fakeProbes({ openDatagram: async () => fakeReflectorChannel(o), ...extra });

  it('DSCP preserved, re-marked, and ignored by Windows without a QoS policy', async () => {
    const kept = await only(dscpStep, probes({}));
    assert.deepEqual([kept.verdict, kept.values.marking, kept.values.receivedDscp], ['pass', 'preserved', 46]);
    const cs0 = await only(dscpStep, probes({ deliveredTos: () => 0 }));
    assert.deepEqual([cs0.verdict, cs0.values.marking, cs0.values.receivedDscp], ['warn', 're-marked', 0]);
    assert.match(cs0.explanation, /marking stripped/);
    const af41 = await only(dscpStep, probes({ deliveredTos: () => 34 << 2 }));
    assert.match(af41.explanation, /re-marked to DSCP 34/);
    const win = await only(dscpStep, probes({}, { platform: 'win32', qosPolicy: async () => ({ present: false, detail: 'none' }) }));
    assert.equal(win.values.marking, 'ignored-by-os');
    assert.match(win.fix!, /QoS policy/);
  });

  it('Windows with a QoS policy: the OS marks, the check measures what arrives', async () => {
    const policyMarked = { ...fakeReflectorChannel({ deliveredTos: () => 0xb8 }) };
    policyMarked.setTos = () => {
      throw new Error('setting IP TOS is not supported on win32');
    };
    const r = await only(
      dscpStep,
      fakeProbes({ platform: 'win32', openDatagram: async () => policyMarked, qosPolicy: async () => ({ present: true, detail: 'p' }) }),
    );
    assert.deepEqual([r.verdict, r.values.marking], ['pass', 'preserved']);
  });

  it('clock skew: pass within 2 s, warn within a minute, fail beyond', async () => {
    assert.equal((await only(clockStep, probes({ skewMs: 300 }))).verdict, 'pass');
    const warn = await only(clockStep, probes({ skewMs: -20_000 }));
    assert.equal(warn.verdict, 'warn');
    assert.match(warn.explanation, /ahead of the server/);
    assert.ok(Math.abs((warn.values.offsetMs as number) + 20_000) < 50);
    assert.equal((await only(clockStep, probes({ skewMs: 600_000 }))).verdict, 'fail');
  });

  it('path quality measures the loss it is given', async () => {
    const r = await only(pathQualityStep, probes({ dropEvery: 10 }));
    assert.equal(r.values.lossPercent, 10);
    assert.equal(r.values.sent, 200);
    // Judged by the in-call panel's bands: 10 % loss is a "Poor" path, and the verdict says so.
    assert.equal(mosBand(r.values.mos as number).label, 'Poor');
    assert.equal(r.verdict, 'fail');
    assert.match(r.explanation, /^poor path: /);
  });

  it('skips when no reflector is provisioned', async () => {
    const report = await runDiagnostics({ ...config, client: { ...config.client, diagnostics: undefined } }, fakeProbes(), undefined, [
      dscpStep,
    ]);
    assert.equal(report.steps[0]!.verdict, 'skip');
    assert.match(report.steps[0]!.explanation, /diagnostics\.reflector/);
  });
});
