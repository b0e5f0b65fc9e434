/**
 * Loopback as the backend decides it: 127.0.0.0/8 (IPv4 only, like --listen). A loopback listen is
 * the one-command demo, reachable from this machine only; anything else is a network.
 */
export function isLoopbackAddress(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}
