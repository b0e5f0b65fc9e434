/**
 * Everything the stack writes into the state dir before starting anything: secrets, the local CA,
 * and the configuration of each component (mode 0600: they hold secrets).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKamailioConfig, renderKamailioTlsConfig } from './config/kamailio.js';
import { renderCoturnConfig } from './config/coturn.js';
import { rtpengineSocket } from './config/rtpengine.js';
import { ensureLocalPki, type LocalPki } from './pki.js';
import { loadOrCreateSecrets, type StackSecrets } from './state.js';
import { turnUris } from './control-plane/turn-rest.js';
import type { ControlPlaneConfig } from './control-plane/config.js';
import { APP_ORIGIN } from '../main/security/app-origin.js';
import { NUMBERS, SIP_REALM, type ResolvedOptions } from './stack-options.js';

export interface StackFiles {
  readonly secrets: StackSecrets;
  readonly pki: LocalPki;
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
  const { ports, listen, stateDir } = o;
  const { repoRoot, confDir, runDir } = dirs;
  const secrets = loadOrCreateSecrets(stateDir);
  const pki = await ensureLocalPki(join(stateDir, 'pki'), listen);
  const wsUrl = `ws://${listen}:${ports.sipWs}`;
  const wssUrl = o.tls ? `wss://${listen}:${ports.sipWss}` : undefined;
  const controlPlaneUrl = `http://${listen}:${ports.controlPlane}`;
  const uris = turnUris(listen, ports.turn, ports.turns);
  const carrierMain = join(repoRoot, 'backend/carrier/main.ts');
  const reflectorMain = join(repoRoot, 'backend/reflector/main.ts');
  const hasCarrier = existsSync(carrierMain);
  const hasReflector = existsSync(reflectorMain);

  const cpConfigFile = join(confDir, 'control-plane.json');
  const cpConfig: ControlPlaneConfig = {
    listen,
    port: ports.controlPlane,
    dbUrl: o.dbUrl,
    realm: SIP_REALM,
    adminToken: secrets.adminToken,
    internalToken: secrets.internalToken,
    turn: { secret: secrets.turnSecret, ttlSec: o.turnTtlSec, uris },
    client: {
      wsUrl: wssUrl ?? wsUrl,
      domain: listen,
      registerExpiresSec: 300,
      numbers: { ...NUMBERS },
      ...(hasReflector ? { reflector: { host: listen, port: ports.reflector } } : {}),
    },
    publicUrl: controlPlaneUrl,
    wsUrls: [wsUrl, ...(wssUrl ? [wssUrl] : [])],
    corsOrigins: [controlPlaneUrl, ...corsOrigins],
    webRoot: join(repoRoot, 'dist/renderer'),
    demoAgents: secrets.demoAgents,
    // Kamailio's ctl socket (its cfg binds it here): revoking an agent drops its registrations through it.
    kamailioCtlSocket: join(runDir, 'kamailio_ctl'),
  };
  writeFileSync(cpConfigFile, JSON.stringify(cpConfig, null, 2), { mode: 0o600 });

  const kamailioCfg = join(confDir, 'kamailio.cfg');
  const kamailioTlsCfg = join(confDir, 'kamailio-tls.cfg');
  if (o.tls) writeFileSync(kamailioTlsCfg, renderKamailioTlsConfig({ certFile: o.tls.cert, keyFile: o.tls.key }), { mode: 0o600 });
  writeFileSync(
    kamailioCfg,
    renderKamailioConfig({
      listen,
      sipUdpPort: ports.sipUdp,
      sipWsPort: ports.sipWs,
      ...(o.tls ? { wss: { port: ports.sipWss, tlsConfigFile: kamailioTlsCfg } } : {}),
      realm: SIP_REALM,
      dbUrl: o.dbUrl,
      rtpengineSockets: o.rtpengines.map((r) => rtpengineSocket(listen, r.ngPort)),
      trunk: hasCarrier ? { address: listen, port: ports.carrierSip } : null,
      auditUrl: `${controlPlaneUrl}/internal/sip-events`,
      auditToken: secrets.internalToken,
      nonceSecret: secrets.nonceSecret,
      // The web softphone the control plane serves, the desktop app, and any --cors-origin.
      wsAllowedOrigins: [controlPlaneUrl, APP_ORIGIN, ...corsOrigins],
      ...(o.auditQueueSize !== undefined ? { auditQueueSize: o.auditQueueSize } : {}),
    }),
    { mode: 0o600 },
  );

  const coturnConf = join(confDir, 'turnserver.conf');
  writeFileSync(
    coturnConf,
    renderCoturnConfig({
      listen,
      port: ports.turn,
      tlsPort: ports.turns,
      relayMin: ports.turnRelayMin,
      relayMax: ports.turnRelayMax,
      realm: SIP_REALM,
      authSecret: secrets.turnSecret,
      certFile: pki.certFile,
      keyFile: pki.keyFile,
      // rtpengine's media address: the one peer a browser's relayed candidate must reach.
      allowedPeers: [listen],
      pidFile: join(runDir, 'turnserver.pid'),
    }),
    { mode: 0o600 },
  );

  return {
    secrets,
    pki,
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
