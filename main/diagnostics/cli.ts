/**
 * `npm run diag -- --config <control-plane URL> --user U --password P [--json] [--ca FILE]
 *  [--media-gateway HOST] [--only step,…] [--last-config FILE]`: the same checks as the app,
 * headless. The checks that need only a host name run while the configuration is read, and are what
 * the report holds when it cannot be (provisioned-run.ts). Exit 0 when the overall verdict is pass or warn, 2 on fail, 1 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { STEPS, defaultProbes, renderReport, runProvisioned, selectSteps } from './index.js';
import { defaultLastConfigPath, readLastConfig, writeLastConfig } from './last-config-file.js';
import { fetchDiagnosticsConfig } from './provisioning-client.js';
import { iceServerOf } from './targets.js';
import { ControlPlaneError } from '../../common/control-plane-client.js';
import type { ProgressListener } from './types.js';

const USAGE = `usage: npm run diag -- --config <control-plane URL> --user <username> --password <password>
                        [--json] [--ca <PEM file>] [--media-gateway <host>] [--only <step,…>]
                        [--last-config <file>]
  --config         control-plane base URL (the provisioning URL the app signs in to)
  --user/--password  the agent's credentials (HTTP Basic to the control plane); the password
                   may come from CLEARLINE_DIAG_PASSWORD instead
  --json           print one JSON report instead of the human summary
  --ca             extra trusted CA certificate for TLS checks (private PKI)
  --media-gateway  where media goes, if not the SIP server's host
  --only           run only these steps (ids: ${STEPS.map((s) => s.id).join(', ')})
  --last-config    where the last configuration read from the control plane is kept (no secrets),
                   for the host checks when it cannot be reached (default ${defaultLastConfigPath()})
exit: 0 pass or warn, 2 fail, 1 bad usage`;

function usage(problem: string): never {
  console.error(`diag: ${problem}\n${USAGE}`);
  process.exit(1);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      config: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      json: { type: 'boolean', default: false },
      ca: { type: 'string' },
      'media-gateway': { type: 'string' },
      only: { type: 'string' },
      'last-config': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (e) {
  usage((e as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const configUrl = values.config as string | undefined;
if (!configUrl) usage('--config is required');
if (!/^https?:\/\//.test(configUrl) || !URL.canParse(configUrl)) usage(`--config must be an http(s) URL (got "${configUrl}")`);
if (!values.user) usage('--user is required');
// The environment variable keeps the password out of `ps` and shell history on shared machines.
const password = (values.password as string | undefined) ?? process.env.CLEARLINE_DIAG_PASSWORD;
if (!password) usage('--password (or the CLEARLINE_DIAG_PASSWORD environment variable) is required');
let ca: Buffer | undefined;
if (values.ca) {
  try {
    ca = readFileSync(values.ca as string);
  } catch (e) {
    usage(`--ca: cannot read ${values.ca}: ${(e as Error).message}`);
  }
}
const json = values.json === true;
let steps = STEPS;
if (values.only) {
  try {
    steps = selectSteps((values.only as string).split(',').map((s) => s.trim()));
  } catch (e) {
    usage(`--only: ${(e as Error).message}`);
  }
}

const lastConfigPath = (values['last-config'] as string | undefined) ?? defaultLastConfigPath();
const probes = defaultProbes({ ca });
const progress: ProgressListener = (event) => {
  if (!json && event.kind === 'started') console.error(`… ${event.title}`);
};
const warn = (message: string) => console.error(`diag: ${message}`);

const mediaGateway = values['media-gateway'] as string | undefined;
const last = await readLastConfig(lastConfigPath, configUrl, warn);
// The host checks run while the configuration is read (provisioned-run.ts): when it cannot be
// read (unreachable, refused or nonsense), they still say what lies between here and there.
const report = await runProvisioned(
  {
    provisioningUrl: configUrl,
    lastConfig: last?.config ?? null,
    lastIceServers: last?.iceServers ?? [],
    ...(mediaGateway ? { mediaGateway } : {}),
    steps,
    provisioning: {
      async read() {
        const config = await fetchDiagnosticsConfig(configUrl, values.user as string, password, ca);
        const kept = { config: config.client, iceServers: config.turn.uris.map(iceServerOf) };
        await writeLastConfig(lastConfigPath, configUrl, kept).catch((e: Error) =>
          warn(`cannot keep the configuration in ${lastConfigPath}: ${e.message}`),
        );
        return mediaGateway ? { ...config, mediaGateway } : config;
      },
      fixFor: (e) =>
        e instanceof ControlPlaneError ? e.fix : 'an unexpected error stopped the test: report it to Clearline support with this output',
    },
  },
  probes,
  progress,
);
console.log(json ? JSON.stringify(report) : renderReport(report));
// Exit explicitly: a check that left a socket open must not keep a fleet-wide script waiting.
process.exit(report.verdict === 'fail' ? 2 : 0);
