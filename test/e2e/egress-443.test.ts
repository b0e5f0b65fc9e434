/**
 * Issue 10, "only port 443 open": an agent whose network lets out TCP 443 and nothing else — no
 * UDP, no DNS, no other port — signs in, registers and makes an echo call with audio both ways,
 * (a) directly to the stack's 443 services and (b) through an enterprise HTTP proxy (tinyproxy,
 * CONNECT to 443 only) that is the namespace's one way out.
 *
 * The stack runs in the root namespace on non-loopback addresses of a veth pair, with HTTPS, WSS
 * and TURN/TLS each on 443 of an address of its own (`--https-listen`, `--wss-listen`,
 * `--turns-listen`; production mode plus --demo for the carrier and demo agents). The web softphone
 * runs in real Chromium started inside the client namespace (`ip netns exec`), whose firewall
 * drops everything else: the call's media can only travel relayed over TURN/TLS on 443.
 * What each side hears is measured (the agent: its own 440 Hz echoed back; the carrier: 440 Hz),
 * and the page's selected ICE pair must be a relay reached over TLS.
 *
 * Needs root (namespaces, iptables, binding 443), /usr/bin/chromium and tinyproxy; skips loudly
 * otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { approxHz, measureHeardAudio, recordPeerConnections, selectedPath } from '../support/audio-probe.js';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { CarrierApi, isLive } from '../support/carrier-api.js';
import { CHROMIUM_PATH, launchAgentBrowser } from '../support/chromium.js';
import { ClientNamespace } from '../support/client-namespace.js';
import { HttpConnectProxy, TINYPROXY_PATH } from '../support/http-connect-proxy.js';
import { TEST_PORT_BASES, spareTestPort, spareTestPorts } from '../support/port-registry.js';
import { Softphone } from '../support/softphone.js';
import { toneWav } from '../support/tones.js';
import { carrierApiUrl } from '../../backend/endpoints.js';
import { parseWindowsInternetSettings, proxyFromSystem } from '../../main/diagnostics/system-proxy.js';
import { parsePacResult } from '../../main/diagnostics/proxy.js';

const PORT_BASE = TEST_PORT_BASES.egress443;
const NS = 'clegr';
const ADDR = {
  listen: '10.249.0.1',
  media: '10.249.0.2',
  https: '10.249.0.3',
  wss: '10.249.0.4',
  turns: '10.249.0.5',
  proxy: '10.249.0.6',
  client: '10.249.1.2',
} as const;
const TLS_PORT = 443;
const TONE_HZ = 440;

const skipReason =
  process.getuid?.() !== 0
    ? 'needs root: network namespaces, iptables and binding port 443 (run the e2e suite as root)'
    : !existsSync(CHROMIUM_PATH)
      ? `needs ${CHROMIUM_PATH} (apt-get install chromium)`
      : !existsSync(TINYPROXY_PATH)
        ? `needs ${TINYPROXY_PATH} (apt-get install tinyproxy; build/setup/ensure-deps.sh installs it)`
        : false;
if (skipReason) console.log(`# SKIPPED egress-443: ${skipReason}`);

/** base64 SHA-256 of the server certificate's public key: Chromium accepts exactly that certificate (tests only). */
function serverCertSpki(stateDir: string): string {
  const pkiDir = join(stateDir, 'pki');
  const file = readdirSync(pkiDir).find((f) => f.startsWith('server-') && f.endsWith('.crt'));
  if (!file) throw new Error(`no server certificate in ${pkiDir}`);
  const der = new X509Certificate(readFileSync(join(pkiDir, file))).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

describe('only TCP 443 open: sign-in and an echo call with audio both ways', { skip: skipReason, timeout: 240_000 }, () => {
  let ns: ClientNamespace;
  let backend: TestBackend;
  let carrier: CarrierApi;
  let alice: { username: string; password: string };
  let spki: string;

  before(
    async () => {
      ns = ClientNamespace.create(NS, ADDR.client, [ADDR.listen, ADDR.media, ADDR.https, ADDR.wss, ADDR.turns, ADDR.proxy]);
      backend = await startTestBackend(PORT_BASE, {
        stack: {
          listen: ADDR.listen,
          mediaAddress: ADDR.media,
          demo: true,
          serviceListen: {
            controlPlane: `${ADDR.https}:${TLS_PORT}`,
            sipWss: `${ADDR.wss}:${TLS_PORT}`,
            turns: `${ADDR.turns}:${TLS_PORT}`,
          },
        },
      });
      carrier = new CarrierApi(carrierApiUrl(backend.endpoints));
      alice = backend.endpoints.agents[0]!;
      spki = serverCertSpki(join(backend.scratch, 'state'));
    },
    { timeout: 90_000 },
  );
  after(async () => {
    await backend?.stop();
    ns?.remove();
  });

  /** One agent in Chromium inside the namespace: sign in, call echo, measure, hang up. */
  async function echoCallFromNamespace(label: string, extraArgs: string[]): Promise<void> {
    const context: BrowserContext = await launchAgentBrowser({
      userDataDir: join(backend.scratch, `profile-${label}`),
      microphoneWav: toneWav(join(backend.scratch, 'tones'), TONE_HZ),
      udpPorts: spareTestPorts('egress443', 1500, 1599),
      launcher: ns.launcher(join(backend.scratch, `chromium-in-${NS}.sh`), CHROMIUM_PATH),
      extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`, ...extraArgs],
    });
    try {
      await recordPeerConnections(context);
      const page: Page = context.pages()[0] ?? (await context.newPage());
      const phone = new Softphone(page);
      const cp = backend.endpoints.controlPlane.url;
      assert.equal(cp, `https://${ADDR.https}`, 'the control plane is advertised on 443');
      await phone.open(`${cp}/?audioProcessing=off`);
      await phone.signIn(cp, alice.username, alice.password);
      await phone.waitRegistered(30_000);

      await phone.dial(backend.endpoints.numbers.echo);
      await phone.waitActive(30_000);
      const far = await waitForLiveEcho();
      await carrier.waitFor(far.id, `${TONE_HZ} Hz from the agent`, (c) => approxHz(c.received.dominantHz, TONE_HZ), 15_000);
      const heard = await measureHeardAudio(page, 1500);
      const path = await selectedPath(page);
      const farNow = await carrier.call(far.id);
      console.log(
        `# ${label}: agent hears ${JSON.stringify(heard)}; carrier hears ${JSON.stringify(farNow.received)}; path ${JSON.stringify(path)}`,
      );
      assert.ok(approxHz(heard.dominantHz, TONE_HZ), `the agent hears its own ${TONE_HZ} Hz echoed back: ${JSON.stringify(heard)}`);
      assert.ok(heard.rmsDbfs > -40, `at a healthy level: ${heard.rmsDbfs} dBFS`);
      assert.ok(approxHz(farNow.received.dominantHz, TONE_HZ), `the carrier hears ${TONE_HZ} Hz: ${JSON.stringify(farNow.received)}`);
      assert.equal(path?.localType, 'relay', 'media is relayed by TURN');
      assert.equal(path?.relayProtocol, 'tls', 'reached over TURN/TLS (the only transport that gets out)');
      assert.match(path?.turnUrl ?? '', new RegExp(`^turns:${ADDR.turns.replace(/\./g, '\\.')}:${TLS_PORT}\\b`));
      await phone.hangUp();
      await phone.activeCall.waitFor({ state: 'detached', timeout: 10_000 });
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  async function waitForLiveEcho() {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const far = (await carrier.calls()).find((c) => c.number === backend.endpoints.numbers.echo && isLive(c));
      if (far) return far;
      if (Date.now() > deadline) throw new Error('the carrier never had a live echo call');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('(a) directly: egress only to HTTPS, WSS and TURN/TLS on 443', { timeout: 120_000 }, async () => {
    ns.allowOnlyTcpEgress([
      { host: ADDR.https, port: TLS_PORT },
      { host: ADDR.wss, port: TLS_PORT },
      { host: ADDR.turns, port: TLS_PORT },
    ]);
    ns.resetCounters();
    await echoCallFromNamespace('direct', []);
    const dropped = ns.droppedEgress();
    console.log(`# direct: egress dropped by the namespace firewall: ${JSON.stringify(dropped)}`);
    // The browser did try TURN over UDP and TCP to the block port; the firewall stopped both.
    assert.ok(dropped.udp > 0, 'UDP was attempted and dropped: the firewall was in force');
    assert.ok(dropped.other > 0, 'TCP to other ports was attempted and dropped');
  });

  test(
    '(b) through an HTTP CONNECT proxy that is the only way out (web softphone: --proxy-server; desktop: its system proxy)',
    { timeout: 120_000 },
    async () => {
      const proxy = await HttpConnectProxy.start({
        host: ADDR.proxy,
        port: spareTestPort('egress443', 1600),
        allowClient: ADDR.client,
        allowHosts: [ADDR.https, ADDR.wss, ADDR.turns],
        dir: backend.scratch,
      });
      try {
        ns.allowOnlyTcpEgress([{ host: ADDR.proxy, port: proxy.port }]);
        ns.resetCounters();
        // The desktop app: the OS proxy setting an enterprise pushes (here Windows' WinINET, as
        // `reg query` prints it) is what main/diagnostics/system-proxy.ts resolves for every URL the
        // softphone opens — the same proxy the browser below is given.
        const settings = parseWindowsInternetSettings(
          `    ProxyEnable    REG_DWORD    0x1\n    ProxyServer    REG_SZ    ${proxy.host}:${proxy.port}\n    ProxyOverride    REG_SZ    <local>\n`,
        );
        assert.ok(settings, 'the registry text parses');
        const e = backend.endpoints;
        for (const url of [e.controlPlane.url, e.sip.wsUrl, `https://${ADDR.turns}:${TLS_PORT}`]) {
          assert.deepEqual(parsePacResult(proxyFromSystem(url, settings)), { scheme: 'http', host: proxy.host, port: proxy.port }, url);
        }
        await echoCallFromNamespace('proxy', [`--proxy-server=${proxy.url}`]);
        const seen = proxy.log();
        console.log(`# proxy: ${JSON.stringify(seen)}; dropped ${JSON.stringify(ns.droppedEgress())}`);
        for (const host of [ADDR.https, ADDR.wss, ADDR.turns]) {
          assert.ok(
            seen.asked.includes(`${host}:${TLS_PORT}`),
            `a tunnel to ${host}:${TLS_PORT} went through the proxy: ${JSON.stringify(seen)}`,
          );
        }
        assert.ok(!seen.refusedPorts.includes(TLS_PORT), 'no tunnel to 443 was refused');
        // Chromium also asked for TURN/TCP on the block port through the proxy; the enterprise rule refused it.
        assert.ok(seen.refusedPorts.length > 0, `the ConnectPort rule was exercised: ${JSON.stringify(seen)}`);
      } finally {
        await proxy.stop();
      }
    },
  );
});
