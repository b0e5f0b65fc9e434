import { join } from 'node:path';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { recordPeerConnections } from './audio-probe.js';
import { launchAgentBrowser } from './chromium.js';
import { installHostBridge, type HostBridge } from './host-bridge.js';
import { Softphone } from './softphone.js';
import { toneWav } from './tones.js';
import type { ControlPlaneFetch } from '../../common/control-plane-client.js';

export interface AgentOptions {
  readonly name: string;
  readonly scratch: string;
  /** The control plane origin that serves the web softphone. */
  readonly controlPlaneUrl: string;
  /** The microphone: Chromium's fake device playing this tone, unless `pulse` gives real devices. */
  readonly toneHz?: number;
  /** Real PulseAudio devices (test/support/pulse-audio.ts) instead of the fake microphone. */
  readonly pulse?: { readonly PULSE_SERVER: string };
  readonly udpPorts: readonly [number, number];
  /** Port of Kamailio's SIP WebSocket: when set, the page's SIP socket runs through a tap. */
  readonly tapSipPort?: number;
  /** Provisioning fetch as the host (main process) does it; defaults to Node's fetch. */
  readonly fetch?: ControlPlaneFetch;
  /** More Chromium switches (e.g. `--ignore-certificate-errors-spki-list` for a test CA's servers off loopback). */
  readonly extraArgs?: readonly string[];
}

/**
 * One agent: a Chromium with its own microphone tone, the web softphone page served by the
 * control plane (audio processing off so the tone is not suppressed), the host API served by the
 * real main-process handlers, and every RTCPeerConnection recorded for audio measurements.
 */
export class Agent {
  /** The live route of the page's SIP WebSocket (when tapped): lets a test push frames to the page. */
  sipSocket: WebSocketRoute | null = null;
  /** When set (tapped agents only), rewrites each text frame from the SIP server before the page sees it. */
  rewriteFromServer: ((frame: string) => string) | null = null;
  /**
   * Tapped agents: false while the SIP path is cut (cutSipPath): the page's new WebSockets are
   * closed as soon as they open, and nothing reaches Kamailio.
   */
  private sipPathUp = true;
  readonly consoleErrors: string[] = [];
  readonly pageErrors: string[] = [];

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly bridge: HostBridge,
    readonly phone: Softphone,
  ) {}

  static async launch(o: AgentOptions): Promise<Agent> {
    const context = await launchAgentBrowser({
      userDataDir: join(o.scratch, `profile-${o.name}`),
      ...(o.toneHz !== undefined && !o.pulse ? { microphoneWav: toneWav(join(o.scratch, 'tones'), o.toneHz) } : {}),
      ...(o.pulse ? { pulse: o.pulse } : {}),
      udpPorts: o.udpPorts,
      ...(o.extraArgs ? { extraArgs: o.extraArgs } : {}),
    });
    try {
      const origin = new URL(o.controlPlaneUrl).origin;
      const bridge = await installHostBridge(context, {
        origin,
        dataDir: join(o.scratch, `host-${o.name}`),
        ...(o.fetch ? { fetch: o.fetch } : {}),
      });
      await recordPeerConnections(context);
      const page = context.pages()[0] ?? (await context.newPage());
      const agent = new Agent(o.name, context, page, bridge, new Softphone(page));
      page.on('pageerror', (e) => agent.pageErrors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') agent.consoleErrors.push(m.text());
      });
      if (o.tapSipPort !== undefined) {
        const port = String(o.tapSipPort);
        await context.routeWebSocket(
          (url) => url.port === port,
          (route) => {
            if (!agent.sipPathUp) {
              void route.close({ code: 1001, reason: 'path down (test)' }).catch(() => undefined);
              return;
            }
            // Page → server is forwarded as is; server → page through the optional rewrite.
            const server = route.connectToServer();
            server.onMessage((frame) => {
              route.send(typeof frame === 'string' && agent.rewriteFromServer ? agent.rewriteFromServer(frame) : frame);
            });
            agent.sipSocket = route;
          },
        );
      }
      await agent.phone.open(`${o.controlPlaneUrl}/?audioProcessing=off`);
      return agent;
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The SIP path dies (tapped agents): the page's WebSocket closes, while Kamailio's end of it
   * stays open and unanswered as after a real path loss (whatever the server sends there is
   * lost), and every new WebSocket the page opens is closed at once until restoreSipPath().
   * Media is untouched.
   */
  async cutSipPath(): Promise<void> {
    const socket = this.sipSocket;
    if (!socket) throw new Error(`agent ${this.name}: cutSipPath needs a tapped SIP WebSocket (tapSipPort)`);
    this.sipPathUp = false;
    this.sipSocket = null;
    socket.onClose(() => undefined); // closing the page's side no longer closes the server's
    await socket.close({ code: 1001, reason: 'path down (test)' });
  }

  /** The SIP path is back: the page's next WebSocket reaches Kamailio again. */
  restoreSipPath(): void {
    this.sipPathUp = true;
  }

  /** Waits until the active call shows a button named `name` (e.g. "Resume" once held). */
  async activeCallButton(name: string, timeoutMs = 10_000): Promise<void> {
    await this.phone.activeCall.getByRole('button', { name, exact: true }).waitFor({ timeout: timeoutMs });
  }

  async close(): Promise<void> {
    await this.bridge.dispose().catch(() => undefined);
    await this.context.close().catch(() => undefined);
  }
}
