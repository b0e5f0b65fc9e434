/**
 * `npm run diag -- --config <control-plane URL> --user U --password P [--json] [--ca FILE]
 *  [--media-gateway HOST] [--only step,…]`: the same checks as the app, headless. Exit 0 when the
 * overall verdict is pass or warn, 2 on fail, 1 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { STEPS, defaultProbes, renderReport, runDiagnostics, selectSteps } from './index.js';
import { fetchDiagnosticsConfig } from './provisioning-client.js';
import { ControlPlaneError } from '../../common/control-plane-client.js';
import type { Report } from './types.js';

const USAGE = `usage: npm run diag -- --config <control-plane URL> --user <username> --password <password>
                        [--json] [--ca <PEM file>] [--media-gateway <host>] [--only <step,…>]
  --config         control-plane base URL (the provisioning URL the app signs in to)
  --user/--password  the agent's credentials (HTTP Basic to the control plane); the password
                   may come from CLEARLINE_DIAG_PASSWORD instead
  --json           print one JSON report instead of the human summary
  --ca             extra trusted CA certificate for TLS checks (private PKI)
  --media-gateway  where media goes, if not the SIP server's host
  --only           run only these steps (ids: ${STEPS.map((s) => s.id).join(', ')})
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

/** When the run began: a provisioning failure reports the time it took to fail, not 0 ms. */
const startedAt = Date.now();

function provisioningFailure(message: string, fix: string): Report {
  const totalMs = Date.now() - startedAt;
  return {
    runId: 'provisioning',
    verdict: 'fail',
    summary: `Cannot read the provisioned configuration: ${message}`,
    startedAt: new Date(startedAt).toISOString(),
    totalMs,
    steps: [
      {
        id: 'provisioning',
        title: 'Provisioning',
        verdict: 'fail',
        explanation: message,
        fix,
        values: { url: configUrl },
        durationMs: totalMs,
      },
    ],
  };
}

let report: Report;
try {
  const config = await fetchDiagnosticsConfig(configUrl, values.user as string, password, ca);
  if (values['media-gateway']) config.mediaGateway = values['media-gateway'] as string;
  report = await runDiagnostics(
    config,
    defaultProbes({ ca }),
    (event) => {
      if (!json && event.kind === 'started') console.error(`… ${event.title}`);
    },
    steps,
  );
} catch (e) {
  report = provisioningFailure(
    (e as Error).message,
    e instanceof ControlPlaneError ? e.fix : 'an unexpected error stopped the test: report it to Clearline support with this output',
  );
}
console.log(json ? JSON.stringify(report) : renderReport(report));
// Exit explicitly: a check that left a socket open must not keep a fleet-wide script waiting.
process.exit(report.verdict === 'fail' ? 2 : 0);
