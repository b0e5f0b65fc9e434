import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Faults on a media path in the root namespace, in an iptables chain of the test's own (named
 * with its prefix) jumped to from OUTPUT, which every loopback packet passes: random loss
 * (`statistic --mode random`) or a cut, on UDP selected by source and destination port ranges.
 * `rtpOnly` drops only RTP/RTCP (first payload byte 0x80–0xBF, RFC 7983) and lets STUN and DTLS
 * through, so ICE stays up and a cut looks like media lost past the relay rather than a dead path.
 * The returned function removes the jump and the chain; a chain left by a crashed run is removed
 * first. Needs root.
 */
export interface MediaFault {
  readonly sport?: readonly [number, number];
  readonly dport?: readonly [number, number];
  /** Destination ports NOT matched (e.g. the carrier's side of the media relay). */
  readonly notDport?: readonly [number, number];
  /** 0 < p ≤ 1: the share of matching packets dropped; 1 (the default) cuts them all. */
  readonly probability?: number;
  readonly rtpOnly?: boolean;
}

const range = (r: readonly [number, number]) => `${r[0]}:${r[1]}`;
/** The UDP payload's first byte (IP header length from the first byte, +8 for UDP) in 0x80–0xBF. */
const RTP_FIRST_BYTE = '0>>22&0x3C@8>>24=0x80:0xBF';

const iptables = (...args: string[]) => run('iptables', ['-w', '5', ...args]);

export async function injectMediaFault(chain: string, faults: readonly MediaFault[]): Promise<() => Promise<void>> {
  for (const f of faults) {
    if (f.probability !== undefined && !(f.probability > 0 && f.probability <= 1)) {
      throw new Error(`media fault probability must be in (0, 1], got ${f.probability}`);
    }
  }
  const remove = async () => {
    await iptables('-D', 'OUTPUT', '-p', 'udp', '-j', chain).catch(() => undefined);
    await iptables('-F', chain).catch(() => undefined);
    await iptables('-X', chain).catch(() => undefined);
  };
  await remove();
  try {
    await iptables('-N', chain);
    for (const f of faults) {
      const rule = ['-A', chain, '-p', 'udp'];
      if (f.sport) rule.push('--sport', range(f.sport));
      if (f.dport) rule.push('--dport', range(f.dport));
      if (f.notDport) rule.push('!', '--dport', range(f.notDport));
      if (f.rtpOnly) rule.push('-m', 'u32', '--u32', RTP_FIRST_BYTE);
      if (f.probability !== undefined && f.probability < 1) {
        rule.push('-m', 'statistic', '--mode', 'random', '--probability', String(f.probability));
      }
      await iptables(...rule, '-j', 'DROP');
    }
    await iptables('-I', 'OUTPUT', '-p', 'udp', '-j', chain);
  } catch (error) {
    await remove();
    throw new Error(`could not set up media fault chain ${chain} with iptables (root needed): ${String(error)}`);
  }
  return remove;
}
