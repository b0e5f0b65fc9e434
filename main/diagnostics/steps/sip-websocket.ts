import { parsePacResult } from '../proxy.js';
import { CERTIFICATE_FIX, errorText, isCertificateError, outcome, type StepDefinition } from '../step.js';
import { label } from '../targets.js';

/** The SIP WebSocket handshake exactly as the app makes it: a real upgrade asking for `sip`. */
export const sipWebSocketStep: StepDefinition = {
  id: 'sip-websocket',
  title: 'SIP WebSocket handshake',
  blocking: true,
  async run(ctx) {
    const url = ctx.targets.urls.sipWebSocket;
    const e = ctx.targets.sipWebSocket;
    if (!url || !e) {
      return outcome(
        'skip',
        'no SIP server is known: this desktop never read a configuration from the control plane',
        {},
        'make the control plane reachable (see the other checks), then run the test again',
      );
    }
    const pac = await ctx.probes.resolveProxy(url).catch(() => 'DIRECT');
    const proxy = parsePacResult(pac);
    const values: Record<string, unknown> = { url, proxy: proxy ? pac : 'DIRECT' };
    const fix = `allow outbound ${label(e)} and let HTTP Upgrade requests with "Sec-WebSocket-Protocol: sip" through (no TLS inspection or WebSocket blocking on this path)`;
    try {
      const r = await ctx.probes.webSocketHandshake(url, 'sip', proxy);
      Object.assign(values, { status: r.status, protocol: r.protocol, handshakeMs: Math.round(r.ms) });
      if (r.status !== 101) return outcome('fail', `the server answered HTTP ${r.status} instead of switching to WebSocket`, values, fix);
      if (r.protocol !== 'sip')
        return outcome('fail', `the upgrade did not agree on the sip subprotocol (got ${r.protocol ?? 'none'})`, values, fix);
      return outcome('pass', `WebSocket upgraded with subprotocol sip in ${Math.round(r.ms)} ms${proxy ? ' via the proxy' : ''}`, values);
    } catch (err) {
      values.error = errorText(err);
      return outcome(
        'fail',
        `SIP signaling cannot connect: ${label(e)} (${errorText(err)})`,
        values,
        isCertificateError(err) ? CERTIFICATE_FIX : fix,
      );
    }
  },
};
