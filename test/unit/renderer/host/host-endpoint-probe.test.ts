import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostApi } from '../../../../common/contract/index.js';
import type { EndpointFinding } from '../../../../renderer/calling/index.js';
import { hostEndpointProber } from '../../../../renderer/host/host-endpoint-probe.js';

/** A host whose `sip.probeEndpoint` answers (or throws) `answer`; records what it was asked. */
function hostAnswering(answer: () => unknown) {
  const asked: unknown[] = [];
  const host: Pick<HostApi, 'invoke'> = {
    invoke: (async (channel: string, request: unknown) => {
      asked.push([channel, request]);
      return answer();
    }) as HostApi['invoke'],
  };
  return { host, asked };
}

const inPage = async (): Promise<EndpointFinding> => ({ result: 'http-answered' });

test('the host’s finding wins when it can tell (desktop app)', async () => {
  const { host, asked } = hostAnswering(() => ({ result: 'tls-rejected', detail: 'certificate has expired' }));
  const warnings: string[] = [];
  const probe = hostEndpointProber(host, inPage, (m) => void warnings.push(m));
  assert.deepEqual(await probe('wss://pbx:443'), { result: 'tls-rejected', detail: 'certificate has expired' });
  assert.deepEqual(asked, [['sip.probeEndpoint', { wsUrl: 'wss://pbx:443' }]]);
  assert.deepEqual(warnings, []);
});

test('not-run (web host) → the page probes itself, silently', async () => {
  const { host } = hostAnswering(() => ({ result: 'not-run', detail: 'a browser tab cannot see TLS errors' }));
  const warnings: string[] = [];
  assert.deepEqual(await hostEndpointProber(host, inPage, (m) => void warnings.push(m))('wss://pbx:443'), { result: 'http-answered' });
  assert.deepEqual(warnings, []);
});

test('a host without the channel, or refusing → the page probes itself and the reason is logged', async () => {
  const { host } = hostAnswering(() => {
    throw new Error('[unknown-channel] no host channel named "sip.probeEndpoint"');
  });
  const warnings: string[] = [];
  assert.deepEqual(await hostEndpointProber(host, inPage, (m) => void warnings.push(m))('wss://pbx:443'), { result: 'http-answered' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /\[unknown-channel\]/);
});
