/**
 * Everything the stack writes into the state dir before starting anything: secrets, the local CA,
 * and the configuration of each component (mode 0600: they hold secrets).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { renderKamailioConfig, renderKamailioTlsConfig } from './config/kamailio.js';
import { ensureKamailioStateDb } from './config/kamailio-state-db.js';
import { DEFAULT_TURN_QUOTAS, renderCoturnConfig } from './config/coturn.js';
import { rtpengineSocket } from './config/rtpengine.js';
import { ensureLocalPki, type LocalPki } from './pki.js';
import { loadOrCreateSecrets, type StackSecrets } from './state.js';
import { turnUris } from './control-plane/turn-rest.js';
import type { ControlPlaneConfig } from './control-plane/config.js';
import { APP_ORIGIN } from '../common/app-origin.js';
import { originAllowList } from '../common/origin-allow-list.js';
import { SIP_REALM, type ResolvedOptions } from './stack-options.js';
import { DEFAULT_NUMBERS } from './carrier/behaviours.js';
import { serviceHosts, serviceUrl } from './agent-services.js';
import { plainWebSocketBinding } from './bindings.js';

export interface StackFiles {
  readonly secrets: StackSecrets;
  readonly pki: LocalPki;
  /** The certificate agents see on HTTPS/WSS; `local-ca` = one the state dir's CA signed. */
  readonly serverCert: { readonly cert: string; readonly key: string; readonly from: 'operator' | 'local-ca' } | null;
  /** The SIP WebSocket URL agents use: wss:// unless the listen is loopback. */
  readonly wsUrl: string;
  readonly wssUrl: string | undefined;
  readonly controlPlaneUrl: string;
  readonly turnUris: string[];
  readonly carrierMain: string | null;
  readonly reflectorMain: string | null;
  readonly controlPlaneConfig: string;
  readonly kamailioConfig: string;
  readonly coturnConfig: string;
}

export async function writeStackFiles(
  o: ResolvedOptions,
  dirs: { repoRoot: string; confDir: string; runDir: string },
  corsOrigins: readonly string[],
): Promise<StackFiles> {
  const { ports, listen, stateDir, managementAddress: mgmt, services } = o;
  const { repoRoot, confDir, runDir } = dirs;
  const secrets = loadOrCreateSecrets(stateDir);
  // The local CA's certificate names every address a TLS service listens on.
  const pki = await ensureLocalPki(
    join(stateDir, 'pki'),
    listen,
    serviceHosts(services).filter((h) => h !== listen),
  );
  // Off loopback, agents get HTTPS and WSS only: the operator's certificate, else the local CA's.
  const serverCert: StackFiles['serverCert'] = o.tls
    ? { ...o.tls, from: 'operator' }
    : o.tlsOnly
      ? { cert: pki.certFile, key: pki.keyFile, from: 'local-ca' }
      : null;
  const wssUrl = serverCert ? serviceUrl('wss', services.sipWss) : undefined;
  const wsUrl = o.tlsOnly ? wssUrl! : `ws://${listen}:${ports.sipWs}`;
  const controlPlaneUrl = serviceUrl(o.tlsOnly ? 'https' : 'http', services.controlPlane);
  const internalUrl = `http://${mgmt}:${ports.controlPlaneInternal}`;
  // Kamailio's ctl socket (its cfg binds it here): revoking an agent drops its registrations through it.
  const ctlSocket = join(runDir, 'kamailio_ctl');
  const { peers } = o;
  // Every node's TURN URIs: the browser gathers relay candidates on each, so a lost coturn costs nothing new.
  const uris = [...turnUris(services.turn.host, services.turn.port, services.turns.port), ...peers.turnUris];
  const carrierMain = join(repoRoot, 'backend/carrier/main.ts');
  const reflectorMain = join(repoRoot, 'backend/reflector/main.ts');
  // The simulated carrier is the demo's trunk: never outside demo mode, nor when a trunk is given.
  const hasCarrier = o.demo && !o.trunk && existsSync(carrierMain);
  const hasReflector = existsSync(reflectorMain);

  // One allow-list for CORS and the SIP WebSocket: the web softphone the control plane serves,
  // the desktop app, and any --cors-origin.
  const browserOrigins = originAllowList([controlPlaneUrl, APP_ORIGIN, ...corsOrigins], '--cors-origin');
  const cpConfigFile = join(confDir, 'control-plane.json');
  const cpConfig: ControlPlaneConfig = {
    listen: services.controlPlane.host,
    port: services.controlPlane.port,
    ...(o.tlsOnly && serverCert ? { tls: { certFile: serverCert.cert, keyFile: serverCert.key } } : {}),
    internal: { listen: mgmt, port: ports.controlPlaneInternal },
    dbUrl: o.dbUrl,
    realm: SIP_REALM,
    adminToken: secrets.adminToken,
    internalToken: secrets.internalToken,
    turn: { secret: secrets.turnSecret, ttlSec: o.turnTtlSec, uris },
    client: {
      wsUrl: wssUrl ?? wsUrl,
      domain: listen,
      registerExpiresSec: 300,
      ...(peers.sipUrls.length > 0 ? { fallbackWsUrls: [...peers.sipUrls] } : {}),
      numbers: { ...DEFAULT_NUMBERS },
      ...(hasReflector ? { reflector: { host: o.mediaAddress, port: ports.reflector } } : {}),
      mediaTimeoutSeconds: o.mediaTimeoutSeconds,
    },
    publicUrl: controlPlaneUrl,
    wsUrls: [...new Set([wsUrl, ...(wssUrl ? [wssUrl] : []), ...peers.sipUrls])],
    corsOrigins: browserOrigins,
    webRoot: join(repoRoot, 'dist/renderer'),
    // Outside demo mode there are no demo agents (the admin creates agents), not even from an
    // earlier demo run in this state dir.
    demoAgents: o.demo ? secrets.demoAgents : [],
    ...(o.demo ? {} : { retiredDemoAgents: secrets.demoAgents.map(({ username, password }) => ({ username, password })) }),
    kamailioCtlSocket: ctlSocket,
    auditRetentionDays: o.auditRetentionDays,
    ...(o.qualityThresholds !== undefined ? { qualityThresholds: o.qualityThresholds } : {}),
    ...(o.alertWebhook !== undefined ? { alertWebhook: o.alertWebhook, alertWebhookSecret: secrets.alertWebhookSecret } : {}),
  };
  writeFileSync(cpConfigFile, JSON.stringify(cpConfig, null, 2), { mode: 0o600 });

  const kamailioStateDb = join(stateDir, 'kamailio.db');
  ensureKamailioStateDb(kamailioStateDb);
  const kamailioCfg = join(confDir, 'kamailio.cfg');
  const kamailioTlsCfg = join(confDir, 'kamailio-tls.cfg');
  if (serverCert)
    writeFileSync(kamailioTlsCfg, renderKamailioTlsConfig({ certFile: serverCert.cert, keyFile: serverCert.key }), { mode: 0o600 });
  writeFileSync(
    kamailioCfg,
    renderKamailioConfig({
      listen,
      sipUdpPort: ports.sipUdp,
      sipWsPort: ports.sipWs,
      plainWsListen: plainWebSocketBinding(o).host,
      ...(serverCert ? { wss: { ...services.sipWss, tlsConfigFile: kamailioTlsCfg } } : {}),
      realm: SIP_REALM,
      dbUrl: o.dbUrl,
      // Kamailio runs in runDir (stack.ts).
      stateDbFile: relative(runDir, kamailioStateDb),
      // In one order on every node: Kamailio picks a call's rtpengine by hashing its Call-ID over
      // the set in order, so a node that takes over a peer's call (a replicated dialog) finds the
      // same rtpengine for its re-INVITE.
      rtpengineSockets: [
        ...o.rtpengines.map((r) => rtpengineSocket(mgmt, r.ngPort)),
        ...peers.rtpengines.map((r) => rtpengineSocket(r.host, r.port)),
      ].sort(),
      ...(peers.kamailio.length > 0
        ? {
            dmq: {
              address: mgmt,
              port: ports.kamailioDmq,
              peers: peers.kamailio,
              peerRouteHosts: [...new Set(peers.sipUrls.map((u) => new URL(u).hostname))],
            },
          }
        : {}),
      trunk: o.trunk ?? (hasCarrier ? { address: mgmt, port: ports.carrierSip } : null),
      // Demo cluster: each node's simulated carrier is its trunk, and a call set up through a lost
      // node is ended through another, toward that node's carrier: every node's carrier is a trunk
      // of every node (as one real trunk is, given to every node with --trunk).
      ...(hasCarrier && peers.kamailio.length > 0
        ? { trustedTrunks: peers.kamailio.map((address) => ({ address, port: ports.carrierSip })) }
        : {}),
      auditUrl: `${internalUrl}/internal/sip-events`,
      auditToken: secrets.internalToken,
      nonceSecret: secrets.nonceSecret,
      ctlSocket,
      wsAllowedOrigins: browserOrigins,
      mediaTimeout: {
        address: mgmt,
        port: ports.kamailioMediaTimeout,
        rtpengineHosts: [mgmt, ...peers.rtpengines.map((r) => r.host)],
      },
      ...(o.auditQueueSize !== undefined ? { auditQueueSize: o.auditQueueSize } : {}),
      ...(o.maxCallSeconds !== undefined ? { maxCallSeconds: o.maxCallSeconds } : {}),
    }),
    { mode: 0o600 },
  );

  const coturnConf = join(confDir, 'turnserver.conf');
  writeFileSync(
    coturnConf,
    renderCoturnConfig({
      listen: services.turn.host,
      port: services.turn.port,
      tlsPort: services.turns.port,
      relayMin: ports.turnRelayMin,
      relayMax: ports.turnRelayMax,
      // No more allocations than relay ports: the next one gets a clean quota error (486).
      quotas: { ...DEFAULT_TURN_QUOTAS, totalQuota: ports.turnRelayMax - ports.turnRelayMin + 1 },
      realm: SIP_REALM,
      authSecret: secrets.turnSecret,
      certFile: pki.certFile,
      keyFile: pki.keyFile,
      // rtpengine's media address: the one peer a browser's relayed candidate must reach. The
      // stack's other addresses are denied even when public (unless media shares one: a gap
      // startStack warns about).
      // With peers, their rtpengines' media addresses too; their management addresses never.
      allowedPeers: [...new Set([o.mediaAddress, ...peers.mediaAddresses])],
      deniedPeers: [
        ...new Set([listen, mgmt, ...serviceHosts(services), ...peers.kamailio, ...peers.rtpengines.map((r) => r.host)]),
      ].filter((a) => a !== o.mediaAddress && !peers.mediaAddresses.includes(a)),
      pidFile: join(runDir, 'turnserver.pid'),
    }),
    { mode: 0o600 },
  );

  return {
    secrets,
    pki,
    serverCert,
    wsUrl,
    wssUrl,
    controlPlaneUrl,
    turnUris: uris,
    carrierMain: hasCarrier ? carrierMain : null,
    reflectorMain: hasReflector ? reflectorMain : null,
    controlPlaneConfig: cpConfigFile,
    kamailioConfig: kamailioCfg,
    coturnConfig: coturnConf,
  };
}
