import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ipt = (...args: string[]) => run('iptables', ['-w', '5', ...args]);

/**
 * Black-holes TCP to and from some ports in the root namespace (a chain of the suite's own, hooked
 * into OUTPUT, which every loopback packet passes): every segment dropped, no FIN, no RST, as a
 * VPN or firewall that stops forwarding does, so nothing learns of it until a timeout. Returns the
 * function that removes the chain again (safe to call twice). Needs root.
 */
export async function blackHoleTcp(chain: string, ports: readonly number[]): Promise<() => Promise<void>> {
  const restore = async () => {
    await ipt('-D', 'OUTPUT', '-j', chain).catch(() => undefined);
    await ipt('-F', chain).catch(() => undefined);
    await ipt('-X', chain).catch(() => undefined);
  };
  try {
    await ipt('-N', chain);
    for (const port of ports) {
      for (const dir of ['--dport', '--sport']) await ipt('-A', chain, '-p', 'tcp', dir, String(port), '-j', 'DROP');
    }
    await ipt('-I', 'OUTPUT', '-j', chain);
  } catch (error) {
    await restore();
    throw new Error(`could not black-hole TCP ${ports.join(', ')} with iptables (root needed): ${String(error)}`);
  }
  return restore;
}
