/**
 * Per-service listen addresses (backend/agent-services.ts): HTTPS, WSS and TURN/TLS can each move
 * to an address and port of their own (443 for networks that let out only TCP 443), the stack's
 * generated configs and the client configuration then say exactly that, and the moves that would
 * expose something (the management or media address, two services on one socket) are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseHostPort, resolveAgentServices, serviceHosts, serviceUrl } from '../../../backend/agent-services.js';
import { assertDistinctBindings, stackBindings } from '../../../backend/bindings.js';
import { ControlPlaneConfigSchema } from '../../../backend/control-plane/config.js';
import { portsFor } from '../../../backend/ports.js';
import { resolveStackOptions } from '../../../backend/stack-options.js';
import { generatedStackFiles } from '../../support/stack-files.js';

const LISTEN = '10.9.8.7';
const MEDIA = '10.9.8.8';
const HTTPS = '10.9.8.10';
const WSS = '10.9.8.11';
const TURNS = '10.9.8.12';
/** A block base for pure config checks: nothing binds. */
const BASE = 30000;
const ON_443 = { controlPlane: `${HTTPS}:443`, sipWss: `${WSS}:443`, turns: `${TURNS}:443` };

test('agent services: by default each one is on --listen at its block port', () => {
  const ports = portsFor(BASE);
  const s = resolveAgentServices({ listen: LISTEN, ports, managementAddress: '127.0.0.1', mediaAddress: MEDIA, overrides: {} });
  assert.deepEqual(s, {
    controlPlane: { host: LISTEN, port: 30010 },
    sipWss: { host: LISTEN, port: 30002 },
    turn: { host: LISTEN, port: 30020 },
    turns: { host: LISTEN, port: 30021 },
  });
  assert.deepEqual(serviceHosts(s), [LISTEN]);
});

test('agent services: moved to 443 on addresses of their own; coturn’s UDP/TCP port follows the TLS address', () => {
  const ports = portsFor(BASE);
  const s = resolveAgentServices({ listen: LISTEN, ports, managementAddress: '127.0.0.1', mediaAddress: MEDIA, overrides: ON_443 });
  assert.deepEqual(s.controlPlane, { host: HTTPS, port: 443 });
  assert.deepEqual(s.sipWss, { host: WSS, port: 443 });
  assert.deepEqual(s.turns, { host: TURNS, port: 443 });
  assert.deepEqual(s.turn, { host: TURNS, port: 30020 });
  assert.deepEqual(serviceHosts(s), [HTTPS, WSS, TURNS]);
});

test('agent services: a bad ADDR:PORT, the management address or the media address is refused, naming the flag', () => {
  const base = { listen: LISTEN, ports: portsFor(BASE), managementAddress: '10.9.8.20', mediaAddress: MEDIA };
  for (const bad of ['10.9.8.10', '10.9.8.10:0', '10.9.8.10:65536', 'sip.example.com:443', '10.9.8.300:443']) {
    assert.throws(() => resolveAgentServices({ ...base, overrides: { sipWss: bad } }), /--wss-listen must be an IPv4 ADDR:PORT/, bad);
  }
  assert.throws(
    () => resolveAgentServices({ ...base, overrides: { controlPlane: '10.9.8.20:443' } }),
    /--https-listen 10\.9\.8\.20:443: 10\.9\.8\.20 is the management address/,
  );
  assert.throws(
    () => resolveAgentServices({ ...base, overrides: { turns: `${MEDIA}:443` } }),
    /--turns-listen 10\.9\.8\.8:443: 10\.9\.8\.8 is the media address, the one peer TURN relays to/,
  );
  assert.deepEqual(parseHostPort('--x', '192.0.2.1:443'), { host: '192.0.2.1', port: 443 });
});

test('service URLs leave out the scheme’s default port, as browsers write an Origin', () => {
  assert.equal(serviceUrl('https', { host: HTTPS, port: 443 }), `https://${HTTPS}`);
  assert.equal(serviceUrl('wss', { host: WSS, port: 443 }), `wss://${WSS}`);
  assert.equal(serviceUrl('https', { host: HTTPS, port: 30010 }), `https://${HTTPS}:30010`);
  assert.equal(serviceUrl('http', { host: '127.0.0.1', port: 80 }), 'http://127.0.0.1');
  assert.equal(serviceUrl('ws', { host: '127.0.0.1', port: 443 }), 'ws://127.0.0.1:443');
});

test('stack options: --wss-listen on a loopback stack without a certificate is refused; bindings follow the services', () => {
  assert.throws(() => resolveStackOptions({ stateDir: '/tmp/x', serviceListen: { sipWss: '127.0.0.2:443' } }), /--wss-listen needs TLS/);
  const o = resolveStackOptions({ stateDir: '/tmp/x', portBase: BASE, listen: LISTEN, mediaAddress: MEDIA, serviceListen: ON_443 });
  const agentSockets = stackBindings(o, { carrier: false, reflector: false })
    .filter((b) => b.faces === 'agents')
    .map((b) => `${b.name} ${b.proto} ${b.host}:${b.port}`)
    .sort();
  assert.deepEqual(agentSockets, [
    `controlPlane tcp ${HTTPS}:443`,
    `sipWss tcp ${WSS}:443`,
    `turn tcp ${TURNS}:30020`,
    `turn udp ${TURNS}:30020`,
    `turns tcp ${TURNS}:443`,
  ]);
  const plainWs = stackBindings(o, { carrier: false, reflector: false }).find((b) => b.name === 'sipWs');
  assert.deepEqual(
    plainWs && { host: plainWs.host, faces: plainWs.faces },
    { host: o.managementAddress, faces: 'internal' },
    'off loopback ws:// never faces agents',
  );
});

test('two services on one socket are refused before anything starts, naming both', () => {
  const o = resolveStackOptions({
    stateDir: '/tmp/x',
    portBase: BASE,
    listen: LISTEN,
    mediaAddress: MEDIA,
    serviceListen: { controlPlane: `${HTTPS}:443`, sipWss: `${HTTPS}:443` },
  });
  assert.throws(
    () => assertDistinctBindings(stackBindings(o, { carrier: false, reflector: false })),
    /controlPlane and sipWss would both bind TCP 10\.9\.8\.10:443: give each service its own address or port/,
  );
  const sameAsBlock = resolveStackOptions({
    stateDir: '/tmp/x',
    portBase: BASE,
    listen: LISTEN,
    mediaAddress: MEDIA,
    serviceListen: { turns: `${LISTEN}:30010` },
  });
  assert.throws(
    () => assertDistinctBindings(stackBindings(sameAsBlock, { carrier: false, reflector: false })),
    /would both bind TCP 10\.9\.8\.7:30010/,
  );
  assert.doesNotThrow(() =>
    assertDistinctBindings(stackBindings(resolveStackOptions({ stateDir: '/tmp/x' }), { carrier: true, reflector: true })),
  );
});

test('generated configs: HTTPS, WSS and TURN/TLS on 443; the client gets turns:…:443 and every other TURN transport', async (t) => {
  const { files } = await generatedStackFiles(t, { portBase: BASE, listen: LISTEN, mediaAddress: MEDIA, serviceListen: ON_443 });

  assert.equal(files.controlPlaneUrl, `https://${HTTPS}`);
  assert.equal(files.wsUrl, `wss://${WSS}`);
  const expectedUris = [`turn:${TURNS}:30020?transport=udp`, `turn:${TURNS}:30020?transport=tcp`, `turns:${TURNS}:443?transport=tcp`];
  assert.deepEqual(files.turnUris, expectedUris);

  const cp = ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(files.controlPlaneConfig, 'utf8')));
  assert.equal(cp.listen, HTTPS);
  assert.equal(cp.port, 443);
  assert.deepEqual(cp.turn.uris, expectedUris, 'what /api/turn-credentials hands every agent');
  assert.equal(cp.client.wsUrl, `wss://${WSS}`);
  assert.ok(cp.corsOrigins.includes(`https://${HTTPS}`), 'the web softphone’s origin, as the browser sends it (no :443)');

  const kamailio = readFileSync(files.kamailioConfig, 'utf8');
  assert.match(kamailio, new RegExp(`#!substdef "!CL_WSS_ADDR!${WSS.replace(/\./g, '\\.')}!g"`));
  assert.match(kamailio, /#!substdef "!CL_SIP_WSS_PORT!443!g"/);

  const coturn = readFileSync(files.coturnConfig, 'utf8').split('\n');
  for (const line of [`listening-ip=${TURNS}`, `relay-ip=${TURNS}`, 'listening-port=30020', 'tls-listening-port=443'])
    assert.ok(coturn.includes(line), line);
  // No TURN allocation may reach any of the stack's service addresses; only the media address.
  for (const host of [LISTEN, HTTPS, WSS, TURNS]) assert.ok(coturn.includes(`denied-peer-ip=${host}`), `denied ${host}`);
  assert.ok(coturn.includes(`allowed-peer-ip=${MEDIA}`));

  // The local CA's certificate names every address a TLS service answers on.
  const san = new X509Certificate(readFileSync(files.pki.certFile)).subjectAltName ?? '';
  for (const host of [LISTEN, HTTPS, WSS, TURNS]) assert.ok(san.split(', ').includes(`IP Address:${host}`), `${host} in ${san}`);
});
