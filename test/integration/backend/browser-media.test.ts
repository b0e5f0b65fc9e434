/**
 * The browser leg with a real Chromium: its own offer (DTLS fingerprint, ICE, Opus) is sent over
 * SIP/WebSocket to the echo number; rtpengine's answer must be one Chromium accepts, ICE and DTLS
 * must complete against rtpengine on loopback, and the carrier's echo (plain RTP on the trunk leg)
 * must come back to Chromium as SRTP — media both ways through rtpengine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestStack, waitFor } from './support/stack-fixture.js';
import { WsSipAgent } from './support/ws-sip-agent.js';
import { sdpFacts } from './support/webrtc-sdp.js';
import { CHROMIUM_PATH, launchAgentBrowser } from '../../support/chromium.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { TEST_PORT_BASES, spareTestPorts } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.backendMedia;
const BROWSER_UDP_PORTS = spareTestPorts('backendMedia', 1600, 1699);

describe(
  'Chromium ↔ rtpengine ↔ carrier echo',
  { timeout: 90_000, skip: existsSync(CHROMIUM_PATH) ? false : `${CHROMIUM_PATH} missing (apt-get install chromium)` },
  () => {
    let fx: Awaited<ReturnType<typeof startTestStack>>;
    let profile: string;
    let browser: BrowserContext;
    let page: Page;

    before(async () => {
      fx = await startTestStack(PORT_BASE);
      profile = mkdtempSync(join(tmpdir(), 'clearline-browser-media-'));
      browser = await launchAgentBrowser({ userDataDir: profile, udpPorts: BROWSER_UDP_PORTS });
      page = browser.pages()[0] ?? (await browser.newPage());
      // A loopback http origin is a secure context: getUserMedia and WebRTC work there.
      await page.goto(`${fx.stack.endpoints.controlPlane.url}/healthz`);
    });
    after(async () => {
      await browser?.close();
      await fx?.dispose();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    test("Chromium accepts rtpengine's answer, connects ICE + DTLS to it, and receives the echo", async () => {
      const offer = await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
        for (const track of stream.getTracks()) pc.addTrack(track, stream);
        (window as unknown as { pc: RTCPeerConnection }).pc = pc;
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((resolve) => {
          if (pc.iceGatheringState === 'complete') return resolve();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
          setTimeout(resolve, 3000);
        });
        return pc.localDescription!.sdp;
      });
      assert.match(offer, /UDP\/TLS\/RTP\/SAVPF/, 'Chromium offers DTLS-SRTP');

      const e = fx.stack.endpoints;
      const alice = await WsSipAgent.connect(e.sip.wsUrl, { username: 'alice', password: e.agents[0]!.password, domain: e.sip.domain });
      try {
        const call = alice.invite(e.numbers.echo, offer);
        const res = await call.final;
        assert.equal(res.status, 200, res.startLine);
        const answer = sdpFacts(res.body);
        assert.ok(
          answer.port! >= fx.stack.ports.rtpengineMediaMin && answer.port! <= fx.stack.ports.rtpengineMediaMax,
          `answer port ${answer.port} is rtpengine's`,
        );

        const t0 = Date.now();
        const media = await page.evaluate(async (sdp) => {
          const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
          await pc.setRemoteDescription({ type: 'answer', sdp });
          const deadline = Date.now() + 15_000;
          let received = 0;
          let dtls = '';
          while (Date.now() < deadline) {
            const stats = await pc.getStats();
            stats.forEach((s) => {
              if (s.type === 'inbound-rtp' && s.kind === 'audio') received = s.packetsReceived;
              if (s.type === 'transport') dtls = s.dtlsState;
            });
            if (received >= 50 && pc.connectionState === 'connected') break;
            await new Promise((r) => setTimeout(r, 100));
          }
          return { state: pc.connectionState, dtls, received };
        }, res.body);
        assert.equal(media.state, 'connected', 'ICE + DTLS with rtpengine');
        assert.equal(media.dtls, 'connected');
        assert.ok(media.received >= 50, `echoed packets received: ${media.received}`);
        console.log(`[browser-media] connected and ${media.received} echoed packets in ${Date.now() - t0} ms`);
        assert.equal((await call.bye()).status, 200);
      } finally {
        alice.close();
      }
    });

    test('the carrier calls a browser agent; Chromium (max-bundle) accepts the offer and the hold/resume re-offers', async () => {
      const e = fx.stack.endpoints;
      const alice = await WsSipAgent.connect(e.sip.wsUrl, { username: 'alice', password: e.agents[0]!.password, domain: e.sip.domain });
      const received = () =>
        page.evaluate(async () => {
          let n = 0;
          (await (window as unknown as { pc2: RTCPeerConnection }).pc2.getStats()).forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') n = s.packetsReceived;
          });
          return n;
        });
      alice.answerMode = {
        kind: 'answer',
        sdp: (offer, reInvite) =>
          page.evaluate(
            async ({ offer, reInvite }) => {
              const w = window as unknown as { pc2: RTCPeerConnection };
              if (!reInvite) {
                const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
                w.pc2 = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
                for (const track of stream.getTracks()) w.pc2.addTrack(track, stream);
              }
              const pc = w.pc2;
              await pc.setRemoteDescription({ type: 'offer', sdp: offer });
              await pc.setLocalDescription(await pc.createAnswer());
              await new Promise<void>((resolve) => {
                if (pc.iceGatheringState === 'complete') return resolve();
                pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
                setTimeout(resolve, 3000);
              });
              return pc.localDescription!.sdp;
            },
            { offer, reInvite },
          ),
      };
      const api = carrierApiUrl(e);
      try {
        assert.equal((await alice.register()).status, 200);
        const placed = await fetch(`${api}/calls`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to: 'alice', mode: 'tone' }),
        });
        assert.equal(placed.status, 201);
        const { id } = (await placed.json()) as { id: string };
        const state = async () => ((await (await fetch(`${api}/calls/${id}`)).json()) as { state: string }).state;
        await waitFor(async () => (await state()) === 'answered' || alice.lastAnswerError, 'carrier sees the answer', 10_000);
        assert.equal(alice.lastAnswerError, null, `Chromium accepts the offer: ${alice.incomingInvites.at(-1)?.body}`);
        assert.equal(await state(), 'answered');
        await waitFor(async () => (await received()) >= 50, 'tone packets at the browser', 10_000);

        for (const hold of [true, false]) {
          const r = await fetch(`${api}/calls/${id}/hold`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ hold }),
          });
          const body = (await r.json()) as { status?: number; error?: string };
          assert.equal(body.status, 200, `${hold ? 'hold' : 'resume'} re-INVITE answered by Chromium: ${JSON.stringify(body)}`);
        }
        assert.equal(alice.reInvites.length, 2);
        const before = await received();
        await waitFor(async () => (await received()) >= before + 25, 'media flows again after resume', 10_000);
        assert.equal((await fetch(`${api}/calls/${id}`, { method: 'DELETE' })).status, 200);
        await alice.register(0);
      } finally {
        alice.close();
      }
    });
  },
);
