/**
 * What the operator sets for every agent's softphone (`--quality-thresholds`, `--media-timeout-seconds`)
 * reaches the control plane's configuration, from which `/api/client-config` hands it to the clients
 * (that last step: test/integration/backend/control-plane.test.ts).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ControlPlaneConfigSchema } from '../../../backend/control-plane/config.js';
import type { StackOptions } from '../../../backend/stack-options.js';
import { parseQualityThresholds } from '../../../backend/quality-thresholds-option.js';
import { generatedStackFiles } from '../../support/stack-files.js';

async function controlPlaneConfigFor(t: TestContext, options: Omit<StackOptions, 'stateDir'>) {
  const { files } = await generatedStackFiles(t, options);
  return ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(files.controlPlaneConfig, 'utf8')));
}

test('the operator’s quality thresholds and media timeout reach the control plane’s client settings', async (t) => {
  const config = await controlPlaneConfigFor(t, { qualityThresholds: parseQualityThresholds('rtt=250,loss=2'), mediaTimeoutSeconds: 20 });
  assert.deepEqual(config.qualityThresholds, { rttMs: 250, jitterMs: 30, lossPercent: 2, mos: 3.5 });
  assert.equal(config.client.mediaTimeoutSeconds, 20);
});

test('left unset: no thresholds written (the control plane uses the defaults) and the default 60 s media timeout', async (t) => {
  const config = await controlPlaneConfigFor(t, {});
  assert.equal(config.qualityThresholds, undefined);
  assert.equal(config.client.mediaTimeoutSeconds, 60);
});
