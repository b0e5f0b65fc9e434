/**
 * The helpdesk's report inbox against the real stack: an agent sends its network test report and
 * an admin lists and opens it; every other way in is refused and the legitimate use still works
 * afterwards. Attacks: no credential, a wrong password, an agent reading reports (its own or
 * another's), an agent sending a report in another agent's name, an oversized body (refused before
 * it is read, and an anonymous one refused before anything), a malformed or script-laden report,
 * flooding (rate limit), and an admin route with a path-traversal or SQL-shaped id.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestStack } from '../backend/support/stack-fixture.js';
import { admin, api, createAgent } from './support/control-plane-http.js';
import { NETWORK_REPORT_MAX_BYTES, type NetworkReport } from '../../../common/network-report.js';
import { NETWORK_REPORT_UPLOAD_POLICY } from '../../../backend/control-plane/upload-rate-limit.js';
import type { NetworkReportSummary } from '../../../backend/control-plane/network-reports.js';
import { sampleNetworkReport } from '../../support/network-report.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const SCRIPT = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';

describe('network test reports: agents send, admins read, nobody else', { timeout: 180_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  const ann = { username: 'ann', password: 'ann-password-1' };
  const ben = { username: 'ben', password: 'ben-password-1' };
  const send = (auth: { username: string; password: string } | undefined, body: unknown) =>
    api(fx.stack, { method: 'POST', path: '/api/network-reports', ...(auth ? { auth } : {}), body });

  before(async () => {
    fx = await startTestStack(TEST_PORT_BASES.networkTest);
    await createAgent(fx.stack, ann.username, ann.password);
    await createAgent(fx.stack, ben.username, ben.password);
  });
  after(async () => {
    await fx?.dispose();
  });

  test('an agent sends its report; the admin lists it under that agent and opens it unchanged, as JSON', async () => {
    const report = sampleNetworkReport({ agent: 'ann', summary: `Calls will work ${SCRIPT}` });
    const sent = await send(ann, report);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const { id } = sent.body as { id: string };
    assert.match(id, /^[0-9a-f-]{36}$/);

    const list = await admin(fx.stack, 'GET', '/api/admin/network-reports?agent=ann');
    assert.equal(list.status, 200);
    const [row] = (list.body as { reports: NetworkReportSummary[] }).reports;
    assert.equal(row?.id, id);
    assert.equal(row?.agent, 'ann');
    assert.equal(row?.verdict, 'pass');

    const one = await admin(fx.stack, 'GET', `/api/admin/network-reports/${id}`);
    assert.equal(one.status, 200);
    assert.match(String(one.headers['content-type']), /^application\/json/, 'attacker text is served as data, never as a page');
    assert.equal(one.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual((one.body as { report: NetworkReport }).report, report);
  });

  test('a report made before sign-in (no agent in it) is stamped with the agent who sends it', async () => {
    const sent = await send(ben, sampleNetworkReport({ agent: null, phase: 'before-sign-in' }));
    assert.equal(sent.status, 201);
    const list = (await admin(fx.stack, 'GET', '/api/admin/network-reports?agent=ben')).body as { reports: NetworkReportSummary[] };
    assert.deepEqual(
      list.reports.map((r) => [r.agent, r.phase]),
      [['ben', 'before-sign-in']],
    );
  });

  test('no credential or a wrong password: 401, nothing stored', async () => {
    const before = ((await admin(fx.stack, 'GET', '/api/admin/network-reports')).body as { reports: unknown[] }).reports.length;
    assert.equal((await send(undefined, sampleNetworkReport())).status, 401);
    assert.equal((await send({ username: 'ann', password: 'wrong' }, sampleNetworkReport())).status, 401);
    const afterwards = ((await admin(fx.stack, 'GET', '/api/admin/network-reports')).body as { reports: unknown[] }).reports.length;
    assert.equal(afterwards, before);
  });

  test('an agent cannot read reports: not the list, not another agent’s, not its own', async () => {
    const id = ((await admin(fx.stack, 'GET', '/api/admin/network-reports?agent=ann')).body as { reports: NetworkReportSummary[] })
      .reports[0]!.id;
    for (const path of ['/api/admin/network-reports', `/api/admin/network-reports/${id}`, '/api/admin/network-reports?agent=ben']) {
      for (const who of [ben, ann]) {
        const res = await api(fx.stack, { path, base: fx.stack.endpoints.admin.apiUrl, auth: who });
        assert.equal(res.status, 401, `${who.username} GET ${path}`);
        assert.doesNotMatch(JSON.stringify(res.body), /Calls will work/);
      }
    }
    assert.equal(
      (
        await api(fx.stack, {
          path: '/api/admin/network-reports',
          base: fx.stack.endpoints.admin.apiUrl,
          auth: { bearer: 'not-the-token' },
        })
      ).status,
      401,
    );
  });

  test('an agent cannot send a report in another agent’s name', async () => {
    const res = await send(ben, sampleNetworkReport({ agent: 'ann', summary: 'forged' }));
    assert.equal(res.status, 400);
    assert.match((res.body as { error: string }).error, /made by ann; send your own report/);
    const all = (await admin(fx.stack, 'GET', '/api/admin/network-reports')).body as { reports: NetworkReportSummary[] };
    assert.ok(!all.reports.some((r) => r.summary === 'forged'));
  });

  test('oversized: 413 for an agent; an anonymous sender gets 401 before any body is read', async () => {
    const big = sampleNetworkReport({ agent: 'ann', summary: 'x'.repeat(NETWORK_REPORT_MAX_BYTES) });
    assert.equal((await send(ann, big)).status, 413);
    assert.equal((await send(undefined, big)).status, 401);
  });

  test('malformed or not a report: 400 that says what is wrong', async () => {
    const bad = await send(ann, { ...sampleNetworkReport({ agent: 'ann' }), verdict: SCRIPT });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { error: string }).error, /^not a Clearline network report: verdict: /);
    assert.equal((await send(ann, '{"kind": "clearline.network-report", ')).status, 400);
    const newer = await send(ann, { ...sampleNetworkReport({ agent: 'ann' }), version: 99 });
    assert.match((newer.body as { error: string }).error, /report version 99 is not one this app reads/);
  });

  test('admin ids are checked: traversal- and SQL-shaped ids are 404, never an error or another row', async () => {
    for (const id of ['..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'%3D'1", '00000000-0000-4000-8000-000000000000']) {
      const res = await admin(fx.stack, 'GET', `/api/admin/network-reports/${id}`);
      assert.equal(res.status, 404, id);
    }
    assert.equal((await admin(fx.stack, 'GET', '/api/admin/network-reports?limit=0')).status, 400);
    assert.equal((await admin(fx.stack, 'GET', '/api/admin/network-reports?agent=ann&evil=1')).status, 400);
  });

  test(`flooding: at most ${NETWORK_REPORT_UPLOAD_POLICY.max} reports per agent per window (429 + Retry-After); other agents unaffected`, async () => {
    const carl = { username: 'carl', password: 'carl-password-1' };
    await createAgent(fx.stack, carl.username, carl.password);
    const report = sampleNetworkReport({ agent: 'carl' });
    for (let i = 0; i < NETWORK_REPORT_UPLOAD_POLICY.max; i++) assert.equal((await send(carl, report)).status, 201);
    const refused = await send(carl, report);
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= NETWORK_REPORT_UPLOAD_POLICY.windowMs / 1000, `Retry-After ${retryAfter}`);
    const stored = (await admin(fx.stack, 'GET', '/api/admin/network-reports?agent=carl')).body as { reports: unknown[] };
    assert.equal(stored.reports.length, NETWORK_REPORT_UPLOAD_POLICY.max);
    assert.equal((await send(ann, sampleNetworkReport({ agent: 'ann' }))).status, 201, 'ann still sends');
  });
});
