import { parsePacResult } from '../proxy.js';
import { errorText, outcome, type StepDefinition } from '../step.js';

/**
 * Which proxy applies to the SIP WebSocket and control-plane URLs, and whether the WebSocket upgrade
 * survives it (the sip-websocket step already went through it; a direct attempt tells a proxy
 * that breaks upgrades apart from a server that is down).
 */
export const proxyStep: StepDefinition = {
  id: 'proxy',
  title: 'Proxy',
  after: ['sip-websocket'],
  blocking: false,
  async run(ctx) {
    const urls = ctx.targets.urls;
    const resolved: Record<string, string> = {};
    for (const [k, url] of Object.entries(urls)) {
      if (url) resolved[k] = await ctx.probes.resolveProxy(url).catch((e) => `error: ${errorText(e)}`);
    }
    const values: Record<string, unknown> = { resolved };
    const pac = Object.values(resolved).find((r) => r.startsWith('PAC '));
    if (pac) {
      return outcome(
        'warn',
        `a proxy auto-config script (${pac.slice(4)}) decides the proxy; this tool cannot evaluate it`,
        values,
        'run the network test from the app (it evaluates the PAC script like the browser does), or set HTTPS_PROXY for this tool',
      );
    }
    const wsUrl = urls.sipWebSocket;
    const wsProxy = wsUrl ? parsePacResult(resolved.sipWebSocket!) : null;
    const cpProxy = parsePacResult(resolved.controlPlane!);
    if (!wsProxy && !cpProxy) return outcome('pass', 'no proxy applies (direct connections)', values);
    const names = [wsProxy && `SIP WebSocket via ${resolved.sipWebSocket}`, cpProxy && `control plane via ${resolved.controlPlane}`]
      .filter(Boolean)
      .join(', ');
    if (!wsProxy || !wsUrl) return outcome('pass', `proxy in use: ${names}`, values);
    const throughProxy = ctx.outcome('sip-websocket');
    values.upgradeThroughProxy = throughProxy?.verdict === 'pass';
    if (throughProxy?.verdict === 'pass') return outcome('pass', `proxy in use: ${names}; the WebSocket upgrade survives it`, values);
    const direct = await ctx.probes
      .webSocketHandshake(wsUrl, 'sip', null)
      .catch((e) => ({ status: 0, protocol: null, ms: 0, error: errorText(e) }));
    values.upgradeDirect = direct.status === 101 && direct.protocol === 'sip';
    return outcome(
      'fail',
      `proxy in use: ${names}; the WebSocket upgrade fails through it${values.upgradeDirect ? ' but works directly' : ''}`,
      values,
      `let the proxy ${wsProxy.host}:${wsProxy.port} pass WebSocket upgrades (CONNECT to the SIP port) or bypass it for ${new URL(wsUrl).host}`,
    );
  },
};
