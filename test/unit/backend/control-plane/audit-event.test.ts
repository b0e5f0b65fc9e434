/**
 * The audit event is defined once (backend/control-plane/audit-event.ts): Kamailio's
 * configuration writes exactly its fields and outcomes, the control plane's input schema accepts
 * exactly those fields, the SQL mapping stores them, and call records read outcomes by kind — so a
 * locked-out INVITE is not a rejected call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AUDIT_EVENT_FIELDS, AUDIT_OUTCOMES, outcomeKind, type SipEvent } from '../../../../backend/control-plane/audit-event.js';
import { SipEventInputSchema } from '../../../../backend/control-plane/sip-event-input.js';
import { applySipEvent, type CallRecord } from '../../../../backend/control-plane/call-records.js';
import { AuditStore } from '../../../../backend/control-plane/audit-store.js';
import { openSqlite } from '../../../../backend/control-plane/db.js';
import { migrate } from '../../../../backend/control-plane/schema.js';

const cfg = readFileSync(fileURLToPath(new URL('../../../../backend/config/kamailio.cfg', import.meta.url)), 'utf8');

test('kamailio.cfg writes exactly the audit event fields, each with its JSON type', () => {
  const written = new Map<string, Set<string>>();
  for (const [, type, name] of cfg.matchAll(/jansson_set\("(\w+)",\s*"(\w+)"/g)) {
    written.set(name!, (written.get(name!) ?? new Set()).add(type!));
  }
  assert.deepEqual([...written.keys()].sort(), Object.keys(AUDIT_EVENT_FIELDS).sort());
  for (const [name, types] of written) {
    assert.deepEqual([...types], [AUDIT_EVENT_FIELDS[name as keyof typeof AUDIT_EVENT_FIELDS].type], `type of ${name}`);
  }
});

test('every outcome kamailio.cfg names is in the outcome enum, and every Kamailio outcome of the enum is used', () => {
  const literals = [
    ...[...cfg.matchAll(/\$var\(ev_outcome\) = "([^"]*)"/g)].map((m) => m[1]!),
    ...[...cfg.matchAll(/jansson_set\("string", "outcome", "([^"$][^"]*)"/g)].map((m) => m[1]!),
  ];
  assert.ok(literals.length > 10, `found the outcomes in the cfg (${literals.length})`);
  for (const text of literals) assert.notEqual(outcomeKind(text), 'reply', `"${text}" is not in AUDIT_OUTCOMES`);
  const kamailioOutcomes = Object.entries(AUDIT_OUTCOMES).filter(([, spec]) => spec.by === 'kamailio');
  for (const [text] of kamailioOutcomes)
    assert.ok(
      literals.some((l) => l.startsWith(text)),
      `"${text}" is never written by kamailio.cfg`,
    );
});

test('outcome kinds: named outcomes by their kind, parametrised ones by prefix, anything else is a reply phrase', () => {
  assert.equal(outcomeKind('too many failures'), 'access refused');
  assert.equal(outcomeKind('destination not allowed: premium'), 'call refused');
  assert.equal(outcomeKind('flood: source ignored for 60 s'), 'flood');
  assert.equal(outcomeKind('Busy Here'), 'reply');
  assert.equal(outcomeKind('toString'), 'reply', 'not fooled by Object.prototype');
});

test('the input schema accepts exactly the event fields, optional where the definition says so', () => {
  assert.deepEqual(Object.keys(SipEventInputSchema.shape).sort(), Object.keys(AUDIT_EVENT_FIELDS).sort());
  for (const [name, field] of Object.entries(AUDIT_EVENT_FIELDS)) {
    const schema = SipEventInputSchema.shape[name as keyof typeof SipEventInputSchema.shape];
    assert.equal(schema.safeParse(undefined).success, field.optional, `${name} optional: ${field.optional}`);
  }
  const longest = SipEventInputSchema.shape.callId.parse('c'.repeat(AUDIT_EVENT_FIELDS.callId.max + 50));
  assert.equal(longest.length, AUDIT_EVENT_FIELDS.callId.max, 'an over-long Call-ID is cut to its column');
});

const invite = (over: Partial<SipEvent>): SipEvent => ({
  method: 'INVITE',
  code: 0,
  outcome: 'received',
  callId: 'c1',
  fromTag: 'ft',
  from: 'sip:alice@x',
  to: 'sip:bob@x',
  inDialog: false,
  ...over,
});

test('call records: a locked-out, disabled, wrong-password or flood-banned INVITE is no call at all', () => {
  for (const outcome of ['too many failures', 'agent disabled', 'wrong password', 'unknown user', 'auth user mismatch']) {
    assert.equal(applySipEvent(undefined, invite({ code: 403, outcome }), 5), undefined, outcome);
  }
  assert.equal(
    applySipEvent(undefined, invite({ code: 0, outcome: 'flood: source ignored for 60 s' }), 5),
    undefined,
    'a flood ban starts no call',
  );
});

test('call records: a policy refusal is a call that ended as it began, and never ends another call that reused its ids', () => {
  const refused = applySipEvent(undefined, invite({ code: 403, outcome: 'destination not allowed: premium' }), 5)!;
  assert.deepEqual([refused.disposition, refused.startedAt, refused.endedAt, refused.durationMs], ['rejected', 5, 5, 0]);
  assert.equal(applySipEvent(undefined, invite({ code: 486, outcome: 'too many calls' }), 5)?.disposition, 'busy');
  const ringing = applySipEvent(undefined, invite({}), 10)!;
  assert.equal(applySipEvent(ringing, invite({ code: 403, outcome: 'destination not allowed: premium' }), 20), ringing);
  assert.equal(
    applySipEvent(ringing, invite({ code: 403, outcome: 'Forbidden' }), 20)?.disposition,
    'rejected',
    "the callee's own 403 ends it",
  );
});

test('call records: a BYE ends a call when relayed or ended by the system, not when its sender was banned', () => {
  let answered: CallRecord | undefined = applySipEvent(undefined, invite({}), 10);
  answered = applySipEvent(answered, invite({ code: 200, outcome: 'OK' }), 20)!;
  const bye = (outcome: string) => applySipEvent(answered, { ...invite({}), method: 'BYE', inDialog: true, outcome }, 80);
  assert.equal(bye('flood: source ignored for 60 s'), answered);
  for (const outcome of ['relayed', 'max call duration', 'agent revoked']) assert.equal(bye(outcome)?.durationMs, 60, outcome);
});

test('the SQL mapping stores and lists every stored field of the event', async () => {
  const db = openSqlite(':memory:');
  await migrate(db);
  const store = new AuditStore(db);
  const event = { ...invite({ code: 403, outcome: 'too many failures' }), eventId: 'e1', target: '5550100' };
  assert.equal(await store.record(event, 1234), true);
  assert.equal(await store.record(event, 1235), false, 'a re-delivery is stored once');
  const [entry] = await store.listEvents();
  assert.deepEqual(entry, {
    id: 1,
    at: 1234,
    method: 'INVITE',
    from: 'sip:alice@x',
    to: 'sip:bob@x',
    target: '5550100',
    callId: 'c1',
    code: 403,
    outcome: 'too many failures',
    inDialog: false,
  });
  assert.deepEqual(await store.listCalls(), [], 'the lockout is audited, not recorded as a call');
  await db.close();
});
