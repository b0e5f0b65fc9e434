/**
 * Many real WebRTC agent legs from one headless Chromium: each call is its own RTCPeerConnection
 * (max-bundle, rtcp-mux, DTLS-SRTP, ICE — what the softphone sends), its offer carried over SIP
 * on a WebSocket by a WsSipAgent, answered by rtpengine through Kamailio. One microphone track is
 * captured once (pre-warmed, as a softphone holds it) and fed to every connection, each of which
 * encodes and sends it on its own. Optionally relayed through TURN (`relay`), as a browser behind a
 * blocking firewall would.
 *
 * Chromium measures what it receives (inbound-rtp: packets, packets lost, RFC 3550 jitter), and a
 * bare loopback pair of connections in the same page (`startBaseline`) gives the jitter the
 * generator itself adds, so the path's own share can be told apart.
 *
 * Call states (one RTCPeerConnection each):
 *   offered ──INVITE 200──▶ answered ──ICE+DTLS──▶ connected ──hangUp──▶ closed
 *      └──INVITE ≥300──▶ refused (the pc is closed at once)
 */
import type { BrowserContext, Page } from 'playwright-core';
import { launchAgentBrowser } from '../../../support/chromium.js';
import type { OutgoingCall, WsSipAgent } from '../../backend/support/ws-sip-agent.js';

export interface Relay {
  readonly urls: string[];
  readonly username: string;
  readonly credential: string;
}

export interface ReceiveStats {
  readonly packetsReceived: number;
  readonly packetsLost: number;
  /** RFC 3550 interarrival jitter as Chromium estimates it, in ms. */
  readonly jitterMs: number;
  readonly connected: boolean;
}

export interface BrowserCall {
  /** Index of its RTCPeerConnection in the page. */
  readonly pc: number;
  readonly status: number;
  /** Time from createOffer to the final response (offer, ICE gathering, SIP, rtpengine). */
  readonly setupMs: number;
  readonly sip: OutgoingCall;
}

// In-page code as text: no transpiler helpers in the page.
const PAGE_HELPERS = `
  window.__pcs = [];
  window.__mic = null;
  window.__gathered = (pc) => pc.iceGatheringState === 'complete' ? Promise.resolve() : new Promise((r) => {
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
    setTimeout(r, 3000);
  });
  window.__inbound = async (pc) => {
    let out = { packetsReceived: 0, packetsLost: 0, jitterMs: 0, connected: pc.connectionState === 'connected' };
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio')
        out = { ...out, packetsReceived: s.packetsReceived, packetsLost: Math.max(0, s.packetsLost), jitterMs: s.jitter * 1000 };
    });
    return out;
  };
`;

export class BrowserCalls {
  private constructor(
    private readonly browser: BrowserContext,
    private readonly page: Page,
  ) {}

  /** One Chromium (its WebRTC sockets in `udpPorts`) on `origin` (a secure context), microphone opened. */
  static async launch(o: { userDataDir: string; udpPorts: readonly [number, number]; origin: string }): Promise<BrowserCalls> {
    const browser = await launchAgentBrowser({ userDataDir: o.userDataDir, udpPorts: o.udpPorts });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(`${o.origin}/healthz`);
      await page.evaluate(PAGE_HELPERS);
      await page.evaluate(`(async () => { window.__mic = await navigator.mediaDevices.getUserMedia({ audio: true }); })()`);
      return new BrowserCalls(browser, page);
    } catch (err) {
      await browser.close();
      throw err;
    }
  }

  /** A new connection's offer (ICE gathered), sent as an INVITE to `target`; on 200 the answer is applied. */
  async call(agent: WsSipAgent, target: string, relay?: Relay): Promise<BrowserCall> {
    const t0 = performance.now();
    const { pc, sdp } = (await this.page.evaluate(`(async (relay) => {
      const pc = new RTCPeerConnection({
        bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require',
        ...(relay ? { iceServers: [relay], iceTransportPolicy: 'relay' } : {}),
      });
      const index = window.__pcs.push(pc) - 1;
      window.__mic.getTracks().forEach((t) => pc.addTrack(t, window.__mic));
      await pc.setLocalDescription(await pc.createOffer());
      await window.__gathered(pc);
      return { pc: index, sdp: pc.localDescription.sdp };
    })(${JSON.stringify(relay ?? null)})`)) as { pc: number; sdp: string };
    const sip = agent.invite(target, sdp);
    const res = await sip.final;
    const setupMs = performance.now() - t0;
    if (res.status === 200) {
      await this.page.evaluate(`window.__pcs[${pc}].setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(res.body)} })`);
    } else {
      await this.page.evaluate(`window.__pcs[${pc}].close()`);
    }
    return { pc, status: res.status!, setupMs, sip };
  }

  /** What each connection has received so far. */
  async stats(pcs: readonly number[]): Promise<ReceiveStats[]> {
    return (await this.page.evaluate(
      `Promise.all(${JSON.stringify(pcs)}.map((i) => window.__inbound(window.__pcs[i])))`,
    )) as ReceiveStats[];
  }

  /** Waits until every connection is connected and receiving (bounded); returns those that are not. */
  async untilReceiving(pcs: readonly number[], timeoutMs: number): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    let stuck = [...pcs];
    while (Date.now() < deadline) {
      const s = await this.stats(stuck);
      stuck = stuck.filter((_, i) => !(s[i]!.connected && s[i]!.packetsReceived > 0));
      if (stuck.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return stuck;
  }

  /** A bare loopback pair (no backend): its receiving side is the baseline's index. */
  async startBaseline(): Promise<number> {
    return (await this.page.evaluate(`(async () => {
      const a = new RTCPeerConnection(), b = new RTCPeerConnection();
      a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
      b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
      window.__mic.getTracks().forEach((t) => a.addTrack(t, window.__mic));
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription);
      window.__pcs.push(a);
      return window.__pcs.push(b) - 1;
    })()`)) as number;
  }

  /** BYE (answered calls) and close of their connections. */
  async hangUp(calls: readonly BrowserCall[]): Promise<void> {
    await Promise.all(calls.filter((c) => c.status === 200).map((c) => c.sip.bye().catch(() => undefined)));
    await this.page.evaluate(`${JSON.stringify(calls.map((c) => c.pc))}.forEach((i) => window.__pcs[i].close())`);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
