import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NO_PEERS, resolveClusterPeers } from '../../../backend/cluster.js';
import { stackBindings } from '../../../backend/bindings.js';
import { ControlPlaneConfigSchema } from '../../../backend/control-plane/config.js';
import { resolveStackOptions } from '../../../backend/stack-options.js';
import { generatedStackFiles } from '../../support/stack-files.js';

/** One node of two: node 1 at 10.9.1.11 (media .2.11, management .3.11); its peer is node 2. */
const SELF = { listen: '10.9.1.11', mediaAddress: '10.9.2.11', managementAddress: '10.9.3.11' };
const PEERS = {
  kamailio: ['10.9.3.12'],
  rtpengines: ['10.9.3.12:30030'],
  mediaAddresses: ['10.9.2.12'],
  sipUrls: ['wss://10.9.1.12:30002'],
  turnUris: ['turn:10.9.1.12:30020?transport=udp', 'turns:10.9.1.12:30021?transport=tcp'],
};

test('no peers: a single node, and resolving them yields empty lists', () => {
  assert.deepEqual(resolveClusterPeers(undefined, SELF), NO_PEERS);
  assert.deepEqual(resolveStackOptions({ stateDir: '/tmp/x' }).peers, NO_PEERS);
});

test('peers are validated, each error naming its flag', () => {
  const bad: Array<[Parameters<typeof resolveClusterPeers>[0], RegExp]> = [
    [{ kamailio: ['sip-b'] }, /--peer-kamailio must be an IPv4 address/],
    [{ kamailio: [SELF.managementAddress] }, /own management address/],
    [{ kamailio: [SELF.listen] }, /--listen address; DMQ runs on the management network/],
    [{ kamailio: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'] }, /at most 4 peers/],
    [{ rtpengines: ['10.9.3.12'] }, /--peer-rtpengine must be a peer rtpengine's ng ADDR:PORT/],
    [{ mediaAddresses: ['x'] }, /--peer-media-address must be an IPv4 address/],
    [{ sipUrls: ['https://10.9.1.12'] }, /--peer-sip-url must be a ws:\/\/ or wss:\/\/ URL/],
    [{ sipUrls: ['ws://10.9.1.12:30001'] }, /--peer-sip-url: the server must use https:\/\/ \(and wss:\/\/\)/],
    [{ turnUris: ['stun:10.9.1.12:3478'] }, /--peer-turn-uri must be a turn: or turns: URI/],
  ];
  for (const [input, message] of bad) assert.throws(() => resolveClusterPeers(input, SELF), message, JSON.stringify(input));
  assert.deepEqual(resolveClusterPeers(PEERS, SELF).rtpengines, [{ host: '10.9.3.12', port: 30030 }]);
});

test('one node of two: DMQ on the management address, the rtpengine set and TURN and SIP lists span both nodes, coturn relays to both media addresses only', async (t) => {
  const { options: o, files } = await generatedStackFiles(t, { portBase: 30000, ...SELF, peers: PEERS });
  assert.deepEqual(
    stackBindings(o, { carrier: false, reflector: false }).find((b) => b.name === 'kamailioDmq'),
    { name: 'kamailioDmq', proto: 'udp', host: SELF.managementAddress, port: 30003, faces: 'internal' },
    'DMQ binds the management address, never the listen address',
  );

  const kamailio = readFileSync(files.kamailioConfig, 'utf8');
  assert.match(kamailio, /#!define CL_RTPENGINE_SOCKETS "udp:10\.9\.3\.11:30030 udp:10\.9\.3\.12:30030"/);
  assert.match(kamailio, /#!define CL_DMQ_SERVER "sip:10\.9\.3\.11:30003"/);
  assert.match(kamailio, /#!define IS_DMQ_PEER \(\$si == "10\.9\.3\.12"\)/);

  const cp = ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(files.controlPlaneConfig, 'utf8')));
  assert.deepEqual(cp.client.fallbackWsUrls, PEERS.sipUrls, 'agents are told the other node');
  assert.ok(cp.wsUrls.includes(PEERS.sipUrls[0]!), "the web softphone's CSP lets it connect there");
  assert.deepEqual(cp.turn.uris.slice(-2), PEERS.turnUris, "every node's TURN servers are handed out");

  const coturn = readFileSync(files.coturnConfig, 'utf8').split('\n');
  for (const media of [SELF.mediaAddress, '10.9.2.12']) assert.ok(coturn.includes(`allowed-peer-ip=${media}`), `may relay to ${media}`);
  for (const mgmt of [SELF.managementAddress, '10.9.3.12'])
    assert.ok(coturn.includes(`denied-peer-ip=${mgmt}`), `never to the management address ${mgmt}`);
});

test('single node: the generated Kamailio config has no DMQ and the client config no fallbacks (unchanged behaviour)', async (t) => {
  const { files } = await generatedStackFiles(t, { portBase: 30000 });
  assert.doesNotMatch(readFileSync(files.kamailioConfig, 'utf8'), /DMQ/);
  const cp = ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(files.controlPlaneConfig, 'utf8')));
  assert.equal(cp.client.fallbackWsUrls, undefined);
});
