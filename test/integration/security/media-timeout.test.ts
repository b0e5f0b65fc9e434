/**
 * Dead calls end on both legs, and the report that ends them cannot be forged (SECURITY.md #16).
 *
 * rtpengine reports a call it freed for lack of media to Kamailio's media-timeout listener
 * (XML-RPC over HTTP on the management address). Whoever can reach that listener — any process on
 * a loopback demo host, the management network in production — must not be able to end someone
 * else's call with it: Kamailio ends a call only when rtpengine itself no longer has it, and every
 * rtpengine answers (one that does not answer cannot say whether it has the call). Then the
 * legitimate path: a call whose media stopped in both directions is ended with a BYE to the trunk
 * (the carrier sees its PSTN leg end) and to the agent (with a Reason header saying why), and its
 * record says "media timeout"; a call whose agent's WebSocket died and never came back is ended by
 * the dialog module once the agent had its grace time to come back ("agent connection lost"),
 * while its PSTN leg still had media.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { adminGet, startTestStack, waitFor } from '../backend/support/stack-fixture.js';
import type { AuditEntry } from '../../../backend/control-plane/audit-store.js';
import type { CallRecord } from '../../../backend/control-plane/call-records.js';
import { AgentPool } from '../backend/support/agent-pool.js';
import { header, tagOf } from '../backend/support/sip-message.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { CarrierApi, isLive } from '../../support/carrier-api.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { rtpengineCallIds } from './support/rtpengine-ng.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';
import { AGENT_GONE_GRACE_SECONDS, MEDIA_TIMEOUT_CALLBACK_PATH } from '../../../backend/config/kamailio.js';

const PORT_BASE = TEST_PORT_BASES.tollFraud;
/** Small, as an operator may configure it (`--media-timeout-seconds`), so the suite runs in seconds. */
const MEDIA_TIMEOUT_SECONDS = 5;
const MANAGEMENT_ADDRESS = '127.0.0.1';
/**
 * The agent connects from another loopback address than rtpengine's report: Kamailio matches a
 * connection by its far end, so a report that happened to leave from the agent's source port
 * would otherwise be taken for the agent's WebSocket (backend/README.md, Known limits).
 */
const AGENT_ADDRESS = '127.0.0.2';

/** An XML-RPC call as rtpengine's `--xmlrpc-format=2` sends it. */
function terminateDlg(callId: string, fromTag: string, toTag: string): string {
  const p = (s: string) => `<param><value><string>${s}</string></value></param>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\r\n<methodCall>\r\n<methodName>dlg.terminate_dlg</methodName>\r\n<params>\r\n${p(callId)}${p(fromTag)}${p(toTag)}</params>\r\n</methodCall>\r\n`;
}

describe('media timeout: dead calls end on both legs; a forged report ends nothing', { timeout: 300_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  let carrier: CarrierApi;
  const pool = new AgentPool(() => fx.stack);
  const sdp = () => browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' });
  /** One HTTP request to the media-timeout listener on a connection of its own (Kamailio closes each). */
  const report = (body: string, o: { method?: string; path?: string } = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: MANAGEMENT_ADDRESS,
          port: fx.stack.ports.kamailioMediaTimeout,
          path: o.path ?? MEDIA_TIMEOUT_CALLBACK_PATH,
          method: o.method ?? 'POST',
          agent: false,
          headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) },
          timeout: 5000,
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('no answer from the media-timeout listener within 5 s')));
      req.end(body);
    });
  const faultCode = (xml: string) => Number(/<name>faultCode<\/name><value><int>(\d+)<\/int>/.exec(xml)?.[1] ?? 0);
  const callRecord = async (callId: string) =>
    (await adminGet<{ calls: CallRecord[] }>(fx.stack, '/api/calls?limit=10000')).calls.find((c) => c.callId === callId);
  const auditOutcomes = async (callId: string) =>
    (await adminGet<{ events: AuditEntry[] }>(fx.stack, `/api/audit?callId=${encodeURIComponent(callId)}`)).events.map((e) => e.outcome);
  /** The carrier's view of a call, by its SIP Call-ID (the carrier's id for calls it receives). */
  const carrierCall = (callId: string) => carrier.call(callId).catch(() => undefined);

  /** An answered call from a demo agent to `number`; the agent itself sends no media. */
  async function answeredCall(number: string) {
    const agent = await pool.connect('alice', undefined, AGENT_ADDRESS);
    assert.equal((await agent.register()).status, 200);
    const call = agent.invite(number, sdp());
    const final = await call.final;
    assert.equal(final.status, 200, `call to ${number}`);
    const toTag = tagOf(header(final, 'to'))!;
    const far = await waitFor(carrierCall.bind(null, call.callId), 'the carrier to have the call');
    assert.ok(isLive(far));
    return { agent, call, toTag, answeredAt: Date.now() };
  }

  before(async () => {
    fx = await startTestStack(PORT_BASE, { mediaTimeoutSeconds: MEDIA_TIMEOUT_SECONDS });
    carrier = new CarrierApi(carrierApiUrl(fx.stack.endpoints));
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await fx?.dispose();
  });

  test('a forged report for a live call ends nothing: refused because rtpengine still relays its media', async () => {
    // The tone number sends media all along: the call is alive, whatever the agent does.
    const { agent, call, toTag } = await answeredCall(fx.stack.endpoints.numbers.tone);
    // The attacker knows everything a report carries (an on-path observer, or the agent itself).
    for (const [ft, tt] of [
      [call.fromTag, toTag],
      [toTag, call.fromTag],
    ] as const) {
      const res = await report(terminateDlg(call.callId, ft, tt));
      assert.equal(res.status, 200);
      assert.equal(faultCode(res.text), 409, 'refused: rtpengine still has the call');
    }
    // Other shapes get nothing either.
    assert.equal(faultCode((await report(terminateDlg(call.callId, call.fromTag, 'not-its-tag'))).text), 404);
    assert.equal(faultCode((await report('<methodCall><methodName>ul.rm</methodName></methodCall>')).text), 400);
    assert.equal((await report('', { method: 'GET' })).status, 403);
    assert.equal((await report(terminateDlg(call.callId, call.fromTag, toTag), { path: '/RPC3' })).status, 403);
    // SIP on that socket is not served at all (no answer, no relay).
    const sipAnswered = await new Promise<boolean>((resolve) => {
      const socket = connect(fx.stack.ports.kamailioMediaTimeout, MANAGEMENT_ADDRESS, () =>
        socket.write(
          `OPTIONS sip:${MANAGEMENT_ADDRESS} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKx1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
        ),
      );
      socket.once('data', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
      setTimeout(() => (socket.destroy(), resolve(false)), 2000);
    });
    assert.equal(sipAnswered, false, 'SIP over the media-timeout listener gets no answer');
    // Well past the media timeout, the call is up on both legs: its media flows.
    await new Promise((r) => setTimeout(r, (MEDIA_TIMEOUT_SECONDS + 3) * 1000));
    assert.ok(isLive((await carrierCall(call.callId))!), 'the PSTN leg is still up');
    assert.equal(agent.byes.length, 0, 'the agent got no BYE');
    assert.ok((await rtpengineCallIds(MANAGEMENT_ADDRESS, fx.stack.ports.rtpengineNg)).includes(call.callId));
    assert.equal((await callRecord(call.callId))?.endedAt, null);
    assert.equal((await call.bye()).status, 200, 'and it still ends normally');
  });

  test('a forged report while rtpengine does not answer ends nothing: it cannot be checked, so it is refused', async () => {
    const { agent, call, toTag } = await answeredCall(fx.stack.endpoints.numbers.tone);
    // rtpengine stopped (as while it restarts): asked about the call, nobody answers.
    const rtpengine = fx.stack.pids()['rtpengine']!;
    process.kill(rtpengine, 'SIGSTOP');
    let res: { status: number; text: string };
    try {
      res = await report(terminateDlg(call.callId, call.fromTag, toTag));
    } finally {
      process.kill(rtpengine, 'SIGCONT');
    }
    assert.equal(faultCode(res.text), 503, `refused as unverifiable: ${res.text}`);
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(isLive((await carrierCall(call.callId))!), 'the PSTN leg is still up');
    assert.equal(agent.byes.length, 0, 'the agent got no BYE');
    assert.equal((await callRecord(call.callId))?.endedAt, null);
    assert.equal((await call.bye()).status, 200, 'and it still ends normally');
  });

  test('a call with no media in either direction ends on both legs; the agent is told why; the record says "media timeout"', async () => {
    // The echo number returns what it hears, and this agent sends nothing: no media either way.
    const { agent, call, answeredAt } = await answeredCall(fx.stack.endpoints.numbers.echo);
    const bye = await waitFor(
      async () => agent.byes.find((b) => header(b, 'call-id') === call.callId),
      'the BYE to the agent',
      (MEDIA_TIMEOUT_SECONDS + 15) * 1000,
    );
    const byeAt = Date.now();
    assert.match(header(bye, 'reason') ?? '', /^Q\.850;cause=102;text="media timeout"$/);
    const far = await waitFor(async () => {
      const c = await carrierCall(call.callId);
      return c && !isLive(c) ? c : undefined;
    }, 'the PSTN leg to end');
    // This call never had media, so it "stopped" when it was answered.
    const bothEndedMs = Math.max(byeAt, Date.parse(far.endedAt!)) - answeredAt;
    console.log(`# media timeout ${MEDIA_TIMEOUT_SECONDS} s: both legs ended ${bothEndedMs} ms after the call's media stopped`);
    await waitFor(async () => (await auditOutcomes(call.callId)).includes('media timeout'), 'the audit event "media timeout"');
    const record = await waitFor(async () => {
      const r = await callRecord(call.callId);
      return r?.endedAt ? r : undefined;
    }, 'the call record to end');
    assert.equal(record.disposition, 'answered');
    assert.ok(!(await rtpengineCallIds(MANAGEMENT_ADDRESS, fx.stack.ports.rtpengineNg)).includes(call.callId));
  });

  test('an agent whose WebSocket died mid-call and never came back: both legs end, the record says "agent connection lost"', async () => {
    // The tone number keeps media flowing from the PSTN side: rtpengine alone would keep this call.
    const { agent, call } = await answeredCall(fx.stack.endpoints.numbers.tone);
    const droppedAt = Date.now();
    agent.close();
    const bound = (AGENT_GONE_GRACE_SECONDS + 15) * 1000;
    const far = await waitFor(
      async () => {
        const c = await carrierCall(call.callId);
        return c && !isLive(c) ? c : undefined;
      },
      'the PSTN leg to end after the agent vanished',
      bound,
    );
    console.log(`# agent connection dropped: PSTN leg ended ${Date.parse(far.endedAt!) - droppedAt} ms later`);
    await waitFor(async () => (await auditOutcomes(call.callId)).includes('agent connection lost'), 'the audit event');
    await waitFor(async () => (await callRecord(call.callId))?.endedAt, 'the call record to end');
  });
});
