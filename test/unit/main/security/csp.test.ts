import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsp } from '../../../../main/security/csp.js';
import { connectSources } from '../../../../common/content-security-policy.js';

describe('CSP from the provisioned config', () => {
  const config = {
    sip: { wsUrl: 'wss://sip.example.com:7443/ws', domain: 'example.com', registerExpiresSec: 300 },
    controlPlaneUrl: 'https://voice.example.com/tenant',
  };
  test('connect-src: self + the SIP WebSocket origin (and its HTTPS twin) + the control plane, nothing else', () => {
    assert.deepEqual(connectSources({ sipWsUrls: [config.sip.wsUrl], controlPlaneUrl: config.controlPlaneUrl }), [
      'https://sip.example.com:7443',
      'https://voice.example.com',
      'wss://sip.example.com:7443',
    ]);
    const csp = buildCsp(config);
    assert.match(
      csp,
      /(^|; )connect-src 'self' https:\/\/sip\.example\.com:7443 https:\/\/voice\.example\.com wss:\/\/sip\.example\.com:7443(;|$)/,
    );
  });
  test('signed out: connect-src self only', () => {
    assert.match(buildCsp(null), /(^|; )connect-src 'self'(;|$)/);
  });
  test('no inline or eval script, no plugins, no framing, default none', () => {
    const csp = buildCsp(config);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'"]) assert.ok(csp.includes(d), d);
  });
});
