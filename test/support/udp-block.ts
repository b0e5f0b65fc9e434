import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Blocks UDP to and from a port range in the root namespace (iptables OUTPUT, which every loopback
 * packet passes): "UDP blocked" for a browser whose WebRTC sockets live in that range, as an
 * enterprise firewall or a captive network does, while TCP (TURN/TCP, TURN/TLS, the SIP
 * WebSocket) keeps working. The rules match only the given range (a test's own spare ports) and
 * carry `comment` (the suite's prefix); the returned function removes exactly them. Needs root.
 */
export function blockUdp(ports: readonly [number, number], comment: string): Promise<() => Promise<void>> {
  return dropUdp(ports, comment, 1);
}

/**
 * Like blockUdp, but drops each packet with `probability` (iptables `statistic --mode random`):
 * random loss on a browser's media path, both ways, as a bad Wi-Fi or an overloaded uplink does.
 */
export async function dropUdp(ports: readonly [number, number], comment: string, probability: number): Promise<() => Promise<void>> {
  if (!(probability > 0 && probability <= 1)) throw new Error(`drop probability must be in (0, 1] (got ${probability})`);
  const range = `${ports[0]}:${ports[1]}`;
  const random = probability < 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)] : [];
  const rules = ['--sport', '--dport'].map((dir) => [
    'OUTPUT',
    '-p',
    'udp',
    dir,
    range,
    ...random,
    '-m',
    'comment',
    '--comment',
    comment,
    '-j',
    'DROP',
  ]);
  const added: string[][] = [];
  const remove = async () => {
    for (const rule of added.splice(0)) await run('iptables', ['-w', '5', '-D', ...rule]).catch(() => undefined);
  };
  try {
    for (const rule of rules) {
      await run('iptables', ['-w', '5', '-I', ...rule]);
      added.push(rule);
    }
  } catch (error) {
    await remove();
    throw new Error(`could not drop UDP ${range} with iptables (root needed): ${String(error)}`);
  }
  return remove;
}
