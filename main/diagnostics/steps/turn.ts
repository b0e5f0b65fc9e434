import type { DatagramChannel } from '../channels.js';
import { exchange } from '../reflector-client.js';
import { CERTIFICATE_FIX, configOf, errorText, isCertificateError, outcome, type StepContext, type StepDefinition } from '../step.js';
import { streamTransport, udpTransport, type StunTransport } from '../stun/transaction.js';
import { StunError, allocate, createPermission, deallocate, onPeerData, sendToPeer, type Allocation } from '../stun/turn-client.js';
import { label, type Transport } from '../targets.js';

/**
 * TURN Allocate over one transport with the provisioned credentials, then a relayed round trip:
 * probes sent through the relay to the reflector come back as Data indications.
 */
async function relayedRoundTrip(ctx: StepContext, t: StunTransport, allocation: Allocation) {
  const r = ctx.targets.reflector;
  if (!r) return { relayRoundTrip: 'skipped: no reflector provisioned' };
  const peer = { address: await ctx.address(r.host), port: r.port };
  try {
    await createPermission(t, allocation, peer);
  } catch (e) {
    // A server policy (denied-peer-ip) may forbid relaying to the reflector; the allocation itself worked.
    if (e instanceof StunError && e.code === 403) return { relayRoundTrip: 'not permitted by the TURN server policy' };
    throw e;
  }
  const echoes = await exchange(null, peer, {
    kind: 'probe',
    count: 5,
    intervalMs: 20,
    drainMs: 1500,
    now: ctx.probes.now,
    send: (data) => sendToPeer(t, peer, data),
    subscribe: (l) => onPeerData(t, (from, data) => from.port === peer.port && l(data, ctx.probes.now())),
  });
  const rtts = echoes.filter((e) => e.receivedMs !== null).map((e) => e.receivedMs! - e.sentMs);
  if (!rtts.length) throw new Error(`relayed probes to the reflector (${label(r)}) never came back`);
  return { relayRoundTrip: 'ok', relayedRttMs: Math.round(Math.min(...rtts) * 10) / 10, relayedEchoes: `${rtts.length}/5` };
}

function turnStep(transport: Transport): StepDefinition {
  const id = `turn-${transport}`;
  return {
    id,
    title: `TURN over ${transport.toUpperCase()}`,
    blocking: false,
    async run(ctx) {
      const e = ctx.targets.ice.find((x) => x.role === 'turn' && x.transport === transport);
      if (!e) return outcome('skip', `no TURN server over ${transport.toUpperCase()} is provisioned`, {});
      const { username, password } = configOf(ctx).turn;
      const address = await ctx.address(e.host);
      const values: Record<string, unknown> = { uri: e.source };
      let channel: DatagramChannel | null = null;
      let t: StunTransport | null = null;
      const t0 = ctx.probes.now();
      try {
        if (transport === 'udp') {
          channel = await ctx.probes.openDatagram();
          t = udpTransport(channel, { address, port: e.port });
        } else {
          t = streamTransport(await ctx.probes.openStream(address, e.port, transport === 'tls'), transport, label(e));
        }
        const allocation = await allocate(t, username, password);
        Object.assign(values, {
          allocateMs: Math.round(ctx.probes.now() - t0),
          relayed: allocation.relayed,
          mapped: allocation.mapped,
          lifetimeSec: allocation.lifetimeSec,
        });
        try {
          Object.assign(values, await relayedRoundTrip(ctx, t, allocation));
        } finally {
          await deallocate(t, allocation);
        }
        return outcome(
          'pass',
          `TURN allocation over ${label(e)} works${values.relayedRttMs !== undefined ? `, relayed RTT ${values.relayedRttMs} ms` : ''}`,
          values,
        );
      } catch (err) {
        values.error = errorText(err);
        const auth = err instanceof StunError && (err.code === 401 || err.code === 437 || err.code === 441);
        return outcome(
          'fail',
          auth ? `TURN over ${label(e)} refused the credentials (${errorText(err)})` : `TURN over ${label(e)} failed: ${errorText(err)}`,
          values,
          isCertificateError(err)
            ? CERTIFICATE_FIX
            : auth
              ? 'the TURN credentials are rejected: check the shared secret between control plane and TURN server and this desktop clock'
              : `allow outbound ${label(e)} in the firewall${transport === 'tls' ? ' without TLS inspection' : ''}`,
        );
      } finally {
        t?.close();
        channel?.close();
      }
    },
  };
}

export const turnUdpStep = turnStep('udp');
export const turnTcpStep = turnStep('tcp');
export const turnTlsStep = turnStep('tls');

/** Which media transports work decides whether and how calls will carry audio. */
export const mediaPathStep: StepDefinition = {
  id: 'media-path',
  title: 'Media path for calls',
  after: ['stun', 'nat', 'turn-udp', 'turn-tcp', 'turn-tls'],
  blocking: true,
  async run(ctx) {
    const ok = (id: string) => ctx.outcome(id)?.verdict === 'pass';
    const symmetric = ctx.outcome('nat')?.values.behaviour === 'symmetric';
    const uri = (id: string) => String(ctx.outcome(id)?.values.uri ?? '');
    const values = {
      udpDirect: ok('stun') && !symmetric,
      turnUdp: ok('turn-udp'),
      turnTcp: ok('turn-tcp'),
      turnTls: ok('turn-tls'),
    };
    if (values.udpDirect) return outcome('pass', 'calls will work over UDP', values);
    if (values.turnUdp) return outcome('pass', 'calls will work over UDP, relayed over TURN/UDP', values);
    const udp = ctx.targets.ice.filter((e) => e.transport === 'udp').map(label);
    const tcpFix = `allow outbound ${udp.length ? udp.join(', ') : 'UDP to the TURN server'} for the best call quality`;
    if (values.turnTcp)
      return outcome('warn', `calls will work, relayed over TURN/TCP (${uri('turn-tcp')}), with extra latency`, values, tcpFix);
    if (values.turnTls)
      return outcome('warn', `calls will work, relayed over TURN/TLS (${uri('turn-tls')}), with extra latency`, values, tcpFix);
    return outcome(
      'fail',
      'no media path: UDP is blocked and no TURN transport works',
      values,
      `allow outbound ${ctx.targets.ice.map(label).join(' or ')}`,
    );
  },
};
