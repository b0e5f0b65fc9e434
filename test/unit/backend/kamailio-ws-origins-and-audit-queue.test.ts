import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AUDIT_DRAIN_BATCH,
  DEFAULT_AUDIT_QUEUE_SIZE,
  KAMAILIO_STATIC_CFG,
  renderKamailioConfig,
  type KamailioConfigInput,
} from '../../../backend/config/kamailio.js';
import { kamailioOriginCondition, normalizeWsOrigin, wsOriginAllowList } from '../../../backend/config/ws-origins.js';
import { kamailioTimeToMs, SipEventInputSchema, toStoredEvent } from '../../../backend/control-plane/sip-event-input.js';
import { resolveStackOptions } from '../../../backend/stack.js';
import { KAMAILIO_INPUT } from './kamailio-input.js';

const base: KamailioConfigInput = {
  ...KAMAILIO_INPUT,
  trunk: null,
  wsAllowedOrigins: [...KAMAILIO_INPUT.wsAllowedOrigins, 'HTTPS://Softphone.Example.com/'],
};

/** The static routing the generated config includes. */
const routing = readFileSync(KAMAILIO_STATIC_CFG, 'utf8');

/** Every origin the generated config compares the Origin header with, in order. */
const originsIn = (cfg: string) => [...cfg.matchAll(/\$hdr\(Origin\) == "([^"]*)"/g)].map((m) => m[1]);

test('ws origins: the generated config checks exactly the allow-list, normalized as browsers send it', () => {
  const cfg = renderKamailioConfig(base);
  assert.deepEqual(originsIn(cfg), ['http://127.0.0.1:20010', 'app://clearline', 'https://softphone.example.com']);
  const dup = renderKamailioConfig({ ...base, wsAllowedOrigins: ['app://clearline', 'APP://clearline'] });
  assert.deepEqual(originsIn(dup), ['app://clearline'], 'duplicates collapse');
});

test('ws origins: the check runs before the handshake, only when an Origin is present, and answers 403 with a reason', () => {
  const route = routing.slice(routing.indexOf('event_route[xhttp:request]'));
  const check = route.indexOf('if (is_present_hf("Origin") && !(IS_ALLOWED_ORIGIN)) {');
  assert.ok(check > 0 && check < route.indexOf('ws_handle_handshake()'), 'origin check precedes ws_handle_handshake()');
  assert.match(route, /xhttp_reply\("403", "Origin Not Allowed"/);
  assert.match(
    route,
    /xlog\("L_WARN", "websocket: refused upgrade from \$si:\$sp: origin \$\(hdr\(Origin\)\{s\.substr,0,128\}\) is not allowed\\n"\)/,
  );
  // An empty list refuses every browser (and still admits native clients without Origin).
  assert.match(renderKamailioConfig({ ...base, wsAllowedOrigins: [] }), /^#!define IS_ALLOWED_ORIGIN \(0\)$/m);
});

test('ws origins: anything but scheme://host[:port] is refused, so nothing can break out of a cfg string', () => {
  for (const bad of [
    'http://a.example" || 1 || "',
    'http://a.example/path',
    'http://$ru',
    'http://a.example\nx',
    'a.example',
    'http://a\\b',
    '*',
  ]) {
    assert.throws(() => renderKamailioConfig({ ...base, wsAllowedOrigins: [bad] }), /wsAllowedOrigins: .* is not a browser origin/, bad);
  }
  assert.equal(normalizeWsOrigin('http://[::1]:8080', '--cors-origin'), 'http://[::1]:8080');
  assert.throws(
    () => normalizeWsOrigin('https://x.example/app', '--cors-origin'),
    /^Error: --cors-origin: "https:\/\/x\.example\/app" is not a browser origin/,
  );
  assert.deepEqual(wsOriginAllowList(['https://a.example/'], 'x'), ['https://a.example']);
  assert.equal(
    kamailioOriginCondition(['app://clearline', 'http://h:1']),
    '$hdr(Origin) == "app://clearline" || $hdr(Origin) == "http://h:1"',
  );
  assert.throws(() => resolveStackOptions({ stateDir: '/tmp/x', corsOrigins: ['evil" || 1'] }), /--cors-origin/);
});

test('audit queue: events are queued with an id and Kamailio time; a timer process drains them in order', () => {
  const cfg = renderKamailioConfig(base);
  const audit = routing.slice(routing.indexOf('route[AUDIT] {'), routing.indexOf('route[AUDIT_DRAIN]'));
  assert.doesNotMatch(audit, /http_client_query/, 'SIP routes never wait on HTTP');
  assert.match(audit, /\$var\(ev_id\) = \$sruid;/);
  assert.match(audit, /jansson_set\("string", "eventId", "\$var\(ev_id\)"/);
  assert.match(audit, /jansson_set\("string", "at", "\$TV\(Sn\)"/);
  assert.match(audit, /if \(\$ft != \$null\) jansson_set\("string", "fromTag", "\$ft"/);
  assert.match(audit, /if \(\$tt != \$null\) jansson_set\("string", "toTag", "\$tt"/);
  assert.match(audit, /mq_add\("audit", "\$var\(ev_id\)", "\$var\(ev\)"\)/);
  assert.match(routing, /modparam\("mqueue", "mqueue", "name=audit;size=CL_AUDIT_QUEUE_SIZE"\)/);
  assert.match(cfg, new RegExp(`^#!substdef "!CL_AUDIT_QUEUE_SIZE!${DEFAULT_AUDIT_QUEUE_SIZE}!g"$`, 'm'));
  assert.match(routing, /modparam\("rtimer", "timer", "name=audit;interval=CL_AUDIT_DRAIN_INTERVAL_USu;mode=1;"\)/);
  assert.match(cfg, /^#!substdef "!CL_AUDIT_DRAIN_INTERVAL_US!50000!g"$/m);
  assert.match(routing, /modparam\("rtimer", "exec", "timer=audit;route=AUDIT_DRAIN"\)/);
  const drain = routing.slice(routing.indexOf('route[AUDIT_DRAIN]'), routing.indexOf('event_route[xhttp:request]'));
  assert.match(drain, /while \(\$var\(sent\) < CL_AUDIT_DRAIN_BATCH\)/);
  assert.match(cfg, new RegExp(`^#!substdef "!CL_AUDIT_DRAIN_BATCH!${AUDIT_DRAIN_BATCH}!g"$`, 'm'));
  assert.ok(AUDIT_DRAIN_BATCH < 100, "below Kamailio's default max_while_loops");
  assert.ok(
    drain.indexOf('if ($var(has_pending) == 0)') < drain.indexOf('mq_fetch("audit")'),
    'an undelivered event is retried before the next is fetched',
  );
  assert.match(drain, /http_client_query\(CL_AUDIT_URL, "\$var\(pending\)"/);
  assert.match(cfg, /^#!define CL_AUDIT_URL "http:\/\/127\.0\.0\.1:20010\/internal\/sip-events"$/m);
  assert.match(drain, /if \(\$var\(ev_result\) =~ "duplicate\.:true"\) xlog\("L_NOTICE", "audit: event re-delivered/);
  assert.ok(
    drain.indexOf('$var(has_pending) = 0;') > drain.lastIndexOf('return;'),
    'an event is let go only after a 200 or a permanent refusal',
  );
});

test('audit: challenges to unauthenticated requests are not audited one by one', () => {
  const auth = routing.slice(routing.indexOf('route[AUTH] {'), routing.indexOf('route[AUTH_FAILED]'));
  const challenges = auth.slice(auth.indexOf('if ($var(auth_rc) == -4'));
  assert.doesNotMatch(challenges.slice(0, challenges.indexOf('exit;')), /route\(AUDIT\)/);
});

test('audit queue: bounded; when full the drop is counted and logged', () => {
  const cfg = renderKamailioConfig({ ...base, auditQueueSize: 7 });
  assert.match(cfg, /^#!substdef "!CL_AUDIT_QUEUE_SIZE!7!g"$/m);
  assert.match(routing, /if \(\$mq_size\(audit\) >= CL_AUDIT_QUEUE_SIZE\) \{\n\t\t\$shv\(audit_dropped\) = \$shv\(audit_dropped\) \+ 1;/);
  assert.match(
    routing,
    /audit: queue full \(CL_AUDIT_QUEUE_SIZE events waiting for the control plane\): dropped the oldest; \$shv\(audit_dropped\) dropped since start/,
  );
  for (const bad of [0, 1.5, 2_000_000])
    assert.throws(() => renderKamailioConfig({ ...base, auditQueueSize: bad }), /auditQueueSize must be an integer from 1 to 1000000/);
});

test('audit event input: Kamailio time to ms; id required; token dropped', () => {
  assert.equal(kamailioTimeToMs('1700000000.000999'), 1700000000000);
  assert.equal(kamailioTimeToMs('1700000000.123456'), 1700000000123);
  for (const bad of ['1700000000', '1700000000.12', 'x.123456', '1700000000.1234567']) assert.equal(kamailioTimeToMs(bad), null, bad);
  const input = {
    token: 't',
    eventId: 'srid-1',
    at: '1700000000.500000',
    method: 'BYE',
    code: 0,
    outcome: 'relayed',
    callId: 'c',
    from: 'f',
    to: 't',
    inDialog: 1,
  };
  const parsed = SipEventInputSchema.parse(input);
  assert.deepEqual(toStoredEvent(parsed), {
    event: { eventId: 'srid-1', method: 'BYE', code: 0, outcome: 'relayed', callId: 'c', from: 'f', to: 't', inDialog: true },
    atMs: 1700000000500,
  });
  assert.equal(SipEventInputSchema.safeParse({ ...input, eventId: undefined }).success, false);
});
