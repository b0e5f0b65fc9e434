/** Verdict rules of DNS, with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dnsStep } from '../../../../../main/diagnostics/steps/dns.js';
import { fakeProbes } from '../fakes.js';
import { only } from '../support/run-one-step.js';

describe('DNS', () => {
  it('an unresolvable SIP host fails; an unresolvable reflector only warns', async () => {
    const without = (missing: string) => fakeProbes({ lookup: async (h) => (h === missing ? [] : ['192.0.2.1']) });
    const sip = await only(dnsStep, without('sip.example.com'));
    assert.deepEqual([sip.verdict, sip.explanation], ['fail', 'cannot resolve sip.example.com']);
    const media = await only(dnsStep, without('media.example.com'));
    assert.equal(media.verdict, 'warn');
  });
});
