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
export async function blockUdp(ports: readonly [number, number], comment: string): Promise<() => Promise<void>> {
  const range = `${ports[0]}:${ports[1]}`;
  const rules = [
    ['OUTPUT', '-p', 'udp', '--sport', range, '-m', 'comment', '--comment', comment, '-j', 'DROP'],
    ['OUTPUT', '-p', 'udp', '--dport', range, '-m', 'comment', '--comment', comment, '-j', 'DROP'],
  ];
  const added: string[][] = [];
  const unblock = async () => {
    for (const rule of added.splice(0)) await run('iptables', ['-w', '5', '-D', ...rule]).catch(() => undefined);
  };
  try {
    for (const rule of rules) {
      await run('iptables', ['-w', '5', '-I', ...rule]);
      added.push(rule);
    }
  } catch (error) {
    await unblock();
    throw new Error(`could not block UDP ${range} with iptables (root needed): ${String(error)}`);
  }
  return unblock;
}
