/**
 * The other nodes of a multi-node deployment, as one node sees them (pure validation). Without
 * peers a node is the single-node stack, byte for byte. With them:
 *
 * - **Kamailio** replicates registrations (usrloc) and dialogs (with which agent each side is) to
 *   the other Kamailio nodes over DMQ: SIP/UDP between management addresses, port `kamailioDmq`
 *   of the port block (every node uses the same `--port-base`). Only the listed peers' KDMQ is
 *   handled: DMQ has no authentication, and a KDMQ message writes registrations and dialogs. The
 *   dialogs' WebSocket bindings are not replicated: on another node a call is bound again only by
 *   a re-INVITE from a connection authenticated as that same agent (SECURITY.md #1); the peers'
 *   SIP URL hosts tell this node which Routes name a peer.
 * - **rtpengine**: Kamailio's rtpengine set spans this node's instances and the peers' (their ng
 *   sockets on the management network), in one sorted order on every node; Kamailio hashes each
 *   call onto a live one, so every node finds the same one for a call.
 * - **coturn**: may also relay to the peers' rtpengine media addresses (the set can put a call's
 *   media on any node).
 * - **Agents** are told the other nodes' SIP WebSocket URLs (fallbacks, tried in order when this
 *   node cannot be reached: renderer/calling/signaling-servers.ts) and TURN URIs (the browser
 *   gathers relay candidates on every TURN server it is given).
 */
import { isIP } from 'node:net';
import { parseHostPort, type HostPort } from './agent-services.js';
import { insecureTransportProblem } from '../common/contract/transport-policy.js';
import { MAX_DMQ_PEER_ENTRIES } from './config/kamailio.js';

export interface ClusterPeersInput {
  /** Management addresses of the other Kamailio nodes (DMQ peers). */
  readonly kamailio?: readonly string[];
  /** ng sockets of the other nodes' rtpengines, `ADDR:PORT` on the management network. */
  readonly rtpengines?: readonly string[];
  /** The other nodes' rtpengine media addresses: this node's coturn may relay to them. */
  readonly mediaAddresses?: readonly string[];
  /** The other nodes' SIP WebSocket URLs, handed to agents as fallbacks (wss:// off loopback). */
  readonly sipUrls?: readonly string[];
  /** The other nodes' TURN URIs (`turn:`/`turns:`), handed out with TURN credentials. */
  readonly turnUris?: readonly string[];
}

export interface ClusterPeers {
  readonly kamailio: readonly string[];
  readonly rtpengines: readonly HostPort[];
  readonly mediaAddresses: readonly string[];
  readonly sipUrls: readonly string[];
  readonly turnUris: readonly string[];
}

export const NO_PEERS: ClusterPeers = { kamailio: [], rtpengines: [], mediaAddresses: [], sipUrls: [], turnUris: [] };

/** Validates the peers; every error names the flag at fault (`--peer-…`). */
export function resolveClusterPeers(
  input: ClusterPeersInput | undefined,
  self: { readonly managementAddress: string; readonly listen: string },
): ClusterPeers {
  if (!input) return NO_PEERS;
  const ipv4s = (flag: string, values: readonly string[] = []) =>
    values.map((v) => {
      if (isIP(v) !== 4) throw new Error(`${flag} must be an IPv4 address (got "${v}")`);
      return v;
    });
  const kamailio = ipv4s('--peer-kamailio', input.kamailio);
  if (kamailio.length > MAX_DMQ_PEER_ENTRIES) {
    throw new Error(
      `--peer-kamailio: at most ${MAX_DMQ_PEER_ENTRIES} peers (DMQ passes its node list on; list the others on another node)`,
    );
  }
  for (const a of kamailio) {
    if (a === self.managementAddress) throw new Error(`--peer-kamailio ${a} is this node's own management address`);
    // DMQ is unauthenticated: it must never run over the agent-facing address.
    if (a === self.listen) throw new Error(`--peer-kamailio ${a} is this node's --listen address; DMQ runs on the management network`);
  }
  const rtpengines = (input.rtpengines ?? []).map((v) => parseHostPort('--peer-rtpengine', v, "a peer rtpengine's ng ADDR:PORT"));
  const mediaAddresses = ipv4s('--peer-media-address', input.mediaAddresses);
  const sipUrls = (input.sipUrls ?? []).map((url) => {
    if (!/^wss?:\/\//.test(url)) throw new Error(`--peer-sip-url must be a ws:// or wss:// URL (got "${url}")`);
    const problem = insecureTransportProblem(url, 'peer SIP WebSocket URL');
    if (problem) throw new Error(`--peer-sip-url: ${problem}`);
    return url;
  });
  const turnUris = (input.turnUris ?? []).map((uri) => {
    if (!/^turns?:[^\s?]+(\?transport=(udp|tcp))?$/.test(uri))
      throw new Error(`--peer-turn-uri must be a turn: or turns: URI (got "${uri}")`);
    return uri;
  });
  return { kamailio, rtpengines, mediaAddresses, sipUrls, turnUris };
}
