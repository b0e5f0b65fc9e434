import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCoturnConfig, DENIED_PEER_RANGES, type CoturnInput } from '../../../../backend/config/coturn.js';
import { rtpengineArgs, rtpengineSocket } from '../../../../backend/config/rtpengine.js';

const coturnBase: CoturnInput = {
  listen: '127.0.0.1',
  port: 20020,
  tlsPort: 20021,
  relayMin: 21200,
  relayMax: 21399,
  realm: 'clearline',
  authSecret: 's3cret',
  certFile: '/pki/server.crt',
  keyFile: '/pki/server.key',
  allowedPeers: ['127.0.0.1'],
  deniedPeers: [],
  pidFile: '/run/turn.pid',
};

test('coturn: TURN REST auth, ports, TLS 1.2+ only, hardening flags', () => {
  const conf = renderCoturnConfig(coturnBase);
  const lines = new Set(conf.split('\n'));
  for (const l of [
    'use-auth-secret',
    'static-auth-secret=s3cret',
    'listening-port=20020',
    'tls-listening-port=20021',
    'min-port=21200',
    'max-port=21399',
    'no-cli',
    'no-multicast-peers',
    'no-tcp-relay',
    'no-tlsv1',
    'no-tlsv1_1',
    'no-software-attribute',
    'user-quota=12',
    'total-quota=1200',
    'cert=/pki/server.crt',
    'pkey=/pki/server.key',
  ]) {
    assert.ok(lines.has(l), `missing line: ${l}`);
  }
});

test('coturn: every private/special range denied; only the stack address allowed (loopback only when needed)', () => {
  const conf = renderCoturnConfig(coturnBase);
  for (const r of [
    '10.0.0.0-10.255.255.255',
    '172.16.0.0-172.31.255.255',
    '192.168.0.0-192.168.255.255',
    '169.254.0.0-169.254.255.255',
    '127.0.0.0-127.255.255.255',
    'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  ]) {
    assert.ok(DENIED_PEER_RANGES.includes(r));
    assert.ok(conf.includes(`denied-peer-ip=${r}\n`), r);
  }
  assert.match(conf, /^allowed-peer-ip=127\.0\.0\.1$/m);
  assert.match(conf, /^allow-loopback-peers$/m);
  const server = renderCoturnConfig({
    ...coturnBase,
    listen: '198.51.100.10',
    allowedPeers: ['198.51.100.11'],
    deniedPeers: ['198.51.100.10', '127.0.0.1'],
  });
  assert.doesNotMatch(server, /allow-loopback-peers/);
  // The stack's own public listen address is denied explicitly: it is in no special range.
  assert.match(server, /^denied-peer-ip=198\.51\.100\.10$/m);
  assert.match(server, /^allowed-peer-ip=198\.51\.100\.11$/m);
  assert.throws(
    () => renderCoturnConfig({ ...coturnBase, allowedPeers: ['10.0.0.1'], deniedPeers: ['10.0.0.1'] }),
    /10\.0\.0\.1 cannot be both an allowed and a denied peer/,
  );
  assert.throws(() => renderCoturnConfig({ ...coturnBase, realm: 'a\nno-auth' }), /realm must not contain newlines/);
});

test('rtpengine: userspace-only arguments, media on its address, ng on the management address', () => {
  const args = rtpengineArgs({
    mediaAddress: '10.1.1.1',
    ngAddress: '127.0.0.1',
    ngPort: 20030,
    portMin: 21000,
    portMax: 21199,
    maxSessions: 50,
    threads: 2,
    advertise: '198.51.100.1',
    mediaTimeoutSeconds: 60,
    timeoutCallbackUrl: 'http://%%:20004/RPC2',
  });
  assert.ok(args.includes('--table=-1'));
  assert.ok(args.includes('--interface=10.1.1.1!198.51.100.1'));
  assert.ok(args.includes('--listen-ng=127.0.0.1:20030'));
  assert.ok(args.includes('--port-min=21000') && args.includes('--port-max=21199'));
  assert.ok(args.includes('--max-sessions=50') && args.includes('--num-threads=2'), 'sized by --max-calls (engine-sizing.ts)');
  // A call without media on any stream for 60 s is freed and reported to Kamailio, which ends both legs.
  assert.ok(args.includes('--timeout=60'));
  assert.ok(args.includes('--b2b-url=http://%%:20004/RPC2') && args.includes('--xmlrpc-format=2'));
  assert.equal(rtpengineSocket('127.0.0.1', 20030), 'udp:127.0.0.1:20030');
  const tiny = {
    mediaAddress: 'x',
    ngAddress: 'y',
    ngPort: 1,
    portMin: 5,
    portMax: 4,
    maxSessions: 1,
    threads: 1,
    mediaTimeoutSeconds: 60,
    timeoutCallbackUrl: 'http://%%:4/RPC2',
  };
  assert.throws(() => rtpengineArgs(tiny), /portMin/);
  assert.throws(() => rtpengineArgs({ ...tiny, portMax: 8, maxSessions: 0 }), /maxSessions/);
  assert.throws(() => rtpengineArgs({ ...tiny, portMax: 8, mediaTimeoutSeconds: 0 }), /mediaTimeoutSeconds/);
});
