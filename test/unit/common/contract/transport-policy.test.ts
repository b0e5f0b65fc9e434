import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientConfigTransportProblem,
  insecureTransportProblem,
  isLoopbackHostname,
} from '../../../../common/contract/transport-policy.js';

/** The one rule every client applies before a credential leaves the machine (hole 5). */

test('loopback is 127.0.0.0/8, ::1 and localhost, however the URL spells them', () => {
  for (const url of [
    'http://127.0.0.1:8080',
    'http://127.200.3.4',
    'http://127.1',
    'http://2130706433',
    'http://[::1]:80',
    'http://[0:0:0:0:0:0:0:1]',
    'http://LOCALHOST:3000',
  ]) {
    assert.equal(isLoopbackHostname(new URL(url).hostname), true, url);
  }
  for (const url of [
    'http://128.0.0.1',
    'http://10.0.0.5',
    'http://[::2]',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
    'http://0.0.0.0',
    'http://[::ffff:10.0.0.1]',
  ]) {
    assert.equal(isLoopbackHostname(new URL(url).hostname), false, url);
  }
});

test('http:// and ws:// are refused outside loopback, with the fix in the message', () => {
  const problem = insecureTransportProblem('http://pbx.example.com:8080/clearline', 'provisioning URL');
  assert.match(problem ?? '', /^the server must use https:\/\/ \(and wss:\/\/\) unless it is this computer: /);
  assert.match(problem ?? '', /provisioning URL http:\/\/pbx\.example\.com:8080 is http:\/\/ to pbx\.example\.com/);
  assert.match(problem ?? '', /ask your administrator for its https:\/\/ address/);
  const ws = insecureTransportProblem('ws://10.1.2.3:8088/ws', 'SIP WebSocket URL');
  assert.match(ws ?? '', /SIP WebSocket URL ws:\/\/10\.1\.2\.3:8088 is ws:\/\/ to 10\.1\.2\.3.*its wss:\/\/ address/);
  assert.notEqual(insecureTransportProblem('http://192.168.1.10', 'provisioning URL'), null, 'a LAN is a network');
});

test('TLS is always fine; clear text is fine on this computer', () => {
  for (const url of [
    'https://pbx.example.com',
    'wss://sip.example.com:7443/ws',
    'http://127.0.0.1:5080',
    'ws://[::1]:8088/ws',
    'ws://localhost/ws',
  ]) {
    assert.equal(insecureTransportProblem(url, 'URL'), null, url);
  }
});

test('an unparsable URL is named, not waved through', () => {
  assert.equal(insecureTransportProblem('pbx.example.com', 'provisioning URL'), 'the provisioning URL is not a valid URL: pbx.example.com');
});

test('a provisioned configuration is judged on its SIP WebSocket and its control plane URL', () => {
  const config = (wsUrl: string, controlPlaneUrl: string) => ({ sip: { wsUrl, domain: 'd', registerExpiresSec: 300 }, controlPlaneUrl });
  assert.equal(clientConfigTransportProblem(config('wss://pbx.example.com/ws', 'https://pbx.example.com')), null);
  assert.match(
    clientConfigTransportProblem(config('ws://pbx.example.com/ws', 'https://pbx.example.com')) ?? '',
    /SIP WebSocket URL ws:\/\/pbx\.example\.com/,
  );
  assert.match(
    clientConfigTransportProblem(config('wss://pbx.example.com/ws', 'http://pbx.example.com')) ?? '',
    /control plane URL http:\/\/pbx\.example\.com/,
  );
  assert.equal(clientConfigTransportProblem(config('ws://127.0.0.1:8088/ws', 'http://127.0.0.1:8080')), null);
});
