import type { DatagramChannel } from '../channels.js';
import { natBehaviour } from '../nat.js';
import { exchange } from '../reflector-client.js';
import { errorText, outcome, type StepContext, type StepDefinition } from '../step.js';
import type { TransportAddress } from '../stun/message.js';
import { udpTransport } from '../stun/transaction.js';
import { binding } from '../stun/turn-client.js';
import { label, type Endpoint } from '../targets.js';

/** Distinct UDP STUN/TURN servers (any turn:/stun: URI over UDP answers Binding). */
function udpServers(ctx: StepContext): Endpoint[] {
  const udp = ctx.targets.ice.filter((e) => e.transport === 'udp');
  return udp.filter((e, i) => udp.findIndex((o) => o.host === e.host && o.port === e.port) === i);
}

async function mappedBy(ctx: StepContext, server: Endpoint, channel: DatagramChannel) {
  const address = await ctx.address(server.host);
  const t = udpTransport(channel, { address, port: server.port });
  const t0 = ctx.probes.now();
  try {
    const mapped = await binding(t);
    return { server: label(server), mapped, rttMs: Math.round(ctx.probes.now() - t0) };
  } finally {
    t.close();
  }
}

export const stunStep: StepDefinition = {
  id: 'stun',
  title: 'Firewall: UDP (STUN binding)',
  blocking: false,
  async run(ctx) {
    const servers = udpServers(ctx);
    if (!servers.length) return outcome('skip', 'no STUN/TURN server over UDP is provisioned', {});
    const channel = await ctx.probes.openDatagram();
    try {
      const results = await Promise.all(
        servers.map((s) => mappedBy(ctx, s, channel).catch((e) => ({ server: label(s), error: errorText(e) }))),
      );
      const ok = results.filter((r): r is Exclude<typeof r, { error: string }> => !('error' in r));
      const values = { local: channel.local, results };
      if (!ok.length) {
        return outcome(
          'fail',
          `UDP to the STUN/TURN server is blocked (${servers.map(label).join(', ')})`,
          values,
          `allow outbound ${servers.map(label).join(', ')} and the replies (UDP gives the best call quality)`,
        );
      }
      const m = ok[0]!.mapped;
      return outcome('pass', `STUN works over UDP; public address ${m.address}:${m.port}`, values);
    } finally {
      channel.close();
    }
  },
};

/**
 * NAT mapping behaviour, from one local socket seen by two servers: the STUN server and the
 * reflector (which reports the source it saw), or two STUN servers.
 */
export const natStep: StepDefinition = {
  id: 'nat',
  title: 'NAT behaviour',
  blocking: false,
  async run(ctx) {
    const servers = udpServers(ctx);
    const channel = await ctx.probes.openDatagram();
    try {
      const observations: { server: string; mapped: TransportAddress }[] = [];
      const errors: string[] = [];
      for (const s of servers.slice(0, 2)) {
        await mappedBy(ctx, s, channel).then(
          (r) => observations.push(r),
          (e) => errors.push(errorText(e)),
        );
      }
      const r = ctx.targets.reflector;
      if (r && observations.length < 2) {
        const address = await ctx.address(r.host);
        const echoes = await exchange(
          channel,
          { address, port: r.port },
          { kind: 'time', count: 3, intervalMs: 100, drainMs: 1000, now: ctx.probes.now },
        );
        const seen = echoes.find((e) => e.reply)?.reply?.observed;
        if (seen) observations.push({ server: `reflector ${label(r)}`, mapped: seen });
        else errors.push(`no answer from the reflector (${label(r)})`);
      }
      const local = channel.local;
      const localAddresses = (await ctx.probes.adapters()).map((a) => a.address);
      const behaviour = natBehaviour(
        local,
        observations.map((o) => o.mapped),
        localAddresses,
      );
      const values = { local, observations, behaviour, errors };
      switch (behaviour) {
        case 'none':
          return outcome('pass', 'no NAT between this desktop and the servers', values);
        case 'endpoint-independent':
          return outcome('pass', 'NAT is endpoint-independent: direct UDP media works', values);
        case 'symmetric':
          return outcome(
            'warn',
            'NAT is symmetric (a new mapping per destination): direct media is impossible, TURN needed',
            values,
            'configure the NAT/firewall for endpoint-independent mapping for UDP (e.g. no port randomisation for voice), or rely on TURN',
          );
        default:
          return outcome(
            'skip',
            `NAT behaviour unknown: fewer than two servers answered over UDP (${errors.join('; ') || 'none provisioned'})`,
            values,
          );
      }
    } finally {
      channel.close();
    }
  },
};
