import { errorText, outcome } from '../../../common/diagnostics/step.js';
import { mosBand } from '../../../common/quality/mos-bands.js';
import { sessionOf, type PageStepDefinition } from '../page-step.js';

export const TEST_CALL_TIMEOUT_MS = 8000;

/**
 * A real call to the echo number through the gateway, on a line of its own: how long each phase
 * took, whether media needed TURN, and the quality of what came back (RTT, jitter, loss, MOS).
 */
export const testCallStep: PageStepDefinition = {
  id: 'test-call',
  title: 'Test call to the echo number',
  blocking: true,
  needsAccount: true,
  timeoutMs: TEST_CALL_TIMEOUT_MS,
  async run(ctx) {
    const session = sessionOf(ctx);
    const echo = session.config.numbers['echo'];
    if (!echo) return outcome('skip', 'the account has no echo number to call');
    let r;
    try {
      r = await ctx.probes.testCall(session, echo, ctx.devices.microphoneId);
    } catch (e) {
      return outcome(
        'fail',
        `the test call failed: ${errorText(e)}`,
        { number: echo },
        'run the test again; if it fails again, send the report to the helpdesk',
      );
    }
    const values = {
      number: echo,
      websocketMs: Math.round(r.websocketMs),
      registerMs: Math.round(r.registerMs),
      inviteToAnswerMs: Math.round(r.inviteToAnswerMs),
      iceMs: r.iceMs === null ? null : Math.round(r.iceMs),
      dtlsMs: r.dtlsMs === null ? null : Math.round(r.dtlsMs),
      turnNeeded: r.relayed,
      rttMs: r.rttMs === null ? null : Math.round(r.rttMs),
      jitterMs: r.jitterMs === null ? null : Math.round(r.jitterMs * 10) / 10,
      packetsLost: r.packetsLost,
      packetsReceived: r.packetsReceived,
      lossPercent:
        r.packetsReceived + r.packetsLost > 0 ? Math.round((1000 * r.packetsLost) / (r.packetsReceived + r.packetsLost)) / 10 : null,
      mos: r.mos === null ? null : Math.round(r.mos * 100) / 100,
      echoLevel: Math.round(r.echoLevel * 1000) / 1000,
      codec: r.codec,
    };
    const phases = `WebSocket ${values.websocketMs} ms, REGISTER ${values.registerMs} ms, INVITE→200 ${values.inviteToAnswerMs} ms, ICE ${values.iceMs ?? '?'} ms, DTLS ${values.dtlsMs ?? '?'} ms`;
    if (r.packetsReceived === 0)
      return outcome(
        'fail',
        `the call connected but no audio came back (${phases})`,
        values,
        'a firewall drops the media: ask IT to allow UDP (or TURN over TCP/TLS) to the media servers',
      );
    const band = r.mos === null ? null : mosBand(r.mos);
    const via = r.relayed ? 'through TURN' : 'directly';
    if (band && band.verdict !== 'pass')
      return outcome(
        band.verdict,
        `the echo came back ${via} but sounds ${band.label.toLowerCase()} (MOS ${values.mos}; ${phases})`,
        values,
        'use a wired connection, close large downloads, or ask IT about the path to the media servers',
      );
    return outcome('pass', `the echo came back ${via}${values.mos !== null ? `, MOS ${values.mos}` : ''} (${phases})`, values);
  },
};
