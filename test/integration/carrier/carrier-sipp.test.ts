/**
 * The carrier against SIPp, an independent SIP implementation: built-in and scripted UAC
 * scenarios towards carrier "b", SIPp's RFC 2833 capture into the record number, the carrier
 * calling SIPp's echoing UAS, and every RFC 4475 torture datagram thrown at the live process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NUMBERS } from '../../../backend/carrier/behaviours.js';
import { TONE_HZ } from '../../../backend/carrier/media/tone.js';
import { INSTANCE_PORTS, SIPP_PORTS, sleep, startCarrierProcess, waitFor, type CarrierProcess } from './carrier-process.js';
import { runSipp, SCENARIO_DIR, sippInstalled } from './sipp.js';
import { TORTURE_DIR, tortureMissing } from '../../unit/backend/carrier/torture-vectors.js';

let b: CarrierProcess;
const target = () => `127.0.0.1:${INSTANCE_PORTS.b.sip}`;
const scenario = (name: string) => ['-sf', join(SCENARIO_DIR, name)];
/** SIPp tests skip loudly, with the reason, when SIPp is absent (checked once, not per test). */
const withSipp = { timeout: 20_000, skip: sippInstalled() ? false : 'sipp not installed (Debian package sip-tester)' };

before(async () => {
  // b's proxy is where SIPp listens, so calls b places go to SIPp.
  b = await startCarrierProcess('b', SIPP_PORTS.sip, 'sipp.test');
});

after(async () => {
  await b?.stop();
});

test('SIPp built-in UAC completes a call to the echo number (100/180/200, ACK, BYE)', withSipp, async () => {
  const r = await runSipp(['-sn', 'uac', '-s', DEFAULT_NUMBERS.echo, '-d', '500', target()]);
  assert.equal(r.code, 0, r.errors);
  const call = await waitFor('the echo call record', async () => (await b.calls()).find((c) => c.role === 'echo' && c.state === 'ended'));
  assert.equal(call.finalStatus, 200);
  assert.ok(call.answeredAt);
});

test('busy number: SIPp gets 486 Busy Here and ACKs it', withSipp, async () => {
  const r = await runSipp([...scenario('invite-expect-486.xml'), '-s', DEFAULT_NUMBERS.busy, target()]);
  assert.equal(r.code, 0, r.errors);
});

test('noAnswer: SIPp CANCELs after 180 and gets 200 + 487', withSipp, async () => {
  const r = await runSipp([...scenario('invite-cancel.xml'), '-s', DEFAULT_NUMBERS.noAnswer, target()]);
  assert.equal(r.code, 0, r.errors);
  const call = (await b.calls()).find((c) => c.role === 'noAnswer');
  assert.equal(call?.state, 'ended');
  assert.equal(call?.finalStatus, 487);
});

test('re-INVITEs from SIPp: hold → recvonly, inactive → inactive, resume, unchanged SDP, offerless', withSipp, async () => {
  const r = await runSipp([...scenario('reinvite.xml'), '-s', DEFAULT_NUMBERS.tone, target()]);
  assert.equal(r.code, 0, r.errors);
  const call = await waitFor('the tone call to end', async () =>
    (await b.calls()).find((c) => c.role === 'tone' && c.remote.includes('sipp') && c.state === 'ended'),
  );
  assert.equal(call.finalStatus, 200);
  assert.ok(call.sentPackets > 0, 'the tone played while not on hold');
});

test("Record-Route: the carrier's BYE goes through the Route to the caller's Contact", withSipp, async () => {
  const sipp = runSipp([...scenario('record-route-bye.xml'), '-s', DEFAULT_NUMBERS.tone, target()]);
  const call = await waitFor('the routed call to be answered', async () =>
    (await b.calls()).find((c) => c.role === 'tone' && c.state === 'answered' && c.remote.includes('sipp')),
  );
  await b.del(`/calls/${encodeURIComponent(call.id)}`);
  const r = await sipp;
  assert.equal(r.code, 0, `SIPp got the BYE via the Route: ${r.errors}`);
});

test('OPTIONS gets 200', withSipp, async () => {
  const r = await runSipp([...scenario('options.xml'), '-s', 'anyone', target()]);
  assert.equal(r.code, 0, r.errors);
});

test("record number counts SIPp's RFC 2833 capture (digit 0, three end packets) once", withSipp, async () => {
  const r = await runSipp([...scenario('dtmf-pcap.xml'), '-s', DEFAULT_NUMBERS.record, target()]);
  assert.equal(r.code, 0, r.errors);
  const call = await waitFor('the record call to end', async () =>
    (await b.calls()).find((c) => c.role === 'record' && c.state === 'ended'),
  );
  assert.equal(call.dtmf, '0');
});

test("carrier calls SIPp's echoing UAS: its tone comes back at 1000 Hz", withSipp, async () => {
  const sipp = runSipp(['-sn', 'uas', '-rtp_echo']);
  await sleep(500); // SIPp binds its port
  const placed = await b.post<{ id: string }>('/calls', { to: 'sipp' });
  assert.equal(placed.status, 201);
  const id = placed.body.id;
  const heard = await waitFor('echoed audio', async () => {
    const v = await b.call(id);
    return v.received.packets >= 40 ? v : undefined;
  });
  assert.equal(heard.received.dominantHz, TONE_HZ);
  await b.del(`/calls/${encodeURIComponent(id)}`);
  const r = await sipp;
  assert.equal(r.code, 0, `SIPp UAS saw the call complete (BYE answered): ${r.errors}`);
});

test(
  'every RFC 4475 torture datagram: the live carrier answers what it can and keeps running',
  { timeout: 20_000, skip: tortureMissing ?? false },
  async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(SIPP_PORTS.sip + 1, '127.0.0.1', () => r()));
    const responses = new Map<string, number>();
    socket.on('message', (data) => {
      // Read raw: a 400 copies the offending (malformed) headers, which a strict parser refuses.
      const text = data.toString('latin1');
      const status = /^SIP\/2\.0 (\d{3}) /.exec(text)?.[1];
      const callId = /^(?:Call-ID|i)\s*:\s*(.*?)\r$/im.exec(text)?.[1];
      if (status && callId) responses.set(callId, Number(status));
    });
    try {
      for (const f of readdirSync(TORTURE_DIR).filter((x) => x.endsWith('.dat'))) {
        socket.send(readFileSync(join(TORTURE_DIR, f)), INSTANCE_PORTS.b.sip, '127.0.0.1');
      }
      const expectations: [string, number][] = [
        ['badvers.31417@c.example.com', 505],
        ['mismatch01.dj0234sxdfl3', 400],
        ['clerr.0ha0isndaksdjweiafasdk3', 400],
        ['ncl.0ha0isndaksdj2193423r542w35', 400],
        ['ltgtruri.1@192.0.2.5', 400],
        ['badinv01.0ha0isndaksdjasdf3234nas', 400],
        ['quotbal.aksdj', 400],
        ['multi01.98asdh@192.0.2.1', 400],
        ['wsinv.ndaksdj@192.0.2.1', 404], // valid INVITE to a number the carrier does not have
        ['esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf', 501], // unknown method RE%47IST%45R
        // OPTIONS with an unknown R-URI scheme. (unkscm has the same branch and sent-by as novelsc,
        // so the carrier rightly absorbs it as a retransmission of novelsc's transaction.)
        ['novelsc.asdfasser0q239nwsdfasdkl34', 416],
        ['bext01.0ha0isndaksdj', 420], // Require: an extension we do not implement
      ];
      await waitFor('responses to the torture messages', async () =>
        expectations.every(([id]) => responses.has(id)) ? true : undefined,
      ).catch((e: Error) => {
        throw new Error(
          `${e.message}; missing ${expectations
            .filter(([id]) => !responses.has(id))
            .map(([id]) => id)
            .join(', ')}`,
        );
      });
      for (const [callId, status] of expectations) assert.equal(responses.get(callId), status, callId);
      assert.equal((await b.get('/healthz')).status, 200, 'still alive');
      assert.equal(b.child.exitCode, null);
    } finally {
      socket.close();
    }
  },
);
