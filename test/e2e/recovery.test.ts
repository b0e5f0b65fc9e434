import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureHeardAudio, approxHz, selectedPath, type SelectedPath } from '../support/audio-probe.js';
import {
  AGENT_HZ as A_HZ,
  BROWSER_UDP,
  CallRecoveryRig,
  longestInboundGap,
  timeInboundAudioBack,
  timeReregisterAfterCut,
} from './support/call-recovery.js';
import { UDP_RETURN_DELAYS_MS, UDP_RETURN_SETTLE_MS } from '../../renderer/calling/udp-return.js';
import { blockUdp } from '../support/udp-block.js';

/**
 * Calls that survive the signalling path, in Chromium against the real stack: the page's SIP
 * WebSocket is cut mid-call (a tap on the socket closes it and refuses new ones; Kamailio's end
 * of the old one stays open, as after a real path loss) while media keeps flowing. When the
 * path returns the agent must register again within 2 s and every live call must refresh its
 * dialog, so that what the far end sends next (BYE, re-INVITE) reaches the new connection, and
 * what the agent sends (hold, resume, hang-up) is accepted from it. And the media path: UDP
 * blocked mid-call (an iptables rule on the browser's own UDP ports only) must bring the audio
 * back over a TURN TCP/TLS relay within the 3 s, with the agent told meanwhile: on a new
 * relay-only peer connection offered in a re-INVITE (renderer/calling/relay-recovery.ts), the
 * old one closed once the new one carries audio. Then the way back (renderer/calling/udp-return.ts):
 * with UDP still blocked, a return attempt (every candidate type allowed again, an ICE restart)
 * keeps the relay and the audio without a gap; once UDP is let through again, the call is back on
 * a direct UDP pair.
 */
/** The outage the issue measures. */
const WS_OUTAGE_MS = 20_000;
/** The bounds: registered again within 2 s of the path returning, the far end's hang-up shown within 1 s. */
const REREGISTER_BOUND_MS = 2000;
const FAR_HANGUP_BOUND_MS = 1000;
/**
 * The agent's own hang-up after a reconnect: shown at once, and the far end's leg ended by the BYE, which at
 * worst waits for the ACK of a 2xx lost with the old connection: the next 2xx retransmission (T2 = 4 s) brings
 * it (measured 0.1–0.4 s when it did; 25–32 s before Kamailio relayed that ACK to the new connection).
 */
const HANGUP_SHOWN_BOUND_MS = 2000;
const HANGUP_BYE_BOUND_MS = 6000;
/**
 * UDP blocked mid-call: audio must come back over TURN TCP or TLS within the 3 s. Measured
 * here 1.2–1.4 s (the stall seen 0.8–1 s after the block, the recovery re-INVITE answered ~0.2 s
 * later, ICE and DTLS over the TCP relay within a few ms of the answer); `npm run bench` tracks it
 * (recovery.udpBlockAudioMs).
 */
const UDP_BLOCK_AUDIO_BOUND_MS = 3000;
/**
 * The longest the inbound audio may stand still while a return attempt runs with UDP blocked. The
 * sampling alone shows up to ~150 ms; a real drop (the old pair given up before a new one) would
 * last until the media recovery's 800 ms stall and beyond.
 */
const UDP_RETURN_GAP_BOUND_MS = 400;
let rig: CallRecoveryRig;
let a: CallRecoveryRig['agent'];
let backend: CallRecoveryRig['backend'];
let carrier: CallRecoveryRig['carrier'];

before(
  async () => {
    rig = await CallRecoveryRig.start();
    ({ agent: a, backend, carrier } = rig);
    await rig.signIn();
  },
  { timeout: 90_000 },
);

afterEach(async () => {
  a.restoreSipPath();
  await a.phone.endAllCalls();
});

after(async () => rig?.stop(), { timeout: 30_000 });

const hostLog = () => readFileSync(join(backend.scratch, 'host-a', 'logs', 'main.log'), 'latin1');

/**
 * Cuts the SIP path for `outageMs` mid-call, checks the audio on the way, and returns how long
 * after the path came back the UI said "Registered" again, once the call's dialog refresh (a
 * re-INVITE from the new connection) has been answered.
 */
async function cutAndRestore(outageMs: number): Promise<number> {
  const refreshesBefore = hostLog().match(/dialog refresh of call \S+ accepted/g)?.length ?? 0;
  const reregisterMs = await timeReregisterAfterCut(a, outageMs, async () => {
    const heard = await measureHeardAudio(a.page, 1200);
    assert.ok(approxHz(heard.dominantHz, A_HZ), `audio keeps flowing while the signalling is down: ${JSON.stringify(heard)}`);
  });
  console.log(`# registered again ${reregisterMs} ms after the SIP path returned (outage ${outageMs} ms)`);
  assert.ok(
    reregisterMs <= REREGISTER_BOUND_MS,
    `registered again within ${REREGISTER_BOUND_MS} ms of the path returning (took ${reregisterMs} ms)`,
  );
  for (let i = 0; (hostLog().match(/dialog refresh of call \S+ accepted/g)?.length ?? 0) <= refreshesBefore; i++) {
    assert.ok(i < 50, 'the live call refreshed its dialog from the new connection (a re-INVITE answered 2xx)');
    await a.page.waitForTimeout(100);
  }
  return reregisterMs;
}

test(
  'WebSocket cut for 20 s mid-call: audio continues, registered again within 2 s, and the FAR END’s hang-up ends the agent’s call within 1 s',
  { timeout: 90_000 },
  async () => {
    const far = await rig.echoCall();
    await cutAndRestore(WS_OUTAGE_MS);
    const heard = await measureHeardAudio(a.page, 1200);
    assert.ok(approxHz(heard.dominantHz, A_HZ), `audio after the reconnect: ${JSON.stringify(heard)}`);

    const hungUpAt = Date.now();
    await carrier.hangup(far.id);
    await a.phone.waitCallStatus(/other party hung up/, 5000);
    const endedMs = Date.now() - hungUpAt;
    console.log(`# the far end hung up; the agent's call showed it ${endedMs} ms later`);
    assert.ok(endedMs <= FAR_HANGUP_BOUND_MS, `the far end’s BYE reached the agent within ${FAR_HANGUP_BOUND_MS} ms (took ${endedMs} ms)`);
    assert.ok((await carrier.call(far.id)).endedAt, 'the carrier ended its side');
  },
);

test(
  'an incoming call: after a reconnect the agent holds, resumes and hangs up, and the far end follows each step',
  { timeout: 90_000 },
  async () => {
    // Incoming, so the agent is the dialog's callee (the other side of route PARTY_RECONNECTED).
    const far = await carrier.call(await carrier.placeCall(backend.endpoints.agents[0]!.username, 'echo'));
    await a.phone.answer();
    await a.phone.waitActive();
    await carrier.waitFor(far.id, 'A’s tone', (c) => approxHz(c.received.dominantHz, A_HZ));
    await cutAndRestore(6000);

    await a.phone.press('Hold');
    await a.activeCallButton('Resume');
    await carrier.waitFor(far.id, 'hold after the reconnect', (c) => c.held);

    await a.phone.press('Resume');
    await a.activeCallButton('Hold');
    await carrier.waitFor(far.id, 'resume after the reconnect', (c) => !c.held);
    await carrier.waitFor(far.id, 'A’s tone again after resume', (c) => approxHz(c.received.dominantHz, A_HZ));

    // A cut between A's 2xx and the carrier's ACK leaves SIP.js, the callee, unable to send its BYE before that
    // ACK (RFC 3261 §15). The carrier re-sends it for A's next 2xx retransmission (T2 = 4 s apart at most) and
    // Kamailio relays it to A's new connection (integration/backend/dialog-reconnect), so the BYE follows
    // within one retransmission; the agent sees the call ended at once either way.
    const hungUpAt = Date.now();
    await a.phone.hangUp();
    await a.phone.waitCallStatus(/Call ended/, 5000);
    const shownMs = Date.now() - hungUpAt;
    const ended = await carrier.waitFor(far.id, 'the agent’s hang-up', (c) => c.endedAt !== null);
    const byeMs = Date.parse(ended.endedAt!) - hungUpAt;
    console.log(`# the agent's hang-up: shown ended in ${shownMs} ms, the carrier's leg ended in ${byeMs} ms`);
    assert.ok(shownMs <= HANGUP_SHOWN_BOUND_MS, `the call shown ended within ${HANGUP_SHOWN_BOUND_MS} ms (took ${shownMs} ms)`);
    assert.ok(byeMs <= HANGUP_BYE_BOUND_MS, `the carrier's leg ended within ${HANGUP_BYE_BOUND_MS} ms (took ${byeMs} ms)`);
    console.log(`# the carrier's leg after the agent's hang-up: ${JSON.stringify(ended)}`);
  },
);

test(
  'UDP blocked mid-call: the agent is told, and audio comes back within 3 s over TURN TCP or TLS on a new peer connection, the old one closed; the far end hears A, and mute, hold and DTMF work on the new one; a return attempt with UDP still blocked keeps the relay and the audio, and once UDP is let through the call is back on it',
  { timeout: 150_000 },
  async () => {
    const far = await rig.echoCall();
    const offer = (await a.page.evaluate(`(() => {
    const pcs = window.__e2ePeerConnections.filter((pc) => pc.connectionState !== 'closed');
    return pcs[pcs.length - 1].localDescription.sdp;
  })()`)) as string;
    const relays = offer.split(/\r?\n/).filter((l) => / typ relay /.test(l));
    console.log(`# relay candidates in the offer: ${relays.length}`);
    assert.ok(relays.length >= 3, `a relay of each TURN transport (udp, tcp, tls) in the offer:\n${relays.join('\n')}`);
    const before = await selectedPath(a.page);
    console.log(`# media path before the block: ${JSON.stringify(before)}`);

    const told = await a.phone.recordCallStatus();
    const unblock = await blockUdp(BROWSER_UDP, 'clrec-udp-block');
    try {
      const blockedAt = Date.now();
      const { stalled, backMs } = await timeInboundAudioBack(a, blockedAt, 15_000);
      assert.ok(stalled, 'the block stopped the inbound audio (else it proves nothing)');
      assert.ok(backMs !== null, 'audio came back within 15 s of UDP being blocked');
      const path = await selectedPath(a.page);
      console.log(`# UDP blocked: audio back after ${backMs} ms over ${JSON.stringify(path)}`);
      assert.equal(path?.localType, 'relay', 'the media goes through TURN now');
      assert.ok(path?.relayProtocol === 'tcp' || path?.relayProtocol === 'tls', `over TURN TCP or TLS (got ${path?.relayProtocol})`);
      const heard = await measureHeardAudio(a.page, 1200);
      assert.ok(approxHz(heard.dominantHz, A_HZ), `A hears its echo over the relay: ${JSON.stringify(heard)}`);
      assert.ok(backMs <= UDP_BLOCK_AUDIO_BOUND_MS, `audio back within ${UDP_BLOCK_AUDIO_BOUND_MS} ms (took ${backMs} ms)`);
      await told.seen(/reconnecting audio/i, 1000); // the Call status said so while the media path was down
      await a.phone.waitCallStatus(/^Connected$/, 5000); // and the notice is gone once audio flows
      const pcs = (await a.page.evaluate(`window.__e2ePeerConnections.map((pc) => ({
        state: pc.connectionState,
        policy: pc.getConfiguration().iceTransportPolicy,
        setup: /a=setup:(\\w+)/.exec(pc.remoteDescription.sdp)[1],
      }))`)) as Array<{ state: string; policy: string; setup: string }>;
      console.log(`# the call's peer connections: ${JSON.stringify(pcs)}`);
      // The second one: relay-only, rtpengine its DTLS server (it answered passive to our active), the first one closed.
      assert.deepEqual(pcs.slice(-2), [
        { state: 'closed', policy: 'all', setup: 'active' },
        { state: 'connected', policy: 'relay', setup: 'passive' },
      ]);
      await carrier.waitFor(far.id, 'A’s tone from the new peer connection', (c) => approxHz(c.received.dominantHz, A_HZ));

      // UDP still blocked: the first return attempt (5 s after audio is back) must keep the relay and the audio.
      const attempt = (n: number) => new RegExp(`trying the direct UDP path again \\(attempt ${n}\\)`).test(hostLog());
      let firstSeenAt: number | null = null;
      const attemptSettled = () => {
        if (firstSeenAt === null && attempt(1)) firstSeenAt = Date.now();
        return firstSeenAt !== null && Date.now() - firstSeenAt >= UDP_RETURN_SETTLE_MS + 1000;
      };
      const during = await longestInboundGap(a, attemptSettled, UDP_RETURN_DELAYS_MS[0]! + 10_000);
      assert.ok(during.done, 'a return attempt was made while UDP was blocked');
      const kept = await selectedPath(a.page);
      console.log(
        `# a return attempt with UDP blocked: the inbound audio stood still ${during.gapMs} ms at most; path after: ${JSON.stringify(kept)}`,
      );
      assert.ok(during.gapMs <= UDP_RETURN_GAP_BOUND_MS, `no audio gap through the attempt (longest ${during.gapMs} ms)`);
      assert.equal(kept?.localType, 'relay', 'UDP still blocked: the call stays on the relay');
      assert.ok(kept?.relayProtocol === 'tcp' || kept?.relayProtocol === 'tls', `over TURN TCP or TLS (got ${kept?.relayProtocol})`);
      assert.match(hostLog(), /UDP return of call \S+ accepted \(ICE restart\)/);
      const heardThrough = await measureHeardAudio(a.page, 1200);
      assert.ok(approxHz(heardThrough.dominantHz, A_HZ), `A hears its echo after the attempt: ${JSON.stringify(heardThrough)}`);

      await a.phone.press('Mute');
      await a.activeCallButton('Unmute');
      await carrier.waitFor(far.id, 'silence from A, muted', (c) => c.received.rmsDbfs === null || c.received.rmsDbfs < -50);
      await a.phone.press('Unmute');
      await a.activeCallButton('Mute');
      // Hold and resume re-offer from the new peer connection: it stays the DTLS client (relay-recovery.ts).
      await a.phone.press('Hold');
      await a.activeCallButton('Resume');
      await carrier.waitFor(far.id, 'hold', (c) => c.held);
      await a.phone.press('Resume');
      await a.activeCallButton('Hold');
      await carrier.waitFor(far.id, 'A’s tone after resume', (c) => !c.held && approxHz(c.received.dominantHz, A_HZ));
      const heardAfterResume = await measureHeardAudio(a.page, 1200);
      assert.ok(approxHz(heardAfterResume.dominantHz, A_HZ), `A hears its echo after resume: ${JSON.stringify(heardAfterResume)}`);
      await a.phone.sendDigits('42#');
      const got = await carrier.waitFor(far.id, 'digits 42#', (c) => c.dtmf.length >= 3);
      assert.equal(got.dtmf, '42#', 'RFC 4733 events from the new peer connection’s DTMF sender');
      assert.doesNotMatch(hostLog(), /as SIP INFO/, 'telephone-event was negotiated on the new peer connection');

      // UDP let through again: back on a direct UDP pair, by ICE's own checks on the pairs the attempt gathered
      // (measured 0.8 s), or else by the next attempt (15 s after the first).
      await unblock();
      const unblockedAt = Date.now();
      let direct = null as SelectedPath | null; // set by the wait below
      const back = await longestInboundGap(
        a,
        async () => {
          direct = await selectedPath(a.page);
          return direct?.localType === 'host' || direct?.localType === 'srflx';
        },
        UDP_RETURN_DELAYS_MS[1]! + 10_000,
      );
      assert.ok(
        back.done,
        `back on a direct UDP pair within ${UDP_RETURN_DELAYS_MS[1]! + 10_000} ms of the unblock (path ${JSON.stringify(direct)})`,
      );
      console.log(
        `# UDP let through: back on ${JSON.stringify(direct)} ${Date.now() - unblockedAt} ms later; inbound audio stood still ${back.gapMs} ms at most`,
      );
      assert.equal(direct?.protocol, 'udp');
      assert.ok(back.gapMs <= UDP_RETURN_GAP_BOUND_MS, `no audio gap on the way back (longest ${back.gapMs} ms)`);
      const heardBack = await measureHeardAudio(a.page, 1200);
      assert.ok(approxHz(heardBack.dominantHz, A_HZ), `A hears its echo over UDP: ${JSON.stringify(heardBack)}`);
      await carrier.waitFor(far.id, 'A’s tone over UDP', (c) => approxHz(c.received.dominantHz, A_HZ));
    } finally {
      await unblock();
    }
    await a.phone.hangUp();
    await a.phone.waitCallStatus(/Call ended/);
  },
);
