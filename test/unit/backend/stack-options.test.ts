/**
 * Stack options: every bad value names its option, and the exposure defaults (demo only on
 * loopback, HTTPS/WSS off loopback, media on an address of its own, control interfaces on the
 * management address, short TURN credentials) follow from the listen address.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRODUCTION_MAX_CALLS, resolveStackOptions } from '../../../backend/stack-options.js';
import { BLOCK_MAX_CALLS } from '../../../backend/ports.js';
import { stackBindings } from '../../../backend/bindings.js';
import { DEMO_PASSWORD_MIN_LENGTH, loadOrCreateSecrets } from '../../../backend/state.js';

const stateDir = '/tmp/x';

test('stack options: every bad value is reported naming its option', () => {
  assert.throws(() => resolveStackOptions({ stateDir: '' }), /--state-dir DIR is required/);
  assert.throws(() => resolveStackOptions({ stateDir, listen: 'localhost' }), /--listen must be an IPv4 address/);
  assert.throws(() => resolveStackOptions({ stateDir, portBase: 80 }), /--port-base must be an integer between 1024/);
  assert.throws(() => resolveStackOptions({ stateDir, tlsCert: '/a' }), /--tls-cert and --tls-key must be given together/);
  assert.throws(
    () => resolveStackOptions({ stateDir, tlsCert: '/nope.pem', tlsKey: '/nope.key' }),
    /--tls-cert \/nope\.pem: file does not exist/,
  );
  assert.throws(() => resolveStackOptions({ stateDir, turnTtlSec: 5 }), /--turn-ttl/);
  assert.throws(
    () => resolveStackOptions({ stateDir, turnTtlSec: 86400 }),
    /--turn-ttl must be an integer number of seconds between 60 and 3600/,
  );
  assert.throws(() => resolveStackOptions({ stateDir, dbUrl: 'mysql://x' }), /--db must be/);
  assert.throws(
    () => resolveStackOptions({ stateDir, auditRetentionDays: 0 }),
    /--audit-retention-days must be an integer number of days between 1 and 3650 \(got 0\)/,
  );
  assert.throws(() => resolveStackOptions({ stateDir, mediaAddress: 'media' }), /--media-address must be an IPv4 address/);
  assert.throws(() => resolveStackOptions({ stateDir, managementAddress: '::1' }), /--management-address must be an IPv4 address/);
  for (const trunk of ['198.51.100.7', 'sip.example.com:5060', '198.51.100.7:0', '198.51.100.7:70000', '300.1.1.1:5060']) {
    assert.throws(() => resolveStackOptions({ stateDir, trunk }), /--trunk must be the trunk's IPv4 ADDR:PORT/, trunk);
  }
  const ok = resolveStackOptions({ stateDir, portBase: 30000, listen: '10.9.8.7', mediaAddress: '10.9.8.8' });
  assert.equal(ok.ports.sipWs, 30001);
  assert.equal(ok.dbUrl, 'sqlite:///tmp/x/clearline.db');
  assert.equal(ok.auditRetentionDays, 90);
});

test('a loopback listen is the demo: plain HTTP/WS allowed, media on the listen address, 10-minute TURN credentials', () => {
  const o = resolveStackOptions({ stateDir });
  assert.equal(o.demo, true);
  assert.equal(o.tlsOnly, false);
  assert.equal(o.mediaAddress, '127.0.0.1');
  assert.equal(o.managementAddress, '127.0.0.1');
  assert.equal(o.trunk, null);
  assert.equal(o.turnTtlSec, 600);
  assert.equal(resolveStackOptions({ stateDir, demo: false }).demo, false, 'production can be asked for on loopback');
});

test('any other listen is production with HTTPS/WSS only, unless --demo; media needs an address of its own', () => {
  assert.throws(() => resolveStackOptions({ stateDir, listen: '10.9.8.7' }), /--media-address is required with --listen 10\.9\.8\.7/);
  const prod = resolveStackOptions({ stateDir, listen: '10.9.8.7', mediaAddress: '10.9.8.8', trunk: '198.51.100.7:5060' });
  assert.equal(prod.demo, false);
  assert.equal(prod.tlsOnly, true);
  assert.deepEqual(prod.trunk, { address: '198.51.100.7', port: 5060 });
  assert.equal(resolveStackOptions({ stateDir, listen: '10.9.8.7', mediaAddress: '10.9.8.8', demo: true }).demo, true);
  // Accepting the shared-address risk is explicit (startStack then warns).
  assert.equal(resolveStackOptions({ stateDir, listen: '10.9.8.7', mediaAddress: '10.9.8.7' }).mediaAddress, '10.9.8.7');
  assert.throws(
    () => resolveStackOptions({ stateDir, listen: '10.9.8.7', mediaAddress: '10.9.8.8', managementAddress: '10.9.8.7' }),
    /--management-address must not be --listen \(10\.9\.8\.7\)/,
  );
  assert.throws(
    () => resolveStackOptions({ stateDir, listen: '10.9.8.7', mediaAddress: '10.9.8.9', managementAddress: '10.9.8.9' }),
    /--media-address 10\.9\.8\.9 must differ from --management-address/,
  );
});

test('--max-calls: demo stacks fit the port block, production is sized for PRODUCTION_MAX_CALLS; rtpengine refuses beyond its share', () => {
  const demo = resolveStackOptions({ stateDir, portBase: 30000 });
  assert.equal(demo.maxCalls, BLOCK_MAX_CALLS);
  assert.deepEqual(
    demo.rtpengines.map((r) => [r.portMin, r.portMax, r.maxSessions]),
    [[31000, 31199, BLOCK_MAX_CALLS]],
  );
  const prod = resolveStackOptions({ stateDir, portBase: 30000, listen: '10.9.8.7', mediaAddress: '10.9.8.8' });
  assert.equal(prod.maxCalls, PRODUCTION_MAX_CALLS);
  assert.equal(prod.ports.rtpengineMediaMin, 32000, 'after the signaling block');
  assert.equal(prod.rtpengines[0]!.maxSessions, PRODUCTION_MAX_CALLS);
  const two = resolveStackOptions({ stateDir, portBase: 30000, maxCalls: 7, rtpengineInstances: 2 });
  assert.deepEqual(
    two.rtpengines.map((r) => [r.portMin, r.portMax, r.maxSessions]),
    [
      [31000, 31013, 3],
      [31014, 31027, 3],
    ],
  );
  assert.throws(() => resolveStackOptions({ stateDir, maxCalls: 0 }), /--max-calls must be an integer/);
});

test('bindings: control interfaces and plain ws:// on the management address, agents (WSS) and trunk on the listen address, the reflector with the media', () => {
  const o = resolveStackOptions({
    stateDir,
    portBase: 30000,
    listen: '10.9.8.7',
    mediaAddress: '10.9.8.8',
    rtpengineInstances: 2,
    demo: true,
  });
  const all = stackBindings(o, { carrier: true, reflector: true });
  const on = (host: string) =>
    all
      .filter((b) => b.host === host)
      .map((b) => `${b.proto}/${b.port}`)
      .sort();
  assert.deepEqual(on('127.0.0.1'), ['tcp/30001', 'tcp/30004', 'tcp/30011', 'tcp/30041', 'udp/30030', 'udp/30031', 'udp/30040']);
  assert.deepEqual(on('10.9.8.7'), ['tcp/30002', 'tcp/30010', 'tcp/30020', 'tcp/30021', 'udp/30000', 'udp/30020']);
  assert.ok(all.filter((b) => b.host === '127.0.0.1').every((b) => b.faces === 'internal'));
  assert.ok(all.filter((b) => b.host === '10.9.8.7').every((b) => b.faces !== 'internal'));
  // rtpengine's media range is not a binding of its own; the reflector measures the media path, through TURN too.
  assert.deepEqual(on('10.9.8.8'), ['udp/30050'], 'the media address carries media and the reflector only');
});

test('secrets: demo passwords are long base64url, and short ones from an earlier release are replaced', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-secrets-'));
  try {
    const fresh = loadOrCreateSecrets(dir);
    for (const a of fresh.demoAgents) assert.match(a.password, new RegExp(`^[A-Za-z0-9_-]{${DEMO_PASSWORD_MIN_LENGTH},}$`));
    assert.deepEqual(loadOrCreateSecrets(dir), fresh, 'kept across restarts');
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ ...fresh, demoAgents: fresh.demoAgents.map((a) => ({ ...a, password: 'short-1234567890' })) }));
    const upgraded = loadOrCreateSecrets(dir);
    assert.ok(upgraded.demoAgents.every((a) => a.password.length >= DEMO_PASSWORD_MIN_LENGTH));
    assert.equal(upgraded.adminToken, fresh.adminToken, 'only the passwords change');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), upgraded);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
