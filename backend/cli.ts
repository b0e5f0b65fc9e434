/**
 * `npm run backend -- --state-dir DIR [options]` (USAGE below): starts the stack, prints one ready
 * line, stops everything on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startStack, type RunningStack } from './stack.js';
import { ALERT_WEBHOOK_ENV, alertWebhookFromSources } from './alert-webhook-source.js';
import { parseQualityThresholds } from './quality-thresholds-option.js';

const USAGE = `usage: npm run backend -- --state-dir DIR [--port-base N] [--listen ADDR]
       [--media-address ADDR] [--management-address ADDR] [--demo] [--trunk ADDR:PORT]
       [--tls-cert FILE --tls-key FILE] [--db sqlite:///file|postgres://…] [--turn-ttl SECONDS]
       [--audit-retention-days N] [--rtpengine-instances N] [--cors-origin ORIGIN]...
       [--https-listen ADDR:PORT] [--wss-listen ADDR:PORT] [--turns-listen ADDR:PORT]
       [--peer-kamailio MGMT_ADDR]... [--peer-rtpengine ADDR:PORT]... [--peer-media-address ADDR]...
       [--peer-sip-url URL]... [--peer-turn-uri URI]...
       [--max-calls N] [--media-port-min PORT] [--alert-webhook-file FILE] [--media-timeout-seconds S]
       [--quality-thresholds rtt=MS,jitter=MS,loss=PCT,mos=N]
A loopback --listen (the default) is the demo; any other is production unless --demo is given.
--https-listen, --wss-listen, --turns-listen move the control plane, SIP over WSS and coturn
(TURN/TLS on PORT, TURN UDP/TCP at its block port) to an address of their own, e.g. :443.
--peer-* make this one node of several (backend/README.md "Running N nodes"): registrations
replicate to each --peer-kamailio over DMQ, rtpengine calls spread over every
--peer-rtpengine, coturn may relay to each --peer-media-address, and agents are given each
--peer-sip-url and --peer-turn-uri besides this node's own. Every node uses the same --port-base,
--db postgres://… and the same secrets.json.
--media-timeout-seconds (default 60): a call with no media in either direction for that long is
ended on both legs (a BYE to the trunk and the agent, the call record says "media timeout").
--alert-webhook-file FILE (or the environment variable ${ALERT_WEBHOOK_ENV}): the URL quality alerts
are POSTed to, signed (backend/README.md "Admin page"); never on the command line, where ps shows it.
--quality-thresholds (default rtt=400,jitter=30,loss=1,mos=3.5): when agents' softphones warn about
a call's quality and the admin page alerts; keys left out keep their defaults.`;

function parseIntOption(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`${flag} must be an integer (got "${v}")`);
  return Number(v);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'state-dir': { type: 'string' },
        'port-base': { type: 'string' },
        listen: { type: 'string' },
        'media-address': { type: 'string' },
        'management-address': { type: 'string' },
        demo: { type: 'boolean' },
        trunk: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        db: { type: 'string' },
        'turn-ttl': { type: 'string' },
        'media-timeout-seconds': { type: 'string' },
        'audit-retention-days': { type: 'string' },
        'rtpengine-instances': { type: 'string' },
        'max-calls': { type: 'string' },
        'media-port-min': { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        'alert-webhook': { type: 'string' },
        'alert-webhook-file': { type: 'string' },
        'quality-thresholds': { type: 'string' },
        'https-listen': { type: 'string' },
        'wss-listen': { type: 'string' },
        'turns-listen': { type: 'string' },
        'peer-kamailio': { type: 'string', multiple: true },
        'peer-rtpengine': { type: 'string', multiple: true },
        'peer-media-address': { type: 'string', multiple: true },
        'peer-sip-url': { type: 'string', multiple: true },
        'peer-turn-uri': { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values['state-dir']) throw new Error(`--state-dir DIR is required\n${USAGE}`);

  let stack: RunningStack | null = null;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[backend] ${signal}: stopping\n`);
    // The 10 s promise: components get SIGKILL after their grace period; this is the backstop.
    setTimeout(() => process.exit(1), 9500).unref();
    await stack?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  stack = await startStack({
    stateDir: values['state-dir'],
    portBase: parseIntOption('--port-base', values['port-base']),
    listen: values.listen,
    mediaAddress: values['media-address'],
    managementAddress: values['management-address'],
    // Absent = the default for the listen address; the flag only ever turns demo mode on.
    demo: values.demo || undefined,
    trunk: values.trunk,
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    dbUrl: values.db,
    turnTtlSec: parseIntOption('--turn-ttl', values['turn-ttl']),
    mediaTimeoutSeconds: parseIntOption('--media-timeout-seconds', values['media-timeout-seconds']),
    auditRetentionDays: parseIntOption('--audit-retention-days', values['audit-retention-days']),
    rtpengineInstances: parseIntOption('--rtpengine-instances', values['rtpengine-instances']),
    maxCalls: parseIntOption('--max-calls', values['max-calls']),
    mediaPortMin: parseIntOption('--media-port-min', values['media-port-min']),
    corsOrigins: values['cors-origin'],
    ...(values['quality-thresholds'] !== undefined ? { qualityThresholds: parseQualityThresholds(values['quality-thresholds']) } : {}),
    alertWebhook: alertWebhookFromSources({ flag: values['alert-webhook'], file: values['alert-webhook-file'], env: process.env }),
    peers: {
      kamailio: values['peer-kamailio'],
      rtpengines: values['peer-rtpengine'],
      mediaAddresses: values['peer-media-address'],
      sipUrls: values['peer-sip-url'],
      turnUris: values['peer-turn-uri'],
    },
    serviceListen: {
      ...(values['https-listen'] !== undefined ? { controlPlane: values['https-listen'] } : {}),
      ...(values['wss-listen'] !== undefined ? { sipWss: values['wss-listen'] } : {}),
      ...(values['turns-listen'] !== undefined ? { turns: values['turns-listen'] } : {}),
    },
  });
  if (stopping) await stack.stop();
  const e = stack.endpoints;
  console.log(
    `clearline backend ready: endpoints=${stack.endpointsFile} controlPlane=${e.controlPlane.url} sip=${e.sip.wssUrl ?? e.sip.wsUrl}`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`[backend] error: ${err.message}\n`);
  process.exit(1);
});
