import { CERTIFICATE_FIX, errorText, isCertificateError, outcome, type StepDefinition } from '../step.js';
import { label, type Endpoint } from '../targets.js';

/** Firewall, TCP side: a TCP connect (and TLS handshake) to every TCP/TLS endpoint the app uses. */
export const tcpStep: StepDefinition = {
  id: 'tcp-tls',
  title: 'Firewall: TCP and TLS ports',
  blocking: false,
  async run(ctx) {
    const { targets, probes } = ctx;
    const endpoints: Endpoint[] = [
      ...(targets.sipWebSocket ? [targets.sipWebSocket] : []),
      targets.controlPlane,
      ...targets.ice.filter((e) => e.transport !== 'udp'),
    ];
    const unique = endpoints.filter(
      (e, i) => endpoints.findIndex((o) => o.host === e.host && o.port === e.port && o.transport === e.transport) === i,
    );
    const checks = await Promise.all(
      unique.map(async (e) => {
        try {
          const address = await ctx.address(e.host);
          const r = await probes.connect(address, e.port, e.transport === 'tls');
          return { endpoint: label(e), role: e.role, ok: true, connectMs: Math.round(r.connectMs), tlsMs: r.tlsMs && Math.round(r.tlsMs) };
        } catch (err) {
          return { endpoint: label(e), role: e.role, ok: false, certificate: isCertificateError(err), error: errorText(err) };
        }
      }),
    );
    const failed = checks.filter((c) => !c.ok);
    const values = { checks };
    if (!failed.length) return outcome('pass', `${checks.length} TCP/TLS port(s) reachable`, values);
    const signalling = failed.filter((c) => c.role === 'sip-websocket' || c.role === 'control-plane');
    return outcome(
      signalling.length ? 'fail' : 'warn',
      `blocked or unreachable: ${failed.map((c) => c.endpoint).join(', ')}`,
      values,
      failed.every((c) => c.certificate) ? CERTIFICATE_FIX : `allow outbound ${failed.map((c) => c.endpoint).join(', ')} in the firewall`,
    );
  },
};
