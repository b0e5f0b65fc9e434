/**
 * Non-loopback IPv4 addresses for a test stack: a veth pair in the root namespace carrying the
 * given /32 addresses (this kernel has no dummy interfaces). Traffic to them from this host stays
 * local, like loopback, but the backend sees a network address: production mode, HTTPS and WSS.
 * `remove()` deletes the pair and with it the addresses.
 */
import { execFileSync } from 'node:child_process';

export interface TestAddresses {
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** `name` (<= 12 characters) names the pair `<name>0`/`<name>1`; a leftover pair of that name is replaced. */
export function addTestAddresses(name: string, addresses: readonly string[]): TestAddresses {
  if (name.length > 12) throw new Error(`veth name ${name} is longer than 12 characters`);
  const a = `${name}0`;
  const remove = () => {
    try {
      ip('link', 'del', a);
    } catch {
      // not there: nothing to remove
    }
  };
  remove();
  try {
    ip('link', 'add', a, 'type', 'veth', 'peer', 'name', `${name}1`);
    for (const addr of addresses) ip('addr', 'add', `${addr}/32`, 'dev', a);
    ip('link', 'set', a, 'up');
    ip('link', 'set', `${name}1`, 'up');
  } catch (err) {
    remove();
    throw new Error(`cannot add test addresses ${addresses.join(', ')} on ${a} (needs root): ${(err as Error).message}`);
  }
  return { remove };
}
