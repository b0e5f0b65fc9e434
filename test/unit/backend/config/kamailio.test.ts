/**
 * Kamailio's configuration: the generated defines carry every installation-specific value
 * (checked so none can break out of the cfg), the static routing reads them, and Kamailio itself
 * (`kamailio -c`) accepts the pair — a syntax error in backend/config/kamailio.cfg fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KAMAILIO_STATIC_CFG,
  renderKamailioConfig,
  renderKamailioDefines,
  renderKamailioTlsConfig,
  RTPENGINE_FLAGS,
  type KamailioConfigInput,
} from '../../../../backend/config/kamailio.js';
import { DIAL_PLAN_PATTERNS } from '../../../../backend/config/dial-plan.js';
import { ensureKamailioStateDb } from '../../../../backend/config/kamailio-state-db.js';
import { KAMAILIO_INPUT } from './fixtures.js';

const routing = readFileSync(KAMAILIO_STATIC_CFG, 'utf8');
/** The body of one route block of the static cfg, e.g. `route[AUTH]`. */
const block = (name: string) => {
  const start = routing.indexOf(`${name} {`);
  assert.ok(start >= 0, `${name} exists`);
  return routing.slice(start, routing.indexOf('\n}\n', start));
};
const hasKamailio = spawnSync('kamailio', ['-v']).status === 0;

/** Runs `kamailio -c` on the generated config; resolves with its output (throws on an error). */
function kamailioCheck(input: KamailioConfigInput): string {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-kamailio-check-'));
  try {
    const cfg = join(dir, 'kamailio.cfg');
    const tlsCfg = join(dir, 'tls.cfg');
    writeFileSync(tlsCfg, renderKamailioTlsConfig({ certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') }));
    // mqueue loads the saved audit queue while it reads the cfg: the state database must exist.
    ensureKamailioStateDb(join(dir, 'kamailio.db'));
    writeFileSync(
      cfg,
      renderKamailioConfig({
        ...input,
        stateDbFile: 'kamailio.db', // relative to the working directory (cwd below)
        ...(input.wss ? { wss: { port: input.wss.port, tlsConfigFile: tlsCfg } } : {}),
      }),
    );
    return execFileSync('kamailio', ['-c', '-f', cfg], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(
  'kamailio -c accepts the generated config: SQLite + trunk, and PostgreSQL + WSS without a trunk',
  { skip: hasKamailio ? false : 'kamailio is not installed' },
  () => {
    kamailioCheck(KAMAILIO_INPUT);
    kamailioCheck({
      ...KAMAILIO_INPUT,
      dbUrl: 'postgres://kam:pw@db.internal/clearline',
      wss: { port: 20002, tlsConfigFile: 'set-by-check' },
      trunk: null,
    });
  },
);

test(
  'kamailio -c accepts the multi-node config (DMQ to four peers, two rtpengine sets members)',
  { skip: hasKamailio ? false : 'kamailio is not installed' },
  () => {
    kamailioCheck({
      ...KAMAILIO_INPUT,
      rtpengineSockets: ['udp:127.0.0.1:20030', 'udp:10.0.3.12:20030'],
      dmq: { address: '127.0.0.1', port: 20003, peers: ['10.0.3.12', '10.0.3.13', '10.0.3.14', '10.0.3.15'] },
    });
  },
);

test('DMQ: absent, the defines are exactly the single-node ones; present, a DMQ socket that serves KDMQ from the listed peers only', () => {
  const single = renderKamailioDefines(KAMAILIO_INPUT);
  assert.doesNotMatch(single, /DMQ/, 'one node: no DMQ define, no DMQ listener, no KDMQ handling');
  const multi = renderKamailioDefines({ ...KAMAILIO_INPUT, dmq: { address: '10.0.3.11', port: 20003, peers: ['10.0.3.12', '10.0.3.13'] } });
  assert.equal(multi.replace(/^.*DMQ.*\n/gm, ''), single, 'DMQ adds lines and changes none');
  assert.match(multi, /^#!define WITH_DMQ$/m);
  assert.match(multi, /^#!define CL_DMQ_SERVER "sip:10\.0\.3\.11:20003"$/m);
  assert.match(multi, /^#!define CL_DMQ_PEER_1 "sip:10\.0\.3\.12:20003"$/m);
  assert.match(multi, /^#!define CL_DMQ_PEER_2 "sip:10\.0\.3\.13:20003"$/m);
  assert.match(multi, /^#!define IS_DMQ_SOCKET \(\$Ri == "10\.0\.3\.11" && \$Rp == 20003\)$/m);
  assert.match(multi, /^#!define IS_DMQ_PEER \(\$si == "10\.0\.3\.12" \|\| \$si == "10\.0\.3\.13"\)$/m);
  // The static routing handles KDMQ before anything else, and only on the DMQ socket from a peer.
  const kdmq = routing.slice(routing.indexOf('#!ifdef WITH_DMQ\n\t# DMQ is unauthenticated'));
  assert.match(kdmq, /if \(IS_DMQ_SOCKET\) \{\n\t\tif \(is_method\("KDMQ"\) && \(IS_DMQ_PEER\)\) \{\n\t\t\tdmq_handle_message\(\);/);
  assert.ok(routing.indexOf('dmq_handle_message') < routing.indexOf('route(FLOOD);'), 'before flood control and authentication');
  for (const peers of [[], ['10.0.3.12', '10.0.3.13', '10.0.3.14', '10.0.3.15', '10.0.3.16']])
    assert.throws(
      () => renderKamailioDefines({ ...KAMAILIO_INPUT, dmq: { address: '10.0.3.11', port: 20003, peers } }),
      /dmq\.peers must list 1 to 4/,
    );
  assert.throws(
    () => renderKamailioDefines({ ...KAMAILIO_INPUT, dmq: { address: '10.0.3.11', port: 20003, peers: ['10.0.3.12!g"'] } }),
    /dmq peer must not contain/,
  );
});

test('registrations are written back to Kamailio’s own state database, named relative to its working directory', () => {
  assert.match(routing, /modparam\("usrloc", "db_url", CL_STATE_DB_URL\)/);
  assert.match(routing, /modparam\("usrloc", "db_mode", 2\)/);
  assert.match(renderKamailioDefines(KAMAILIO_INPUT), /^#!substdef "!CL_USRLOC_SYNC_SECONDS!10!g"$/m);
  // db_sqlite 5.6 matches its read-only list on 7 characters: an absolute path beside the
  // control-plane file would be opened read-only.
  assert.throws(
    () => renderKamailioDefines({ ...KAMAILIO_INPUT, stateDbFile: '/var/lib/clearline/kamailio.db' }),
    /stateDbFile must be relative to Kamailio's working directory/,
  );
});

test('live calls outlive a restart or a crash: dialogs written to the state database as they change; agent sides bound again only by their own re-INVITE, the trunk’s side saved with the dialog', () => {
  // One node only: with DMQ a node would save and load its peers' replicas too (see the cfg).
  // db_mode 1: written when the call changes, not at shutdown only (a crash lost them) nor by a timer (its last second lost).
  assert.match(
    routing,
    /#!ifndef WITH_DMQ\n(#.*\n)+modparam\("dialog", "db_url", CL_STATE_DB_URL\)\nmodparam\("dialog", "db_mode", 1\)\n#!endif/,
  );
  assert.match(routing, /#!ifndef WITH_DMQ\n(#.*\n)+event_route\[htable:mod-init\]/);
  // No htable is saved: a binding names a connection id the next process gives to anyone.
  assert.doesNotMatch(routing, /modparam\("htable", "db_url"/);
  // The trunk is a party by a dialog variable, set where it takes its side, never a dlgparty binding.
  assert.match(block('route[INVITE]'), /if \(isflagset\(FLT_FROM_TRUNK\)\) \$dlg_var\(trunk_side\) = "caller";\n\telse \$sht\(dlgparty=>/);
  assert.match(routing, /if \(\$var\(conn\) == "trunk"\) \$dlg_var\(trunk_side\) = "callee";/);
  const party = block('route[DIALOG_PARTY]');
  assert.ok(party.indexOf('route(TRUNK_PARTY);') < party.indexOf('$sht(dlgparty=>'), 'the trunk is never looked up among connections');
  const trunk = block('route[TRUNK_PARTY]');
  assert.match(trunk, /\$dlg_var\(trunk_side\) == "caller" && \$ft == \$dlg\(from_tag\)\) return;/);
  assert.match(trunk, /\$dlg_var\(trunk_side\) == "callee" && \$tt == \$dlg\(from_tag\)\) return;/);
  assert.match(trunk, /\troute\(NO_DIALOG\);$/, 'anything else from the trunk’s address: 481');
  // Loaded calls: every agent's connection closed with the old process, so each gets the grace.
  const loaded = block('event_route[htable:mod-init]');
  assert.match(loaded, /"method": "dlg\.briefing", "params": \["Ii"\]/);
  assert.match(loaded, /dlg_set_timeout\("CL_AGENT_GONE_GRACE_SECONDS", "\$var\(h_entry\)", "\$var\(h_id\)"\);/);
  // An ended call leaves the database as it ends (the dialog module deletes it 5 s later), its variables first.
  assert.match(block('event_route[dialog:end]'), /\n#!ifndef WITH_DMQ\n\troute\(FORGET_SAVED_CALL\);\n#!endif$/);
  const forget = block('route[FORGET_SAVED_CALL]');
  assert.match(forget, /^route\[FORGET_SAVED_CALL\] \{\n\troute\(STATE_DB_WAITS\);/);
  assert.match(
    forget,
    /sql_query\("statedb", "DELETE FROM dialog_vars WHERE hash_entry=\$dlg\(h_entry\) AND hash_id=\$dlg\(h_id\)"\)\n\t+\|\| !sql_query\("statedb", "DELETE FROM dialog WHERE hash_entry=\$dlg\(h_entry\) AND hash_id=\$dlg\(h_id\)"\)/,
  );
});

test('every process writing the state database waits for another’s write instead of failing: a busy timeout set on the connection the dialog module and usrloc share', () => {
  // The same URL as theirs: srdb1 hands every module of a process one connection per URL.
  assert.match(routing, /modparam\("sqlops", "sqlcon", CL_STATE_DB_SQLCON\)/);
  const defines = renderKamailioDefines(KAMAILIO_INPUT);
  const url = /^#!define CL_STATE_DB_URL "(.*)"$/m.exec(defines)?.[1];
  assert.ok(url);
  assert.match(defines, new RegExp(`^#!define CL_STATE_DB_SQLCON "statedb=>${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"$`, 'm'));
  assert.match(block('route[STATE_DB_WAITS]'), /sql_query\("statedb", "PRAGMA busy_timeout=CL_STATE_DB_BUSY_MS"\)/);
  // No write holds the lock for an fsync (WAL: a commit still survives Kamailio's crash).
  assert.match(block('route[STATE_DB_WAITS]'), /sql_query\("statedb", "PRAGMA synchronous=NORMAL"\)/);
  assert.match(defines, /^#!substdef "!CL_STATE_DB_BUSY_MS!1000!g"$/m);
  // SIP workers first thing for every request and reply; the timers' process by an rtimer in mode 0.
  assert.match(block('request_route'), /^request_route \{\n\troute\(STATE_DB_WAITS\);/);
  assert.match(block('reply_route'), /^reply_route \{\n\troute\(STATE_DB_WAITS\);/);
  assert.match(
    routing,
    /modparam\("rtimer", "timer", "name=statedb;interval=1;mode=0;"\)\nmodparam\("rtimer", "exec", "timer=statedb;route=STATE_DB_WAITS"\)/,
  );
});

test('the generated file is only values, then the static routing by its absolute path', () => {
  const cfg = renderKamailioConfig(KAMAILIO_INPUT);
  const lines = cfg.trimEnd().split('\n');
  assert.equal(lines[0], '#!KAMAILIO');
  assert.equal(lines.at(-1), `include_file "${KAMAILIO_STATIC_CFG}"`);
  for (const line of lines.slice(1, -1)) assert.match(line, /^(#!define |#!substdef |# |$)/, line);
  assert.doesNotMatch(routing, /^\s*(listen|alias)=udp:127/m, 'no value is hard-coded in the routing');
});

test('listens on UDP + WS with port-qualified aliases; WSS only with a certificate', () => {
  const defines = renderKamailioDefines(KAMAILIO_INPUT);
  assert.match(defines, /^#!substdef "!CL_LISTEN_ADDR!127\.0\.0\.1!g"$/m);
  assert.match(defines, /^#!substdef "!CL_SIP_UDP_PORT!20000!g"$/m);
  assert.match(defines, /^#!substdef "!CL_SIP_WS_PORT!20001!g"$/m);
  assert.doesNotMatch(defines, /WITH_WSS/);
  assert.match(routing, /^alias="CL_LISTEN_ADDR:CL_SIP_UDP_PORT"$/m, 'a bare-address alias breaks loose_route on a shared host');
  const wss = renderKamailioDefines({ ...KAMAILIO_INPUT, wss: { port: 20002, tlsConfigFile: '/s/tls.cfg' } });
  assert.match(wss, /^#!define WITH_WSS$/m);
  assert.match(wss, /^#!define CL_TLS_CONFIG "\/s\/tls\.cfg"$/m);
  assert.match(wss, /^#!define IS_WS_PORT \(\$Rp == 20001 \|\| \$Rp == 20002\)$/m);
  assert.match(defines, /^#!substdef "!CL_PLAIN_WS_ADDR!127\.0\.0\.1!g"$/m, 'plain ws:// on the listen address by default');
  assert.match(routing, /^listen=tcp:CL_PLAIN_WS_ADDR:CL_SIP_WS_PORT$/m);
  const mgmtWs = renderKamailioDefines({ ...KAMAILIO_INPUT, listen: '198.51.100.10', plainWsListen: '127.0.0.1' });
  assert.match(mgmtWs, /^#!substdef "!CL_PLAIN_WS_ADDR!127\.0\.0\.1!g"$/m);
  assert.match(mgmtWs, /^#!substdef "!CL_LISTEN_ADDR!198\.51\.100\.10!g"$/m);
  const tls = renderKamailioTlsConfig({ certFile: '/c.pem', keyFile: '/k.pem' });
  assert.match(tls, /method = TLSv1\.2\+/);
  assert.match(tls, /certificate = \/c\.pem/);
});

test("digest reads HA1 and the agent's policy from the agents table; SQLite path gets Kamailio's four slashes", () => {
  const defines = renderKamailioDefines(KAMAILIO_INPUT);
  assert.match(defines, /^#!define CL_DB_URL "sqlite:\/\/\/\/var\/lib\/clearline\/clearline\.db"$/m);
  assert.match(defines, /^#!define WITH_SQLITE$/m);
  assert.match(
    routing,
    /modparam\("auth_db", "load_credentials", "\$avp\(cl_disabled\)=disabled;\$avp\(cl_allowed\)=allowed_destinations;\$avp\(cl_max_calls\)=max_calls;\$avp\(cl_max_cps\)=max_cps"\)/,
  );
  const pg = renderKamailioDefines({ ...KAMAILIO_INPUT, dbUrl: 'postgres://kam:pw@db.internal/clearline' });
  assert.doesNotMatch(pg, /WITH_SQLITE|CL_SQLITE_FILE/);
  assert.match(pg, /^#!define CL_DB_URL "postgres:\/\/kam:pw@db\.internal\/clearline"$/m);
});

test('digest: qop=auth with nonce counting; a replayed or expired nonce gets a stale challenge', () => {
  assert.match(routing, /modparam\("auth", "qop", "auth"\)/);
  assert.match(routing, /modparam\("auth", "nonce_count", 1\)/);
  const auth = block('route[AUTH]');
  assert.ok(auth.indexOf('t_newtran()') < auth.indexOf('auth_check('), 'stateful before the nonce is counted');
  assert.match(auth, /if \(\$var\(auth_rc\) == -4 \|\| \$var\(auth_rc\) == -6\) auth_challenge\("CL_REALM", "17"\);/);
});

test('in-dialog requests: the sender must be a party before the dialog module sees them, then a known dialog along our Route', () => {
  const within = block('route[WITHINDLG]');
  const order = [
    '!isflagset(FLT_SRC_WEBRTC) && !isflagset(FLT_FROM_TRUNK)',
    '!is_myself("$route_uri")',
    'route(DIALOG_PARTY)',
    'if (!loose_route())',
    'if (!is_known_dlg())',
    'route(IN_DIALOG_RELAY)',
  ].map((s) => within.indexOf(s));
  assert.ok(
    order.every((i) => i >= 0),
    `all checks present: ${order.join(' ')}`,
  );
  assert.deepEqual(
    order,
    [...order].sort((x, y) => x - y),
    'in this order',
  );
  assert.match(block('route[NO_DIALOG]'), /sl_send_reply\("481", "Call\/Transaction Does Not Exist"\)/);
  assert.match(block('route[IN_DIALOG_RELAY]'), /route\(RELAY\);$/);
});

test('multi-node: a call set up by a peer node (its Route) is taken only as a replicated dialog, from a party, before the dialog module sees it', () => {
  const within = block('route[WITHINDLG]');
  assert.ok(within.indexOf('if (IS_DMQ_PEER_ROUTE) route(PEER_DIALOG);') < within.indexOf('sl_send_reply("403", "Route Not Ours")'));
  const peer = block('route[PEER_DIALOG]');
  const order = ['if (!is_known_dlg()) {', 'route(DIALOG_PARTY);', 'remove_hf("Route");', 'dlg_manage();', 'route(IN_DIALOG_RELAY);'].map(
    (x) => peer.indexOf(x),
  );
  assert.ok(order.every((i) => i >= 0) && order.every((x, i) => i === 0 || x > order[i - 1]!), `in this order: ${order.join(' ')}`);
  assert.match(
    routing,
    /modparam\("dialog", "enable_dmq", 1\)\n(#.*\n)*modparam\("dialog", "dlg_flag", FLT_DIALOG\)\n#!endif/,
    'with DMQ only',
  );
  // Replicated only when created with its transaction: the flag is set before both t_newtran()s.
  for (const site of [block('route[AUTH]'), block('route[INVITE]')])
    assert.ok(
      site.indexOf('route(DIALOG_WITH_TRANSACTION);') < site.indexOf('t_newtran()') && site.includes('route(DIALOG_WITH_TRANSACTION);'),
    );
  // Which agent each party is travels with the dialog, set from the digest identity only.
  assert.match(block('route[INVITE]'), /if \(!isflagset\(FLT_FROM_TRUNK\)\) \$dlg_var\(caller_agent\) = \$au;/);
  const rebind = block('route[PARTY_RECONNECTED]');
  assert.match(rebind, /\$dlg_var\(caller_agent\) == \$sht\(authconn=>\$conid\) && \$ft == \$dlg\(from_tag\)/);
  assert.match(rebind, /\$dlg_var\(callee_agent\) == \$sht\(authconn=>\$conid\) && \$tt == \$dlg\(from_tag\)/);
  const multi = renderKamailioDefines({
    ...KAMAILIO_INPUT,
    dmq: { address: '10.0.3.11', port: 20003, peers: ['10.0.3.12'], peerRouteHosts: ['203.0.113.12'] },
  });
  assert.match(multi, /^#!define IS_DMQ_PEER_ROUTE \(\$\(route_uri\{uri\.host\}\) == "203\.0\.113\.12"\)$/m);
});

test('a party that moved to a new connection is reached there: its address is set only by its authenticated refresh', () => {
  // Only PARTY_RECONNECTED writes an address (where the party's re-INVITE came from); elsewhere it is only cleared.
  const writes = [...routing.matchAll(/\$sht\(dlgparty=>[^)]*::at\) = (\S+);/g)].map((m) => m[1]);
  assert.deepEqual(
    writes.filter((v) => v !== '$null'),
    ['$su', '$su'],
  );
  assert.equal(block('route[PARTY_RECONNECTED]').match(/::at\) = \$su;/g)?.length, 2);
  assert.equal(block('route[FORGET_PARTIES]').match(/::at\) = \$null;/g)?.length, 4);
  // Before the destination is classified (a WebSocket one gets the browser's SDP); never a new connection.
  const relay = block('route[IN_DIALOG_RELAY]');
  assert.ok(relay.indexOf('route(PARTY_NOW_AT);') >= 0 && relay.indexOf('route(PARTY_NOW_AT);') < relay.indexOf('route(DST_TYPE);'));
  assert.match(block('route[PARTY_NOW_AT]'), /set_forward_no_connect\(\);/);
});

test('several rtpengine instances form one set; per-leg flags as measured', () => {
  const defines = renderKamailioDefines({ ...KAMAILIO_INPUT, rtpengineSockets: ['udp:10.0.0.5:22222', 'udp:10.0.0.6:22222'] });
  assert.match(defines, /^#!define CL_RTPENGINE_SOCKETS "udp:10\.0\.0\.5:22222 udp:10\.0\.0\.6:22222"$/m);
  assert.ok(defines.includes(`#!define CL_RTP_WEBRTC_OFFER "${RTPENGINE_FLAGS.common} ${RTPENGINE_FLAGS.toWebrtcOffer}"`));
  assert.ok(defines.includes(`#!define CL_RTP_PLAIN "${RTPENGINE_FLAGS.common} ${RTPENGINE_FLAGS.toPlain}"`));
  assert.match(RTPENGINE_FLAGS.toWebrtcOffer, /ICE=force/);
  assert.match(RTPENGINE_FLAGS.toPlain, /ICE=remove RTP\/AVP DTLS=off/);
  assert.throws(() => renderKamailioDefines({ ...KAMAILIO_INPUT, rtpengineSockets: [] }), /at least one rtpengine socket/);
});

test('SDP toward browsers gets a BUNDLE group; Record-Route after the rewrite and after dlg_manage', () => {
  assert.equal(routing.match(/route\(BROWSER_BUNDLE\)/g)?.length, 2);
  const invite = block('route[INVITE]');
  assert.ok(invite.indexOf('route(RTP_OFFER)') < invite.indexOf('record_route()'), 'record_route() after the body rewrite');
  assert.ok(invite.indexOf('dlg_manage()') < invite.indexOf('record_route()'), "the dialog's cookie goes into Record-Route");
});

test('trunk allow-list by source address AND port; the trunk as a destination likewise', () => {
  const defines = renderKamailioDefines({ ...KAMAILIO_INPUT, trustedTrunks: [{ address: '192.0.2.7', port: 5060 }] });
  assert.match(
    defines,
    /^#!define IS_FROM_TRUNK \(\(\$si == "127\.0\.0\.1" && \$sp == 20040\) \|\| \(\$si == "192\.0\.2\.7" && \$sp == 5060\)\)$/m,
  );
  assert.match(
    defines,
    /^#!define IS_TRUNK_RURI \(\(\$rd == "127\.0\.0\.1" && \$rp == 20040\) \|\| \(\$rd == "192\.0\.2\.7" && \$rp == 5060\)\)$/m,
  );
  assert.match(defines, /^#!define CL_TRUNK_URI "sip:127\.0\.0\.1:20040"$/m);
  const noTrunk = renderKamailioDefines({ ...KAMAILIO_INPUT, trunk: null });
  assert.match(noTrunk, /^#!define IS_FROM_TRUNK \(0\)$/m);
  assert.doesNotMatch(noTrunk, /WITH_TRUNK|CL_TRUNK_URI/);
});

test('the dial plan patterns reach Kamailio unchanged and are tested in the documented order', () => {
  const defines = renderKamailioDefines(KAMAILIO_INPUT);
  for (const [name, key] of [
    ['CL_DP_NUMBER', 'number'],
    ['CL_DP_PREMIUM', 'premium'],
    ['CL_DP_HOME_E164', 'homeE164'],
    ['CL_DP_INTERNATIONAL', 'international'],
    ['CL_DP_NATIONAL', 'national'],
  ] as const) {
    assert.ok(defines.includes(`#!define ${name} "${DIAL_PLAN_PATTERNS[key]}"`), name);
  }
  const plan = block('route[DIAL_PLAN]');
  const order = ['CL_DP_NUMBER', 'CL_DP_PREMIUM', 'CL_DP_HOME_E164', 'CL_DP_INTERNATIONAL', 'CL_DP_NATIONAL'].map((n) => plan.indexOf(n));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  assert.match(plan, /send_reply\("403", "Destination Not Allowed"\)/);
});

test('refuses values that would break out of the cfg, and out-of-range limits', () => {
  assert.throws(() => renderKamailioDefines({ ...KAMAILIO_INPUT, auditToken: 'a"b' }), /auditToken must not contain quotes/);
  assert.throws(() => renderKamailioDefines({ ...KAMAILIO_INPUT, realm: 'x\ny' }), /realm/);
  assert.throws(() => renderKamailioDefines({ ...KAMAILIO_INPUT, realm: 'a!b' }), /realm must not contain "!"/);
  assert.throws(() => renderKamailioDefines({ ...KAMAILIO_INPUT, ctlSocket: '/run/a b' }), /ctlSocket must not contain "!" or whitespace/);
  assert.throws(
    () => renderKamailioDefines({ ...KAMAILIO_INPUT, maxCallSeconds: 0 }),
    /maxCallSeconds must be an integer from 1 to 604800/,
  );
  assert.match(renderKamailioDefines({ ...KAMAILIO_INPUT, maxCallSeconds: 90 }), /^#!substdef "!CL_MAX_CALL_SECONDS!90!g"$/m);
  assert.match(renderKamailioDefines(KAMAILIO_INPUT), /^#!substdef "!CL_MAX_CALL_SECONDS!14400!g"$/m, 'four hours by default');
});
