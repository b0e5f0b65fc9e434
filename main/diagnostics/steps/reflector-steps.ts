// The calling core's model, so this step predicts the score the in-call quality panel will show.
import { mosBand } from '../../../common/quality/mos-bands.js';
import { estimateMos } from '../../../common/quality/mos.js';
import { clockOffset, pathStats } from '../path-stats.js';
import { exchange, type Exchange, type ExchangeOptions } from '../reflector-client.js';
import { errorText, outcome, type StepContext, type StepDefinition } from '../step.js';
import { label } from '../targets.js';
import type { StepOutcome } from '../types.js';

const EF_TOS = 46 << 2;

interface ReflectorSession {
  run(o: Omit<ExchangeOptions, 'now'>): Promise<Exchange[]>;
  /** "UDP 3480 to host", for messages. */
  where: string;
  mark(tos: number): void;
}

/** Runs `fn` against the provisioned reflector over a fresh UDP socket (skip if none). */
async function withReflector(ctx: StepContext, fn: (session: ReflectorSession) => Promise<StepOutcome>): Promise<StepOutcome> {
  const r = ctx.targets.reflector;
  if (!r) return outcome('skip', 'the server provisions no diagnostics reflector (diagnostics.reflector)', {});
  const address = await ctx.address(r.host);
  const channel = await ctx.probes.openDatagram();
  try {
    return await fn({
      run: (o) => exchange(channel, { address, port: r.port }, { ...o, now: ctx.probes.now }),
      where: label(r),
      mark: (tos) => channel.setTos(tos),
    });
  } finally {
    channel.close();
  }
}

const unreachable = (where: string) =>
  outcome('fail', `no answer from the reflector (${where}): UDP blocked?`, {}, `allow outbound ${where} and the replies`);

export const dscpStep: StepDefinition = {
  id: 'dscp',
  title: 'DSCP / QoS marking',
  blocking: false,
  async run(ctx) {
    const policy = await ctx.probes.qosPolicy().catch(() => null);
    return withReflector(ctx, async ({ run, where, mark }) => {
      try {
        mark(EF_TOS);
      } catch (e) {
        // Windows marks by QoS policy, not by socket option: measure what its policy does.
        if (ctx.probes.platform !== 'win32') {
          return outcome('skip', `this OS does not let the app mark packets (${errorText(e)})`, { qosPolicy: policy });
        }
      }
      const echoes = await run({ kind: 'probe', count: 5, intervalMs: 20, drainMs: 1000 });
      const received = echoes.map((e) => e.reply?.receivedTos).filter((t): t is number => typeof t === 'number');
      if (!echoes.some((e) => e.reply)) return unreachable(where);
      if (!received.length) return outcome('skip', 'the reflector cannot read the received marking', {});
      const dscps = [...new Set(received.map((t) => t >> 2))];
      const receivedDscp = dscps[0]!;
      const values: Record<string, unknown> = { sentDscp: 46, receivedDscp, distinct: dscps, qosPolicy: policy };
      if (ctx.probes.platform === 'win32' && policy && !policy.present) {
        values.marking = 'ignored-by-os';
        return outcome(
          'warn',
          "Windows ignores the app's EF marking: no QoS policy for it",
          values,
          'create a QoS policy (Group Policy → Policy-based QoS) giving this app DSCP 46',
        );
      }
      if (dscps.length === 1 && receivedDscp === 46) {
        values.marking = 'preserved';
        return outcome('pass', 'EF (DSCP 46) marking preserved to the server', values);
      }
      values.marking = 're-marked';
      return outcome(
        'warn',
        `EF (DSCP 46) re-marked to DSCP ${dscps.join('/')} on the way to the server${receivedDscp === 0 ? ' (marking stripped)' : ''}`,
        values,
        'ask the network team to trust and preserve DSCP 46 (EF) for voice on the path to the server (a router/firewall re-marks it)',
      );
    });
  },
};

const PROBES = 200;
const INTERVAL_MS = 10;

export const pathQualityStep: StepDefinition = {
  id: 'path-quality',
  title: 'Path quality (RTT, jitter, loss)',
  blocking: false,
  async run(ctx) {
    return withReflector(ctx, async ({ run, where }) => {
      const echoes = await run({ kind: 'probe', count: PROBES, intervalMs: INTERVAL_MS, drainMs: 1000 });
      const stats = pathStats(echoes);
      if (!stats.received) return unreachable(where);
      const score = estimateMos({ rttMs: stats.rttAvgMs!, jitterMs: stats.jitterMs!, lossFraction: stats.lossPercent / 100 });
      const values = { ...stats, mos: score };
      const figures = `RTT ${stats.rttAvgMs} ms, jitter ${stats.jitterMs} ms, loss ${stats.lossPercent}%, MOS ${score}`;
      const fix = 'voice needs RTT < 300 ms, jitter < 30 ms and loss < 1%: check Wi-Fi, VPN and link congestion on this path';
      // The in-call panel's bands: the label it would show, the verdict that goes with it.
      const band = mosBand(score);
      const explanation = `${band.label.toLowerCase()} path: ${figures}`;
      return band.verdict === 'pass' ? outcome('pass', explanation, values) : outcome(band.verdict, explanation, values, fix);
    });
  },
};

export const clockStep: StepDefinition = {
  id: 'clock',
  title: 'Clock skew against the server',
  blocking: false,
  async run(ctx) {
    return withReflector(ctx, async ({ run, where }) => {
      const echoes = await run({ kind: 'time', count: 5, intervalMs: 50, drainMs: 1000 });
      const offset = clockOffset(
        echoes.filter((e) => e.reply).map((e) => ({ sentMs: e.sentMs, serverMs: e.reply!.serverReceivedMs, receivedMs: e.receivedMs! })),
      );
      if (!offset) return unreachable(where);
      const values = { ...offset };
      const skew = Math.abs(offset.offsetMs);
      const fix = 'enable time synchronisation (NTP / Windows Time) on this desktop';
      const text = `clock is ${Math.round(skew)} ms ${offset.offsetMs > 0 ? 'behind' : 'ahead of'} the server`;
      if (skew <= 2000) return outcome('pass', text, values);
      if (skew <= 60_000) return outcome('warn', text, values, fix);
      return outcome('fail', `${text}: TLS and short-lived TURN credentials can fail`, values, fix);
    });
  },
};
