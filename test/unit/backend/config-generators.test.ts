import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderKamailioConfig, renderKamailioTlsConfig, RTPENGINE_FLAGS } from '../../../backend/config/kamailio.js';
import { renderCoturnConfig, DENIED_PEER_RANGES, type CoturnInput } from '../../../backend/config/coturn.js';
import { rtpengineArgs, rtpengineSocket } from '../../../backend/config/rtpengine.js';
import { KAMAILIO_INPUT } from './kamailio-input.js';

const kamailioBase = KAMAILIO_INPUT;

test('kamailio: listens on UDP + WS with port-qualified aliases, no TLS unless asked', () => {
  const cfg = renderKamailioConfig(kamailioBase);
  assert.match(cfg, /^listen=udp:127\.0\.0\.1:20000$/m);
  assert.match(cfg, /^listen=tcp:127\.0\.0\.1:20001$/m);
  assert.match(cfg, /^alias="127\.0\.0\.1:20000"$/m);
  assert.doesNotMatch(cfg, /^alias="127\.0\.0\.1"$/m, 'a bare-address alias breaks loose_route on a shared host');
  assert.doesNotMatch(cfg, /loadmodule "tls\.so"/);
  assert.match(cfg, /^enable_tls=no$/m);
});

test('kamailio: WSS adds a TLS listener, the tls module and its config file', () => {
  const cfg = renderKamailioConfig({ ...kamailioBase, wss: { port: 20002, tlsConfigFile: '/s/tls.cfg' } });
  assert.match(cfg, /^listen=tls:127\.0\.0\.1:20002$/m);
  assert.match(cfg, /loadmodule "tls\.so"/);
  assert.match(cfg, /modparam\("tls", "config", "\/s\/tls\.cfg"\)/);
  assert.match(cfg, /\$Rp == 20001 \|\| \$Rp == 20002/);
  const tls = renderKamailioTlsConfig({ certFile: '/c.pem', keyFile: '/k.pem' });
  assert.match(tls, /method = TLSv1\.2\+/);
  assert.match(tls, /certificate = \/c\.pem/);
});

test('kamailio: digest auth reads HA1 from the agents table; SQLite path gets Kamailio\'s four slashes', () => {
  const cfg = renderKamailioConfig(kamailioBase);
  assert.match(cfg, /modparam\("auth_db", "db_url", "sqlite:\/\/\/\/var\/lib\/clearline\/clearline\.db"\)/);
  assert.match(cfg, /modparam\("auth_db", "password_column", "ha1"\)/);
  assert.match(cfg, /modparam\("auth_db", "calculate_ha1", 0\)/);
  assert.match(cfg, /auth_check\("clearline", "agents", "1"\)/);
  assert.match(cfg, /db_set_journal_mode", "\/var\/lib\/clearline\/clearline\.db=WAL;"/);
  assert.match(cfg, /loadmodule "db_sqlite\.so"/);
});

test('kamailio: an external PostgreSQL URL switches to db_postgres, untouched', () => {
  const cfg = renderKamailioConfig({ ...kamailioBase, dbUrl: 'postgres://kam:pw@db.internal/clearline' });
  assert.match(cfg, /loadmodule "db_postgres\.so"/);
  assert.doesNotMatch(cfg, /db_sqlite/);
  assert.match(cfg, /modparam\("auth_db", "db_url", "postgres:\/\/kam:pw@db\.internal\/clearline"\)/);
});

test('kamailio: several rtpengine instances form one set; per-leg flags as measured', () => {
  const cfg = renderKamailioConfig({ ...kamailioBase, rtpengineSockets: ['udp:10.0.0.5:22222', 'udp:10.0.0.6:22222'] });
  assert.match(cfg, /modparam\("rtpengine", "rtpengine_sock", "udp:10\.0\.0\.5:22222 udp:10\.0\.0\.6:22222"\)/);
  assert.ok(cfg.includes(`rtpengine_offer("${RTPENGINE_FLAGS.common} ${RTPENGINE_FLAGS.toWebrtcOffer}")`));
  assert.ok(cfg.includes(`rtpengine_offer("${RTPENGINE_FLAGS.common} ${RTPENGINE_FLAGS.toPlain}")`));
  assert.ok(cfg.includes(`rtpengine_answer("${RTPENGINE_FLAGS.common} ${RTPENGINE_FLAGS.toWebrtcAnswer}")`));
  assert.match(RTPENGINE_FLAGS.toWebrtcOffer, /ICE=force/);
  assert.match(RTPENGINE_FLAGS.toWebrtcOffer, /UDP\/TLS\/RTP\/SAVPF/);
  assert.match(RTPENGINE_FLAGS.toPlain, /ICE=remove RTP\/AVP DTLS=off/);
  assert.throws(() => renderKamailioConfig({ ...kamailioBase, rtpengineSockets: [] }), /at least one rtpengine socket/);
});

test('kamailio: SDP toward browsers gets a BUNDLE group (offers and answers); Record-Route after the rewrite', () => {
  const cfg = renderKamailioConfig(kamailioBase);
  assert.equal(cfg.match(/route\(BROWSER_BUNDLE\)/g)?.length, 2);
  assert.match(cfg, /subst_body\("\/\^m=\/a=group:BUNDLE \$var\(mid\)\\r\\nm=\/"\)/);
  const invite = cfg.slice(cfg.indexOf('route[INVITE]'), cfg.indexOf('route[DST_TYPE]'));
  assert.ok(invite.indexOf('route(RTP_OFFER)') < invite.indexOf('record_route()'), 'record_route() after the body rewrite');
});

test('kamailio: trunk allow-list by source address AND port; numbers routed to the trunk', () => {
  const cfg = renderKamailioConfig({ ...kamailioBase, trustedTrunks: [{ address: '192.0.2.7', port: 5060 }] });
  assert.ok(cfg.includes('if (($si == "127.0.0.1" && $sp == 20040) || ($si == "192.0.2.7" && $sp == 5060)) setflag(FLT_FROM_TRUNK);'));
  assert.ok(cfg.includes('$du = "sip:127.0.0.1:20040";'));
  const noTrunk = renderKamailioConfig({ ...kamailioBase, trunk: null });
  assert.match(noTrunk, /sl_send_reply\("503", "No Trunk"\)/);
  assert.doesNotMatch(noTrunk, /setflag\(FLT_FROM_TRUNK\)/);
});

test('kamailio: refuses values that would break out of a quoted cfg string', () => {
  assert.throws(() => renderKamailioConfig({ ...kamailioBase, auditToken: 'a"b' }), /auditToken must not contain quotes/);
  assert.throws(() => renderKamailioConfig({ ...kamailioBase, realm: 'x\ny' }), /realm/);
});

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
    'use-auth-secret', 'static-auth-secret=s3cret', 'listening-port=20020', 'tls-listening-port=20021',
    'min-port=21200', 'max-port=21399', 'no-cli', 'no-multicast-peers', 'no-tcp-relay', 'no-tlsv1', 'no-tlsv1_1',
    'no-software-attribute', 'user-quota=12', 'total-quota=1200', 'cert=/pki/server.crt', 'pkey=/pki/server.key',
  ]) {
    assert.ok(lines.has(l), `missing line: ${l}`);
  }
});

test('coturn: every private/special range denied; only the stack address allowed (loopback only when needed)', () => {
  const conf = renderCoturnConfig(coturnBase);
  for (const r of ['10.0.0.0-10.255.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255', '169.254.0.0-169.254.255.255', '127.0.0.0-127.255.255.255', 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']) {
    assert.ok(DENIED_PEER_RANGES.includes(r));
    assert.ok(conf.includes(`denied-peer-ip=${r}\n`), r);
  }
  assert.match(conf, /^allowed-peer-ip=127\.0\.0\.1$/m);
  assert.match(conf, /^allow-loopback-peers$/m);
  const server = renderCoturnConfig({ ...coturnBase, listen: '198.51.100.10', allowedPeers: ['198.51.100.11'], deniedPeers: ['198.51.100.10', '127.0.0.1'] });
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
  const args = rtpengineArgs({ mediaAddress: '10.1.1.1', ngAddress: '127.0.0.1', ngPort: 20030, portMin: 21000, portMax: 21199, advertise: '198.51.100.1' });
  assert.ok(args.includes('--table=-1'));
  assert.ok(args.includes('--interface=10.1.1.1!198.51.100.1'));
  assert.ok(args.includes('--listen-ng=127.0.0.1:20030'));
  assert.ok(args.includes('--port-min=21000') && args.includes('--port-max=21199'));
  assert.equal(rtpengineSocket('127.0.0.1', 20030), 'udp:127.0.0.1:20030');
  assert.throws(() => rtpengineArgs({ mediaAddress: 'x', ngAddress: 'y', ngPort: 1, portMin: 5, portMax: 4 }), /portMin/);
});
