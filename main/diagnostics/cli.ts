/**
 * `npm run diag -- --config <control-plane URL> --user U --password P [--json] [--ca FILE]
 *  [--media-gateway HOST] [--only step,…] [--last-config FILE]`: the same checks as the app,
 * headless. When the control plane cannot be read, the checks that need only a host name still run
 * (without-control-plane.ts). Exit 0 when the overall verdict is pass or warn, 2 on fail, 1 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HOST_NAME_STEPS, STEPS, defaultProbes, renderReport, runDiagnostics, runWithoutControlPlane, selectSteps } from './index.js';
import { defaultLastConfigPath, readLastConfig, writeLastConfig } from './last-config-file.js';
import { fetchDiagnosticsConfig } from './provisioning-client.js';
import { ControlPlaneError } from '../../common/control-plane-client.js';
import type { ProgressListener, Report } from './types.js';

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

/** When the run began: a provisioning failure counts the time it took to fail. */
const startedAt = probes.now();

let report: Report;
try {
  const config = await fetchDiagnosticsConfig(configUrl, values.user as string, password, ca);
  await writeLastConfig(lastConfigPath, configUrl, config.client).catch((e: Error) =>
    warn(`cannot keep the configuration in ${lastConfigPath}: ${e.message}`),
  );
  if (values['media-gateway']) config.mediaGateway = values['media-gateway'] as string;
  report = await runDiagnostics(config, probes, progress, steps);
} catch (e) {
  // Unreachable, refused or nonsense: the host checks still say what lies between here and there.
  report = await runWithoutControlPlane(
    {
      provisioningUrl: configUrl,
      lastConfig: await readLastConfig(lastConfigPath, configUrl, warn),
      ...(values['media-gateway'] ? { mediaGateway: values['media-gateway'] as string } : {}),
      provisioningFailure: {
        message: (e as Error).message,
        fix:
          e instanceof ControlPlaneError ? e.fix : 'an unexpected error stopped the test: report it to Clearline support with this output',
        startedAt,
      },
      steps: HOST_NAME_STEPS.filter((s) => steps.includes(s)),
    },
    probes,
    progress,
  );
}
console.log(json ? JSON.stringify(report) : renderReport(report));
// Exit explicitly: a check that left a socket open must not keep a fleet-wide script waiting.
process.exit(report.verdict === 'fail' ? 2 : 0);
