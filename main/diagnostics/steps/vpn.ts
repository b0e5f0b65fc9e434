import { errorText, outcome, type StepDefinition } from '../step.js';
import { adapterForSource, adapterVpnKind, exclusionPrefix, vpnKind } from '../vpn.js';

/**
 * VPN and split tunnel: for each target, the interface its traffic leaves by. Media hairpinning
 * through a VPN concentrator adds latency and jitter, so it should be excluded from the tunnel.
 */
export const vpnStep: StepDefinition = {
  id: 'vpn',
  title: 'VPN and split tunnel',
  blocking: false,
  async run(ctx) {
    const { probes, targets } = ctx;
    const adapters = (await probes.adapters()).filter((a) => !a.internal);
    const kindOf = new Map(adapters.map((a) => [a.name, adapterVpnKind(a)]));
    const vpnAdapters = [...kindOf].filter(([, kind]) => kind).map(([name, kind]) => ({ name, kind }));
    const isVpn = (name: string | null) => name !== null && (kindOf.get(name) ?? vpnKind(name)) !== null;
    const { sipWebSocket, mediaGateway } = targets;
    const wanted = [
      ...(mediaGateway ? [{ role: 'media-gateway', host: mediaGateway, port: sipWebSocket?.port ?? 443, media: true }] : []),
      ...targets.ice.map((e) => ({ role: `turn ${e.source}`, host: e.host, port: e.port, media: true })),
      ...(sipWebSocket ? [{ role: 'sip-websocket', host: sipWebSocket.host, port: sipWebSocket.port, media: false }] : []),
      { role: 'control-plane', host: targets.controlPlane.host, port: targets.controlPlane.port, media: false },
    ];
    const paths = await Promise.all(
      wanted.map(async (w) => {
        try {
          const address = await ctx.address(w.host);
          const source = await probes.egressSource(address, w.port);
          const route = await probes.route(address).catch(() => null);
          const iface = route?.device ?? adapterForSource(source, adapters);
          return { ...w, address, source, interface: iface, gateway: route?.gateway ?? null, viaVpn: isVpn(iface) };
        } catch (e) {
          return { ...w, address: null, source: null, interface: null, gateway: null, viaVpn: false, error: errorText(e) };
        }
      }),
    );
    const values = { vpnAdapters, paths };
    if (vpnAdapters.length === 0) return outcome('pass', 'no VPN adapter is up', values);
    const tunnelled = paths.filter((p) => p.media && p.viaVpn && p.address);
    if (tunnelled.length) {
      const prefixes = [...new Set(tunnelled.map((p) => exclusionPrefix(p.address!)))];
      const via = [...new Set(tunnelled.map((p) => p.interface))].join(', ');
      return outcome(
        'warn',
        `media to the gateway goes through the VPN tunnel (${via})`,
        values,
        `ask for a split-tunnel exclusion of ${prefixes.join(', ')} (voice media should bypass the VPN)`,
      );
    }
    return outcome('pass', `VPN up (${vpnAdapters.map((a) => a.name).join(', ')}); split tunnel excludes media: good`, values);
  },
};
