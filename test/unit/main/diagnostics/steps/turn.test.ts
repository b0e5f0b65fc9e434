/** Verdict rules of the media path verdict, with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepDefinition } from '../../../../../main/diagnostics/step.js';
import { outcome } from '../../../../../main/diagnostics/step.js';
import { mediaPathStep } from '../../../../../main/diagnostics/steps/turn.js';
import type { Verdict } from '../../../../../main/diagnostics/types.js';
import { fakeProbes } from '../fakes.js';
import { only } from '../support/run-one-step.js';

const fixed = (id: string, verdict: Verdict, values: Record<string, unknown> = {}): StepDefinition => ({
  id,
  title: id,
  blocking: false,
  run: async () => outcome(verdict, id, values),
});

describe('media path verdict', () => {
  const deps = (v: Record<string, Verdict>, nat = 'endpoint-independent') => [
    fixed('stun', v.stun ?? 'pass'),
    fixed('nat', 'pass', { behaviour: nat }),
    { ...fixed('turn-udp', v['turn-udp'] ?? 'pass', { uri: 'turn:m:3478?transport=udp' }) },
    { ...fixed('turn-tcp', v['turn-tcp'] ?? 'pass', { uri: 'turn:m:3478?transport=tcp' }) },
    { ...fixed('turn-tls', v['turn-tls'] ?? 'pass', { uri: 'turns:m:443?transport=tcp' }) },
  ];
  const verdictFor = async (v: Record<string, Verdict>, nat?: string) => only(mediaPathStep, fakeProbes(), deps(v, nat));

  it('direct UDP when STUN works behind a friendly NAT', async () => {
    assert.equal((await verdictFor({})).explanation, 'calls will work over UDP');
  });
  it('symmetric NAT: relayed over TURN/UDP', async () => {
    assert.match((await verdictFor({}, 'symmetric')).explanation, /relayed over TURN\/UDP/);
  });
  it('UDP blocked, TLS only: works via TURN/TLS 443 with a warning', async () => {
    const r = await verdictFor({ stun: 'fail', 'turn-udp': 'fail', 'turn-tcp': 'fail' });
    assert.equal(r.verdict, 'warn');
    assert.match(r.explanation, /calls will work, relayed over TURN\/TLS \(turns:m:443\?transport=tcp\), with extra latency/);
  });
  it('nothing works: fail', async () => {
    const r = await verdictFor({ stun: 'fail', 'turn-udp': 'fail', 'turn-tcp': 'fail', 'turn-tls': 'fail' });
    assert.equal(r.verdict, 'fail');
    assert.match(r.fix!, /UDP 3478 to media\.example\.com/);
  });
});
