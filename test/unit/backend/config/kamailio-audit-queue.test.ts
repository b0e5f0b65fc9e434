import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AUDIT_DRAIN_BATCH,
  DEFAULT_AUDIT_QUEUE_SIZE,
  KAMAILIO_STATIC_CFG,
  renderKamailioConfig,
  type KamailioConfigInput,
} from '../../../../backend/config/kamailio.js';
import { KAMAILIO_INPUT } from './fixtures.js';
import { AUDIT_QUEUES } from '../../../../backend/config/kamailio-state-db.js';

const base: KamailioConfigInput = {
  ...KAMAILIO_INPUT,
  trunk: null,
  wsAllowedOrigins: [...KAMAILIO_INPUT.wsAllowedOrigins, 'HTTPS://Softphone.Example.com/'],
};

/** The static routing the generated config includes. */
const routing = readFileSync(KAMAILIO_STATIC_CFG, 'utf8');

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
  assert.match(routing, /modparam\("mqueue", "mqueue", "name=audit;size=CL_AUDIT_QUEUE_SIZE;dbmode=1"\)/);
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

test('audit queue: outlives a restart — both queues saved to Kamailio’s state database at shutdown; the event in flight is kept in shared memory', () => {
  const cfg = renderKamailioConfig(base);
  assert.match(routing, /modparam\("mqueue", "db_url", CL_STATE_DB_URL\)/);
  assert.match(cfg, /^#!define CL_STATE_DB_URL "sqlite:\/\/\/\.\.\/kamailio\.db"$/m);
  assert.match(routing, /modparam\("mqueue", "mqueue", "name=audit_inflight;size=1;dbmode=1"\)/);
  for (const q of AUDIT_QUEUES) assert.match(routing, new RegExp(`name=${q};`), `kamailio-state-db.ts creates the table of queue ${q}`);
  const drain = routing.slice(routing.indexOf('route[AUDIT_DRAIN]'), routing.indexOf('event_route[xhttp:request]'));
  assert.ok(
    drain.indexOf('mq_fetch("audit_inflight")') < drain.indexOf('mq_fetch("audit")'),
    'an event left in flight by the previous process is delivered first',
  );
  assert.ok(
    drain.indexOf('mq_add("audit_inflight"') < drain.indexOf('http_client_query'),
    'the event is in shared memory before its POST leaves',
  );
  assert.ok(drain.lastIndexOf('mq_fetch("audit_inflight");') > drain.lastIndexOf('return;'), 'and leaves it only once delivered');
});
