import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchDiagnosticsConfig } from '../../../../main/diagnostics/provisioning-client.js';
import { ControlPlaneError } from '../../../../common/control-plane-client.js';
import { AGENT, sampleConfig, startControlPlaneFixture, type ControlPlaneFixture } from '../fakes/control-plane.js';

/** The network-test CLI signs in like the app does, under the same transport and lockout rules. */

let plane: ControlPlaneFixture;
before(async () => {
  plane = await startControlPlaneFixture();
});
after(() => plane.close());

const fails = (message: RegExp, fix: RegExp) => (error: unknown) =>
  error instanceof ControlPlaneError && message.test(error.message) && fix.test(error.fix);

test('a loopback http:// control plane is fine (the one-command demo)', { timeout: 5_000 }, async () => {
  const config = await fetchDiagnosticsConfig(plane.url, AGENT.username, AGENT.password);
  assert.equal(config.client.agent.username, AGENT.username);
});

test('http:// to another computer is refused before the password is sent', { timeout: 5_000 }, async () => {
  await assert.rejects(
    fetchDiagnosticsConfig('http://192.0.2.10:8080', AGENT.username, AGENT.password),
    fails(
      /control plane URL \(--config\) http:\/\/192\.0\.2\.10:8080 is http:\/\/ to 192\.0\.2\.10/,
      /^use the https:\/\/ address of the control plane/,
    ),
  );
});

test('a provisioned ws:// SIP server on another computer fails the test like the app refuses it', { timeout: 5_000 }, async (t) => {
  const config = sampleConfig(plane.url);
  plane.override.set('/api/client-config', {
    status: 200,
    body: JSON.stringify({ ...config, sip: { ...config.sip, wsUrl: 'ws://sip.example.com/ws' } }),
  });
  t.after(() => plane.override.clear());
  await assert.rejects(
    fetchDiagnosticsConfig(plane.url, AGENT.username, AGENT.password),
    fails(/SIP WebSocket URL ws:\/\/sip\.example\.com is ws:\/\//, /must provision wss:\/\//),
  );
});

test('429 + Retry-After: locked, with the wait; not a wrong password', { timeout: 5_000 }, async (t) => {
  plane.override.set('/api/client-config', { status: 429, body: '{}', headers: { 'retry-after': '90' } });
  plane.override.set('/api/turn-credentials', { status: 429, body: '{}', headers: { 'retry-after': '90' } });
  t.after(() => plane.override.clear());
  await assert.rejects(
    fetchDiagnosticsConfig(plane.url, AGENT.username, AGENT.password),
    fails(/^Too many failed sign-ins for this account from this network: locked; try again in 90 s /, /^wait that long/),
  );
});
