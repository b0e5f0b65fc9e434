/** Verdict rules of the proxy, with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxyStep } from '../../../../../main/diagnostics/steps/proxy.js';
import { sipWebSocketStep } from '../../../../../main/diagnostics/steps/sip-websocket.js';
import { fakeProbes } from '../fakes.js';
import { only } from '../support/run-one-step.js';

describe('proxy', () => {
  it('a PAC script the CLI cannot evaluate is reported as such', async () => {
    const probes = fakeProbes({
      resolveProxy: async () => 'PAC http://wpad.corp/proxy.pac',
      webSocketHandshake: async () => ({ status: 101, protocol: 'sip', ms: 5 }),
    });
    const r = await only(proxyStep, probes, [sipWebSocketStep]);
    assert.equal(r.verdict, 'warn');
    assert.match(r.explanation, /auto-config script \(http:\/\/wpad\.corp\/proxy\.pac\)/);
  });

  it('the proxy Electron resolves is used for the upgrade and reported', async () => {
    let usedProxy: unknown = 'unset';
    const probes = fakeProbes({
      resolveProxy: async (url) => (url.startsWith('wss:') ? 'PROXY proxy.corp:8080; DIRECT' : 'DIRECT'),
      webSocketHandshake: async (_url, _p, proxy) => {
        usedProxy = proxy;
        return { status: 101, protocol: 'sip', ms: 5 };
      },
    });
    const r = await only(proxyStep, probes, [sipWebSocketStep]);
    assert.deepEqual(usedProxy, { scheme: 'http', host: 'proxy.corp', port: 8080 });
    assert.equal(r.verdict, 'pass');
    assert.match(r.explanation, /SIP WebSocket via PROXY proxy\.corp:8080.*survives it/);
  });
});
