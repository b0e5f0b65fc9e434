import { errorText, outcome } from '../../../common/diagnostics/step.js';
import { iceServersFrom } from '../../calling/index.js';
import { sessionOf, type PageStepDefinition } from '../page-step.js';

export const ICE_GATHER_TIMEOUT_MS = 3000;

export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** Which way a TURN URI reaches its server: turns: is TLS, ?transport=tcp is TCP, else UDP. */
export function turnTransportOf(uri: string): TurnTransport | null {
  if (/^turns:/i.test(uri)) return 'tls';
  if (!/^turn:/i.test(uri)) return null;
  return /[?&]transport=tcp\b/i.test(uri) ? 'tcp' : 'udp';
}

/** Local candidates this browser offers (host; server-reflexive once it has the account's STUN/TURN). */
export const localCandidatesStep: PageStepDefinition = {
  id: 'ice-local',
  title: 'Local network (ICE host / server-reflexive)',
  blocking: false,
  needsAccount: false,
  async run({ probes, session }) {
    const servers = session ? iceServersFrom(session.turn) : [];
    let seen;
    try {
      seen = await probes.gatherCandidates(servers, false, ICE_GATHER_TIMEOUT_MS);
    } catch (e) {
      return outcome(
        'fail',
        `ICE gathering failed: ${errorText(e)}`,
        {},
        'a browser policy or extension may block WebRTC; allow it for this site',
      );
    }
    const count = (type: string) => seen.filter((c) => c.type === type).length;
    const values = { host: count('host'), srflx: count('srflx'), relay: count('relay') };
    if (values.host + values.srflx === 0)
      return outcome(
        'fail',
        'the browser offers no local address for calls',
        values,
        'a browser policy (WebRTC IP handling) hides every address; ask IT to allow WebRTC for this site',
      );
    return outcome('pass', `${values.host} host and ${values.srflx} server-reflexive candidate(s)`, values);
  },
};

function turnStep(transport: TurnTransport): PageStepDefinition {
  const name = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' }[transport];
  return {
    id: `ice-turn-${transport}`,
    title: `TURN relay over ${name}`,
    blocking: false,
    needsAccount: true,
    async run(ctx) {
      const { turn } = sessionOf(ctx);
      const uris = turn.uris.filter((u) => turnTransportOf(u) === transport);
      if (!uris.length) return outcome('skip', `the account has no TURN server over ${name}`);
      let seen;
      try {
        seen = await ctx.probes.gatherCandidates(
          [{ urls: uris, username: turn.username, credential: turn.password }],
          true,
          ICE_GATHER_TIMEOUT_MS,
        );
      } catch (e) {
        return outcome('fail', `ICE gathering failed: ${errorText(e)}`, { uris: uris.join(' ') });
      }
      const relays = seen.filter((c) => c.type === 'relay');
      const values = { uris: uris.join(' '), relayCandidates: relays.length };
      if (relays.length) return outcome('pass', `a relay address over ${name}`, values);
      return outcome(
        'fail',
        `no relay address over ${name}: the TURN server was not reached or refused the credentials`,
        values,
        transport === 'udp'
          ? 'a firewall blocks UDP to the TURN server; calls fall back to TCP/TLS if those pass (ask IT to open UDP for better audio)'
          : transport === 'tls'
            ? `ask IT to allow TLS to the TURN server (${uris[0]}), and check this browser trusts its certificate`
            : `ask IT to allow TCP to the TURN server (${uris[0]})`,
      );
    },
  };
}

export const turnUdpStep = turnStep('udp');
export const turnTcpStep = turnStep('tcp');
export const turnTlsStep = turnStep('tls');
