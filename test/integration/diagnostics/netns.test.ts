/**
 * The diagnostics CLI, run inside a client namespace behind a real NAT, against real coturn and the
 * real reflector in a server namespace. One topology per file; each case flips iptables rules in
 * the NAT namespace (or routes in the client namespace) and restores them.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CONTROL_PLANE_TIMEOUT_MS } from '../../../common/control-plane-client.js';
import { lastStepEndMs, runCli } from './run-cli.js';
import { ADDR, NAT_INSIDE_IF, NS, PORTS, Topology, inNs, sh } from './topology.js';

const canRun =
  process.getuid?.() === 0 &&
  (() => {
    try {
      sh('ip', 'netns', 'list');
      sh('turnserver', '--version');
      return true;
    } catch {
      return false;
    }
  })();

describe(
  'network diagnostics in namespaces',
  { skip: canRun ? false : 'needs root, iproute2 netns and coturn (turnserver)', timeout: 240_000 },
  () => {
    const topo = new Topology();
    before(() => topo.create(), { timeout: 60_000 });
    after(() => topo.destroy(), { timeout: 30_000 });

    it('everything open: pass, endpoint-independent NAT, EF preserved, relayed round trips', { timeout: 60_000 }, async () => {
      const run = await topo.runCli();
      assert.equal(run.report.verdict, 'pass', run.report.summary);
      assert.equal(run.code, 0);
      assert.equal(run.step('stun').values.results[0].mapped.address, ADDR.natOutside, 'STUN sees the NAT outside address');
      assert.equal(run.step('nat').values.behaviour, 'endpoint-independent');
      for (const t of ['turn-udp', 'turn-tcp', 'turn-tls']) {
        assert.equal(run.step(t).verdict, 'pass', run.step(t).explanation);
        assert.equal(run.step(t).values.relayRoundTrip, 'ok');
        assert.equal(run.step(t).values.relayed.address, ADDR.media);
      }
      const dscp = run.step('dscp');
      assert.equal(dscp.values.marking, 'preserved');
      assert.equal(dscp.values.receivedDscp, 46);
      const q = run.step('path-quality').values;
      assert.equal(q.sent, 200);
      assert.ok(q.lossPercent <= 1, `loss ${q.lossPercent}% on a clean path`);
      assert.ok(q.mos >= 4.2, `MOS ${q.mos}`);
      assert.ok(Math.abs(run.step('clock').values.offsetMs) < 50, 'same host: no skew');
      assert.equal(run.step('sip-websocket').values.protocol, 'sip');
    });

    it('symmetric NAT (MASQUERADE --random-fully): reported symmetric, TURN needed', { timeout: 60_000 }, async () => {
      const rule = ['-t', 'nat', 'POSTROUTING', '-o', 'cldiag-n1', '-j', 'MASQUERADE', '--random-fully'];
      const run = await topo.withRules(NS.nat, [rule], () => topo.runCli());
      const nat = run.step('nat');
      assert.equal(nat.values.behaviour, 'symmetric', JSON.stringify(nat.values.observations));
      assert.equal(nat.verdict, 'warn');
      assert.match(nat.explanation, /TURN needed/);
      assert.equal(run.step('media-path').verdict, 'pass');
      assert.match(run.step('media-path').explanation, /relayed over TURN\/UDP/);
      assert.equal(run.report.verdict, 'warn');
    });

    it('UDP blocked: UDP steps fail, TURN TCP/TLS pass, overall works-via-TURN warning', { timeout: 60_000 }, async () => {
      const run = await topo.withRules(NS.nat, [['FORWARD', '-p', 'udp', '-j', 'DROP']], () => topo.runCli());
      for (const id of ['stun', 'turn-udp', 'dscp', 'path-quality'])
        assert.equal(run.step(id).verdict, 'fail', `${id}: ${run.step(id).explanation}`);
      assert.match(run.step('stun').fix ?? '', new RegExp(`UDP ${PORTS.turn} to ${ADDR.media}`));
      assert.equal(run.step('turn-tcp').verdict, 'pass');
      assert.equal(run.step('turn-tls').verdict, 'pass');
      assert.equal(run.step('media-path').verdict, 'warn');
      assert.match(run.step('media-path').explanation, /calls will work, relayed over TURN/);
      assert.equal(run.report.verdict, 'warn');
      assert.equal(run.code, 0, 'warn exits 0');
    });

    it('TCP 443 blocked: signaling fails with the port in the fix, exit 2', { timeout: 60_000 }, async () => {
      const run = await topo.withRules(NS.nat, [['FORWARD', '-p', 'tcp', '--dport', '443', '-j', 'DROP']], () => topo.runCli());
      const ws = run.step('sip-websocket');
      assert.equal(ws.verdict, 'fail');
      assert.match(ws.fix ?? '', new RegExp(`TCP 443 \\(TLS\\) to ${ADDR.front}`));
      assert.equal(run.step('turn-tls').verdict, 'fail');
      assert.equal(run.step('turn-udp').verdict, 'pass');
      assert.equal(run.report.verdict, 'fail');
      assert.equal(run.code, 2);
    });

    it('DSCP re-marked to 0 in the NAT namespace: reported re-marked', { timeout: 60_000 }, async () => {
      const rule = ['-t', 'mangle', 'FORWARD', '-p', 'udp', '-j', 'DSCP', '--set-dscp', '0'];
      const run = await topo.withRules(NS.nat, [rule], () => topo.runCli(['--only', 'targets,dscp']));
      const dscp = run.step('dscp');
      assert.equal(dscp.values.marking, 're-marked');
      assert.equal(dscp.values.receivedDscp, 0);
      assert.equal(dscp.verdict, 'warn');
      assert.match(dscp.fix ?? '', /DSCP 46/);
    });

    it('random loss (iptables statistic 10%): measured loss within a few points', { timeout: 60_000 }, async () => {
      const rule = [
        'FORWARD',
        '-i',
        NAT_INSIDE_IF,
        '-p',
        'udp',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        '0.10',
        '-j',
        'DROP',
      ];
      const run = await topo.withRules(NS.nat, [rule], () => topo.runCli(['--only', 'targets,path-quality']));
      const q = run.step('path-quality').values;
      assert.ok(Math.abs(q.lossPercent - 10) <= 6, `measured ${q.lossPercent}% for 10% injected`);
      assert.ok(q.mos < 4.0, `MOS ${q.mos} reflects the loss`);
    });

    describe(
      'VPN',
      { skip: existsSync('/dev/net/tun') ? false : 'no /dev/net/tun: cannot create the tun device that plays the VPN' },
      () => {
        before(
          async () => {
            await topo.holdTun(NS.client, 'tun0');
            inNs(NS.client, 'ip', 'addr', 'add', '10.231.9.2/24', 'dev', 'tun0');
            inNs(NS.client, 'ip', 'link', 'set', 'tun0', 'up');
          },
          { timeout: 20_000 },
        );
        // The device disappears with its holder process, which topo.destroy() stops.

        it('a tun device routing the media server: "through the VPN" with the prefix to exclude', { timeout: 60_000 }, async () => {
          inNs(NS.client, 'ip', 'route', 'add', `${ADDR.media}/32`, 'dev', 'tun0');
          try {
            const run = await topo.runCli(['--only', 'targets,vpn', '--media-gateway', ADDR.media]);
            const vpn = run.step('vpn');
            assert.equal(vpn.verdict, 'warn');
            assert.match(vpn.explanation, /through the VPN tunnel \(tun0\)/);
            assert.match(vpn.fix ?? '', /split-tunnel exclusion of 10\.231\.2\.0\/24/);
            assert.deepEqual(vpn.values.vpnAdapters, [{ name: 'tun0', kind: 'tun' }]);
          } finally {
            inNs(NS.client, 'ip', 'route', 'del', `${ADDR.media}/32`, 'dev', 'tun0');
          }
        });

        it(
          'a tun device black-holing the control plane: the host checks still run, name tun0, and the time is honest',
          { timeout: 90_000 },
          async (t) => {
            // A run that reaches the control plane keeps its configuration: the SIP server to test later.
            assert.equal((await topo.runCli(['--only', 'targets'])).report.verdict, 'pass');
            inNs(NS.client, 'ip', 'route', 'add', `${ADDR.front}/32`, 'dev', 'tun0');
            try {
              const run = await topo.runCli();
              assert.equal(run.code, 2);
              assert.equal(run.report.verdict, 'fail');
              const provisioning = run.step('provisioning');
              assert.match(provisioning.explanation, new RegExp(`no answer within ${CONTROL_PLANE_TIMEOUT_MS / 1000} s`));
              assert.equal(provisioning.values.lastConfiguration, 'used for the host checks');
              // A timeout cannot fire early: the provisioning step took at least the control plane's deadline.
              assert.ok(provisioning.durationMs >= CONTROL_PLANE_TIMEOUT_MS, `provisioning ${provisioning.durationMs} ms`);
              assert.deepEqual(
                run.report.steps.map((s) => s.id),
                ['provisioning', 'targets', 'vpn', 'tcp-tls', 'sip-websocket', 'stun', 'proxy'],
              );
              // The host checks did not wait for the control plane's timeout: each started before provisioning gave up.
              for (const s of run.report.steps.filter((x) => x.id !== 'provisioning')) {
                assert.ok(
                  s.startMs < provisioning.durationMs,
                  `${s.id} started at ${s.startMs} ms, provisioning gave up at ${provisioning.durationMs} ms`,
                );
              }
              // Its 4 s connect timeout ran beside provisioning's 10 s one, not after it.
              const tcpTls = run.step('tcp-tls');
              assert.ok(
                tcpTls.startMs + tcpTls.durationMs <= provisioning.durationMs,
                `tcp-tls ran ${tcpTls.startMs}-${tcpTls.startMs + tcpTls.durationMs} ms, provisioning gave up at ${provisioning.durationMs} ms`,
              );
              assert.equal(run.step('targets').verdict, 'pass');
              const toControlPlane = run.step('vpn').values.paths.find((p: { role: string }) => p.role === 'control-plane');
              assert.deepEqual([toControlPlane.host, toControlPlane.interface, toControlPlane.viaVpn], [ADDR.front, 'tun0', true]);
              const tcp = run.step('tcp-tls');
              assert.equal(tcp.verdict, 'fail');
              assert.match(tcp.explanation, new RegExp(`TCP ${PORTS.api} \\(TLS\\) to ${ADDR.front.replaceAll('.', '\\.')}`));
              assert.equal(
                run.step('sip-websocket').values.url,
                `wss://${ADDR.front}:${PORTS.wss}/`,
                'the last configuration’s SIP server',
              );
              assert.equal(run.step('sip-websocket').verdict, 'fail');
              assert.equal(run.step('proxy').verdict, 'pass');
              // The TURN servers kept from the last configuration (no credentials): coturn's TCP and TLS ports
              // connect, and its UDP port answers a STUN Binding (no allocation) — though the control plane is cut off.
              const turnChecks = run.step('tcp-tls').values.checks.filter((c: { role: string }) => c.role === 'turn');
              assert.deepEqual(
                turnChecks.map((c: { endpoint: string; ok: boolean }) => [c.endpoint, c.ok]),
                [
                  [`TCP ${PORTS.turn} to ${ADDR.media}`, true],
                  [`TCP ${PORTS.turns} (TLS) to ${ADDR.media}`, true],
                ],
              );
              const stun = run.step('stun');
              assert.equal(stun.verdict, 'pass');
              assert.deepEqual(
                stun.values.results.map((r: { server: string }) => r.server),
                [`UDP ${PORTS.turn} to ${ADDR.media}`],
              );
              const kept = JSON.parse(readFileSync(topo.lastConfigPath, 'utf8'));
              assert.deepEqual(Object.keys(kept), ['provisioningUrl', 'config', 'iceServers']);
              assert.deepEqual(
                kept.iceServers,
                [
                  { role: 'turn', host: ADDR.media, port: PORTS.turn, transport: 'udp' },
                  { role: 'turn', host: ADDR.media, port: PORTS.turn, transport: 'tcp' },
                  { role: 'turn', host: ADDR.media, port: PORTS.turns, transport: 'tls' },
                ],
                'where the TURN servers are, and nothing of their credentials',
              );
              assert.doesNotMatch(JSON.stringify(kept), /password|credential/i);
              assert.match(
                run.report.summary,
                new RegExp(`traffic to ${ADDR.front.replaceAll('.', '\\.')} \\(control-plane\\) leaves by interface tun0, a VPN tunnel`),
              );
              // Honest timing: wall time from the provisioning attempt to the end of the last check, not "0 ms".
              assert.ok(run.report.totalMs >= lastStepEndMs(run.report), `total ${run.report.totalMs} ms < the last check's end`);
              t.diagnostic(
                `black-holed run: totalMs ${run.report.totalMs}, provisioning ${provisioning.durationMs} ms, tcp-tls ${tcpTls.durationMs} ms`,
              );
            } finally {
              inNs(NS.client, 'ip', 'route', 'del', `${ADDR.front}/32`, 'dev', 'tun0');
            }
          },
        );

        it('a route excluding the server prefix from the tunnel: "split"', { timeout: 60_000 }, async () => {
          inNs(NS.client, 'ip', 'route', 'add', '10.231.0.0/16', 'dev', 'tun0');
          inNs(NS.client, 'ip', 'route', 'add', '10.231.2.0/24', 'via', ADDR.natInside);
          try {
            const run = await topo.runCli(['--only', 'targets,vpn', '--media-gateway', ADDR.media]);
            const vpn = run.step('vpn');
            assert.equal(vpn.verdict, 'pass');
            assert.match(vpn.explanation, /split tunnel excludes media/);
            assert.ok(vpn.values.paths.every((p: { interface: string }) => p.interface === 'cldiag-c0'));
          } finally {
            inNs(NS.client, 'ip', 'route', 'del', '10.231.2.0/24', 'via', ADDR.natInside);
            inNs(NS.client, 'ip', 'route', 'del', '10.231.0.0/16', 'dev', 'tun0');
          }
        });
      },
    );

    describe('the real backend stack behind the NAT', () => {
      let args: string[];
      let wsPort: number;
      before(
        async () => {
          const e = await topo.startRealStack();
          const agent = e.agents[0]!;
          // `--password=…`: generated passwords may start with "-", which would read as an option.
          args = [
            '--config',
            e.controlPlane.url,
            '--user',
            agent.username,
            `--password=${agent.password}`,
            ...(e.caCertPath ? ['--ca', e.caCertPath] : []),
          ];
          wsPort = Number(new URL(e.sip.wsUrl).port);
        },
        { timeout: 90_000 },
      );

      it('Kamailio, coturn and the supervised reflector through the NAT: pass', { timeout: 60_000 }, async () => {
        const run = await runCli(args, { netns: NS.client });
        const notPass = run.report.steps.filter((s) => s.verdict !== 'pass').map((s) => `${s.id}: ${s.explanation}`);
        assert.deepEqual(notPass, []);
        assert.equal(run.step('sip-websocket').values.protocol, 'sip');
        assert.equal(run.step('stun').values.results[0].mapped.address, ADDR.natOutside);
        assert.equal(run.step('turn-udp').values.relayRoundTrip, 'ok');
        assert.equal(run.step('dscp').values.receivedDscp, 46);
      });

      it('the WebSocket port blocked: signaling fails with that port in the fix', { timeout: 60_000 }, async () => {
        const rule = ['FORWARD', '-p', 'tcp', '--dport', String(wsPort), '-j', 'DROP'];
        const run = await topo.withRules(NS.nat, [rule], () => runCli([...args, '--only', 'targets,sip-websocket'], { netns: NS.client }));
        assert.equal(run.step('sip-websocket').verdict, 'fail');
        assert.match(run.step('sip-websocket').fix ?? '', new RegExp(`TCP ${wsPort} \\(TLS\\) to ${ADDR.stack.replaceAll('.', '\\.')}`));
        assert.equal(run.code, 2);
      });
    });

    it('a proxy set for the CLI: reported, and the WebSocket upgrade goes through it', { timeout: 60_000 }, async () => {
      const proxy = `http://${ADDR.front}:${PORTS.proxy}`;
      const run = await topo.runCli(['--only', 'targets,sip-websocket,proxy'], { HTTPS_PROXY: proxy });
      const p = run.step('proxy');
      assert.equal(p.verdict, 'pass', p.explanation);
      assert.equal(p.values.resolved.sipWebSocket, `PROXY ${ADDR.front}:${PORTS.proxy}`);
      assert.equal(
        p.values.resolved.controlPlane,
        `PROXY ${ADDR.front}:${PORTS.proxy}`,
        'the https:// control plane follows HTTPS_PROXY too',
      );
      assert.equal(p.values.upgradeThroughProxy, true);
      assert.match(p.explanation, /survives it/);
    });

    it('a proxy that refuses CONNECT: proxy step fails, direct upgrade works', { timeout: 60_000 }, async () => {
      const run = await topo.runCli(['--only', 'targets,sip-websocket,proxy'], { HTTPS_PROXY: `http://${ADDR.front}:${PORTS.api}` });
      const p = run.step('proxy');
      assert.equal(p.verdict, 'fail');
      assert.equal(p.values.upgradeDirect, true);
      assert.match(p.fix ?? '', new RegExp(`${ADDR.front}:${PORTS.api}`));
      assert.equal(run.code, 2);
    });
  },
);
