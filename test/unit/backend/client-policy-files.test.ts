/**
 * What the operator sets for every agent's softphone (`--quality-thresholds`, `--media-timeout-seconds`)
 * reaches the control plane's configuration, from which `/api/client-config` hands it to the clients
 * (that last step: test/integration/backend/control-plane.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlaneConfigSchema } from '../../../backend/control-plane/config.js';
import { REPO_ROOT } from '../../../backend/stack.js';
import { writeStackFiles } from '../../../backend/stack-files.js';
import { resolveStackOptions, type StackOptions } from '../../../backend/stack-options.js';
import { parseQualityThresholds } from '../../../backend/quality-thresholds-option.js';

async function controlPlaneConfigFor(options: Omit<StackOptions, 'stateDir'>) {
  const stateDir = mkdtempSync(join(tmpdir(), 'clearline-client-policy-'));
  try {
    const confDir = join(stateDir, 'config');
    const runDir = join(stateDir, 'run');
    for (const d of [confDir, runDir]) mkdirSync(d, { recursive: true });
    const files = await writeStackFiles(resolveStackOptions({ stateDir, ...options }), { repoRoot: REPO_ROOT, confDir, runDir }, []);
    return ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(files.controlPlaneConfig, 'utf8')));
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

test('the operator’s quality thresholds and media timeout reach the control plane’s client settings', async () => {
  const config = await controlPlaneConfigFor({ qualityThresholds: parseQualityThresholds('rtt=250,loss=2'), mediaTimeoutSeconds: 20 });
  assert.deepEqual(config.qualityThresholds, { rttMs: 250, jitterMs: 30, lossPercent: 2, mos: 3.5 });
  assert.equal(config.client.mediaTimeoutSeconds, 20);
});

test('left unset: no thresholds written (the control plane uses the defaults) and the default 60 s media timeout', async () => {
  const config = await controlPlaneConfigFor({});
  assert.equal(config.qualityThresholds, undefined);
  assert.equal(config.client.mediaTimeoutSeconds, 60);
});
