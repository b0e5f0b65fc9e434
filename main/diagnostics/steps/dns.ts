import { errorText, outcome, type StepDefinition } from '../step.js';

export const dnsStep: StepDefinition = {
  id: 'targets',
  title: 'Servers and DNS',
  blocking: true,
  async run(ctx) {
    const { targets, probes } = ctx;
    const lookups = await Promise.all(
      targets.hosts.map(async (host) => {
        const t0 = probes.now();
        try {
          const addresses = await probes.lookup(host);
          return { host, addresses, ms: Math.round(probes.now() - t0) };
        } catch (e) {
          return { host, addresses: [] as string[], ms: Math.round(probes.now() - t0), error: errorText(e) };
        }
      }),
    );
    const values = {
      sipWebSocket: targets.sipWebSocket ? `${targets.sipWebSocket.host}:${targets.sipWebSocket.port}` : null,
      controlPlane: `${targets.controlPlane.host}:${targets.controlPlane.port}`,
      mediaGateway: targets.mediaGateway,
      turn: targets.ice.map((e) => e.source),
      reflector: targets.reflector ? `${targets.reflector.host}:${targets.reflector.port}` : null,
      lookups,
    };
    const failed = lookups.filter((l) => l.addresses.length === 0);
    if (failed.length) {
      const names = failed.map((l) => l.host).join(', ');
      // Without signaling nothing works; a missing TURN or reflector name is judged by the steps using it.
      const signaling = [targets.sipWebSocket?.host, targets.controlPlane.host];
      const verdict = failed.some((l) => signaling.includes(l.host)) ? 'fail' : 'warn';
      return outcome(verdict, `cannot resolve ${names}`, values, `make ${names} resolvable from this desktop (DNS / VPN DNS suffix)`);
    }
    const slowest = Math.max(...lookups.map((l) => l.ms));
    if (slowest > 1000) {
      return outcome(
        'warn',
        `DNS is slow (${slowest} ms)`,
        values,
        'check the DNS servers this desktop uses; lookups should take well under a second',
      );
    }
    return outcome('pass', `${lookups.length} server name(s) resolved, slowest ${slowest} ms`, values);
  },
};
