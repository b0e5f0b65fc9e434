import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { natBehaviour } from '../../../../main/diagnostics/nat.js';
import { parsePacResult, proxyFromEnv } from '../../../../main/diagnostics/proxy.js';
import { parseScutilProxy, parseWindowsInternetSettings, proxyFromSystem } from '../../../../main/diagnostics/system-proxy.js';
import {
  iceServerOf,
  label,
  parseIceUri,
  sameServers,
  targetsFromConfig,
  targetsWithoutControlPlane,
} from '../../../../main/diagnostics/targets.js';
import { config } from './fakes.js';
import { adapterForSource, adapterVpnKind, exclusionPrefix, vpnKind } from '../../../../main/diagnostics/vpn.js';

describe('VPN adapter classification', () => {
  it('recognises tunnels and enterprise VPN clients by adapter name', () => {
    const cases: [string, string | null][] = [
      ['tun0', 'tun'],
      ['utun3', 'tun'],
      ['ppp0', 'ppp'],
      ['wg0', 'wireguard'],
      ['ipsec0', 'ipsec'],
      ['cscotun0', 'cisco-anyconnect'],
      ['Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter', 'cisco-anyconnect'],
      ['gpd0', 'globalprotect'],
      ['PANGP Virtual Ethernet Adapter', 'globalprotect'],
      ['Fortinet SSL VPN Virtual Ethernet Adapter', 'fortinet'],
      ['Juniper Networks Virtual Adapter', 'pulse-secure'],
      ['Zscaler', 'zscaler'],
      ['tailscale0', 'mesh-vpn'],
      ['eth0', null],
      ['en0', null],
      ['Wi-Fi', null],
      ['docker0', null],
      ['lo', null],
    ];
    for (const [name, kind] of cases) assert.equal(vpnKind(name), kind, name);
  });

  it('on Windows the vendor shows in the adapter description, not its name', () => {
    assert.equal(adapterVpnKind({ name: 'Ethernet 3', description: 'PANGP Virtual Ethernet Adapter #2' }), 'globalprotect');
    assert.equal(adapterVpnKind({ name: 'Ethernet', description: 'Intel(R) Ethernet Connection I219-LM' }), null);
  });

  it('maps a source address to its adapter and names the prefix to exclude', () => {
    const adapters = [
      { name: 'eth0', address: '192.168.1.20', family: 'IPv4' as const, cidr: null, internal: false },
      { name: 'tun0', address: '10.8.0.2', family: 'IPv4' as const, cidr: null, internal: false },
    ];
    assert.equal(adapterForSource('10.8.0.2', adapters), 'tun0');
    assert.equal(adapterForSource('10.9.9.9', adapters), null);
    assert.equal(exclusionPrefix('203.0.113.45'), '203.0.113.0/24');
    assert.equal(exclusionPrefix('2001:db8:1:2:3::9'), '2001:db8:1:2::/64');
  });
});

describe('NAT behaviour', () => {
  const local = { address: '0.0.0.0', port: 5000 };
  it('no NAT when the servers see our own address and port', () => {
    assert.equal(natBehaviour(local, [{ address: '192.168.1.2', port: 5000 }], ['192.168.1.2']), 'none');
  });
  it('endpoint-independent when both servers see one mapping; symmetric when they differ', () => {
    const m = { address: '198.51.100.1', port: 40000 };
    assert.equal(natBehaviour(local, [m, { ...m }], []), 'endpoint-independent');
    assert.equal(natBehaviour(local, [m, { ...m, port: 40001 }], []), 'symmetric');
  });
  it('unknown from fewer than two observations behind a NAT', () => {
    assert.equal(natBehaviour(local, [{ address: '198.51.100.1', port: 1 }], []), 'unknown');
    assert.equal(natBehaviour(local, [], []), 'unknown');
  });
});

describe('proxy resolution', () => {
  it('ws:// follows HTTP_PROXY, wss:// HTTPS_PROXY, lower case first', () => {
    const env = { HTTP_PROXY: 'http://p1:3128', https_proxy: 'http://p2:8080', HTTPS_PROXY: 'http://ignored:1' };
    assert.equal(proxyFromEnv('ws://sip.example.com/', env), 'PROXY p1:3128');
    assert.equal(proxyFromEnv('wss://sip.example.com/', env), 'PROXY p2:8080');
    assert.equal(proxyFromEnv('https://cp.example.com/', {}), 'DIRECT');
    assert.equal(proxyFromEnv('https://cp.example.com/', { ALL_PROXY: 'socks5://s:1080' }), 'SOCKS5 s:1080');
  });

  it('NO_PROXY bypasses hosts, subdomains and host:port entries', () => {
    const env = { HTTPS_PROXY: 'proxy:8080', NO_PROXY: '.corp.example, 10.0.0.5:8443' };
    assert.equal(proxyFromEnv('wss://sip.corp.example/', env), 'DIRECT');
    assert.equal(proxyFromEnv('wss://corp.example/', env), 'DIRECT');
    assert.equal(proxyFromEnv('wss://10.0.0.5:8443/', env), 'DIRECT');
    assert.equal(proxyFromEnv('wss://10.0.0.5:443/', env), 'PROXY proxy:8080', 'other port is proxied');
    assert.equal(proxyFromEnv('wss://notcorp.example/', env), 'PROXY proxy:8080');
  });

  it('says which variable is broken', () => {
    assert.throws(() => proxyFromEnv('wss://x/', { HTTPS_PROXY: 'http://[bad' }), /HTTPS_PROXY is not a valid URL/);
  });

  it('parses PAC answers as Electron returns them', () => {
    assert.deepEqual(parsePacResult('PROXY proxy.corp:8080; DIRECT'), { scheme: 'http', host: 'proxy.corp', port: 8080 });
    assert.deepEqual(parsePacResult('HTTPS secure.corp:443'), { scheme: 'https', host: 'secure.corp', port: 443 });
    assert.equal(parsePacResult('DIRECT'), null);
  });
});

describe('targets from the provisioned configuration', () => {
  it('parses STUN/TURN URIs with RFC default ports', () => {
    assert.deepEqual(parseIceUri('turn:turn.example.com?transport=tcp'), {
      role: 'turn',
      host: 'turn.example.com',
      port: 3478,
      transport: 'tcp',
      source: 'turn:turn.example.com?transport=tcp',
    });
    assert.equal(parseIceUri('turns:t.example.com').port, 5349);
    assert.equal(parseIceUri('turns:t.example.com:443?transport=tcp').transport, 'tls');
    assert.equal(parseIceUri('stun:[2001:db8::1]:3479').host, '2001:db8::1');
    assert.throws(() => parseIceUri('http://x'), /not a valid STUN\/TURN URI: http:\/\/x/);
  });

  it('collects the SIP WebSocket, control plane, media gateway, TURN and reflector', () => {
    const t = targetsFromConfig({
      client: {
        agent: { username: 'a', displayName: 'A' },
        sip: { wsUrl: 'wss://sip.example.com/ws', domain: 'example.com', registerExpiresSec: 300 },
        controlPlaneUrl: 'https://cp.example.com:8443/',
        numbers: {},
        diagnostics: { reflector: { host: 'media.example.com', port: 3480 } },
      },
      turn: { username: 'u', password: 'p', ttl: 60, uris: ['turn:media.example.com:3478?transport=udp'] },
    });
    assert.deepEqual([t.sipWebSocket?.port, t.sipWebSocket?.transport], [443, 'tls']);
    assert.equal(t.controlPlane.port, 8443);
    assert.equal(t.mediaGateway, 'sip.example.com', 'defaults to the SIP host');
    assert.deepEqual(t.hosts, ['sip.example.com', 'cp.example.com', 'media.example.com']);
    assert.equal(t.reflector?.port, 3480);
  });

  it('without the control plane: its host from the provisioning URL, the rest from the last configuration or nothing', () => {
    const last = {
      agent: { username: 'a', displayName: 'A' },
      sip: { wsUrl: 'wss://sip.example.com/ws', domain: 'example.com', registerExpiresSec: 300 },
      controlPlaneUrl: 'https://old-cp.example.com/',
      numbers: {},
    };
    const t = targetsWithoutControlPlane('https://cp.example.com:8443/', last);
    assert.deepEqual(t.urls, { sipWebSocket: 'wss://sip.example.com/ws', controlPlane: 'https://cp.example.com:8443/' });
    assert.deepEqual([t.controlPlane.host, t.controlPlane.port, t.controlPlane.source], ['cp.example.com', 8443, 'provisioning URL']);
    assert.equal(t.mediaGateway, 'sip.example.com');
    assert.deepEqual(t.ice, [], 'no STUN/TURN server kept');
    assert.deepEqual(t.hosts, ['sip.example.com', 'cp.example.com']);

    const kept = ['turn:media.example.com:3478?transport=udp', 'turns:relay.example.com:443?transport=tcp'].map(iceServerOf);
    assert.deepEqual(kept, [
      { role: 'turn', host: 'media.example.com', port: 3478, transport: 'udp' },
      { role: 'turn', host: 'relay.example.com', port: 443, transport: 'tls' },
    ]);
    const withTurn = targetsWithoutControlPlane('https://cp.example.com:8443/', last, kept);
    assert.deepEqual(
      withTurn.ice.map((e) => [label(e), e.source]),
      [
        ['UDP 3478 to media.example.com', 'last configuration'],
        ['TCP 443 (TLS) to relay.example.com', 'last configuration'],
      ],
    );
    assert.deepEqual(withTurn.hosts, ['sip.example.com', 'cp.example.com', 'media.example.com', 'relay.example.com']);

    const bare = targetsWithoutControlPlane('https://cp.example.com/', null);
    assert.equal(bare.sipWebSocket, null);
    assert.equal(bare.mediaGateway, null);
    assert.deepEqual(bare.hosts, ['cp.example.com']);
  });

  it('the same servers whichever way they were named: the kept configuration and the one read now', () => {
    const kept = targetsWithoutControlPlane(
      config.client.controlPlaneUrl,
      config.client,
      config.turn.uris.map(iceServerOf),
      'media.example.com',
    );
    assert.equal(sameServers(kept, targetsFromConfig(config)), true);
    const moved = { ...config, client: { ...config.client, sip: { ...config.client.sip, wsUrl: 'wss://sip2.example.com/' } } };
    assert.equal(sameServers(kept, targetsFromConfig(moved)), false, 'another SIP server');
    const otherTurn = { ...config, turn: { ...config.turn, uris: ['turn:media.example.com:3479?transport=udp'] } };
    assert.equal(sameServers(kept, targetsFromConfig(otherTurn)), false, 'another TURN port');
    const noneKept = targetsWithoutControlPlane(config.client.controlPlaneUrl, config.client, [], 'media.example.com');
    assert.equal(sameServers(noneKept, targetsFromConfig(config)), false, 'TURN servers not known before');
  });
});

describe('system proxy settings (CLI)', () => {
  const windows = [
    'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings',
    '    ProxyEnable    REG_DWORD    0x1',
    '    ProxyServer    REG_SZ    http=web.corp:80;https=secure.corp:8443',
    '    ProxyOverride    REG_SZ    *.corp.example;<local>',
    '',
  ].join('\r\n');

  it('Windows Internet Settings: per-scheme servers and the override list', () => {
    const s = parseWindowsInternetSettings(windows)!;
    assert.deepEqual(s, { http: 'web.corp:80', https: 'secure.corp:8443', bypass: ['*.corp.example', '<local>'], pacUrl: null });
    assert.equal(proxyFromSystem('wss://sip.example.net/', s), 'PROXY secure.corp:8443');
    assert.equal(proxyFromSystem('http://cp.example.net/', s), 'PROXY web.corp:80');
    assert.equal(proxyFromSystem('wss://sip.corp.example/', s), 'DIRECT');
    assert.equal(proxyFromSystem('https://intranet/', s), 'DIRECT', '<local>: no dot');
  });

  it('Windows: disabled proxy with a PAC script reports the script', () => {
    const s = parseWindowsInternetSettings(
      windows.replace('0x1', '0x0') + '    AutoConfigURL    REG_SZ    http://wpad.corp/proxy.pac\r\n',
    )!;
    assert.equal(proxyFromSystem('wss://sip.example.net/', s), 'PAC http://wpad.corp/proxy.pac');
    assert.equal(parseWindowsInternetSettings(windows.replace('0x1', '0x0')), null, 'nothing configured');
  });

  it('macOS scutil --proxy', () => {
    const text = `<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  HTTPEnable : 0
  HTTPSEnable : 1
  HTTPSPort : 3128
  HTTPSProxy : proxy.corp
}`;
    const s = parseScutilProxy(text)!;
    assert.deepEqual(s, { http: null, https: 'proxy.corp:3128', bypass: ['*.local', '169.254/16'], pacUrl: null });
    assert.equal(proxyFromSystem('wss://sip.example.net/', s), 'PROXY proxy.corp:3128');
    assert.equal(proxyFromSystem('ws://sip.example.net/', s), 'DIRECT');
    assert.equal(parseScutilProxy('<dictionary> {\n  HTTPEnable : 0\n}'), null);
  });
});
