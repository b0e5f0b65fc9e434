/**
 * rtpengine command line (pure). Userspace forwarding only (`--table=-1`): no kernel module is
 * needed, which is what a plain Debian host or CI machine has.
 */
export interface RtpengineInput {
  /** Where media flows (agents, TURN and the trunk reach it): the one address TURN may relay to. */
  readonly mediaAddress: string;
  /** The ng control socket's address: loopback or a management network, never the media address. */
  readonly ngAddress: string;
  readonly ngPort: number;
  readonly portMin: number;
  readonly portMax: number;
  /** Sessions (calls) this instance accepts; the next offer is refused, and Kamailio answers 503. */
  readonly maxSessions: number;
  /** Worker threads (engine-sizing.ts). */
  readonly threads: number;
  /** Address advertised in SDP when it differs from the bound one (a host behind 1:1 NAT). */
  readonly advertise?: string;
  /**
   * A call that received no media on any of its streams for this long is dead: rtpengine frees it
   * and reports it to `timeoutCallbackUrl` (`--media-timeout-seconds`).
   */
  readonly mediaTimeoutSeconds: number;
  /**
   * Where rtpengine reports a call it ended for lack of media: Kamailio's media-timeout listener
   * (XML-RPC `dlg.terminate_dlg`), which then ends both legs. `%%` stands for the address the call
   * was created from (the Kamailio that set it up, also a peer node's).
   */
  readonly timeoutCallbackUrl: string;
}

/** rtpengine's XML-RPC callback format for Kamailio: `dlg.terminate_dlg(call-id, from-tag, to-tag)`. */
const XMLRPC_FORMAT_KAMAILIO = 2;

export function rtpengineArgs(input: RtpengineInput): string[] {
  if (input.portMin > input.portMax) throw new RangeError('rtpengine: portMin must not exceed portMax');
  if (!Number.isInteger(input.maxSessions) || input.maxSessions < 1)
    throw new RangeError('rtpengine: maxSessions must be a positive integer');
  if (!Number.isInteger(input.mediaTimeoutSeconds) || input.mediaTimeoutSeconds < 1)
    throw new RangeError('rtpengine: mediaTimeoutSeconds must be a positive integer');
  const { mediaAddress, advertise } = input;
  const iface = advertise && advertise !== mediaAddress ? `${mediaAddress}!${advertise}` : mediaAddress;
  return [
    '--config-file=none',
    `--interface=${iface}`,
    // ng has no authentication: whoever reaches it can create, read and delete any call's media.
    `--listen-ng=${input.ngAddress}:${input.ngPort}`,
    `--port-min=${input.portMin}`,
    `--port-max=${input.portMax}`,
    '--table=-1',
    '--foreground',
    '--log-stderr',
    '--log-level=5',
    '--delete-delay=0',
    `--num-threads=${input.threads}`,
    `--max-sessions=${input.maxSessions}`,
    `--timeout=${input.mediaTimeoutSeconds}`,
    `--b2b-url=${input.timeoutCallbackUrl}`,
    `--xmlrpc-format=${XMLRPC_FORMAT_KAMAILIO}`,
  ];
}

/** Kamailio's rtpengine_sock entry for one instance. */
export function rtpengineSocket(ngAddress: string, ngPort: number): string {
  return `udp:${ngAddress}:${ngPort}`;
}
