import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { Agent } from '../../support/agent.js';
import { approxHz, inboundPacketsReceived, measureHeardAudio } from '../../support/audio-probe.js';
import { buildRendererOnce } from '../../support/backend-fixture.js';
import { CarrierApi, isLive } from '../../support/carrier-api.js';
import { TEST_PORT_BASES, spareTestPort, spareTestPorts } from '../../support/port-registry.js';
import { rtpengineCallIds } from '../security/support/rtpengine-ng.js';
import { UdpSipClient } from '../security/support/raw-sip.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';
import { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { CALLS_PROFILE, parseDialogs, type ActiveCall } from '../../../backend/control-plane/kamailio-revocation.js';
import { portsFor } from '../../../backend/ports.js';
import { NodeCluster, ROOT_ADDRESS, clusterUnavailable, type ClusterNode } from './support/node-cluster.js';

/**
 * Two backend nodes, each in its own network namespace (Kamailio + rtpengine + coturn + control
 * plane + the simulated carrier as its trunk), sharing one PostgreSQL, Kamailio replicating
 * registrations over DMQ, one rtpengine set spanning both nodes, and every node's
 * TURN server handed to the agent. The agent is the real web softphone in Chromium (root
 * namespace, reaching the nodes over the bridge) with a 440 Hz microphone; the carrier's tone
 * number plays 1000 Hz.
 *
 * One engine is lost at a time, for good (NodeCluster.loseEngine: its ports dropped on its host,
 * its processes SIGKILLed): Kamailio mid-call, then an rtpengine carrying a call, then a coturn.
 * Each test builds on the one before (node 1 has no Kamailio from the first on).
 */
const PORT_BASE = TEST_PORT_BASES.multiNode;
const PORTS = portsFor(PORT_BASE);
const CARRIER_TONE_HZ = 1000;
const skip = clusterUnavailable();

let cluster: NodeCluster;
let n1: ClusterNode;
let n2: ClusterNode;
let agent: Agent;
let alice: { username: string; password: string };
/** The host:port of every SIP WebSocket the page opened, in order. */
const sipSockets: string[] = [];
const wssOf = (node: ClusterNode) => `${node.listen}:${PORTS.sipWss}`;

/** SHA-256 of the certificate's public key, as Chromium's --ignore-certificate-errors-spki-list wants it. */
function spkiHash(certFile: string): string {
  const der = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/** Polls `done` every 100 ms for up to `ms`; fails naming what it waited for. */
async function until(done: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Inbound RTP packets the page receives over `ms`. */
async function packetsOver(ms: number): Promise<number> {
  const before = await inboundPacketsReceived(agent.page);
  await new Promise((r) => setTimeout(r, ms));
  return (await inboundPacketsReceived(agent.page)) - before;
}

/** Which node's rtpengine holds `callId` (queried over ng on each management address). */
async function rtpengineHolding(callIds: (ids: string[]) => string | undefined): Promise<ClusterNode | null> {
  for (const node of [n1, n2]) {
    const ids = await rtpengineCallIds(node.management, PORTS.rtpengineNg).catch(() => [] as string[]);
    if (callIds(ids)) return node;
  }
  return null;
}

/** Relay candidates Chromium gathers with the agent's TURN credentials (relay only), by relay address. */
async function relayAddresses(): Promise<string[]> {
  const res = await fetch(`${n1.endpoints.controlPlane.url}/api/turn-credentials`, {
    headers: { authorization: `Basic ${Buffer.from(`${alice.username}:${alice.password}`).toString('base64')}` },
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 200);
  const turn = (await res.json()) as { username: string; password: string; uris: string[] };
  const udp = turn.uris.filter((u) => u.startsWith('turn:') && u.endsWith('transport=udp'));
  assert.equal(udp.length, 2, `both nodes' TURN servers are handed out: ${turn.uris.join(' ')}`);
  return agent.page.evaluate(
    async ({ urls, username, credential }) => {
      const pc = new RTCPeerConnection({ iceServers: [{ urls, username, credential }], iceTransportPolicy: 'relay' });
      const found = new Set<string>();
      pc.onicecandidate = (e) => {
        if (e.candidate?.type === 'relay' && e.candidate.address) found.add(e.candidate.address);
      };
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 5000);
        pc.onicegatheringstatechange = () => {
          if (pc.iceGatheringState === 'complete') {
            clearTimeout(t);
            resolve();
          }
        };
      });
      pc.close();
      return [...found].sort();
    },
    { urls: udp, username: turn.username, credential: turn.password },
  );
}

before(
  async () => {
    if (skip) return;
    buildRendererOnce();
    cluster = await NodeCluster.create(2, PORT_BASE, spareTestPort('multiNode', 1500));
    [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
    alice = n1.endpoints.agents[0]!;
    // The host's provisioning requests (Node's fetch) trust the nodes' CA, as an agent's OS would.
    // (Node 24 API; this repo's @types/node predates it.)
    const caStore = tls as unknown as { getCACertificates(kind: 'default'): string[]; setDefaultCACertificates(certs: string[]): void };
    caStore.setDefaultCACertificates([...caStore.getCACertificates('default'), readFileSync(cluster.caFile, 'utf8')]);
    agent = await Agent.launch({
      name: 'a',
      scratch: cluster.dir,
      controlPlaneUrl: n1.endpoints.controlPlane.url,
      toneHz: 440,
      udpPorts: spareTestPorts('multiNode', 1600, 1699),
      // The nodes' certificate (signed by the cluster's test CA) and no other.
      extraArgs: [`--ignore-certificate-errors-spki-list=${spkiHash(cluster.certFile)}`],
    });
    agent.page.on('websocket', (ws) => sipSockets.push(new URL(ws.url()).host));
    await agent.phone.signIn(n1.endpoints.controlPlane.url, alice.username, alice.password);
    await agent.phone.waitRegistered(20_000);
  },
  { timeout: 150_000 },
);

// A failed test must not leave a call up that blocks the next one.
afterEach(async () => {
  await agent?.phone.endAllCalls();
});

after(async () => {
  await agent?.close();
  await cluster?.destroy();
});

/**
 * Call-ID and tags of the agent's call as node 2 holds it (replicated from node 1): what an
 * eavesdropper on the agent's signalling would know. From `dlg.profile_list` of the agent's calls
 * (the profile travels with the dialog), read as the control plane reads it.
 */
function replicatedCallOf(node: ClusterNode, username: string): ActiveCall {
  const calls = parseDialogs(cluster.kamcmd(node, 'dlg.profile_list', CALLS_PROFILE, username));
  assert.equal(calls.length, 1, `node ${node.index} holds ${username}'s one call: ${JSON.stringify(calls)}`);
  return calls[0]!;
}

/** alice's (or anyone's) contacts as node `node`'s registrar has them; '' when it has none. */
function contactsOn(node: ClusterNode, aor: string): string {
  try {
    return cluster.kamcmd(node, 'ul.lookup', 'location', aor);
  } catch {
    return ''; // kamcmd exits non-zero for an AOR with no contacts
  }
}

test(
  'DMQ takes registrations only from a listed peer on the management socket: a forged KDMQ from anyone else writes nothing',
  { skip: skip ?? false, timeout: 30_000 },
  async () => {
    const bob = n1.endpoints.agents[1]!.username;
    const now = Math.floor(Date.now() / 1000);
    // What dmq_usrloc sends for a new contact: here bob's calls would go to the attacker.
    const forged = JSON.stringify({
      action: 1,
      aor: bob,
      ruid: 'forged-ruid',
      c: 'sip:bob@198.51.100.66:5060',
      received: '',
      path: '',
      callid: 'forged',
      user_agent: 'attacker',
      instance: '',
      expires: now + 3600,
      cseq: 1,
      flags: 0,
      cflags: 0,
      q: -1,
      last_modified: now,
      methods: 4294967295,
      reg_id: 0,
      server_id: 0,
    });
    const headers = (to: string): Array<[string, string]> => [
      ['From', `<sip:usrloc@${to}>;tag=${Date.now()}`],
      ['To', `<sip:usrloc@${to}>`],
      ['Call-ID', `forged-${Date.now()}@attacker`],
      ['CSeq', '1 KDMQ'],
      ['Content-Type', 'application/json'],
    ];
    // On the management network but not a peer, straight at the DMQ socket: ignored, no answer.
    const onMgmt = await UdpSipClient.open({ host: n2.management, port: PORTS.kamailioDmq }, ROOT_ADDRESS.management);
    // From the agents' side, at the public SIP port: refused.
    const onListen = await UdpSipClient.open({ host: n2.listen, port: PORTS.sipUdp }, ROOT_ADDRESS.listen);
    try {
      const ignored = await onMgmt.request(
        `KDMQ sip:usrloc@${n2.management}:${PORTS.kamailioDmq} SIP/2.0`,
        headers(n2.management),
        forged,
        2000,
      );
      const refused = await onListen.request(`KDMQ sip:usrloc@${n2.listen}:${PORTS.sipUdp} SIP/2.0`, headers(n2.listen), forged, 2000);
      assert.equal(ignored, null, 'the DMQ socket does not even answer a stranger');
      assert.equal(refused?.status, 403, 'KDMQ at the public SIP port is refused');
    } finally {
      onMgmt.close();
      onListen.close();
    }
    assert.doesNotMatch(contactsOn(n2, bob), /198\.51\.100\.66/, 'no forged contact for bob on node 2');
    assert.doesNotMatch(contactsOn(n1, bob), /198\.51\.100\.66/, 'nor replicated to node 1');
    const log = cluster.logTail(n2, 'kamailio', 200);
    assert.ok(log.includes(`dmq: ignored KDMQ from ${ROOT_ADDRESS.management}:`), `node 2 logs the ignored KDMQ:\n${log}`);
    assert.ok(log.includes(`dmq: refused KDMQ from ${ROOT_ADDRESS.listen}:`), `node 2 logs the refused KDMQ:\n${log}`);
  },
);

test(
  'Kamailio lost mid-call: the agent re-registers on the other node, the call goes on there (another agent cannot touch it), its hang-up ends the trunk leg, and an inbound call reaches it there',
  { skip: skip ?? false, timeout: 90_000 },
  async () => {
    assert.equal(sipSockets.at(-1), wssOf(n1), 'the agent starts on node 1, its primary');
    const dmqNodes = cluster.kamcmd(n2, 'dmq.list_nodes');
    assert.match(
      dmqNodes,
      new RegExp(`host: ${n1.management.replace(/\./g, '\\.')}\\s+port: ${PORTS.kamailioDmq}[^}]*status: active`),
      dmqNodes,
    );
    // Registrations are shared: node 2 learnt alice's contact from node 1 over DMQ.
    const replicated = contactsOn(n2, alice.username);
    assert.match(replicated, /Contact/i, `node 2 knows alice's registration:\n${replicated}\n${cluster.logTail(n2, 'kamailio')}`);

    await agent.phone.dial(n1.endpoints.numbers.tone);
    await agent.phone.waitActive();
    const before = await measureHeardAudio(agent.page, 1500);
    assert.ok(approxHz(before.dominantHz, CARRIER_TONE_HZ), `the tone is heard before: ${JSON.stringify(before)}`);

    const killedAt = Date.now();
    cluster.loseEngine(n1, 'kamailio');

    await until(
      () => sipSockets.at(-1) === wssOf(n2),
      15_000,
      () => `a SIP WebSocket to node 2 (sockets so far: ${sipSockets.join(', ')})`,
    );
    await agent.phone.waitRegistered(20_000);
    const reRegisteredMs = Date.now() - killedAt;
    await agent.phone.activeCall.waitFor({ timeout: 2000 });
    const flowing = await packetsOver(2000);
    const after = await measureHeardAudio(agent.page, 1500);
    console.log(
      `# Kamailio 1 killed: agent registered on node 2 after ${reRegisteredMs} ms; ${flowing} packets in 2 s after; heard ${JSON.stringify(after)}`,
    );
    assert.ok(flowing > 50, `media keeps flowing through rtpengine (${flowing} packets in 2 s; 20 ms frames = 100)`);
    assert.ok(approxHz(after.dominantHz, CARRIER_TONE_HZ), `the call goes on: the tone is still heard: ${JSON.stringify(after)}`);

    // The dialog was replicated to node 2 with the agent it belongs to: the softphone's
    // target-refresh re-INVITE, from a connection node 2 authenticated as alice, binds the call to
    // it there (SECURITY.md #1).
    await until(
      () => cluster.logTail(n2, 'kamailio', 400).includes(`dialog party ${alice.username} moved to WebSocket connection`),
      15_000,
      () =>
        `node 2 binding the call to alice's new connection; its log says:\n${cluster
          .logTail(n2, 'kamailio', 3000)
          .split('\n')
          .filter((l) => /dialog|dlg|dmq|INVITE|Route|party/i.test(l))
          .slice(-40)
          .join('\n')}`,
    );
    const carrier1 = new CarrierApi(carrierApiUrl(n1.endpoints));
    const first = (await carrier1.calls()).find((c) => c.number === n1.endpoints.numbers.tone && isLive(c));
    assert.ok(first, 'the call is up at its trunk (node 1’s carrier)');

    // Another agent who learnt the call's Call-ID and tags, authenticated on node 2 itself, is
    // still nobody in it: its BYE and its re-INVITE through node 2 are refused and the call stays up.
    const established = replicatedCallOf(n2, alice.username);
    const bob = n1.endpoints.agents.find((a) => a.username === 'bob')!;
    const mallory = await WsSipAgent.connect(`wss://${wssOf(n2)}`, {
      username: bob.username,
      password: bob.password,
      domain: n2.listen,
      ca: readFileSync(cluster.caFile),
    });
    try {
      assert.equal((await mallory.register()).status, 200, 'bob is an agent in good standing on node 2');
      const forgedHeaders = (method: string): Array<[string, string]> => [
        ['Route', `<sip:${wssOf(n1)};transport=ws;r2=on;lr>`],
        ['From', `<sip:${alice.username}@${n1.listen}>;tag=${established.fromTag}`],
        ['To', `<sip:${n1.endpoints.numbers.tone}@${n1.listen}>;tag=${established.toTag}`],
        ['Call-ID', established.callId],
        ['CSeq', `900 ${method}`],
        ['Contact', `<sip:${bob.username}@${n2.listen};transport=ws>`],
      ];
      const target = `sip:${n1.endpoints.numbers.tone}@${n1.management}:${PORTS.carrierSip}`;
      const bye = await mallory.request('BYE', target, forgedHeaders('BYE'));
      assert.equal(bye.status, 481, `a forged BYE from another agent on node 2 is refused (got ${bye.startLine})`);
      const reInvite = await mallory.request(
        'INVITE',
        target,
        [...forgedHeaders('INVITE'), ['Content-Type', 'application/sdp']],
        browserSdp({ address: ROOT_ADDRESS.listen, port: 9, setup: 'actpass' }),
      );
      assert.equal(reInvite.status, 481, `a forged re-INVITE from another agent on node 2 is refused (got ${reInvite.startLine})`);
    } finally {
      mallory.close();
    }
    assert.ok(isLive(await carrier1.call(first.id)), 'the call is still up at its trunk after the forgeries');

    // The agent's hang-up, through node 2, ends the trunk leg.
    await agent.phone.hangUp();
    await agent.phone.waitCallStatus(/Call ended/);
    const ended = await carrier1.waitFor(first.id, 'the trunk leg to end on the agent’s hang-up through node 2', (c) => !isLive(c));
    console.log(`# the first call at its trunk (node 1's carrier) after the agent hung up over node 2: ended at ${ended.endedAt}`);

    const carrier2 = new CarrierApi(carrierApiUrl(n2.endpoints));
    const id = await carrier2.placeCall(alice.username, 'tone');
    await agent.phone.answer(15_000);
    await agent.phone.waitActive();
    const inbound = await measureHeardAudio(agent.page, 1500);
    assert.ok(approxHz(inbound.dominantHz, CARRIER_TONE_HZ), `an inbound call through node 2 is heard: ${JSON.stringify(inbound)}`);
    await agent.phone.hangUp();
    await carrier2.waitFor(id, 'the inbound call to end', (c) => !isLive(c));
  },
);

test(
  'rtpengine lost: calls on it lose their media (measured); new calls use the other rtpengine',
  { skip: skip ?? false, timeout: 90_000 },
  async () => {
    const known = new Set([
      ...(await rtpengineCallIds(n1.management, PORTS.rtpengineNg)),
      ...(await rtpengineCallIds(n2.management, PORTS.rtpengineNg)),
    ]);
    await agent.phone.dial(n2.endpoints.numbers.tone);
    await agent.phone.waitActive();
    const holder = await rtpengineHolding((ids) => ids.find((id) => !known.has(id)));
    assert.ok(holder, 'one of the two rtpengines carries the new call');
    const survivor = holder === n1 ? n2 : n1;
    const beforeKill = await packetsOver(2000);

    cluster.loseEngine(holder, 'rtpengine');
    await new Promise((r) => setTimeout(r, 500));
    const afterKill = await packetsOver(3000);
    console.log(
      `# rtpengine ${holder.index} killed mid-call: ${beforeKill} packets in 2 s before, ${afterKill} in 3 s after (the call's media is gone; signalling stays up)`,
    );
    assert.ok(beforeKill > 50, `media flowed before (${beforeKill})`);
    assert.ok(afterKill < 5, `a call on the dead rtpengine receives no more media (${afterKill} packets in 3 s)`);
    await agent.phone.hangUp();
    await agent.phone.waitCallStatus(/Call ended/);

    for (let i = 0; i < 2; i++) {
      const known2 = new Set(await rtpengineCallIds(survivor.management, PORTS.rtpengineNg));
      await agent.phone.dial(n2.endpoints.numbers.tone);
      await agent.phone.waitActive(20_000);
      const heard = await measureHeardAudio(agent.page, 1500);
      const onSurvivor = (await rtpengineCallIds(survivor.management, PORTS.rtpengineNg)).some((id) => !known2.has(id));
      assert.ok(onSurvivor, `new call ${i + 1} is on the surviving rtpengine (node ${survivor.index})`);
      assert.ok(approxHz(heard.dominantHz, CARRIER_TONE_HZ), `new call ${i + 1} has media: ${JSON.stringify(heard)}`);
      await agent.phone.hangUp();
      await agent.phone.waitCallStatus(/Call ended/);
    }
  },
);

test('coturn lost: new allocations go to the other node', { skip: skip ?? false, timeout: 60_000 }, async () => {
  const both = await relayAddresses();
  assert.deepEqual(both, [n1.listen, n2.listen], 'with both coturns up, Chromium allocates a relay on each');
  cluster.loseEngine(n1, 'coturn');
  const left = await relayAddresses();
  assert.deepEqual(left, [n2.listen], 'with node 1 coturn gone, the allocation comes from node 2');
});
