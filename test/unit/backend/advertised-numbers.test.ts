/**
 * The test numbers the stack advertises (the control plane's client config, endpoints.json) are
 * the numbers the simulated carrier answers, each with its role's behaviour. Fails when a copy of
 * the list drifts from the carrier's, or the advertised shape stops matching the carrier's roles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { behaviourFor, DEFAULT_NUMBERS, NUMBER_ROLES, type Behaviour, type NumberRole } from '../../../backend/carrier/behaviours.js';
import { ControlPlaneConfigSchema } from '../../../backend/control-plane/config.js';
import { EndpointsSchema } from '../../../backend/endpoints.js';
import { generatedStackFiles } from '../../support/stack-files.js';

/** What a call to each role's number must do (the demo's promise to the person dialling it). */
const EXPECTED: Record<NumberRole, Behaviour> = {
  echo: { kind: 'answer', role: 'echo', mode: 'echo' },
  tone: { kind: 'answer', role: 'tone', mode: 'tone' },
  record: { kind: 'answer', role: 'record', mode: 'record' },
  busy: { kind: 'reject', role: 'busy', status: 486 },
  noAnswer: { kind: 'ring', role: 'noAnswer' },
};

test('advertised numbers: the control plane tells clients exactly the numbers the carrier answers, each with its behaviour', async (t) => {
  const { files } = await generatedStackFiles(t);
  assert.notEqual(files.carrierMain, null, 'a loopback stack runs the simulated carrier');
  const advertised = ControlPlaneConfigSchema.parse(JSON.parse(readFileSync(files.controlPlaneConfig, 'utf8'))).client.numbers;

  // The shape endpoints.json publishes accepts them: every role of the carrier, nothing else.
  const published = EndpointsSchema.shape.numbers.parse(advertised);
  assert.deepEqual(Object.keys(published).sort(), [...NUMBER_ROLES].sort());
  for (const role of NUMBER_ROLES) {
    assert.deepEqual(behaviourFor(DEFAULT_NUMBERS, published[role]), EXPECTED[role], `${role} ${published[role]}`);
  }
});

test('advertised numbers: endpoints.json cannot publish a list that lacks a carrier role or names one the carrier lacks', () => {
  const numbers = EndpointsSchema.shape.numbers;
  const { busy: _dropped, ...withoutBusy } = DEFAULT_NUMBERS;
  assert.equal(numbers.safeParse(withoutBusy).success, false);
  assert.equal(numbers.safeParse({ ...DEFAULT_NUMBERS, fax: '5550199' }).success, false);
  assert.deepEqual(numbers.parse(DEFAULT_NUMBERS), DEFAULT_NUMBERS);
});
