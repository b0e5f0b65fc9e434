/**
 * Which network adapters are VPN tunnels, from their names. Names are what every OS exposes and
 * what VPN clients choose deliberately; "virtual" flags are MAC guesses and say nothing about VPNs.
 */
const VPN_ADAPTERS: { pattern: RegExp; kind: string }[] = [
  { pattern: /^(utun|tun)\d*/i, kind: 'tun' },
  { pattern: /^tap\d*/i, kind: 'tap' },
  { pattern: /^ppp\d*/i, kind: 'ppp' },
  { pattern: /^(wg\d*|wireguard)/i, kind: 'wireguard' },
  { pattern: /^ipsec|^xfrm|^vti/i, kind: 'ipsec' },
  { pattern: /^cscotun|anyconnect|cisco/i, kind: 'cisco-anyconnect' },
  { pattern: /^gpd\d*|pangp|globalprotect/i, kind: 'globalprotect' },
  { pattern: /fortinet|forticlient|^fctvpn/i, kind: 'fortinet' },
  { pattern: /juniper|pulse ?secure|^jnpr/i, kind: 'pulse-secure' },
  { pattern: /zscaler|^zcc/i, kind: 'zscaler' },
  { pattern: /^tailscale|^nordlynx|^zt[a-z0-9]+/i, kind: 'mesh-vpn' },
  { pattern: /openvpn/i, kind: 'openvpn' },
];

export function vpnKind(adapterName: string): string | null {
  return VPN_ADAPTERS.find(({ pattern }) => pattern.test(adapterName))?.kind ?? null;
}

export interface AdapterAddress {
  name: string;
  /** The driver's description where the OS has one (Windows: "PANGP Virtual Ethernet Adapter"). */
  description?: string | null;
  address: string;
  family: 'IPv4' | 'IPv6';
  cidr: string | null;
  internal: boolean;
}

/**
 * Windows names adapters "Ethernet 3"; the VPN vendor shows only in the description, so both count.
 */
export function adapterVpnKind(a: Pick<AdapterAddress, 'name' | 'description'>): string | null {
  return vpnKind(a.name) ?? (a.description ? vpnKind(a.description) : null);
}

/** The adapter that owns a source address the kernel picked (UDP-connect method). */
export function adapterForSource(source: string, adapters: AdapterAddress[]): string | null {
  return adapters.find((a) => a.address === source)?.name ?? null;
}

/** The /24 (IPv4) or /64 (IPv6) around an address: the prefix a split-tunnel rule would name. */
export function exclusionPrefix(address: string): string {
  if (address.includes(':')) {
    const groups = address.split(':').slice(0, 4).join(':');
    return `${groups}::/64`;
  }
  const o = address.split('.');
  return `${o[0]}.${o[1]}.${o[2]}.0/24`;
}
