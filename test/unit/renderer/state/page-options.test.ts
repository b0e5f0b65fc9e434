import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioProcessingFrom } from '../../../../renderer/state/page-options.js';

test('?audioProcessing=off (or false/0/no) turns audio processing off; anything else keeps it on', () => {
  assert.equal(audioProcessingFrom(''), true);
  assert.equal(audioProcessingFrom('?audioProcessing=off'), false);
  assert.equal(audioProcessingFrom('?x=1&audioProcessing=FALSE'), false);
  assert.equal(audioProcessingFrom('?audioProcessing=0'), false);
  assert.equal(audioProcessingFrom('?audioProcessing=on'), true);
  assert.equal(audioProcessingFrom('?audioprocessing=off'), true, 'the parameter name is case-sensitive');
});
