/**
 * rtpengine command line (pure). Userspace forwarding only (`--table=-1`): no kernel module is
 * needed, which is what a plain Debian host or CI machine has.
 */
export interface RtpengineInput {
  readonly listen: string;
  readonly ngPort: number;
  readonly portMin: number;
  readonly portMax: number;
  /** Address advertised in SDP when it differs from the bound one (a host behind 1:1 NAT). */
  readonly advertise?: string;
}

export function rtpengineArgs(input: RtpengineInput): string[] {
  if (input.portMin > input.portMax) throw new RangeError('rtpengine: portMin must not exceed portMax');
  const iface = input.advertise && input.advertise !== input.listen ? `${input.listen}!${input.advertise}` : input.listen;
  return [
    '--config-file=none',
    `--interface=${iface}`,
    `--listen-ng=${input.listen}:${input.ngPort}`,
    `--port-min=${input.portMin}`,
    `--port-max=${input.portMax}`,
    '--table=-1',
    '--foreground',
    '--log-stderr',
    '--log-level=5',
    '--delete-delay=0',
    '--num-threads=2',
  ];
}

/** Kamailio's rtpengine_sock entry for one instance. */
export function rtpengineSocket(listen: string, ngPort: number): string {
  return `udp:${listen}:${ngPort}`;
}
